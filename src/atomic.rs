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

/// Saves `bytes` (the content of `original` before a change) as a new backup in `dir` named
/// `NAME.statectl-STAMP.bak`, or `NAME.statectl-STAMP-N.bak` when that exists: an earlier
/// backup is never overwritten. The backup gets the original's mode and owner, so it is no
/// easier to read than the file it copies. Returns its path.
pub fn backup(
    original: &Path,
    dir: &Path,
    stamp: &str,
    bytes: &[u8],
) -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let meta = std::fs::metadata(original)?;
    let name = original
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("backup");
    for n in 0..1000 {
        let file = if n == 0 {
            format!("{name}.statectl-{stamp}.bak")
        } else {
            format!("{name}.statectl-{stamp}-{n}.bak")
        };
        let path = dir.join(file);
        // create_new: O_EXCL, which also refuses a symlink planted at the name
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path);
        let mut f = match f {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        // Keeping the owner needs privilege; without it the backup stays ours, as with cp.
        let _ = std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid()));
        f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::File::open(dir)?.sync_all()?;
        return Ok(path);
    }
    Err(std::io::Error::other(format!(
        "{}: 1000 backups with stamp {stamp} already",
        dir.display()
    )))
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

    // issue 12, defects 17 and 27: backups were named to the second (a second apply in the same
    // second overwrote the first) and belonged to root with the default mode
    #[test]
    fn backups_never_overwrite_and_keep_owner_and_mode() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("redis.conf");
        std::fs::write(&conf, "v1").unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o640)).unwrap();
        let _ = std::os::unix::fs::chown(&conf, Some(65534), Some(65534));
        let owner = std::fs::metadata(&conf).unwrap().uid();
        let a = super::backup(&conf, dir.path(), "20261128T180000Z", b"v1").unwrap();
        let b = super::backup(&conf, dir.path(), "20261128T180000Z", b"v2").unwrap();
        assert_ne!(a, b);
        assert_eq!(
            std::fs::read(&a).unwrap(),
            b"v1",
            "the first backup is kept"
        );
        assert_eq!(std::fs::read(&b).unwrap(), b"v2");
        for p in [&a, &b] {
            let m = std::fs::metadata(p).unwrap();
            assert_eq!(m.mode() & 0o7777, 0o640);
            assert_eq!(m.uid(), owner);
        }
    }
}
