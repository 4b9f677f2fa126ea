//! Where passwords come from besides the target itself: REDISCLI_AUTH and `--redis-password-file`
//! for Redis, ~/.pgpass (or PGPASSFILE) for PostgreSQL, as redis-cli and libpq look them up.

use super::*;

/// Where a Redis password may come from, besides the URL.
#[derive(Debug, Default, Clone)]
pub struct RedisAuthSources {
    /// `--redis-password-file`.
    pub password_file: Option<PathBuf>,
    /// REDISCLI_AUTH.
    pub env_password: Option<String>,
    /// `--tls-ca`, `--tls-cert`, `--tls-key`: the CA file and client certificate for every
    /// rediss:// target (a URL's own `cacert`, `cert` and `key` parameters win).
    pub tls: crate::targets::args::RedisTlsArgs,
}

impl RedisAuthSources {
    /// Reads the sources from the flags and the environment.
    pub fn from_env(
        password_file: Option<PathBuf>,
        tls: &crate::targets::args::RedisTlsArgs,
    ) -> Self {
        RedisAuthSources {
            password_file,
            tls: tls.clone(),
            env_password: std::env::var("REDISCLI_AUTH")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    /// The password to use when the URL has none: the file first, then REDISCLI_AUTH.
    pub(super) fn password(&self) -> Result<Option<String>, UsageError> {
        if let Some(path) = &self.password_file {
            let text =
                crate::input::read_capped_text(path, crate::input::SECRET_CAP).map_err(|e| {
                    UsageError(format!("--redis-password-file {}: {e}", path.display()))
                })?;
            let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
            if first.is_empty() {
                return Err(UsageError(format!(
                    "--redis-password-file {}: the first line is empty",
                    path.display()
                )));
            }
            return Ok(Some(first.to_string()));
        }
        Ok(self.env_password.clone())
    }
}

/// Looks a password up in a pgpass file, as libpq does. A file libpq ignores (not a plain file,
/// or one others can read) is Err with libpq's own warning; a missing file is Ok(None).
pub fn pgpass_lookup(
    path: &Path,
    host: &str,
    port: u16,
    db: &str,
    user: &str,
) -> Result<Option<String>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Err(format!(
            "password file \"{}\" is not a plain file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                path.display()
            ));
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    // libpq matches "localhost" for Unix-socket connections too.
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    Ok(text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(split_pgpass_line)
        .find(|f| {
            f.len() == 5
                && [host, port.as_str(), db, user]
                    .iter()
                    .zip(&f[..4])
                    .all(|(want, have)| have == "*" || have == want)
        })
        .map(|mut f| f.swap_remove(4)))
}

/// Splits one pgpass line on unescaped colons, undoing `\:` and `\\`.
pub(super) fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().unwrap().push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}
