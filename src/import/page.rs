//! One API reference page (Markdown with embedded HTML tables) read into its parts: the URI, the
//! parameter and status-code tables, the Content-Type and the request and response examples, each
//! with the line it starts on.
//!
//! Markdown is read with `pulldown-cmark`, the HTML tables with the `html5gum` tokenizer, the examples
//! with `json5` (comments, trailing commas, single quotes), after fullwidth punctuation outside strings
//! is turned into ASCII.

use super::ImportError;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

/// What a page says, with lines (1-based) into the page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's own id: its first anchor (`<a name="cce_02_0038">`), if any.
    pub anchor: Option<String>,
    /// The first-level heading, without its anchor.
    pub title: Option<String>,
    /// The text of the purpose section (功能介绍).
    pub purpose: Option<String>,
    /// `PUT`, `PATCH`, …
    pub method: String,
    /// The path template, e.g. `/api/v1/namespaces/{namespace}/pods/{name}/status`.
    pub path: String,
    pub uri_line: usize,
    /// Every URI of the page (the first is `method`, `path`), each with its version note.
    pub uris: Vec<Uri>,
    /// Whether the page has a URI section at all (pages without one are not operation pages).
    pub has_uri_section: bool,
    /// The rows of the parameter table (参数描述).
    pub params: Vec<Param>,
    /// The request's Content-Type, if the page gives one, and its line.
    pub content_type: Option<(String, usize)>,
    pub requests: Vec<Example>,
    pub responses: Vec<Example>,
    /// The rows of the status-code table (状态码).
    pub status_codes: Vec<StatusCode>,
    /// Line of the status-code table (or of its heading).
    pub status_line: Option<usize>,
}

/// A row of the parameter table.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub description: String,
    pub line: usize,
}

/// One URI of a page: `METHOD /path (version note)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uri {
    pub method: String,
    pub path: String,
    /// The text in parentheses after the path (`Supports 1.9 and 1.9+`), if any.
    pub note: Option<String>,
    pub line: usize,
}

/// A JSON example and the line of its code block's opening fence.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub value: Value,
    pub line: usize,
    /// The Content-Type the example's own block (or a block just before it) names, and its line.
    pub content_type: Option<(String, usize)>,
    /// The paragraph just before the example (`请求示例1，使用json-patch类型：`), if any.
    pub label: Option<String>,
}

/// A row of the status-code table.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusCode {
    pub code: u16,
    pub description: String,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Preamble,
    Purpose,
    Uri,
    Params,
    Request,
    Response,
    Status,
    Other,
}

/// A table (HTML or Markdown): rows of cells, the first row the header when it has `<th>` cells or
/// comes from a Markdown table head.
#[derive(Debug, Default)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    line: usize,
}

