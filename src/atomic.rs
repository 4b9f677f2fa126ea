//! Atomic file writes: a temp file in the same directory, fsync, rename, fsync of the directory.
//! A reader (or a crash) sees the old file or the new one, never half of either. A path that is
//! a symbolic link is written through: the file the link names is replaced, the link stays.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How many links a path may pass through, as Linux's MAXSYMLINKS (then ELOOP).
const MAX_LINKS: usize = 40;

/// The file a write to `path` replaces: `path` itself, or the end of its chain of symbolic links
/// (relative links read from the link's own directory). Replacing the link instead would leave
/// the file the reader (redis-server, sysctl --system) opens unchanged. A link whose end does
/// not exist, and a loop, are errors: what the user meant to write is unknown.
pub fn target(path: &Path) -> std::io::Result<PathBuf> {
    let mut cur = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                // a link to a device or a pipe (/dev/stdout → /proc/self/fd/1 → pipe:[N], which
                // only the kernel can follow) is written in place through the link itself
                if std::fs::metadata(&cur).is_ok_and(|t| !t.is_file() && !t.is_dir()) {
                    return Ok(cur);
                }
                let to = std::fs::read_link(&cur)?;
                cur = match cur.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            Ok(_) => return Ok(cur),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && cur != path => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!(
                        "a symbolic link to {}, which does not exist (statectl writes through links and does not create their targets)",
                        cur.display()
                    ),
                ));
            }
            // a new file, or an error the write itself will report
            Err(_) => return Ok(cur),
        }
    }
    Err(std::io::Error::other(format!(
        "a loop of symbolic links (more than {MAX_LINKS} links)"
    )))
}

/// The directory holding `path` ("." for a bare name, whose `Path::parent` is the empty path,
/// which no system call accepts).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Says in words when the disk (or the user's quota) is full; other errors pass unchanged.
pub fn explain(e: std::io::Error) -> std::io::Error {
    let why = match e.raw_os_error() {
        Some(libc::ENOSPC) => "the disk is full (no space left on device)",
        Some(libc::EDQUOT) => "the disk quota is exceeded",
        _ => return e,
    };
    std::io::Error::new(e.kind(), why)
}

/// Replaces `path` (through symbolic links: see [`target`]) with `bytes` atomically, keeping the
/// old file's mode and owner when it exists (new files get `new_mode`). A character device or a
/// pipe (`/dev/stdout`, a FIFO someone reads) is written in place, as a shell's `>` would: it is
/// never replaced by a file. A directory, a block device or a socket is refused.
pub fn write(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    write_file(&target(path)?, bytes, new_mode).map_err(explain)
}

/// Writes `bytes` into a character device or a pipe that exists at `path`.
fn write_in_place(path: &Path, bytes: &[u8], fifo: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    // a pipe nobody reads would block the open for ever: ENXIO says so at once
    let flags = if fifo { libc::O_NONBLOCK } else { 0 };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ENXIO) => std::io::Error::other("a pipe that nobody reads"),
            _ => e,
        })?;
    if fifo {
        // SAFETY: fcntl on a descriptor this function owns, clearing O_NONBLOCK
        unsafe { libc::fcntl(f.as_raw_fd(), libc::F_SETFL, 0) };
    }
    f.write_all(bytes)
}

fn write_file(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    let dir = parent(path);
    let old = std::fs::metadata(path).ok();
    if let Some(m) = &old {
        let t = m.file_type();
        if t.is_char_device() || t.is_fifo() {
            return write_in_place(path, bytes, t.is_fifo());
        }
        let what = if t.is_dir() {
            Some("a directory")
        } else if t.is_block_device() {
            Some("a block device")
        } else if t.is_socket() {
            Some("a socket")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(std::io::Error::other(format!(
                "{what}: statectl writes regular files, character devices and pipes only"
            )));
        }
    }
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory {} does not exist", dir.display()),
        ));
    }
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

/// An exclusive lock that statectl runs editing files in one directory take in turn, so that a
/// read, change and write of one run never interleaves with another's (whose edits would be
/// lost). It is held until dropped.
pub struct Lock {
    _dir: std::fs::File,
}

