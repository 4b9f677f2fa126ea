//! What a PostgreSQL probe sees.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ProbeError;

/// What one PostgreSQL probe saw of a reachable server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostgresSnapshot {
    /// Time to connect, authenticate and answer the first query.
    #[serde(with = "crate::observe::ms")]
    pub connect_time: Duration,
    /// server_version_num, e.g. 150018.
    pub server_version_num: u32,
    /// server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub server_version: String,
    /// Everything the doctor matrix needs beyond reachability; None when not collected.
    pub detail: Option<PostgresDetail>,
    /// Why the session runs in plain text though the sslmode asked for TLS: libpq's prefer fell
    /// back after the TLS attempt failed (the failure in words). None when no fallback happened.
    #[serde(default)]
    pub tls_fallback: Option<String>,
}

/// The settings that name the server's certificate files (the paths are relative to
/// data_directory). pg_settings shows them only to superusers and pg_read_all_settings.
pub const CERT_FILE_SETTINGS: &[&str] = &[
    "ssl",
    "data_directory",
    "ssl_cert_file",
    "ssl_key_file",
    "ssl_ca_file",
];

/// One row of pg_settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Setting {
    /// The value in force, in `unit`.
    pub setting: String,
    /// pg_settings.unit ("8kB", "MB", "ms", "" …).
    pub unit: String,
    /// postmaster (restart), sighup (reload), superuser, user …
    pub context: String,
    /// A changed value waits for a restart.
    pub pending_restart: bool,
}

/// A backend waiting on a lock and one backend it waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockedBackend {
    /// The waiting pid.
    pub pid: i32,
    /// A pid holding the lock.
    pub blocking_pid: i32,
    /// Seconds it has waited.
    pub wait_s: f64,
    /// The waiting query, literals masked, at most 60 characters.
    pub query: String,
}

/// A replication slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// slot_name.
    pub name: String,
    /// Whether a consumer is connected.
    pub active: bool,
    /// reserved, extended, unreserved or lost.
    pub wal_status: String,
}

/// A pg_hba.conf rule with `trust` on a host line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HbaTrust {
    /// Line number in pg_hba.conf.
    pub line: i32,
    /// host, hostssl, hostnossl …
    pub kind: String,
    /// Address as written (may be empty for `all`/`samehost`).
    pub address: String,
    /// Netmask, if given separately.
    pub netmask: String,
}

