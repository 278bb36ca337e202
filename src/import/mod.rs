//! Importing API documents: a reference page (Markdown with HTML tables, as the vendor of `docs/`
//! writes them) becomes runnable case files in the format of `cases/README.md`.
//!
//! [`import_page`] reads one page into [`ImportedCase`]s; [`import_docs`] imports several pages into
//! a directory, writing each case as `<id>.yaml`. Each generated file starts with a header line that
//! holds a SHA-256 of the rest of the file: a file whose content no longer matches it was edited by
//! hand and is not overwritten (unless forced). The same documents always give the same bytes.

mod derive;
mod page;
pub mod schema;

pub use derive::PLACEHOLDER;
pub use page::{Example, Page, Param, StatusCode, Uri};

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Why a page could not be imported, or a case file not written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The page is not what the importer understands: names the line and what was expected.
    #[error("{file}:{line}: {message}")]
    Page {
        file: String,
        line: usize,
        message: String,
    },
    /// A page that documents no API operation (a context page: status codes, data structures, a
    /// walkthrough): skipped, not an error.
    #[error("{file}: not an API operation page ({reason}): skipped")]
    NotAnOperation { file: String, reason: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Two pages give the same case id.
    #[error(
        "{file}: its case id {id:?} is also the id of a case from {other}; rename one of the files"
    )]
    DuplicateId {
        file: String,
        id: String,
        other: String,
    },
    /// The generated YAML does not read back as the case (a bug of the importer).
    #[error("{file}: the generated case {id} does not read back as generated: {detail}")]
    RoundTrip {
        file: String,
        id: String,
        detail: String,
    },
}

/// One case generated from a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCase {
    pub id: String,
    /// The document's name as recorded in `provenance.document`.
    pub document: String,
    /// Line of the request example (the opening fence), if the request has a body.
    pub request_line: Option<usize>,
    /// Line of the response example, if the page shows one.
    pub response_line: Option<usize>,
    /// The case, as the JSON value of its YAML file.
    pub case: Value,
    /// How the case was derived (written as comments at the top of the file).
    pub notes: Vec<String>,
}

/// The first characters of a generated file's first line.
pub const HEADER_PREFIX: &str = "# apiconform-import sha256:";

impl ImportedCase {
    /// The file name: `<id>.yaml`.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.id)
    }

    /// The case file: the header line with the hash of the rest, the notes as comments, the YAML.
    pub fn render(&self) -> Result<String, ImportError> {
        let yaml = serde_saphyr::to_string(&self.case).map_err(|e| ImportError::RoundTrip {
            file: self.document.clone(),
            id: self.id.clone(),
            detail: e.to_string(),
        })?;
        let mut body = format!(
            "# Generated from {} by `apiconform import`: change the document and import it again.\n",
            self.document
        );
        for n in &self.notes {
            body.push_str("# ");
            body.push_str(&n.replace('\n', " "));
            body.push('\n');
        }
        body.push_str(&yaml);
        if !body.ends_with('\n') {
            body.push('\n');
        }
        self.check_round_trip(&yaml)?;
        Ok(format!(
            "{HEADER_PREFIX}{} (hand edits are detected: re-import refuses to overwrite them without --force)\n{body}",
            hash(&body)
        ))
    }

    /// The YAML must read back as a case with the same request body, pod and expectations.
    fn check_round_trip(&self, yaml: &str) -> Result<(), ImportError> {
        let fail = |detail: String| ImportError::RoundTrip {
            file: self.document.clone(),
            id: self.id.clone(),
            detail,
        };
        let back: Value = serde_saphyr::from_str(yaml).map_err(|e| fail(e.to_string()))?;
        if back != self.case {
            return Err(fail("the YAML reads back as another value".into()));
        }
        serde_saphyr::from_str::<crate::cases::Case>(yaml).map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}

fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a file's text is a generated file as generated: `Ok(())`, or why not.
pub fn check_generated(text: &str) -> Result<(), String> {
    let Some(rest) = text.strip_prefix(HEADER_PREFIX) else {
        return Err("it was not generated by `apiconform import` (no header line)".into());
    };
    let (first, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let recorded = first.split_whitespace().next().unwrap_or("");
    if recorded == hash(body) {
        Ok(())
    } else {
        Err("it was edited by hand since it was generated (its content no longer matches the hash in its first line)".into())
    }
}

/// The document's name as recorded in the cases: its folder's name and its file name
/// (`docs/cce_02_0038-replace-pod-status.md`), the same wherever the folder is.
pub fn document_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    match path
        .parent()
        .and_then(Path::file_name)
        .map(|d| d.to_string_lossy())
    {
        Some(dir) if !dir.is_empty() && dir != "." && dir != ".." => format!("{dir}/{file}"),
        _ => file,
    }
}

