//! The JSON report: the [`ResultSet`] itself, pretty-printed, followed by its [`Coverage`] (the
//! coverage per group and kind and each target's score, derived from the set: written for readers
//! of the file, ignored when it is read back). Its schema is documented in
//! `docs/results-schema.md`; every other report can be rendered again from this file.

use super::common::{WriteError, write_atomic};
use crate::results::{Coverage, ResultSet, SCHEMA_VERSION};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Reading a JSON report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not valid JSON: {source}", path.display())]
    Syntax {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} is not an apiconform result set: it has no numeric \"schema_version\"", path.display())]
    NotAResultSet { path: PathBuf },
    #[error(
        "{} has results schema_version {found}; this apiconform reads schema_version {expected} \
         (use the apiconform version that wrote it, or run again)",
        path.display(),
        expected = SCHEMA_VERSION
    )]
    Version { path: PathBuf, found: u64 },
    #[error("{} does not match results schema_version {}: {source}", path.display(), SCHEMA_VERSION)]
    Schema {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// The set as pretty-printed JSON, with its `coverage` last and a final newline.
pub fn to_string(set: &ResultSet) -> String {
    #[derive(serde::Serialize)]
    struct WithCoverage<'a> {
        #[serde(flatten)]
        set: &'a ResultSet,
        coverage: Coverage,
    }
    let file = WithCoverage {
        set,
        coverage: Coverage::of(set),
    };
    let mut s = serde_json::to_string_pretty(&file).expect("a result set serializes to JSON");
    s.push('\n');
    s
}

/// Writes the set as pretty JSON to `path`, atomically (a temporary file renamed over `path`).
pub fn write(set: &ResultSet, path: &Path) -> Result<(), WriteError> {
    write_atomic(path, to_string(set).as_bytes())
}

/// Reads a set written by [`write`], checking its `schema_version` before anything else.
pub fn read(path: &Path) -> Result<ResultSet, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_str(&text).map_err(|e| e.at(path))
}

/// Parses a set from JSON text; errors name the path `-`.
pub fn from_str(text: &str) -> Result<ResultSet, ReadError> {
    let path = PathBuf::from("-");
    let value: Value = serde_json::from_str(text).map_err(|source| ReadError::Syntax {
        path: path.clone(),
        source,
    })?;
    let Some(version) = value.get("schema_version").and_then(Value::as_u64) else {
        return Err(ReadError::NotAResultSet { path });
    };
    if version != u64::from(SCHEMA_VERSION) {
        return Err(ReadError::Version {
            path,
            found: version,
        });
    }
    serde_json::from_value(value).map_err(|e| ReadError::Schema {
        path,
        // Parsing the text again gives the error its line and column.
        source: serde_json::from_str::<ResultSet>(text).err().unwrap_or(e),
    })
}

impl ReadError {
    fn at(self, p: &Path) -> ReadError {
        let path = p.to_path_buf();
        match self {
            ReadError::Io { source, .. } => ReadError::Io { path, source },
            ReadError::Syntax { source, .. } => ReadError::Syntax { path, source },
            ReadError::NotAResultSet { .. } => ReadError::NotAResultSet { path },
            ReadError::Version { found, .. } => ReadError::Version { path, found },
            ReadError::Schema { source, .. } => ReadError::Schema { path, source },
        }
    }
}
