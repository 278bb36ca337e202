//! `apiconform bench`: the harness against the wire. Generated cases ([`generate`]) of the
//! documents' kinds are run against the embedded reference server three ways, with the same
//! concurrency:
//!
//! - `raw`: the same HTTP requests replayed by a bare reqwest loop ([`raw`]): the floor, what the
//!   wire and the server cost;
//! - `apiconform`: the real runner path, [`crate::runner::session::run`] with the comparison layers 1–3
//!   (the generated cases have no recorded snapshots; `--snapshots` adds a row with layer 4 against
//!   snapshots recorded into a temporary directory by an untimed first run);
//! - `hurl`: Hurl running equivalent `.hurl` files ([`hurl`]) with `hurl --test --jobs N`.
//!
//! Each client is a child process (this executable with the hidden `--worker` option, or hurl), so
//! that its peak RSS is its own; the reference server runs in the parent, fresh for every
//! measurement. This is a benchmark (a command that prints figures), not a test: it asserts nothing.

pub mod generate;
pub mod hurl;
pub mod raw;

use crate::cases::Case;
use crate::runner::session;
use crate::server::ReferenceServer;
use crate::target::Target;
use crate::verify::snapshot::{Snapshots, Update};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One case as a client saw it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Passed (harness), or every answer had the expected status (raw, hurl).
    pub ok: bool,
    pub duration: Duration,
}

/// The figures of one client on one set of cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub tool: String,
    pub cases: usize,
    /// Cases that did not pass (a benchmark whose cases fail measures the wrong thing).
    pub failed: usize,
    /// HTTP requests sent, namespace creation and deletion included.
    pub requests: usize,
    /// Wall time of the timed part, in seconds.
    pub wall_s: f64,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// Peak resident set size of the client process, in KiB.
    pub peak_rss_kb: Option<u64>,
    /// Resident set size of the worker once its cases are generated, before the timed part (KiB).
    #[serde(default)]
    pub cases_rss_kb: Option<u64>,
    /// CPU time (user + system) of the client in the timed part (Hurl: its whole process), in
    /// seconds: less disturbed than the wall time by other work on the machine.
    #[serde(default)]
    pub cpu_s: Option<f64>,
    /// CPU time of the reference server (the parent process) while the client ran, in seconds.
    #[serde(default)]
    pub server_cpu_s: Option<f64>,
    /// Why some cases failed (the first few), for the report.
    #[serde(default)]
    pub problems: Vec<String>,
}

impl Stats {
    pub fn of(tool: &str, samples: Vec<Sample>, wall: Duration, requests: usize) -> Stats {
        let mut hist = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)
            .expect("static histogram bounds are valid");
        for s in &samples {
            let _ = hist.record((s.duration.as_micros() as u64).clamp(1, 600_000_000));
        }
        let any = !samples.is_empty();
        Stats {
            tool: tool.to_string(),
            cases: samples.len(),
            failed: samples.iter().filter(|s| !s.ok).count(),
            requests,
            wall_s: wall.as_secs_f64(),
            p50_us: any.then(|| hist.value_at_quantile(0.50)),
            p99_us: any.then(|| hist.value_at_quantile(0.99)),
            peak_rss_kb: None,
            cases_rss_kb: None,
            cpu_s: None,
            server_cpu_s: None,
            problems: vec![],
        }
    }

    pub fn cases_per_second(&self) -> f64 {
        self.cases as f64 / self.wall_s.max(1e-9)
    }
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct Config {
    /// Numbers of cases, e.g. 1,000 and 10,000.
    pub sizes: Vec<usize>,
    /// Cases at the same time (harness `--concurrency`, raw loop, `hurl --jobs`).
    pub concurrency: usize,
    /// The hurl executable; `None`: Hurl is not measured.
    pub hurl: Option<PathBuf>,
    /// Also measure the harness with the snapshot layer.
    pub snapshots: bool,
    /// Measurements per size and tool; the one with the median wall time is reported.
    pub repeat: usize,
}

