//! Smoke test of `apiconform bench` (the benchmark itself is a command, not a test): a tiny run
//! without Hurl goes through the generated cases, the raw replay and the harness, and prints the
//! table with every case passed.

use std::process::Command;

#[test]
fn bench_runs_for_a_few_cases() {
    let out = Command::new(env!("CARGO_BIN_EXE_apiconform"))
        .args([
            "bench",
            "--sizes",
            "16,24",
            "--no-hurl",
            "--concurrency",
            "4",
        ])
        .output()
        .expect("apiconform runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for tool in ["raw", "apiconform"] {
        for size in ["16", "24"] {
            let row = stdout
                .lines()
                .find(|l| {
                    let mut words = l.split_whitespace();
                    words.next() == Some(size) && words.next() == Some(tool)
                })
                .unwrap_or_else(|| panic!("no {size} {tool} row in\n{stdout}"));
            // Columns: cases, tool, failed, …
            assert_eq!(row.split_whitespace().nth(2), Some("0"), "{row}");
        }
    }
    assert!(stdout.contains("not measured (--no-hurl)"), "{stdout}");
    assert!(stdout.contains("goals:"), "{stdout}");
    assert!(!stdout.contains("warning:"), "{stdout}");
}
