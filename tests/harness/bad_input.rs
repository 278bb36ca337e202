//! Bad input: property tests of the case loader (`cases::load_file`) on mutated, truncated and
//! random YAML derived from the real case files, and of the document importer
//! (`import::import_page`) on mutated Markdown derived from tests/fixtures/docs/. Neither may
//! panic; every error names the file, and the line where the parser knows it (a line of the file).
//!
//! The inputs are drawn from a fixed seed, 300 per property (`PROPTEST_CASES` and
//! `PROPTEST_RNG_SEED` choose others), so that a run takes seconds and a failure reproduces.

use apiconform::cases::{self, LoadError};
use apiconform::import::{self, ImportError};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a property's inputs did, counted so that a property can require that its interesting
/// branch (an error naming the file and line) was reached often enough: a loader that accepted
/// everything, or whose errors never gave a line, must fail the test.
#[derive(Default)]
struct Tally {
    inputs: AtomicUsize,
    errors: AtomicUsize,
    /// Errors that named a line of the input (checked to be `file:line`).
    with_line: AtomicUsize,
}

/// How one input fared.
enum Outcome {
    Accepted,
    Error { line: bool },
}

impl Tally {
    fn count(&self, outcome: Result<Outcome, TestCaseError>) -> Result<(), TestCaseError> {
        let outcome = outcome?;
        self.inputs.fetch_add(1, Ordering::Relaxed);
        if let Outcome::Error { line } = outcome {
            self.errors.fetch_add(1, Ordering::Relaxed);
            if line {
                self.with_line.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// At least `errors`% of the inputs were errors and `with_line`% errors naming file and line.
    fn require(&self, what: &str, errors: usize, with_line: usize) {
        let n = self.inputs.load(Ordering::Relaxed);
        let e = self.errors.load(Ordering::Relaxed);
        let l = self.with_line.load(Ordering::Relaxed);
        eprintln!("{what}: {n} inputs, {e} errors, {l} of them naming file and line");
        assert!(n > 0, "{what}: no input was tried");
        assert!(
            e * 100 >= errors * n,
            "{what}: only {e} of {n} inputs were errors (at least {errors}% expected)"
        );
        assert!(
            l * 100 >= with_line * n,
            "{what}: only {l} of {n} inputs gave an error naming file and line (at least \
             {with_line}% expected)"
        );
    }
}

fn config() -> Config {
    let mut config = Config::default(); // honours PROPTEST_CASES and PROPTEST_RNG_SEED
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 300;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0061_7069_636f_6e66);
    }
    config.failure_persistence = None;
    config
}

// Minimum shares (%) of the inputs that are errors, and errors naming file and line, per property.
// With the fixed seed: mutated case files 91% and 72%, random YAML 100% and 100%, mutated
// documents 75% and 75%; the minimums leave room for other seeds.
const ERR_MUTATED_CASES: usize = 70;
const LINE_MUTATED_CASES: usize = 50;
const ERR_RANDOM: usize = 90;
const LINE_RANDOM: usize = 80;
const ERR_MUTATED_DOCS: usize = 50;
const LINE_MUTATED_DOCS: usize = 50;

/// Pieces of text that matter to YAML and Markdown parsers.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "\t",
    "\n",
    "\r\n",
    " ",
    "  ",
    "#",
    "&a ",
    "*a",
    "!!binary ",
    "!!int ",
    "? ",
    "|",
    ">",
    "%YAML 1.2\n",
    "@",
    "`",
    "```",
    "```json\n",
    "\u{FEFF}",
    "\u{0}",
    "é",
    "（",
    "，",
    "99999999999999999999999",
    "-1",
    "null",
    "~",
    "{{",
    "}}",
    "<table>",
    "</table>",
    "<tr><td>",
    "</td>",
    "&lt;",
    "---\n",
    "...\n",
    "\\",
    "\\u0000",
];

/// Whole lines to insert: unknown fields at several depths, wrong types, YAML directives.
const LINES: &[&str] = &[
    "bogus_field: 1",
    "  bogus_field: 1",
    "    unknown: [1, 2]",
    "      deeper_unknown: {a: b}",
    "<<: *a",
    "---",
    "...",
    "status: 600",
    "  status: '200'",
    "  method: 'G ET'",
    "  path: no-slash",
    "id: Not_A_Valid_Id",
    "checks: [no_such_check]",
    "  checks: {a: 1}",
    "fixtures: [{kind: Pod, body: {jsn: {}}}]",
    "fixtures: [{kind: NoSuchKind, body: {json: {}}}]",
    "  body: {text: 1, json: 2}",
    "| URI | /api/v1/namespaces/{namespace}/pods/{name} |",
    "<td>PATCH /api/v1/namespaces/{namespace}/pods/{name}</td>",
    "```",
    "# Heading",
];

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Replace(Index, &'static str),
    Insert(Index, &'static str),
    InsertLine(Index, &'static str),
    Indent(Index, usize),
    /// A run of raw bytes, not necessarily UTF-8 (case files only).
    Bytes(Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = || prop::sample::select(TOKENS);
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), token()).prop_map(|(i, t)| Mutation::Replace(i, t)),
        (any::<Index>(), token()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<Index>(), prop::sample::select(LINES)).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        (any::<Index>(), 1..6usize).prop_map(|(i, n)| Mutation::Indent(i, n)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Bytes(i, b)),
    ]
}

