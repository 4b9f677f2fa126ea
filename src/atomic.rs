//! Atomic file writes: a temp file in the same directory, fsync, rename, fsync of the directory.
//! A reader (or a crash) sees the old file or the new one, never half of either.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` atomically, keeping the old file's mode and owner when it exists
/// (new files get `new_mode`).
pub fn write(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let old = std::fs::metadata(path).ok();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(
            ".{}.",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("statectl")
        ))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    let mode = old.as_ref().map(|m| m.mode() & 0o7777).unwrap_or(new_mode);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    if let Some(m) = &old {
        // Keeping the owner needs privilege; when we lack it the file stays ours, as with cp.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
    }
    tmp.as_file().sync_all()?;
    // Test hook, compiled only with the test-only `failpoints` feature: die the way a kill -9
    // would, after the temp file is written and before the rename, so tests can prove the
    // target is never half-written.
    #[cfg(feature = "failpoints")]
    if std::env::var_os("STATECTL_FAILPOINT").is_some_and(|v| v == "atomic-write-before-rename") {
        std::process::abort();
    }
    tmp.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_content_keeps_mode_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.conf");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        super::write(&p, b"new", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let fresh = dir.path().join("g");
        super::write(&fresh, b"x", 0o600).unwrap();
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