/// Reads a page. `file` is only used in errors.
pub fn parse(file: &str, text: &str) -> Result<Page, ImportError> {
    let text = normalize_newlines(text);
    let lines = LineIndex::new(&text);
    let err = |line: usize, message: String| ImportError::Page {
        file: file.to_string(),
        line,
        message,
    };

    let mut section = Section::Preamble;
    let mut title = None;
    let mut purpose = String::new();
    let mut uri: Option<(String, String, usize)> = None;
    let mut uris: Vec<Uri> = Vec::new();
    let mut uri_heading = None;
    let mut params = Vec::new();
    let mut content_type = None;
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    let mut status_codes = Vec::new();
    let mut status_line = None;

    // What is being collected.
    let mut heading: Option<(HeadingLevel, String, usize)> = None;
    let mut paragraph: Option<(String, usize)> = None;
    let mut code: Option<(String, usize)> = None;
    let mut html: Option<(String, usize)> = None;
    let mut md_table: Option<(Table, Vec<String>, String, bool)> = None;

    let mut tables: Vec<(Section, Table)> = Vec::new();
    let mut blocks: Vec<(Section, String, usize)> = Vec::new();
    let mut paragraphs: Vec<(Section, String, usize)> = Vec::new();

    for (event, range) in Parser::new_ext(&text, Options::ENABLE_TABLES).into_offset_iter() {
        let line = lines.line(range.start);
        // HTML tables, in blocks or inline, are collected across events until `</table>`.
        if let Event::Html(h) | Event::InlineHtml(h) = &event {
            collect_html(h, line, &mut html, |t| tables.push((section, t)));
            if html.is_none() {
                continue;
            }
        } else if let (Some((buf, _)), Event::Text(t)) = (&mut html, &event) {
            buf.push_str(t);
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, String::new(), line))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, h, hline)) = heading.take() {
                    let h = normalize_text(&h);
                    if level == HeadingLevel::H1 {
                        title.get_or_insert(h);
                        section = Section::Preamble;
                    } else if let Some(s) = classify_heading(&h) {
                        section = s;
                        if s == Section::Uri
                            && ["uri", "url"]
                                .contains(&h.trim_end_matches(':').trim().to_lowercase().as_str())
                        {
                            uri_heading.get_or_insert(hline);
                        }
                        if s == Section::Status {
                            status_line.get_or_insert(hline);
                        }
                    } else if level == HeadingLevel::H2 {
                        section = Section::Other;
                    }
                }
            }
            Event::Start(Tag::Paragraph) => paragraph = Some((String::new(), line)),
            Event::End(TagEnd::Paragraph) => {
                if let Some((p, pline)) = paragraph.take() {
                    paragraphs.push((section, p, pline));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let first = match kind {
                    CodeBlockKind::Fenced(_) => line,
                    CodeBlockKind::Indented => line.saturating_sub(1),
                };
                code = Some((String::new(), first));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((c, cline)) = code.take() {
                    blocks.push((section, c, cline));
                }
            }
            Event::Start(Tag::Table(_)) => {
                md_table = Some((
                    Table {
                        line,
                        ..Table::default()
                    },
                    Vec::new(),
                    String::new(),
                    false,
                ))
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = &mut md_table {
                    t.3 = true;
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = &mut md_table {
                    t.2.clear();
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some((_, row, cell, _)) = &mut md_table {
                    row.push(normalize_text(cell));
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some((t, row, _, head)) = &mut md_table {
                    t.header = std::mem::take(row);
                    *head = false;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some((t, row, _, _)) = &mut md_table {
                    t.rows.push(std::mem::take(row));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((t, ..)) = md_table.take() {
                    tables.push((section, t));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h, _)) = &mut heading {
                    h.push_str(&t);
                } else if let Some((c, _)) = &mut code {
                    c.push_str(&t);
                } else if let Some((_, _, cell, _)) = &mut md_table {
                    cell.push_str(&t);
                } else if let Some((p, _)) = &mut paragraph {
                    p.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((p, _)) = &mut paragraph {
                    p.push('\n');
                }
            }
            _ => {}
        }
    }

    if let Some((_, start)) = html {
        return Err(err(
            start,
            "expected `</table>` to close the table that starts here".into(),
        ));
    }

    let operation_sections = paragraphs
        .iter()
        .any(|(s, _, _)| matches!(s, Section::Purpose | Section::Status))
        || status_line.is_some();
    if uri_heading.is_none()
        && !operation_sections
        && !paragraphs.iter().any(|(s, p, _)| {
            matches!(s, Section::Preamble) && find_request_line(&normalize_text(p)).is_some()
        })
    {
        return Err(ImportError::NotAnOperation {
            file: file.to_string(),
            reason: "no URI section (## URI) with a request line such as `GET /api/v1/…`".into(),
        });
    }
    for (s, p, pline) in &paragraphs {
        let text = normalize_text(p);
        if matches!(s, Section::Uri) || matches!(s, Section::Preamble) && uris.is_empty() {
            for (i, l) in p.split('\n').enumerate() {
                if let Some(u) = find_uri(&normalize_text(l), pline + i) {
                    uris.push(u);
                }
            }
        }
        match s {
            Section::Purpose if purpose.is_empty() => {
                purpose = p.split_whitespace().collect::<Vec<_>>().join(" ")
            }
            Section::Uri | Section::Preamble if uri.is_none() => {
                uri = find_request_line(&text).map(|(m, p)| (m, p, *pline))
            }
            Section::Request if content_type.is_none() => {
                content_type = find_content_type(&text).map(|ct| (ct, *pline))
            }
            _ => {}
        }
    }

    let mut pending_ct: Option<(String, usize)> = None;
    let mut previous_block = 0;
    for (s, block, bline) in &blocks {
        match s {
            Section::Uri => {
                if uri.is_none() {
                    uri = find_request_line(&normalize_text(block)).map(|(m, p)| (m, p, bline + 1));
                }
                for (i, l) in block.split('\n').enumerate() {
                    if let Some(u) = find_uri(&normalize_text(l), bline + 1 + i) {
                        uris.push(u);
                    }
                }
            }
            Section::Request | Section::Response => {
                let parsed = split_block(block, *bline, &err)?;
                let label = paragraphs
                    .iter()
                    .rev()
                    .find(|(ps, _, pl)| ps == s && *pl < *bline && *pl > previous_block)
                    .map(|(_, p, _)| normalize_text(p));
                previous_block = *bline;
                if *s == Section::Request {
                    if let Some((ct, l)) = &parsed.content_type {
                        content_type.get_or_insert((ct.clone(), *l));
                    }
                    match parsed.example {
                        Some(mut e) => {
                            e.content_type = parsed.content_type.or(pending_ct.take());
                            e.label = label;
                            requests.push(e);
                        }
                        None => pending_ct = parsed.content_type.or(pending_ct.take()),
                    }
                } else if let Some(mut e) = parsed.example {
                    e.label = label;
                    responses.push(e);
                }
            }
            _ => {}
        }
    }

    for (s, t) in tables {
        let kind = classify_table(s, &t);
        match kind {
            Some(Section::Params) => params.extend(param_rows(&t, &err)?),
            Some(Section::Status) => {
                status_line = Some(t.line);
                status_codes.extend(status_rows(&t, &err)?);
            }
            _ => {}
        }
    }

    let Some((method, path, uri_line)) = uri else {
        return Err(err(
            uri_heading.unwrap_or(1),
            "expected the URI: a line such as `PUT /api/v1/namespaces/{namespace}/pods/{name}/status` \
             under a `## URI` heading"
                .into(),
        ));
    };
    uris.dedup_by(|a, b| a.method == b.method && a.path == b.path && a.note == b.note);
    if uris.is_empty() {
        uris.push(Uri {
            method: method.clone(),
            path: path.clone(),
            note: None,
            line: uri_line,
        });
    }
    Ok(Page {
        anchor: find_anchor(&text),
        has_uri_section: uri_heading.is_some(),
        uris,
        title,
        purpose: (!purpose.is_empty()).then_some(purpose),
        method,
        path,
        uri_line,
        params,
        content_type,
        requests,
        responses,
        status_codes,
        status_line,
    })
}

/// CRLF and lone CR become LF (line numbers are unchanged); a byte-order mark is dropped.
fn normalize_newlines(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Byte offsets → 1-based line numbers.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// Fullwidth ASCII variants (`：，（）１`), the ideographic space and curly quotes as ASCII; runs of
/// whitespace collapsed; trimmed.
pub(crate) fn normalize_text(s: &str) -> String {
    let mapped: String = s.chars().map(ascii_variant).collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ASCII character a fullwidth or typographic variant stands for.
fn ascii_variant(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
        '\u{2018}' | '\u{2019}' => '\'',
        '\u{3001}' => ',',
        _ => c,
    }
}

fn classify_heading(h: &str) -> Option<Section> {
    let h = h.trim_end_matches(':').trim();
    let lower = h.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["状态码", "status code"]) {
        Some(Section::Status)
    } else if lower == "uri" || has(&["uri", "url", "请求路径"]) && !has(&["请求消息"]) {
        Some(Section::Uri)
    } else if has(&[
        "参数描述",
        "参数说明",
        "parameters",
        "parameter description",
    ]) {
        Some(Section::Params)
    } else if has(&["请求", "request"]) {
        Some(Section::Request)
    } else if has(&["响应", "返回", "response"]) {
        Some(Section::Response)
    } else if has(&["功能介绍", "功能描述", "description", "function"]) {
        Some(Section::Purpose)
    } else {
        None
    }
}

const METHODS: &[&str] = &["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `METHOD /path` anywhere in the text (the query string dropped, Markdown escapes already undone).
fn find_request_line(text: &str) -> Option<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let method = w[0].trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        (METHODS.contains(&method) && w[1].starts_with('/')).then(|| {
            let path = w[1].split('?').next().unwrap_or(w[1]);
            (method.to_string(), path.to_string())
        })
    })
}

/// `METHOD /path (note)` in one line: the request line and its version note.
fn find_uri(line: &str, line_no: usize) -> Option<Uri> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let i = words.windows(2).position(|w| {
        let method = w[0].trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        METHODS.contains(&method) && w[1].starts_with('/')
    })?;
    let method = words[i].trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let rest = words[i + 1..].join(" ");
    let end = rest
        .find(|c: char| c == '?' || c == '(' || c.is_whitespace())
        .unwrap_or(rest.len());
    let path = rest[..end].to_string();
    let after = &rest[end..];
    let note = after.find('(').and_then(|a| {
        let inner = &after[a + 1..];
        let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
        let inner = inner.trim();
        (!inner.is_empty()).then(|| inner.to_string())
    });
    Some(Uri {
        method: method.to_string(),
        path,
        note,
        line: line_no,
    })
}

