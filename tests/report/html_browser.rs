//! The HTML report in a real browser: headless Chromium loads the fixture's report from a file,
//! runs its script (which the Content-Security-Policy allows by hash) and renders it.
//!
//! Needs Chromium (`apt-get install chromium`; `APICONFORM_CHROMIUM=/path` picks another binary).
//! Without it the test says why and passes as skipped, unless `APICONFORM_REQUIRE_BROWSER` is set,
//! when it fails. Each Chromium run is killed after 60 s. The screenshots are left in
//! `target/tmp/html-report/` for a look.

use apiconform::report::{html, json};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("APICONFORM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Runs Chromium headless with `args` and the page `url`; its standard output. Killed (with the
/// processes it started) after [`TIMEOUT`].
fn run(browser: &Path, profile: &Path, args: &[String], url: &str) -> String {
    let out_path = profile.with_extension("out");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            // The whole process group: Chromium's renderer and GPU processes too.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("{} did not finish within {TIMEOUT:?}", browser.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{} failed: {status}", browser.display());
    std::fs::read_to_string(&out_path).unwrap()
}

#[test]
fn the_html_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("APICONFORM_REQUIRE_BROWSER").is_some() {
            panic!("APICONFORM_REQUIRE_BROWSER is set but no chromium was found in PATH");
        }
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "html_browser: SKIPPED: no chromium in PATH (apt-get install chromium, or \
             APICONFORM_CHROMIUM=path); set APICONFORM_REQUIRE_BROWSER=1 to make this a failure"
        );
        return;
    };
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results/three-targets.json");
    let set = json::read(&fixture).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    html::write(&set, &page).unwrap();
    let url = format!("file://{}", page.display());
    let work = tempfile::tempdir().unwrap();

    // The DOM after the script ran: the matrix with every cell, and the script's marks.
    let dom = run(
        &browser,
        &work.path().join("p1"),
        &["--dump-dom".into()],
        &url,
    );
    assert!(
        dom.contains("<table id=\"matrix\" class=\"matrix\">"),
        "{dom}"
    );
    let cells = set.cases.len() * set.targets.len();
    assert_eq!(dom.matches("<td class=\"cell ").count(), cells);
    assert!(
        dom.contains("data-js=\"ready\""),
        "the script did not run (CSP hash?)"
    );
    assert!(
        dom.contains(&format!("data-cells=\"{cells}\"")),
        "the script did not see the cells"
    );
    assert!(dom.contains("class=\"cell failed differs\""));
    // A server's markup stayed text in the browser too.
    assert!(!dom.contains("<script>alert(1)</script>"));
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Opening a cell by its link opens its panel (the script turns the fragment into `open`).
    let dom = run(
        &browser,
        &work.path().join("p2"),
        &["--dump-dom".into()],
        &format!("{url}#d-1-1"),
    );
    assert!(
        dom.contains("class=\"panel open\" id=\"d-1-1\""),
        "panel not opened"
    );
    assert!(dom.contains("class=\"cell failed differs selected\""));

    // It renders: screenshots of the page and of an open diff.
    for (name, fragment) in [("report.png", ""), ("report-diff.png", "#d-1-1")] {
        let shot = dir.join(name);
        let _ = std::fs::remove_file(&shot);
        run(
            &browser,
            &work.path().join(name),
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1280,900".into(),
            ],
            &format!("{url}{fragment}"),
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(
            png.len() > 20_000,
            "suspiciously small screenshot: {} bytes",
            png.len()
        );
        eprintln!("screenshot: {}", shot.display());
    }
}

