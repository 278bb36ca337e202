//! Writing files whole or not at all: the one atomic write of reports, snapshots, baselines and
//! imported case files.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writing a file failed; the file at `path` is left as it was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `contents` to `path` through a temporary file in the same directory that is renamed over
/// `path` once complete: readers see the old file or the new one, never a half-written one (the
/// directory must exist: see [`write_atomic_in_new_dir`]). The file gets the usual permissions of a new file (0666 less the
/// umask, typically 0644), not the 0600 of a temporary file, so that a CI artifact step or a web
/// server running as another user can read a report.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".apiconform-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(new_file_permissions());
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    tmp.write_all(contents).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// [`write_atomic`], creating the file's directory first if needed.
pub fn write_atomic_in_new_dir(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|source| WriteError {
            path: path.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, contents)
}

/// Appends `text` to a file (e.g. a CI job summary), creating it if needed.
pub fn append(path: &Path, text: &str) -> Result<(), WriteError> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| WriteError {
            path: path.to_path_buf(),
            source,
        })
}

/// The permissions `open(…, O_CREAT, 0666)` would give a new file: 0666 less the process's umask.
#[cfg(unix)]
fn new_file_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666 & !umask())
}

/// The process's umask (read by setting it and setting it back: there is no getter).
#[cfg(unix)]
fn umask() -> u32 {
    static UMASK: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        // SAFETY: umask(2) only swaps the process's file mode creation mask; it is restored at once.
        // Reading it once per process keeps the window in which it is 0o022 to one call.
        unsafe {
            let old = libc::umask(0o022);
            libc::umask(old);
            old as u32
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_readable_by_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        assert!(write_atomic(&path, b"{}").is_err(), "no directory sub/");
        write_atomic_in_new_dir(&path, b"{}").unwrap();
        write_atomic(&path, b"{\"a\":1}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o666 & !umask(), "mode {mode:o}");
            assert_ne!(mode & 0o044, 0, "readable by group or others: {mode:o}");
        }
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.json")]);
    }
}
