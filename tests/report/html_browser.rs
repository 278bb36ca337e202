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