/// The whole reference, 300 cases × 3 targets: the page renders, every cell is there, and the
/// filter box (given in the fragment, `#filter=…`, as typed) shows the rows it should.
#[test]
fn the_report_of_300_cases_renders_and_filters_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("APICONFORM_REQUIRE_BROWSER").is_some() {
            panic!("APICONFORM_REQUIRE_BROWSER is set but no chromium was found in PATH");
        }
        let _ = writeln!(
            std::io::stderr(),
            "html_browser: SKIPPED: no chromium in PATH (apt-get install chromium, or \
             APICONFORM_CHROMIUM=path); set APICONFORM_REQUIRE_BROWSER=1 to make this a failure"
        );
        return;
    };
    use apiconform::results::{Cell, Coverage};
    let set = super::synthetic::set(300);
    let coverage = Coverage::of(&set);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report-300");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    html::write(&set, &page).unwrap();
    let url = format!("file://{}", page.display());
    let work = tempfile::tempdir().unwrap();

    let started = Instant::now();
    let dom = run(
        &browser,
        &work.path().join("p1"),
        &["--dump-dom".into()],
        &url,
    );
    eprintln!("300 × 3 page loaded and dumped in {:?}", started.elapsed());
    assert!(
        dom.contains("data-js=\"ready\""),
        "the script did not run (CSP hash?)"
    );
    assert!(
        dom.contains("data-cells=\"900\""),
        "the script did not see the cells"
    );
    assert_eq!(dom.matches("<td class=\"cell ").count(), 900);
    assert_eq!(dom.matches("<tbody class=\"sec").count(), coverage.kinds());
    // Sections where everything holds start folded; the others open.
    let folded = dom.matches("<tbody class=\"sec collapsed\"").count();
    let all_hold = coverage
        .groups
        .iter()
        .flat_map(|g| &g.kinds)
        .filter(|k| k.tallies.iter().all(|t| t.holds() == t.total()))
        .count();
    assert_eq!(folded, all_hold);
    // No filter: nothing hidden.
    assert_eq!(visible_rows(&dom), 300);

    // Filters, as a reader types them: the number of rows shown is what the set says.
    let ids_where = |f: &dyn Fn(&apiconform::results::CaseInfo, &[Option<Cell>]) -> bool| {
        set.cases
            .iter()
            .filter(|c| {
                let cells: Vec<Option<Cell>> = set
                    .targets
                    .iter()
                    .map(|t| t.cases.iter().find(|r| r.id == c.id).map(|r| r.cell))
                    .collect();
                f(c, &cells)
            })
            .count()
    };
    let deployments_not_served = ids_where(&|c, cells| {
        c.kind.as_deref() == Some("Deployment") && cells.contains(&Some(Cell::NotServed))
    });
    let vendor_b_skipped = ids_where(&|_, cells| cells[2] == Some(Cell::Skipped));
    let patch_failed_on_a =
        ids_where(&|c, cells| c.verb.as_deref() == Some("patch") && cells[1] == Some(Cell::Failed));
    assert!(deployments_not_served > 0 && vendor_b_skipped > 0 && patch_failed_on_a > 0);
    for (i, (query, expected)) in [
        ("kind:deployment%20cell:not_served", deployments_not_served),
        ("vendor-b:skipped", vendor_b_skipped),
        ("verb:patch%20vendor-a:failed", patch_failed_on_a),
        ("no-such-case", 0),
    ]
    .into_iter()
    .enumerate()
    {
        let dom = run(
            &browser,
            &work.path().join(format!("f{i}")),
            &["--dump-dom".into()],
            &format!("{url}#filter={query}"),
        );
        assert!(
            dom.contains(&format!("data-shown=\"{expected}\"")),
            "{query}: expected {expected} rows shown"
        );
        assert_eq!(visible_rows(&dom), expected, "{query}: rows not hidden");
        assert!(
            dom.contains(&format!(
                "<span id=\"shown\" class=\"n\">{expected} of 300 cases</span>"
            )),
            "{query}"
        );
    }

    // It renders: screenshots of the page and of a filtered view.
    for (name, fragment) in [
        ("report-300.png", String::new()),
        (
            "report-300-filtered.png",
            "#filter=kind:deployment%20cell:not_served".to_string(),
        ),
    ] {
        let shot = dir.join(name);
        let _ = std::fs::remove_file(&shot);
        run(
            &browser,
            &work.path().join(name),
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1280,1800".into(),
            ],
            &format!("{url}{fragment}"),
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(png.len() > 20_000, "suspiciously small screenshot");
        eprintln!("screenshot: {}", shot.display());
    }
}

/// The case rows of the matrix without the `hidden` attribute.
fn visible_rows(dom: &str) -> usize {
    dom.match_indices("<tr class=\"row\"")
        .filter(|(i, _)| {
            let tag = &dom[*i..*i + dom[*i..].find('>').unwrap()];
            !tag.contains(" hidden")
        })
        .count()
}
