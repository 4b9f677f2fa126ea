//! Files named on the command line: each must be a regular file, and each is read whole only up
//! to a cap, so `/dev/zero`, a FIFO or a 10 GB file is a usage error naming the flag and the cap,
//! never a hang or gigabytes of memory. The caps are listed in README.md ("Input limits").

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::config::{Thresholds, DEFAULT_CONFIG};
use crate::exit::UsageError;

use crate::doctor::redis::human_bytes;

/// statectl.toml, redis.conf and `--lb-config`: far above any real configuration.
pub const CONFIG_CAP: u64 = 16 << 20;
/// PEM files (CA bundles, client certificates and keys): a whole system CA bundle is ~200 KiB.
pub const PEM_CAP: u64 = 16 << 20;
/// Secrets and tokens (`--redis-password-file`, `--set NAME=@FILE`, `--jwt-*`): one line or key.
pub const SECRET_CAP: u64 = 1 << 20;

/// Opens `path` for reading, refusing anything but a regular file (after symlinks) before a
/// byte is read: O_NONBLOCK keeps the open of a FIFO without a writer from blocking, and the
/// type is taken from the opened handle, so nothing can be swapped in between.
pub fn open_regular(path: &Path) -> Result<std::fs::File, String> {
    open_regular_io(path).map_err(|e| e.to_string())
}

/// [`open_regular`] keeping the error's kind (a missing file stays `NotFound`).
pub fn open_regular_io(path: &Path) -> std::io::Result<std::fs::File> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    regular(f.metadata()?.file_type()).map_err(std::io::Error::other)?;
    Ok(f)
}

/// Refuses `path` when it exists and is not a regular file, without opening it: for files read
/// later, by a probe that reports its own errors (a log the user may not read is a finding).
pub fn not_special(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) => regular(m.file_type()),
        Err(e) => Err(e.to_string()),
    }
}

fn regular(t: std::fs::FileType) -> Result<(), String> {
    if t.is_file() {
        return Ok(());
    }
    let what = if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    Err(format!("{what}, not a regular file"))
}

/// Reads a whole regular file of at most `cap` bytes; the error (without the path) says why,
/// naming the cap when the file is larger.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let f = open_regular(path)?;
    let too_big = |n: u64| {
        format!(
            "{} is larger than statectl reads for this input ({} at most)",
            human_bytes(n as f64),
            human_bytes(cap as f64)
        )
    };
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    if len > cap {
        return Err(too_big(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    // the file may grow after the stat: never read past the cap
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > cap {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_capped_text(path: &Path, cap: u64) -> Result<String, String> {
    String::from_utf8(read_capped(path, cap)?).map_err(|_| "not UTF-8 text".to_string())
}

/// Loads thresholds: from `explicit` (which must exist), else from the default path when it
/// exists, else the built-in defaults.
pub fn thresholds(explicit: Option<&Path>) -> Result<Thresholds, UsageError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG).exists() => PathBuf::from(DEFAULT_CONFIG),
        None => return Ok(Thresholds::default()),
    };
    let name = if explicit.is_some() {
        "--config"
    } else {
        "config file"
    };
    let text = read_capped_text(&path, CONFIG_CAP)
        .map_err(|e| UsageError(format!("{name} {}: {e}", path.display())))?;
    Thresholds::parse(&text).map_err(|e| UsageError(format!("{name} {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file_and_what_is_too_big() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_capped(&fifo, 10).unwrap_err();
        assert!(e.contains("FIFO"), "{e}");
        let e = read_capped(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(e.contains("character device"), "{e}");
        let e = read_capped(dir.path(), 10).unwrap_err();
        assert!(e.contains("directory"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, b"12345678901").unwrap();
        let e = read_capped(&big, 10).unwrap_err();
        assert!(e.contains("11 B") && e.contains("10 B at most"), "{e}");
        std::fs::write(&big, b"1234567890").unwrap();
        assert_eq!(read_capped(&big, 10).unwrap(), b"1234567890");
    }
}