impl Lock {
    /// Locks the directory holding `path`'s [`target`]; None while another holder has it (the
    /// caller decides how long to wait). The directory is locked, not the file: each write
    /// replaces the file with a new one, so a lock on the file would guard only the old one.
    pub fn try_acquire(path: &Path) -> std::io::Result<Option<Lock>> {
        use std::os::fd::AsRawFd;
        let f = std::fs::File::open(parent(&target(path)?))?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(Some(Lock { _dir: f }));
        }
        match std::io::Error::last_os_error() {
            e if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(None),
            e => Err(e),
        }
    }
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
    // an empty directory is the working directory, as for a bare file name
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
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
            Err(e) => return Err(explain(e)),
        };
        let filled = (|| {
            // Keeping the owner needs privilege; without it the backup stays ours, as with cp.
            let _ = std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid()));
            f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::File::open(dir)?.sync_all()
        })();
        // a backup cut short (a full disk) would pass for a real one later: none is kept
        if let Err(e) = filled {
            let _ = std::fs::remove_file(&path);
            return Err(explain(e));
        }
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

    // a report written onto /dev/full replaced the device node with a regular file (as root)
    #[test]
    fn devices_and_pipes_are_written_in_place_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let write = super::write;
        let dir = tempfile::tempdir().unwrap();
        let node = |name: &str, minor: u32| {
            let p = dir.path().join(name);
            let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
            // SAFETY: mknod with a path this test owns
            let rc =
                unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, minor)) };
            (rc == 0).then_some(p)
        };
        // character devices need root to make; CI runs as root
        if let (Some(null), Some(full)) = (node("null", 3), node("full", 7)) {
            write(&null, b"report", 0o644).unwrap();
            let e = write(&full, b"report", 0o644).unwrap_err();
            assert!(e.to_string().contains("no space left"), "{e}");
            for p in [&null, &full] {
                let t = std::fs::metadata(p).unwrap().file_type();
                assert!(t.is_char_device(), "{} was replaced", p.display());
            }
            // through a link too, as /dev/stdout is one
            let link = dir.path().join("out");
            std::os::unix::fs::symlink(&null, &link).unwrap();
            write(&link, b"report", 0o644).unwrap();
            assert!(std::fs::metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device());
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root: mknod must work"
            );
        }
        // a pipe someone reads gets the bytes; one nobody reads is an error, at once
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a path this test owns
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let start = std::time::Instant::now();
        let e = write(&fifo, b"report", 0o644).unwrap_err();
        assert!(e.to_string().contains("nobody reads"), "{e}");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        // the reader has the pipe open once a write finds it
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match write(&fifo, b"report", 0o644) {
                Ok(()) => break,
                Err(e) if e.to_string().contains("nobody reads") => {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "the reader never opened"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(reader.join().unwrap(), b"report");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        // /dev/stdout when stdout is a pipe: a link only the kernel can follow (pipe:[N])
        let mut fds = [0; 2];
        // SAFETY: pipe() fills the two descriptors
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let via = std::path::PathBuf::from(format!("/proc/self/fd/{}", fds[1]));
        write(&via, b"piped", 0o644).unwrap();
        let mut got = [0u8; 5];
        // SAFETY: reading into a buffer of its length from the pipe's read end
        assert_eq!(unsafe { libc::read(fds[0], got.as_mut_ptr().cast(), 5) }, 5);
        assert_eq!(&got, b"piped");
        // SAFETY: closing the two descriptors made above
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        // a directory is refused, and stays
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write(&sub, b"report", 0o644).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(sub.is_dir());
        // a missing directory is named, not a temp file's path
        let e = write(&dir.path().join("nosuch/x"), b"r", 0o644).unwrap_err();
        assert!(
            e.to_string().contains("does not exist") && !e.to_string().contains("at path"),
            "{e}"
        );
    }

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

    // issue 26, item 7: a write onto a symlink replaced the link with a regular file and left
    // the file it named unchanged
    #[test]
    fn writes_through_links_and_refuses_dangling_links_and_loops() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let real = sub.join("real.conf");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let hop = dir.path().join("hop");
        std::os::unix::fs::symlink("sub/real.conf", &hop).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&hop, &link).unwrap();
        super::write(&link, b"new", 0o644).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(std::fs::symlink_metadata(&hop).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(
            std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::read_dir(&sub).unwrap().count(),
            1,
            "no temp file left"
        );

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("sub/missing.conf", &dangling).unwrap();
        let e = super::write(&dangling, b"x", 0o644)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sub/missing.conf") && e.contains("does not exist"),
            "{e}"
        );
        assert!(!sub.join("missing.conf").exists());
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", &b).unwrap();
        let e = super::write(&a, b"x", 0o644).unwrap_err().to_string();
        assert!(e.contains("loop"), "{e}");
        assert!(std::fs::symlink_metadata(&a).unwrap().is_symlink());
    }

    // issue 26, item 8: the lock is on the directory of the file a link names, one holder at once
    #[test]
    fn one_lock_holder_per_directory_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("real.conf"), "x").unwrap();
        let link = dir.path().join("link.conf");
        std::os::unix::fs::symlink("sub/real.conf", &link).unwrap();
        let held = super::Lock::try_acquire(&sub.join("real.conf"))
            .unwrap()
            .expect("free");
        assert!(super::Lock::try_acquire(&link).unwrap().is_none());
        assert!(
            super::Lock::try_acquire(&dir.path().join("other.conf"))
                .unwrap()
                .is_some(),
            "another directory is not locked"
        );
        drop(held);
        assert!(super::Lock::try_acquire(&link).unwrap().is_some());
    }
}
