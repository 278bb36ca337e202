(function () {
  "use strict";
  var root = document.documentElement;
  var current = null;
  function close() {
    var open = document.querySelectorAll(".panel.open, td.selected");
    for (var i = 0; i < open.length; i++) {
      open[i].classList.remove("open", "selected");
    }
    if (current) {
      current.focus();
      current = null;
    }
  }
  function show(id, link) {
    var panel = document.getElementById(id);
    if (!panel || !panel.classList.contains("panel")) {
      return false;
    }
    close();
    panel.classList.add("open");
    var td = link && link.closest("td");
    if (td) {
      td.classList.add("selected");
    }
    current = link || null;
    panel.focus();
    return true;
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-open]");
    if (link && show(link.getAttribute("data-open"), link)) {
      e.preventDefault();
      history.replaceState(null, "", "#" + link.getAttribute("data-open"));
      return;
    }
    if (e.target.closest("a.close")) {
      e.preventDefault();
      close();
      history.replaceState(null, "", location.pathname + location.search);
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      close();
    }
  });
  if (location.hash.length > 1) {
    var id = decodeURIComponent(location.hash.slice(1));
    var link = document.querySelector("td a[data-open=\"" + id.replace(/[^A-Za-z0-9-]/g, "") + "\"]");
    show(id, link);
  }
  var cells = document.querySelectorAll("#matrix td.cell").length;
  root.setAttribute("data-js", "ready");
  root.setAttribute("data-cells", String(cells));
})();