/// The tools, in the order they are measured and shown.
pub const RAW: &str = "raw";
pub const HARNESS: &str = "apiconform";
pub const HARNESS_SNAPSHOTS: &str = "apiconform+snap";
pub const HURL: &str = "hurl";

/// All figures of a benchmark run.
#[derive(Debug, Clone)]
pub struct Report {
    pub concurrency: usize,
    /// (size, figures of each tool).
    pub rows: Vec<(usize, Vec<Stats>)>,
    /// Hurl's version, or why it was not measured.
    pub hurl: Result<String, String>,
    pub machine: String,
}

/// Runs the benchmark; `note` is told what is being measured.
pub async fn run(cfg: &Config, note: &(dyn Fn(&str) + Sync)) -> Result<Report, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let hurl = match &cfg.hurl {
        None => Err("not measured (--no-hurl)".to_string()),
        Some(bin) => hurl_version(bin),
    };
    let mut tools = vec![RAW, HARNESS];
    if cfg.snapshots {
        tools.push(HARNESS_SNAPSHOTS);
    }
    if hurl.is_ok() {
        tools.push(HURL);
    }
    let mut rows = Vec::new();
    for &size in &cfg.sizes {
        let cases = generate::cases(size);
        // The repetitions go round the tools, so that other work on the machine weighs on all.
        let mut runs: Vec<Vec<Stats>> = vec![Vec::new(); tools.len()];
        for rep in 0..cfg.repeat.max(1) {
            for (t, tool) in tools.iter().enumerate() {
                note(&format!(
                    "{size} cases, {tool}{}",
                    if cfg.repeat > 1 {
                        format!(" ({}/{})", rep + 1, cfg.repeat)
                    } else {
                        String::new()
                    }
                ));
                let server = ReferenceServer::start()
                    .await
                    .map_err(|e| format!("cannot start the reference server: {e}"))?;
                let url = server.url();
                let result = if *tool == HURL {
                    let bin = cfg.hurl.clone().unwrap_or_default();
                    run_hurl(&bin, &cases, &url, cfg.concurrency).await
                } else {
                    let mut cmd = Command::new(&exe);
                    cmd.args(["bench", "--worker", tool, "--url", &url])
                        .args(["--sizes", &size.to_string()])
                        .args(["--concurrency", &cfg.concurrency.to_string()]);
                    let cpu_before = cpu_seconds();
                    worker_child(cmd).await.map(|s| Stats {
                        // With snapshots, the worker also makes an untimed recording run.
                        server_cpu_s: cpu_before
                            .zip(cpu_seconds())
                            .map(|(a, b)| b - a)
                            .filter(|_| *tool != HARNESS_SNAPSHOTS),
                        ..s
                    })
                };
                server.shutdown().await;
                runs[t].push(result?);
            }
        }
        let stats: Vec<Stats> = runs
            .into_iter()
            .map(|mut r| {
                r.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
                r.swap_remove(r.len() / 2)
            })
            .collect();
        rows.push((size, stats));
    }
    Ok(Report {
        concurrency: cfg.concurrency,
        rows,
        hurl,
        machine: machine(),
    })
}