/// The first `<a name="…">` of a page.
fn find_anchor(text: &str) -> Option<String> {
    let i = text.find("<a name=\"")? + "<a name=\"".len();
    let rest = &text[i..];
    let name = &rest[..rest.find('"')?];
    (!name.is_empty()).then(|| name.to_string())
}

/// `Content-Type: type/subtype` in a line of text.
fn find_content_type(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| header_line(l.trim()))
        .and_then(|(k, v)| {
            (k.eq_ignore_ascii_case("content-type") && v.contains('/')).then(|| {
                v.split(|c: char| c.is_whitespace() || c == ';')
                    .next()
                    .unwrap_or(&v)
                    .to_string()
            })
        })
}

/// `Name: value` (ASCII or fullwidth colon; the name a header token).
fn header_line(line: &str) -> Option<(String, String)> {
    let line = normalize_text(line);
    let (k, v) = line.split_once(':')?;
    let k = k.trim();
    let token = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (token && !v.trim().is_empty()).then(|| (k.to_string(), v.trim().to_string()))
}

/// What a code block of the request or response section holds.
struct Block {
    content_type: Option<(String, usize)>,
    example: Option<Example>,
}

/// A code block: optional lines before the JSON (an HTTP request or status line, headers, comments),
/// then the JSON example. `fence` is the line of the opening fence; content starts on the next line.
fn split_block(
    block: &str,
    fence: usize,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Block, ImportError> {
    let mut content_type = None;
    let mut offset = 0;
    let mut json_start = None;
    for (i, raw) in block.split_inclusive('\n').enumerate() {
        let line_no = fence + 1 + i;
        let line = raw.trim();
        let first = line.chars().next().map(ascii_variant);
        if matches!(first, Some('{' | '[')) {
            json_start = Some((offset, line_no));
            break;
        }
        offset += raw.len();
        if line.is_empty() || line.starts_with("//") || line.starts_with('#') {
            continue;
        }
        if find_request_line(&normalize_text(line)).is_some()
            || normalize_text(line).starts_with("HTTP/")
        {
            continue;
        }
        if let Some((k, v)) = header_line(line) {
            if k.eq_ignore_ascii_case("content-type") {
                content_type = Some((v, line_no));
            }
            continue;
        }
        let json_later = block[offset..].lines().any(|l| {
            l.trim_start()
                .chars()
                .next()
                .map(ascii_variant)
                .is_some_and(|c| c == '{' || c == '[')
        });
        if !json_later && !block.contains('{') {
            // Prose in a code block (a status line, a note): not an example.
            return Ok(Block {
                content_type,
                example: None,
            });
        }
        return Err(err(
            line_no,
            format!(
                "expected a JSON example (starting with `{{` or `[`), a header line such as \
                 `Content-Type: application/json` or an HTTP request line; found `{}`",
                shorten(line, 60)
            ),
        ));
    }
    let Some((start, line)) = json_start else {
        return Ok(Block {
            content_type,
            example: None,
        });
    };
    let value = parse_json(&block[start..], line, err)?;
    Ok(Block {
        content_type,
        example: Some(Example {
            value,
            line: fence,
            content_type: None,
            label: None,
        }),
    })
}

/// Lenient JSON (JSON5: comments, trailing commas, single quotes, unquoted keys), with fullwidth
/// punctuation outside strings read as ASCII. `line` is the line the text starts on.
pub(crate) fn parse_json(
    text: &str,
    line: usize,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Value, ImportError> {
    let mut ascii = ascii_outside_strings(text);
    // A member after a comment that forgot its comma: the comma inserted where the parser
    // expected it (a few times at most).
    for _ in 0..20 {
        let Err(e) = json5::from_str::<Value>(&ascii) else {
            break;
        };
        let Some(p) = e.position().filter(|_| json5_message(&e).contains("comma")) else {
            break;
        };
        // Only after a line that ends in a comment (`"a": "x"   // note`): a comma simply left
        // out stays an error.
        let after_comment = p.line > 0
            && ascii
                .lines()
                .take(p.line)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.contains("//"));
        if !after_comment {
            break;
        }
        let Some(offset) = offset_of(&ascii, p.line, p.column) else {
            break;
        };
        ascii.insert(offset, ',');
    }
    json5::from_str::<Value>(&ascii).map_err(|e| {
        let (l, detail) = match e.position() {
            Some(p) => (
                line + p.line,
                format!("{} (column {})", json5_message(&e), p.column + 1),
            ),
            None => (line, json5_message(&e)),
        };
        err(
            l,
            format!("expected a JSON example (comments and trailing commas are fine): {detail}"),
        )
    })
}

/// The byte offset of a 0-based line and column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let l = text[start..].split('\n').next()?;
    Some(
        start
            + l.char_indices()
                .nth(column)
                .map(|(i, _)| i)
                .unwrap_or(l.len()),
    )
}