/// The doctor-matrix part of a PostgreSQL snapshot. Each query the role may be denied is a
/// `Result` carrying the server's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostgresDetail {
    /// The role connected as.
    pub role: String,
    /// rolsuper.
    pub superuser: bool,
    /// Superuser or member of pg_monitor: may see every session and replication detail.
    pub can_monitor: bool,
    /// pg_settings by name.
    pub settings: BTreeMap<String, Setting>,
    /// The window between the two counter reads.
    #[serde(with = "crate::observe::ms")]
    pub window: Duration,
    /// sum(deadlocks) over pg_stat_database at the start and end of the window.
    pub deadlocks: Result<(i64, i64), String>,
    /// Blocked backends at the end of the window.
    pub blocked: Result<Vec<BlockedBackend>, String>,
    /// Client backends now.
    pub backends: Result<i64, String>,
    /// Sessions idle in transaction: (pid, seconds).
    pub idle_in_transaction: Result<Vec<(i32, f64)>, String>,
    /// pg_stat_replication: (application_name, replay lag seconds when known).
    pub replicas: Result<Vec<(String, Option<f64>)>, String>,
    /// pg_replication_slots.
    pub slots: Result<Vec<Slot>, String>,
    /// age(datfrozenxid) per database.
    pub xid_age: Result<Vec<(String, i64)>, String>,
    /// Checkpoints since the statistics were reset (pg_stat_checkpointer from 17,
    /// pg_stat_bgwriter before), or why they could not be read.
    #[serde(default = "not_collected")]
    pub checkpoints: Result<Checkpoints, String>,
    /// trust rules on host lines, or why pg_hba_file_rules could not be read.
    pub hba_trust: Result<Vec<HbaTrust>, String>,
    /// Client backends connected over TCP from other hosts without TLS (pg_stat_ssl joined
    /// with pg_stat_activity), or why they could not be listed.
    #[serde(default = "not_collected")]
    pub plain_clients: Result<Vec<PlainClient>, String>,
    /// The certificate files of a local server (ssl_cert_file, ssl_ca_file); None when not
    /// looked at (a remote server, settings unreadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_files: Option<Vec<super::tls::CertFile>>,
    /// current_database(): schema privileges and table owners are this database's.
    #[serde(default)]
    pub database: String,
    /// The roles that can log in (pg_roles, readable by every role), or why not.
    #[serde(default = "not_collected")]
    pub login_roles: Result<Vec<LoginRole>, String>,
    /// Each login role's password kind, computed in the server from pg_authid.rolpassword
    /// (no hash leaves the server), or why pg_authid could not be read.
    #[serde(default = "not_collected")]
    pub password_kinds: Result<Vec<(String, PasswordKind)>, String>,
    /// Schemas of this database (system ones aside) where PUBLIC has CREATE.
    #[serde(default = "not_collected")]
    pub public_create: Result<Vec<String>, String>,
    /// Login roles, superusers aside, that own tables of this database.
    #[serde(default = "not_collected")]
    pub table_owners: Result<Vec<TableOwner>, String>,
    /// Sessions of superusers from addresses other than loopback (pg_stat_activity), or why
    /// they could not be listed. Hidden from a role without pg_read_all_stats.
    #[serde(default = "not_collected")]
    pub remote_superusers: Result<Vec<PlainClient>, String>,
    /// sum(sessions) over pg_stat_database at the start and end of the window (PostgreSQL 14
    /// and later), or why not.
    #[serde(default = "not_collected")]
    pub sessions: Result<(i64, i64), String>,
    /// sum(session_time) / sum(sessions) over pg_stat_database since the statistics were reset,
    /// milliseconds: the mean length of a session. None when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_session_ms: Option<f64>,
    /// The ages (seconds since backend_start) of the other client backends at the end of the
    /// window, youngest first; other roles' are hidden without pg_read_all_stats.
    #[serde(default = "not_collected")]
    pub backend_ages: Result<Vec<f64>, String>,
    /// The CPUs online on the server's host (a local server: /sys/devices/system/cpu/online),
    /// or why they are not known (a server on another host).
    #[serde(default = "not_collected")]
    pub cores: Result<u32, String>,
    /// What `postgres.rpo` reads: the WAL written over the window and each standby's,
    /// subscriber's and slot's durable position, or why it could not be read.
    #[serde(default = "not_collected")]
    pub wal_risk: Result<WalRisk, String>,
}

/// The WAL a primary has that its standbys and subscribers do not yet hold durably.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WalRisk {
    /// pg_is_in_recovery(): a standby, whose data at risk is judged on its primary.
    pub in_recovery: bool,
    /// pg_current_wal_lsn() at the end of the window.
    #[serde(default)]
    pub current_lsn: String,
    /// WAL bytes written between the reads of pg_current_wal_lsn() at the window's start and
    /// end (pg_wal_lsn_diff); None on a standby or when the start could not be read.
    #[serde(default)]
    pub wal_bytes: Option<i64>,
    /// The seconds between those two reads.
    #[serde(default)]
    pub wal_window_s: f64,
    /// Each walsender (pg_stat_replication) and each replication slot without one
    /// (pg_replication_slots), at the end of the window.
    #[serde(default)]
    pub consumers: Vec<WalConsumer>,
}

/// One consumer of the primary's WAL: a physical standby, a logical subscriber's walsender,
/// or a slot whose consumer is not connected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WalConsumer {
    /// pg_stat_replication.application_name (a subscriber's is its subscription's name); empty
    /// for a slot without a walsender.
    pub name: String,
    /// client_addr; None for a Unix socket or a disconnected slot.
    #[serde(default)]
    pub client_addr: Option<String>,
    /// pg_stat_replication.state (streaming, catchup …), or `disconnected` for a slot without
    /// a walsender.
    pub state: String,
    /// physical or logical (the slot's type; a walsender without a slot is physical).
    pub kind: String,
    /// The replication slot it uses, if any.
    #[serde(default)]
    pub slot: Option<String>,
    /// sent_lsn, when connected.
    #[serde(default)]
    pub sent_lsn: Option<String>,
    /// write_lsn: written, not yet flushed, by the consumer.
    #[serde(default)]
    pub write_lsn: Option<String>,
    /// flush_lsn: what the consumer holds durably.
    #[serde(default)]
    pub flush_lsn: Option<String>,
    /// replay_lsn (a subscriber reports its flush position here too).
    #[serde(default)]
    pub replay_lsn: Option<String>,
    /// write_lag, seconds (NULL when caught up and idle).
    #[serde(default)]
    pub write_lag_s: Option<f64>,
    /// flush_lag, seconds (NULL when caught up and idle; frozen at its last value while the
    /// consumer does not reply).
    #[serde(default)]
    pub flush_lag_s: Option<f64>,
    /// replay_lag, seconds.
    #[serde(default)]
    pub replay_lag_s: Option<f64>,
    /// Seconds since its last reply (now − reply_time).
    #[serde(default)]
    pub since_reply_s: Option<f64>,
    /// Seconds since its slot became inactive (pg_replication_slots.inactive_since,
    /// PostgreSQL 17 and later).
    #[serde(default)]
    pub inactive_s: Option<f64>,
    /// pg_current_wal_lsn() − flush_lsn (for a slot without a walsender, its
    /// confirmed_flush_lsn, else its restart_lsn): the WAL it does not hold durably; None when
    /// unknown (a lost slot).
    #[serde(default)]
    pub bytes_at_risk: Option<i64>,
}