/// The worker side (`apiconform bench --worker TOOL`): measures `size` generated cases against the
/// server at `url` in this process and returns the figures (the parent adds the peak RSS).
pub async fn worker(
    tool: &str,
    url: &str,
    size: usize,
    concurrency: usize,
) -> Result<Stats, String> {
    let target = Target::new(url);
    let cases = generate::cases(size);
    let cases_rss_kb = rss_kb();
    let cpu_before = cpu_seconds();
    let stats = match tool {
        RAW => raw::replay(&target, &cases, concurrency).await,
        HARNESS => harness(&target, &cases, concurrency, None).await,
        HARNESS_SNAPSHOTS => {
            let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temp dir: {e}"))?;
            let snaps = |update| Snapshots {
                dir: dir.path().to_path_buf(),
                update,
            };
            // Untimed: record every case's snapshot, as `INSTA_UPDATE=always` would.
            harness(&target, &cases, concurrency, Some(snaps(Update::Accept))).await?;
            let mut stats = harness(&target, &cases, concurrency, Some(snaps(Update::No))).await?;
            stats.tool = HARNESS_SNAPSHOTS.into();
            Ok(stats)
        }
        other => Err(format!("no such benchmark worker {other:?}")),
    };
    let cpu_s = cpu_before.zip(cpu_seconds()).map(|(a, b)| b - a);
    stats.map(|s| Stats {
        cases_rss_kb,
        cpu_s: if tool == HARNESS_SNAPSHOTS {
            None
        } else {
            cpu_s
        },
        ..s
    })
}

/// This process's CPU time so far (user + system, all threads), in seconds.
#[cfg(unix)]
fn cpu_seconds() -> Option<f64> {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    Some(tv(usage.ru_utime) + tv(usage.ru_stime))
}

