//! Reports of a run's results. Each format is its own module; [`write_all`] writes them all.
pub mod common;
pub mod drift;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod terminal;

use crate::fsutil::WriteError;
use crate::results::ResultSet;
use std::path::{Path, PathBuf};

/// Writes every report of a result set into `dir` (created if needed), each file whole or not at
/// all: `results.json`, `summary.md`, `report.html`, and per target `junit-<target>.xml` and, where
/// there is drift or a documented endpoint not served, `drift-<target>.md`. Returns the files written.
pub fn write_all(set: &ResultSet, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    let mut put = |name: String, text: String| -> Result<(), WriteError> {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, text.as_bytes())?;
        written.push(path);
        Ok(())
    };
    put("results.json".into(), json::to_string(set))?;
    put("summary.md".into(), markdown::render(set))?;
    put("report.html".into(), html::render(set))?;
    for t in &set.targets {
        let file = file_name(&t.name);
        let name = format!("junit-{file}.xml");
        let xml = junit::render(set, &t.name).map_err(|e| WriteError {
            path: dir.join(&name),
            source: std::io::Error::other(e.to_string()),
        })?;
        put(name, xml)?;
        if t.counts.drift > 0 || t.counts.not_served > 0 {
            put(format!("drift-{file}.md"), drift::render(set, &t.name))?;
        }
    }
    Ok(written)
}

pub use crate::fsutil::append;

/// A target name made safe for a file name.
pub fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