/// json5's message without its own position suffix.
fn json5_message(e: &json5::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Fullwidth punctuation outside strings (`｛`, `：`, `，`, curly quotes around keys and values) as
/// ASCII; strings and comments are kept as written. Same number of lines.
fn ascii_outside_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push(c);
                while let Some(s) = chars.next() {
                    out.push(s);
                    if s == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if s == c || s == '\n' {
                        break;
                    }
                }
            }
            // A string quoted with typographic or fullwidth quotes.
            '\u{201c}' | '\u{201d}' | '\u{ff02}' => {
                out.push('"');
                while let Some(s) = chars.next() {
                    match s {
                        '\u{201c}' | '\u{201d}' | '\u{ff02}' => {
                            out.push('"');
                            break;
                        }
                        '"' => out.push_str("\\\""),
                        '\\' => {
                            out.push(s);
                            if let Some(e) = chars.next() {
                                out.push(e);
                            }
                        }
                        '\n' => {
                            out.push(s);
                            break;
                        }
                        _ => out.push(s),
                    }
                }
            }
            '#' => {
                out.push_str("//");
                for s in chars.by_ref() {
                    out.push(s);
                    if s == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                out.push(c);
                for s in chars.by_ref() {
                    out.push(s);
                    if s == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                out.push(c);
                let mut prev = ' ';
                for s in chars.by_ref() {
                    out.push(s);
                    if prev == '*' && s == '/' {
                        break;
                    }
                    prev = s;
                }
            }
            _ => out.push(ascii_variant(c)),
        }
    }
    out
}