#[cfg(unix)]
fn tv(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

#[cfg(not(unix))]
fn cpu_seconds() -> Option<f64> {
    None
}

/// This process's resident set size (VmRSS), in KiB.
fn rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The harness: [`session::run`] with one target, as `apiconform run --target URL` does (without
/// printing a line per case).
pub async fn harness(
    target: &Target,
    cases: &[Case],
    concurrency: usize,
    snapshots: Option<Snapshots>,
) -> Result<Stats, String> {
    let requests = requests(cases);
    let named = [session::NamedTarget {
        name: "reference".into(),
        target: target.clone(),
    }];
    let opts = session::Options {
        timeout: Duration::from_secs(30),
        concurrency,
        snapshots,
        allow_unconfined: false,
    };
    let samples = Mutex::new(Vec::with_capacity(cases.len()));
    let problems = Mutex::new(Vec::new());
    let on_result = |_: &str, r: &crate::results::CaseResult| {
        let ok = r.cell == crate::results::Cell::Passed;
        if let Ok(mut s) = samples.lock() {
            s.push(Sample {
                ok,
                duration: Duration::from_micros(r.duration_us),
            });
        }
        if !ok
            && let Ok(mut p) = problems.lock()
            && p.len() < 5
        {
            p.push(format!(
                "{}: {:?} {:?} {:?}",
                r.id, r.cell, r.error, r.mismatches
            ));
        }
    };
    let started = Instant::now();
    let outcome = session::run(
        cases,
        &named,
        None,
        &opts,
        &on_result,
        std::future::pending::<()>(),
    )
    .await;
    let wall = started.elapsed();
    if let Some(e) = outcome
        .results
        .targets
        .first()
        .and_then(|t| t.error.clone())
    {
        return Err(e);
    }
    let samples = samples.into_inner().unwrap_or_default();
    let mut stats = Stats::of(HARNESS, samples, wall, requests);
    stats.problems = problems.into_inner().unwrap_or_default();
    Ok(stats)
}

/// The HTTP requests the cases make, plus the namespace's creation, listing and deletion.
fn requests(cases: &[Case]) -> usize {
    3 + cases.iter().map(raw::count).sum::<usize>()
}

/// Hurl on the cases: files written (untimed) into a temporary directory for a namespace created
/// for them, then `hurl --test --jobs N` on all of them, timed as a process.
async fn run_hurl(bin: &Path, cases: &[Case], url: &str, jobs: usize) -> Result<Stats, String> {
    let target = Target::new(url);
    let run = crate::runner::Run::start(&crate::runner::RunConfig {
        target: target.clone(),
        timeout: Duration::from_secs(30),
        concurrency: 1,
        snapshots: None,
        allow_unconfined: false,
    })
    .await
    .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let files = hurl::write_files(cases, target.base_url(), run.namespace(), dir.path())?;
    if let Some(keep) = std::env::var_os("APICONFORM_BENCH_HURL_DIR") {
        // For looking at the generated files: a copy of the last size's.
        let keep = PathBuf::from(keep);
        let _ = std::fs::create_dir_all(&keep);
        for f in &files {
            if let Some(name) = f.file_name() {
                let _ = std::fs::copy(f, keep.join(name));
            }
        }
    }
    let requests = requests(cases);
    let mut cmd = Command::new(bin);
    cmd.args(["--test", "--jobs", &jobs.max(1).to_string(), "--no-color"])
        .arg(dir.path());
    let cpu_before = cpu_seconds();
    let child = tokio::task::spawn_blocking(move || measure(cmd))
        .await
        .map_err(|e| e.to_string())??;
    let server_cpu_s = cpu_before.zip(cpu_seconds()).map(|(a, b)| b - a);
    let _ = run.finish().await;
    let mut samples = parse_hurl_times(&child.stderr);
    // Hurl's error blocks (`error: …` to the next blank line), the first few.
    let failed_lines: Vec<String> = child
        .stderr
        .split("\n\n")
        .filter(|b| b.trim_start().starts_with("error"))
        .take(3)
        .map(|b| b.trim().to_string())
        .collect();
    let counted = samples.len();
    if counted < files.len() {
        // Files without a timing line count as failed, at no time.
        samples.extend((counted..files.len()).map(|_| Sample {
            ok: false,
            duration: Duration::ZERO,
        }));
    }
    let mut stats = Stats::of(HURL, samples, child.wall, requests);
    stats.peak_rss_kb = child.peak_rss_kb;
    stats.cpu_s = child.cpu_s;
    stats.server_cpu_s = server_cpu_s;
    stats.problems = failed_lines;
    if stats.failed > 0 && stats.problems.is_empty() {
        stats.problems.push(format!(
            "hurl exited with {:?}: {}",
            child.code,
            child
                .stderr
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    Ok(stats)
}

/// Per-file lines of `hurl --test`: `Success FILE (4 request(s) in 5 ms)` or `Failure …`.
fn parse_hurl_times(stderr: &str) -> Vec<Sample> {
    stderr
        .lines()
        .filter_map(|line| {
            let ok = line.starts_with("Success ");
            if !ok && !line.starts_with("Failure ") {
                return None;
            }
            let ms: f64 = line
                .rsplit_once(" in ")?
                .1
                .strip_suffix("ms)")?
                .trim()
                .parse()
                .ok()?;
            Some(Sample {
                ok,
                duration: Duration::from_secs_f64(ms / 1000.0),
            })
        })
        .collect()
}

fn hurl_version(bin: &Path) -> Result<String, String> {
    match Command::new(bin).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("hurl")
            .to_string()),
        Ok(o) => Err(format!(
            "not installed ({} --version: {})",
            bin.display(),
            o.status
        )),
        Err(_) => Err("not installed".into()),
    }
}

/// A child process's end: its output, wall time and peak RSS.
struct Child {
    code: Option<i32>,
    /// User + system CPU seconds of the process.
    cpu_s: Option<f64>,
    stdout: String,
    stderr: String,
    wall: Duration,
    peak_rss_kb: Option<u64>,
}

/// Runs a worker child and reads its figures (one JSON line on stdout).
async fn worker_child(cmd: Command) -> Result<Stats, String> {
    let child = tokio::task::spawn_blocking(move || measure(cmd))
        .await
        .map_err(|e| e.to_string())??;
    let line = child.stdout.lines().last().unwrap_or("");
    let mut stats: Stats = serde_json::from_str(line).map_err(|_| {
        format!(
            "the benchmark worker failed (exit {:?}): {}",
            child.code,
            child.stderr.trim()
        )
    })?;
    stats.peak_rss_kb = child.peak_rss_kb;
    Ok(stats)
}

/// Runs a command to its end, with its peak RSS from `wait4`.
fn measure(mut cmd: Command) -> Result<Child, String> {
    use std::io::Read;
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    let (code, peak_rss_kb, cpu_s) = wait_rusage(&mut child)?;
    let wall = started.elapsed();
    let stderr = reader.join().unwrap_or_default();
    Ok(Child {
        code,
        cpu_s,
        stdout,
        stderr,
        wall,
        peak_rss_kb,
    })
}

type Waited = (Option<i32>, Option<u64>, Option<f64>);

/// Waits for the child: its exit code, peak RSS (KiB) and CPU seconds.
#[cfg(unix)]
fn wait_rusage(child: &mut std::process::Child) -> Result<Waited, String> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI calls with pointers to locals; the child is ours and not yet waited for
    // (std's `Child` is not used to wait afterwards).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waiting for a benchmark process: {e}"));
        }
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // Linux reports ru_maxrss in KiB.
    Ok((
        code,
        Some(usage.ru_maxrss as u64),
        Some(tv(usage.ru_utime) + tv(usage.ru_stime)),
    ))
}

#[cfg(not(unix))]
fn wait_rusage(child: &mut std::process::Child) -> Result<Waited, String> {
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.code(), None, None))
}

