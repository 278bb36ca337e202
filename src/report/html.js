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
  var matrix = document.getElementById("matrix");
  var sections = matrix ? matrix.querySelectorAll("tbody.sec") : [];
  function fold(sec, folded) {
    sec.classList.toggle("collapsed", folded);
    var b = sec.querySelector("button.fold");
    if (b) {
      b.setAttribute("aria-expanded", folded ? "false" : "true");
    }
  }
  function unfoldAround(el) {
    var sec = el && el.closest("tbody.sec");
    if (sec) {
      fold(sec, false);
    }
  }
  // The filter: every term must match the row's data-s (`key:value` terms match a key's value
  // from its start, other terms anywhere).
  function filter(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    var shown = 0;
    var total = 0;
    matrix.classList.toggle("filtering", terms.length > 0);
    for (var i = 0; i < sections.length; i++) {
      var rows = sections[i].querySelectorAll("tr");
      var inSection = 0;
      var group = null;
      var inGroup = 0;
      for (var j = 0; j < rows.length; j++) {
        var tr = rows[j];
        if (tr.classList.contains("group")) {
          if (group) {
            group.hidden = inGroup === 0;
          }
          group = tr;
          inGroup = 0;
          continue;
        }
        if (!tr.classList.contains("row")) {
          continue;
        }
        total++;
        var s = " " + tr.getAttribute("data-s");
        var ok = true;
        for (var k = 0; k < terms.length && ok; k++) {
          var t = terms[k];
          ok = t.indexOf(":") > 0 ? s.indexOf(" " + t) >= 0 : s.indexOf(t) >= 0;
        }
        tr.hidden = !ok;
        if (ok) {
          inSection++;
          inGroup++;
        }
      }
      if (group) {
        group.hidden = inGroup === 0;
      }
      shown += inSection;
      sections[i].hidden = inSection === 0;
      var count = sections[i].querySelector(".count");
      if (count) {
        count.textContent = terms.length > 0 ? inSection + " of " + count.getAttribute("data-n") : count.getAttribute("data-n");
      }
    }
    var label = document.getElementById("shown");
    if (label) {
      label.textContent = terms.length > 0 ? shown + " of " + total + " cases" : total + " cases";
    }
    root.setAttribute("data-shown", String(shown));
  }
  for (var i = 0; i < sections.length; i++) {
    var count = sections[i].querySelector(".count");
    if (count) {
      count.setAttribute("data-n", count.textContent);
    }
  }
  var box = document.getElementById("filter");
  if (box && matrix) {
    box.addEventListener("input", function () { filter(box.value); });
    // A filter in the fragment (`#filter=kind:pod`) or kept by the browser on reload.
    var m = /^#filter=(.*)$/.exec(location.hash);
    if (m) {
      box.value = decodeURIComponent(m[1]);
    }
    if (box.value) {
      filter(box.value);
    }
  }
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest("button.fold");
    if (toggle) {
      var sec = toggle.closest("tbody.sec");
      fold(sec, !sec.classList.contains("collapsed"));
      return;
    }
    if (e.target.closest("#expand, #collapse")) {
      var folded = e.target.closest("#collapse") !== null;
      for (var i = 0; i < sections.length; i++) {
        fold(sections[i], folded);
      }
      return;
    }
    var jump = e.target.closest("a[data-sec]");
    if (jump) {
      unfoldAround(document.getElementById(jump.getAttribute("data-sec")).querySelector("tr"));
      return;
    }
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
    unfoldAround(link);
    show(id, link);
    var target = document.getElementById(id.replace(/[^A-Za-z0-9-]/g, ""));
    if (target && target.classList.contains("sec")) {
      fold(target, false);
    }
  }
  var cells = document.querySelectorAll("#matrix td.cell").length;
  root.setAttribute("data-js", "ready");
  root.setAttribute("data-cells", String(cells));
})();