/// `text` with the mutations applied (positions are taken modulo the text's length).
fn mutate(text: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for m in mutations {
        let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Truncate(i) => bytes.truncate(at(i, bytes.len() + 1)),
            Mutation::Replace(i, t) if !bytes.is_empty() => {
                let p = at(i, bytes.len());
                bytes.splice(p..p + 1, t.bytes());
            }
            Mutation::Replace(_, t) | Mutation::Insert(_, t) if bytes.is_empty() => {
                bytes.extend(t.bytes())
            }
            Mutation::Insert(i, t) => {
                let p = at(i, bytes.len() + 1);
                bytes.splice(p..p, t.bytes());
            }
            Mutation::Bytes(i, b) => {
                let p = at(i, bytes.len() + 1);
                bytes.splice(p..p, b.iter().copied());
            }
            Mutation::DeleteLine(i) => {
                lines.remove(at(i, lines.len()));
                bytes = lines.join(&b'\n');
            }
            Mutation::DuplicateLine(i) => {
                let p = at(i, lines.len());
                lines.insert(p, lines[p].clone());
                bytes = lines.join(&b'\n');
            }
            Mutation::SwapLines(a, b) => {
                let (a, b) = (at(a, lines.len()), at(b, lines.len()));
                lines.swap(a, b);
                bytes = lines.join(&b'\n');
            }
            Mutation::InsertLine(i, l) => {
                lines.insert(at(i, lines.len() + 1), l.as_bytes().to_vec());
                bytes = lines.join(&b'\n');
            }
            Mutation::Indent(i, n) => {
                let p = at(i, lines.len());
                let mut indented = vec![b' '; *n];
                indented.extend(&lines[p]);
                lines[p] = indented;
                bytes = lines.join(&b'\n');
            }
            Mutation::Replace(..) => unreachable!(),
        }
    }
    bytes
}

/// Every `*.yaml` under `dir`, as (path, bytes).
fn files(dir: &Path, ext: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                let bytes = std::fs::read(&path).expect("readable file");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no *.{ext} under {}", dir.display());
    out
}

fn line_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Loads `bytes` as the case file `path`: whatever the result, no panic, and an error names the
/// file and, where it gives a line, one of the file.
fn check_case_file(path: &Path, bytes: &[u8]) -> Result<Outcome, TestCaseError> {
    std::fs::write(path, bytes).expect("temp file written");
    let Err(err) = cases::load_file(path) else {
        return Ok(Outcome::Accepted);
    };
    let shown = err.to_string();
    let name = path.display().to_string();
    prop_assert!(
        shown.contains(&name),
        "the error does not name the file: {shown}"
    );
    if let LoadError::Parse {
        line: Some(line), ..
    } = &err
    {
        prop_assert!(
            *line >= 1 && *line <= line_count(bytes) + 1,
            "line {line} of a {}-line file: {shown}",
            line_count(bytes)
        );
        prop_assert!(shown.contains(&format!("{name}:{line}")), "{shown}");
        return Ok(Outcome::Error { line: true });
    }
    Ok(Outcome::Error { line: false })
}