/// nproc, the CPU model and the memory, from /proc.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown memory".into(),
            |kb| format!("{:.1} GiB", kb / 1048576.0),
        );
    format!("{cpus} CPUs ({model}), {mem_gib} memory")
}

/// The goals of the issue that asked for this benchmark, checked against a report.
pub struct Goal {
    pub what: String,
    pub value: String,
    pub met: bool,
}

/// The figures of `tool` at `size`.
fn find<'a>(r: &'a Report, size: usize, tool: &str) -> Option<&'a Stats> {
    r.rows
        .iter()
        .find(|(s, _)| *s == size)
        .and_then(|(_, ts)| ts.iter().find(|t| t.tool == tool))
}

pub fn goals(r: &Report) -> Vec<Goal> {
    let mut out = Vec::new();
    let sizes: Vec<usize> = r.rows.iter().map(|(s, _)| *s).collect();
    let (Some(&small), Some(&large)) = (sizes.first(), sizes.last()) else {
        return out;
    };
    for &size in &sizes {
        if let (Some(h), Some(w)) = (find(r, size, HARNESS), find(r, size, RAW)) {
            let x = h.wall_s / w.wall_s.max(1e-9);
            out.push(Goal {
                what: format!("{size} cases: apiconform within 1.3x of the raw replay"),
                value: format!("{x:.2}x"),
                met: x <= 1.3,
            });
        }
        if let (Some(h), Some(u)) = (find(r, size, HARNESS), find(r, size, HURL)) {
            let x = h.cases_per_second() / u.cases_per_second().max(1e-9);
            out.push(Goal {
                what: format!("{size} cases: at least 3x Hurl's throughput"),
                value: format!("{x:.1}x"),
                met: x >= 3.0,
            });
        }
    }
    if let Some(h) = find(r, large, HARNESS) {
        if large >= 10_000 {
            out.push(Goal {
                what: format!("{large} cases in under 10 s"),
                value: format!("{:.2} s", h.wall_s),
                met: h.wall_s < 10.0,
            });
        }
        if let Some(kb) = h.peak_rss_kb {
            out.push(Goal {
                what: format!("{large} cases: peak RSS under 200 MB"),
                value: format!("{:.0} MB", kb as f64 * 1024.0 / 1e6),
                met: (kb as f64) * 1024.0 < 200e6,
            });
        }
    }
    if large > small
        && let (Some(a), Some(b)) = (find(r, small, HARNESS), find(r, large, HARNESS))
    {
        let x = b.wall_s / a.wall_s.max(1e-9);
        let limit = 1.1 * large as f64 / small as f64;
        out.push(Goal {
            what: format!("{large} cases cost at most {limit:.0}x what {small} cost"),
            value: format!("{x:.2}x"),
            met: x <= limit,
        });
    }
    out
}