/// `[a-z0-9-]`: lower case, runs of other characters as one `-`, no `-` at either end.
pub(crate) fn slug(s: &str) -> String {
    let mut id = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    id
}

/// The case id for a page: its file name without extension, lower case, `[a-z0-9-]`.
pub fn base_id(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let id = slug(&stem);
    if id.is_empty() {
        format!("page-{}", &hash(&stem)[..8])
    } else {
        id
    }
}

/// A page's case id and whether it is one of the first importer's: the page's own anchor
/// (`<a name="cce_02_0038">` → `cce-02-0038`); a file named after its anchor
/// (`cce_02_0038-replace-pod-status.md`) keeps its file name, and the first importer's tags; a page
/// without an anchor is named after its file, like the first importer's.
pub fn page_id(path: &Path, anchor: Option<&str>) -> (String, bool) {
    let file = base_id(path);
    match anchor.map(slug).filter(|a| !a.is_empty()) {
        Some(a) if file.starts_with(&a) => (file, true),
        Some(a) => (a, false),
        None => (file, true),
    }
}

/// Reads a page's text into its cases. `path` names the page: as given in errors, as
/// [`document_name`] in provenance.
pub fn import_page(path: &Path, text: &str) -> Result<Vec<ImportedCase>, ImportError> {
    let page = read_page(path, text)?;
    let objects = object_examples(std::slice::from_ref(&page));
    derive_page(&page, &objects)
}

/// A page read, with its name and id.
pub struct ReadPage {
    pub path: PathBuf,
    pub document: String,
    pub page: Page,
}

fn as_given(path: &Path, e: ImportError) -> ImportError {
    match e {
        ImportError::Page { line, message, .. } => ImportError::Page {
            file: path.display().to_string(),
            line,
            message,
        },
        ImportError::NotAnOperation { reason, .. } => ImportError::NotAnOperation {
            file: path.display().to_string(),
            reason,
        },
        e => e,
    }
}

fn read_page(path: &Path, text: &str) -> Result<ReadPage, ImportError> {
    let doc = document_name(path);
    let page = page::parse(&doc, text).map_err(|e| as_given(path, e))?;
    Ok(ReadPage {
        path: path.to_path_buf(),
        document: doc,
        page,
    })
}

/// The object examples of the create pages (`POST` to a collection) among `pages`.
fn object_examples(pages: &[ReadPage]) -> Vec<derive::ObjectExample> {
    let mut out = Vec::new();
    for p in pages {
        for u in p.page.uris.iter().filter(|u| u.method == "POST") {
            let Some(api) = crate::kinds::parse_path(&u.path) else {
                continue;
            };
            let (Some(plural), None) = (api.plural, api.name) else {
                continue;
            };
            let Some(r) = api
                .resource
                .or_else(|| crate::kinds::closest(api.group, api.version.unwrap_or(""), plural))
            else {
                continue;
            };
            for e in &p.page.requests {
                if e.value.get("kind").and_then(serde_json::Value::as_str) == Some(r.kind) {
                    out.push(derive::ObjectExample {
                        group: r.group.to_string(),
                        plural: r.plural.to_string(),
                        kind: r.kind.to_string(),
                        value: e.value.clone(),
                        document: p.document.clone(),
                        line: e.line,
                    });
                }
            }
        }
    }
    out
}

fn derive_page(
    p: &ReadPage,
    objects: &[derive::ObjectExample],
) -> Result<Vec<ImportedCase>, ImportError> {
    let (id, legacy) = page_id(&p.path, p.page.anchor.as_deref());
    let ctx = derive::Context {
        base_id: &id,
        legacy,
        objects,
    };
    let derived = derive::cases(&p.page, &p.document, &ctx).map_err(|e| as_given(&p.path, e))?;
    Ok(derived
        .into_iter()
        .map(|d| ImportedCase {
            id: d.id,
            document: p.document.clone(),
            request_line: d.request_line,
            response_line: d.response_line,
            case: d.case,
            notes: d.notes,
        })
        .collect())
}