#[test]
fn mutated_case_files_load_or_fail_naming_the_file_and_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let originals = files(&root, "yaml");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mutant.yaml");
    // The originals load (the mutations start from valid files).
    for (p, _) in &originals {
        cases::load_file(p).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut runner = TestRunner::new(config());
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..5));
    let tally = Tally::default();
    runner
        .run(&strategy, |(file, mutations)| {
            let (_, original) = &originals[file.index(originals.len())];
            tally.count(check_case_file(&path, &mutate(original, &mutations)))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    tally.require("mutated case files", ERR_MUTATED_CASES, LINE_MUTATED_CASES);
}

#[test]
fn random_yaml_fails_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("random.yaml");
    let words = prop::sample::select(
        [
            TOKENS,
            LINES,
            &[
                "id", "title", "request", "expect", "method", "path", "status", "pod", "json",
                "file", "text", "setup", "capture", "include", "\n", "\n  ", "\n    ", "GET",
                "200", "/api", "x",
            ],
        ]
        .concat(),
    );
    let mut runner = TestRunner::new(config());
    let tally = Tally::default();
    runner
        .run(&prop::collection::vec(words, 0..60), |words| {
            tally.count(check_case_file(&path, words.concat().as_bytes()))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    tally.require("random YAML", ERR_RANDOM, LINE_RANDOM);
}

/// Imports `text` as the page `path`: no panic, and an error names the page and a line of it.
fn check_page(path: &Path, text: &str) -> Result<Outcome, TestCaseError> {
    let Err(err) = import::import_page(path, text) else {
        return Ok(Outcome::Accepted);
    };
    let shown = err.to_string();
    let name = path.display().to_string();
    prop_assert!(
        shown.contains(&name),
        "the error does not name the page: {shown}"
    );
    if let ImportError::Page { line, .. } = &err {
        let lines = text.lines().count().max(1);
        prop_assert!(
            *line >= 1 && *line <= lines + 1,
            "line {line} of a {lines}-line page: {shown}"
        );
        prop_assert!(shown.contains(&format!("{name}:{line}")), "{shown}");
        return Ok(Outcome::Error { line: true });
    }
    Ok(Outcome::Error { line: false })
}

#[test]
fn mutated_documents_import_or_fail_naming_the_page_and_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs");
    let originals = files(&root, "md");
    let mut runner = TestRunner::new(config());
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..5));
    let tally = Tally::default();
    runner
        .run(&strategy, |(file, mutations)| {
            let (path, original) = &originals[file.index(originals.len())];
            let text = String::from_utf8_lossy(&mutate(original, &mutations)).into_owned();
            tally.count(check_page(
                Path::new(&format!("docs/mutant-of-{}", file_name(path))),
                &text,
            ))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    tally.require("mutated documents", ERR_MUTATED_DOCS, LINE_MUTATED_DOCS);
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("page.md")
        .to_string()
}

#[test]
fn nested_unknown_fields_are_errors_naming_field_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = "id: nested\ntitle: t\nprovenance:\n  document: docs/x.md\nfixtures:\n- kind: Pod\n  body:\n    json: {}\nsetup:\n- request:\n    method: GET\n    path: /api/v1/namespaces/{namespace}/pods/{name}\n  capture:\n    rv: /metadata/resourceVersion\nrequest:\n  method: GET\n  path: /api/v1/namespaces/{namespace}/pods/{name}\n  body:\n    text: x\nexpect:\n  status: 200\n  snapshot:\n    redact: {}\n";
    let path = dir.path().join("nested.yaml");
    std::fs::write(&path, good).expect("written");
    cases::load_file(&path).unwrap_or_else(|e| panic!("the base case loads: {e}"));
    // (the line after which the unknown field goes, the field's line)
    for (after, line) in [
        ("  document: docs/x.md\n", "  page: 3\n"),
        ("    json: {}\n", "    jsn: {}\n"),
        ("- kind: Pod\n", "  knd: Pod\n"),
        ("- request:\n", "    methd: GET\n"),
        ("    rv: /metadata/resourceVersion\n", "  captures: {}\n"),
        ("    text: x\n", "    txt: y\n"),
        ("  status: 200\n", "  stauts: 201\n"),
        ("    redact: {}\n", "    redcat: {}\n"),
    ] {
        let at = good.find(after).expect("anchor") + after.len();
        let text = format!("{}{line}{}", &good[..at], &good[at..]);
        let expected_line = good[..at].matches('\n').count() + 1;
        std::fs::write(&path, &text).expect("written");
        let err = cases::load_file(&path)
            .map(|c| panic!("{line:?} was accepted: {c:?}"))
            .unwrap_err()
            .to_string();
        let field = line.trim().split(':').next().expect("field");
        assert!(err.contains(field), "{field}: {err}");
        assert!(
            err.contains(&format!("{}:{expected_line}", path.display())),
            "{field} is on line {expected_line}: {err}\n{text}"
        );
    }
}

/// The JSON Schema of `apiconform schema` accepts every case file of the repository (as YAML read
/// into JSON) and rejects what the loader rejects: unknown fields, a missing request, a body of two
/// kinds, a fixture with an unknown field.
#[test]
fn the_case_schema_accepts_the_cases_and_rejects_unknown_fields() {
    let schema = cases::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("cases dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 34, "{} case files", files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        let value: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    let good: serde_json::Value = serde_json::json!({
        "id": "x", "title": "t",
        "fixtures": [{"kind": "Pod", "body": {"json": {}}}],
        "request": {"method": "GET", "path": "/api"},
        "expect": {"status": 200}
    });
    assert!(validator.is_valid(&good));
    for (what, bad) in [
        (
            "unknown top-level field",
            serde_json::json!({"id": "x", "title": "t", "request": {"method": "GET", "path": "/"}, "expect": {"status": 200}, "bogus": 1}),
        ),
        (
            "no request",
            serde_json::json!({"id": "x", "title": "t", "expect": {"status": 200}}),
        ),
        (
            "a body of two kinds",
            serde_json::json!({"id": "x", "title": "t", "request": {"method": "GET", "path": "/", "body": {"json": {}, "text": "a"}}, "expect": {"status": 200}}),
        ),
        (
            "unknown fixture field",
            serde_json::json!({"id": "x", "title": "t", "fixtures": [{"knd": "Pod", "body": {"json": {}}}], "request": {"method": "GET", "path": "/"}, "expect": {"status": 200}}),
        ),
        (
            "unknown check",
            serde_json::json!({"id": "x", "title": "t", "request": {"method": "GET", "path": "/"}, "expect": {"status": 200, "checks": ["no_such_check"]}}),
        ),
    ] {
        assert!(
            !validator.is_valid(&bad),
            "{what} was accepted by the schema"
        );
    }
}