/// The report as plain text: the table, the growth ratios, the goals.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "machine: {}\nconcurrency: {} cases at a time (harness --concurrency, raw loop, hurl --jobs)\nhurl: {}\n\n",
        r.machine,
        r.concurrency,
        match &r.hurl {
            Ok(v) => v.clone(),
            Err(e) => e.clone(),
        }
    );
    out.push_str(&format!(
        "{:>6}  {:<16} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}  {:>7}\n",
        "cases",
        "tool",
        "failed",
        "reqs",
        "wall",
        "cases/s",
        "vs raw",
        "p50",
        "p99",
        "CPU",
        "srv CPU",
        "peak RSS",
        "cases",
        "growth"
    ));
    let first = r.rows.first().map(|(s, _)| *s);
    for (size, stats) in &r.rows {
        let raw = stats.iter().find(|s| s.tool == RAW);
        for s in stats {
            let vs_raw = raw.map_or("-".into(), |w| {
                format!("{:.2}x", s.wall_s / w.wall_s.max(1e-9))
            });
            let growth = match first {
                Some(f) if f != *size => find(r, f, &s.tool).map_or("-".into(), |a| {
                    format!("{:.2}x", s.wall_s / a.wall_s.max(1e-9))
                }),
                _ => "-".into(),
            };
            out.push_str(&format!(
                "{:>6}  {:<16} {:>6} {:>6} {:>7.3}s {:>8.0} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}  {:>7}\n",
                size,
                s.tool,
                s.failed,
                s.requests,
                s.wall_s,
                s.cases_per_second(),
                vs_raw,
                s.p50_us.map_or("-".into(), us),
                s.p99_us.map_or("-".into(), us),
                s.cpu_s.map_or("-".into(), |c| format!("{c:.2}s")),
                s.server_cpu_s.map_or("-".into(), |c| format!("{c:.2}s")),
                s.peak_rss_kb.map_or("-".into(), mb),
                s.cases_rss_kb.map_or("-".into(), mb),
                growth
            ));
        }
    }
    if r.hurl.is_err() {
        out.push_str(&format!(
            "{:>6}  {:<16} {}\n",
            "",
            HURL,
            r.hurl.as_ref().err().map_or("", String::as_str)
        ));
    }
    out.push_str(&format!(
        "\n(CPU: the client's user + system time in the timed part (hurl: its whole process); srv CPU: the\n\
         reference server's meanwhile; cases: the client's RSS once its cases are generated, before the\n\
         timed part; growth: wall time against the {} cases of the first row)\n\ngoals:\n",
        first.unwrap_or(0)
    ));
    for g in goals(r) {
        out.push_str(&format!(
            "  [{}] {}: {}\n",
            if g.met { "met" } else { "MISSED" },
            g.what,
            g.value
        ));
    }
    for (size, stats) in &r.rows {
        for s in stats.iter().filter(|s| s.failed > 0) {
            out.push_str(&format!(
                "\nwarning: {} of {size} cases failed with {}: {}\n",
                s.failed,
                s.tool,
                s.problems.join("\n  ")
            ));
        }
    }
    out
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 * 1024.0 / 1e6)
}

fn us(v: u64) -> String {
    if v >= 10_000 {
        format!("{:.1}ms", v as f64 / 1000.0)
    } else {
        format!("{v}µs")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hurl_test_lines_are_parsed() {
        let s = super::parse_hurl_times(
            "Success a.hurl (5 request(s) in 7 ms)\nFailure b.hurl (2 request(s) in 12 ms)\nnoise\n",
        );
        assert_eq!(s.len(), 2);
        assert!(s[0].ok && !s[1].ok);
        assert_eq!(s[1].duration.as_millis(), 12);
    }
}