/// Reads a page's parts, for tools that want them without cases (errors name `path` as given).
pub fn parse_page(path: &Path, text: &str) -> Result<Page, ImportError> {
    page::parse(&path.display().to_string(), text)
}

/// How [`import_docs`] writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Overwrite files that were edited by hand or not generated by the importer.
    pub force: bool,
}

/// What happened to one case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    Created,
    Updated,
    Unchanged,
    /// A hand-edited or foreign file overwritten because of `force`.
    Overwritten,
}

/// A case file written (or left as it was because it is already up to date).
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub action: FileAction,
    pub id: String,
    pub document: String,
    pub line: Option<usize>,
}

/// A case file not overwritten, and why.
#[derive(Debug, Clone)]
pub struct Refused {
    pub path: PathBuf,
    pub reason: String,
}

/// The outcome of [`import_docs`]: what was written, refused, and the pages that could not be
/// imported. The other pages are imported all the same.
#[derive(Debug, Default)]
pub struct Report {
    pub written: Vec<Written>,
    pub refused: Vec<Refused>,
    pub errors: Vec<ImportError>,
    /// Generated files in the output directory that come from an imported document but were not
    /// generated this time (an example was removed from the page); left in place.
    pub stale: Vec<PathBuf>,
    /// Pages that document no API operation (context pages), skipped.
    pub skipped: Vec<Skipped>,
    /// Pages imported (at least one case each).
    pub imported_pages: Vec<PathBuf>,
}

/// A page skipped, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

impl Report {
    /// No page failed and no file was refused.
    pub fn is_success(&self) -> bool {
        self.errors.is_empty() && self.refused.is_empty()
    }
}