/// A role that can log in, and the attributes least privilege asks about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LoginRole {
    /// rolname.
    pub name: String,
    /// rolsuper.
    pub superuser: bool,
    /// rolcreaterole.
    pub createrole: bool,
    /// rolcreatedb.
    pub createdb: bool,
    /// rolbypassrls.
    pub bypassrls: bool,
    /// rolreplication.
    pub replication: bool,
    /// rolvaliduntil is null or infinity.
    pub never_expires: bool,
    /// The bootstrap superuser (oid 10, made by initdb): it cannot lose SUPERUSER.
    pub bootstrap: bool,
}

/// What pg_authid.rolpassword holds, by its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordKind {
    /// `SCRAM-SHA-256$…`.
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    /// `md5…`: an MD5 hash, usable as the password itself by an md5 client.
    Md5,
    /// No password: the role logs in only by other methods (peer, cert, trust).
    None,
    /// Anything else (a plain-text password from before PostgreSQL 10).
    Other,
}

/// A login role owning tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableOwner {
    /// rolname.
    pub role: String,
    /// How many tables (and partitioned tables) it owns in this database.
    pub tables: i64,
    /// One of them, schema-qualified and quoted as SQL needs it.
    pub example: String,
    /// The schemas those tables are in, quoted as SQL needs them.
    pub schemas: Vec<String>,
    /// Whether a session of this role (other than the probe's) is open now.
    pub connected: bool,
}

/// How many CPUs a kernel CPU list (`0-3,6`, as /sys/devices/system/cpu/online gives it)
/// names; None for anything else.
pub fn cpu_list_count(s: &str) -> Option<u32> {
    let mut n: u32 = 0;
    for part in s.trim().split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let a = part.parse::<u32>().ok()?;
                (a, a)
            }
        };
        n = n.checked_add(b.checked_sub(a)?.checked_add(1)?)?;
    }
    Some(n)
}

fn not_collected<T>() -> Result<T, String> {
    Err("not collected".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_lists_count_their_cpus() {
        use super::cpu_list_count as c;
        assert_eq!(c("0-1\n"), Some(2));
        assert_eq!(c("0"), Some(1));
        assert_eq!(c("0-3,6,8-9"), Some(7));
        for bad in [
            "",
            "3-1",
            "a",
            "0-",
            "-1",
            "0,,1",
            "0-4294967295,0-4294967295",
        ] {
            assert_eq!(c(bad), None, "{bad:?}");
        }
    }
}

/// Checkpoint counters since the statistics were reset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoints {
    /// The view read: pg_stat_checkpointer (17 and later) or pg_stat_bgwriter.
    pub view: String,
    /// Checkpoints started by checkpoint_timeout.
    pub timed: i64,
    /// Checkpoints requested: by WAL volume reaching max_wal_size, or explicitly.
    pub requested: i64,
}

/// A client backend connected without TLS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlainClient {
    /// client_addr.
    pub addr: String,
    /// usename.
    pub user: String,
    /// How many backends of this address and user.
    pub count: i64,
}

/// The observation of one PostgreSQL target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostgresObservation {
    /// The target's label (no password).
    pub target: String,
    /// host:port or socket path.
    pub addr: String,
    /// The snapshot, or the reason the server could not be reached.
    pub result: Result<PostgresSnapshot, ProbeError>,
    /// The live TLS handshake (`postgres.tls`), made whether or not the rest could be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<super::TlsLook>,
    /// The look from `doctor --from`'s vantage point (`postgres.exposure`); None without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<super::exposure::ExposureLook>,
    /// When a local server refused: its units, systemd's view and where it listens instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<super::service::ServiceState>,
}