/// Collects an HTML table that may span several events; calls `done` with each complete table.
fn collect_html(
    h: &str,
    line: usize,
    html: &mut Option<(String, usize)>,
    mut done: impl FnMut(Table),
) {
    let mut rest = h;
    loop {
        match html {
            None => {
                let Some(i) = find_ci(rest, "<table") else {
                    return;
                };
                *html = Some((String::new(), line));
                rest = &rest[i..];
            }
            Some((buf, start)) => match find_ci(rest, "</table>") {
                Some(i) => {
                    let end = i + "</table>".len();
                    buf.push_str(&rest[..end]);
                    done(html_table(buf, *start));
                    *html = None;
                    rest = &rest[end..];
                }
                None => {
                    buf.push_str(rest);
                    return;
                }
            },
        }
    }
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

/// Rows and cells of an HTML table (`<th>` rows are the header).
fn html_table(html: &str, line: usize) -> Table {
    let mut table = Table {
        line,
        ..Table::default()
    };
    let mut row: Vec<String> = Vec::new();
    let mut header_row = false;
    let mut cell: Option<String> = None;
    let finish_row = |row: &mut Vec<String>, header_row: bool, table: &mut Table| {
        if row.is_empty() {
            return;
        }
        if header_row && table.header.is_empty() && table.rows.is_empty() {
            table.header = std::mem::take(row);
        } else {
            table.rows.push(std::mem::take(row));
        }
    };
    for token in html5gum::Tokenizer::new(html).flatten() {
        match token {
            html5gum::Token::StartTag(tag) => match tag.name.as_slice() {
                b"tr" => {
                    finish_row(&mut row, header_row, &mut table);
                    header_row = false;
                }
                b"td" | b"th" => {
                    if let Some(c) = cell.take() {
                        row.push(normalize_text(&c));
                    }
                    header_row |= tag.name.as_slice() == b"th";
                    cell = Some(String::new());
                }
                b"br" | b"p" | b"li" => {
                    if let Some(c) = &mut cell {
                        c.push(' ');
                    }
                }
                _ => {}
            },
            html5gum::Token::EndTag(tag) => match tag.name.as_slice() {
                b"td" | b"th" => {
                    if let Some(c) = cell.take() {
                        row.push(normalize_text(&c));
                    }
                }
                b"tr" => finish_row(&mut row, header_row, &mut table),
                _ => {}
            },
            html5gum::Token::String(s) => {
                if let Some(c) = &mut cell {
                    c.push_str(&String::from_utf8_lossy(&s));
                }
            }
            _ => {}
        }
    }
    if let Some(c) = cell.take() {
        row.push(normalize_text(&c));
    }
    finish_row(&mut row, header_row, &mut table);
    if table.header.is_empty() && !table.rows.is_empty() {
        table.header = table.rows.remove(0);
    }
    table
}

fn classify_table(section: Section, t: &Table) -> Option<Section> {
    let first = t
        .header
        .first()
        .map(|h| h.to_lowercase())
        .unwrap_or_default();
    if first.contains("状态码") || first.contains("status code") {
        Some(Section::Status)
    } else if (first.contains("参数") || first.contains("parameter") || first == "name")
        && matches!(section, Section::Uri | Section::Params | Section::Preamble)
    {
        Some(Section::Params)
    } else if section == Section::Status {
        Some(Section::Status)
    } else {
        None
    }
}

fn column(t: &Table, words: &[&str]) -> Option<usize> {
    t.header.iter().position(|h| {
        let h = h.to_lowercase();
        words.iter().any(|w| h.contains(w))
    })
}

fn param_rows(
    t: &Table,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Vec<Param>, ImportError> {
    let name = 0;
    let required = column(t, &["必选", "必填", "必须", "mandatory", "required"]);
    let description = column(t, &["描述", "说明", "description"]);
    let Some(required) = required else {
        // A table of fields (参数, 参数类型, 描述), not of the request's parameters.
        let _ = err;
        return Ok(Vec::new());
    };
    Ok(t.rows
        .iter()
        .filter(|r| r.get(name).is_some_and(|n| !n.is_empty()))
        .map(|r| {
            let cell = |i: usize| r.get(i).cloned().unwrap_or_default();
            let req = cell(required).to_lowercase();
            Param {
                name: cell(name),
                required: ["yes", "是", "必选", "true", "y"].contains(&req.as_str()),
                description: description.map(cell).unwrap_or_default(),
                line: t.line,
            }
        })
        .collect())
}

fn status_rows(
    t: &Table,
    err: &impl Fn(usize, String) -> ImportError,
) -> Result<Vec<StatusCode>, ImportError> {
    let description = column(t, &["描述", "说明", "description"]).unwrap_or(1);
    let mut out = Vec::new();
    for r in &t.rows {
        let first = r.first().map(String::as_str).unwrap_or("");
        if first.is_empty() {
            continue;
        }
        let digits: String = first.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<u16>() {
            Ok(code) if digits.len() == 3 && (100..=599).contains(&code) => out.push(StatusCode {
                code,
                description: r.get(description).cloned().unwrap_or_default(),
                line: t.line,
            }),
            _ => {
                return Err(err(
                    t.line,
                    format!(
                        "expected an HTTP status code (such as 200) in the first column of the status \
                         code table; found `{}`",
                        shorten(first, 40)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: usize, message: String) -> ImportError {
        ImportError::Page {
            file: "t.md".into(),
            line,
            message,
        }
    }

    #[test]
    fn fullwidth_punctuation_outside_strings_is_ascii() {
        let v = parse_json("｛“name”：“a，b”，'x'：［1，2，］，｝", 1, &err).unwrap();
        assert_eq!(v, serde_json::json!({"name": "a，b", "x": [1, 2]}));
    }

    #[test]
    fn comments_and_trailing_commas_are_fine() {
        let v = parse_json("{\n // c\n \"a\": 1, /* d */\n \"b\": [true,],\n}", 1, &err).unwrap();
        assert_eq!(v, serde_json::json!({"a": 1, "b": [true]}));
    }

    #[test]
    fn json_errors_name_the_line() {
        let e = parse_json("{\n \"a\": 1\n \"b\": 2\n}", 10, &err).unwrap_err();
        let ImportError::Page { line, .. } = e else {
            panic!("{e}")
        };
        assert_eq!(line, 12, "{e}");
    }

    #[test]
    fn request_lines_and_content_types() {
        assert_eq!(
            find_request_line("PUT /api/v1/namespaces/{namespace}/pods/{name}/status"),
            Some((
                "PUT".into(),
                "/api/v1/namespaces/{namespace}/pods/{name}/status".into()
            ))
        );
        assert_eq!(
            find_content_type(&normalize_text("Content-Type：application/json-patch+json")),
            Some("application/json-patch+json".into())
        );
        assert_eq!(find_content_type("“Content-Type“的详细描述请参见"), None);
    }

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nb\nc");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(4), 3);
    }
}