/// Imports pages into `out_dir` (created if missing), one `<id>.yaml` per case.
pub fn import_docs(paths: &[PathBuf], out_dir: &Path, opts: ImportOptions) -> Report {
    let mut report = Report::default();
    let mut cases: Vec<ImportedCase> = Vec::new();
    let mut documents = Vec::new();
    let mut pages = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(source) => {
                report.errors.push(ImportError::Read {
                    path: path.clone(),
                    source,
                });
                continue;
            }
        };
        documents.push(document_name(path));
        match read_page(path, &text) {
            Ok(p) => pages.push(p),
            Err(ImportError::NotAnOperation { file, reason }) => report.skipped.push(Skipped {
                path: path.clone(),
                reason: format!("{file}: not an API operation page ({reason}): skipped"),
            }),
            Err(e) => report.errors.push(e),
        }
    }
    let objects = object_examples(&pages);
    for p in &pages {
        match derive_page(p, &objects) {
            Ok(new) => {
                if let Some((c, other)) = new
                    .iter()
                    .find_map(|c| cases.iter().find(|o| o.id == c.id).map(|o| (c, o)))
                {
                    report.errors.push(ImportError::DuplicateId {
                        file: c.document.clone(),
                        id: c.id.clone(),
                        other: other.document.clone(),
                    });
                    continue;
                }
                report.imported_pages.push(p.path.clone());
                cases.extend(new);
            }
            Err(e) => report.errors.push(e),
        }
    }
    if cases.is_empty() {
        return report;
    }
    if let Err(source) = std::fs::create_dir_all(out_dir) {
        report.errors.push(ImportError::Write {
            path: out_dir.to_path_buf(),
            source,
        });
        return report;
    }
    for case in &cases {
        let path = out_dir.join(case.file_name());
        let text = match case.render() {
            Ok(t) => t,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let action = match std::fs::read_to_string(&path) {
            Ok(old) if old == text => FileAction::Unchanged,
            Ok(old) => match check_generated(&old) {
                Ok(()) => FileAction::Updated,
                Err(_) if opts.force => FileAction::Overwritten,
                Err(why) => {
                    report.refused.push(Refused {
                        reason: format!(
                            "{} was not overwritten: {why}. Move your changes into the document (or into a \
                             case outside this directory), or pass --force to overwrite it",
                            path.display()
                        ),
                        path,
                    });
                    continue;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileAction::Created,
            Err(source) => {
                report.errors.push(ImportError::Read { path, source });
                continue;
            }
        };
        if action != FileAction::Unchanged
            && let Err(e) = crate::fsutil::write_atomic(&path, text.as_bytes())
        {
            report.errors.push(ImportError::Write {
                path,
                source: e.source,
            });
            continue;
        }
        report.written.push(Written {
            path,
            action,
            id: case.id.clone(),
            document: case.document.clone(),
            line: case.request_line.or(case.response_line),
        });
    }
    report.stale = stale_files(out_dir, &documents, &cases);
    report
}

/// Generated files in `dir` from one of `documents` whose case was not generated this time.
fn stale_files(dir: &Path, documents: &[String], cases: &[ImportedCase]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !cases.iter().any(|c| dir.join(c.file_name()) == *p))
        .filter(|p| {
            let Ok(text) = std::fs::read_to_string(p) else {
                return false;
            };
            text.starts_with(HEADER_PREFIX)
                && text.lines().nth(1).is_some_and(|l| {
                    documents
                        .iter()
                        .any(|d| l == format!("# Generated from {d} by `apiconform import`: change the document and import it again."))
                })
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_document_names() {
        assert_eq!(
            base_id(Path::new("x/cce_02_0038-replace-pod-status.md")),
            "cce-02-0038-replace-pod-status"
        );
        assert!(base_id(Path::new("替换.md")).starts_with("page-"));
        assert_eq!(
            document_name(Path::new("/work/shared/docs/a.md")),
            "docs/a.md"
        );
        assert_eq!(document_name(Path::new("a.md")), "a.md");
    }

    const TWO_REQUESTS: &str = "# 更新Pod\n\n## URI\n\nPATCH　/api/v1/namespaces/｛namespace｝/pods/｛name｝\n\n\
        ## 请求消息（Request）\n\n~~~\nPATCH /api/v1/namespaces/default/pods/web HTTP/1.1\n\
        Content-Type: application/strategic-merge-patch+json\n\n{\"metadata\": {\"labels\": {\"a\": \"1\"}}}\n~~~\n\n\
        ```\n{\"metadata\": {\"annotations\": {\"b\": \"2\"}}}\n```\n\n## 响应消息\n\n\
        ```\n{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"namespace\": \"default\", \
        \"labels\": {\"a\": \"1\"}, \"annotations\": {\"b\": \"2\"}}, \"spec\": {\"containers\": []}}\n```\n\n\
        ```\n{\"kind\": \"Status\", \"code\": 404}\n```\n\n## 状态码\n\n| 状态码 | 描述 |\n|---|---|\n| 404 | NotFound |\n| 200 | OK |\n";

    #[test]
    fn several_requests_share_the_only_success_response() {
        let cases = import_page(Path::new("docs/two.md"), TWO_REQUESTS).unwrap();
        assert_eq!(cases.len(), 2);
        let c = &cases[0].case;
        assert_eq!(c["id"], "two-ex1");
        assert_eq!(
            c["request"]["path"],
            "/api/v1/namespaces/{namespace}/pods/{name}"
        );
        assert_eq!(
            c["request"]["content_type"],
            "application/strategic-merge-patch+json"
        );
        assert_eq!(c["tags"][1], "strategic-merge-patch");
        assert_eq!(c["expect"]["status"], 200);
        assert_eq!(cases[0].response_line, cases[1].response_line);
        assert_eq!(
            cases[1].case["fixtures"][0]["body"]["json"]["metadata"]["annotations"]["b"],
            PLACEHOLDER
        );
        let page = parse_page(Path::new("docs/two.md"), TWO_REQUESTS).unwrap();
        assert_eq!(page.title.as_deref(), Some("更新Pod"));
        assert_eq!(page.responses.len(), 2);
        assert_eq!(page.status_codes.len(), 2);
    }

    #[test]
    fn hand_edits_are_detected() {
        let case = ImportedCase {
            id: "x".into(),
            document: "docs/x.md".into(),
            request_line: None,
            response_line: None,
            case: serde_json::json!({"id": "x", "title": "t",
                "request": {"method": "GET", "path": "/api/v1/namespaces/{namespace}/pods/{name}"},
                "expect": {"status": 200}}),
            notes: vec!["a note".into()],
        };
        let text = case.render().unwrap();
        assert_eq!(check_generated(&text), Ok(()));
        let edited = text.replace("status: 200", "status: 201");
        assert!(check_generated(&edited).unwrap_err().contains("by hand"));
        assert!(
            check_generated("id: x\n")
                .unwrap_err()
                .contains("not generated")
        );
    }
}
