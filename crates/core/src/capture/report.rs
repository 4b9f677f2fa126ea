//! What a capture reports: per-command rows, slow requests, blocking waits, top keys and the
//! ports seen; plain data for the renderers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::analysis::*;

/// One slow request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowRequest {
    /// Command.
    pub command: String,
    /// Key (hashed with --redact-keys), when the command has one.
    pub key: Option<String>,
    /// Request to reply, ms.
    pub latency_ms: f64,
}

/// One command's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandRow {
    /// Command name.
    pub command: String,
    /// Requests with a reply.
    pub count: u64,
    /// Of those, error replies.
    pub errors: u64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
}

/// One blocking command's waits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitRow {
    /// Command name.
    pub command: String,
    /// Calls answered.
    pub count: u64,
    /// Median wait, ms.
    pub p50_wait_ms: f64,
    /// Longest wait, ms.
    pub max_wait_ms: f64,
}

/// A key and how often it was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyCount {
    /// The key name (lossy UTF-8, 64 characters at most) or its hash.
    pub key: String,
    /// Requests naming it.
    pub count: u64,
}

/// Everything a capture found, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureReport {
    /// The file read or the interface captured.
    pub source: String,
    /// The Redis port; null when every flow carrying RESP was analysed (`-p auto`).
    pub port: Option<u16>,
    /// TCP ports seen, by the server's side of each flow, busiest first (at most 20): listed
    /// when nothing matched the port, and with `-p auto`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports_seen: Vec<PortSeen>,
    /// Every packet read.
    pub packets: u64,
    /// TCP packets to or from the port.
    pub tcp_packets: u64,
    /// Bytes of those packets as captured.
    pub bytes: u64,
    /// Packets the capture kept only the first bytes of (its snapshot length, `tcpdump -s N`).
    pub cut_packets: u64,
    /// The bytes those packets lost: requests and replies in them are decoded as far as they
    /// were kept, and the stream resumes at the next value.
    pub cut_bytes: u64,
    /// Connections seen.
    pub connections: u64,
    /// Segments with payload.
    pub data_segments: u64,
    /// Segments that carried data already seen (retransmissions).
    pub retransmitted_segments: u64,
    /// retransmitted_segments / data_segments: the brief's packet-loss signal.
    pub retransmit_share: f64,
    /// Segments that arrived ahead of a gap and were held.
    pub out_of_order_segments: u64,
    /// Gaps given up on (missing segments): the stream was resynchronised after them.
    pub gaps: u64,
    /// Bytes that were not RESP and were skipped.
    pub protocol_errors: u64,
    /// Bytes skipped while resynchronising on the next RESP value.
    pub skipped_bytes: u64,
    /// Replies with no request seen (capture started mid-conversation, or after a gap).
    pub unmatched_replies: u64,
    /// Requests that by Redis's rules get no reply: under CLIENT REPLY OFF or SKIP (and those
    /// commands themselves), or sent after QUIT.
    pub no_reply_expected: u64,
    /// Server frames that answer no request: Pub/Sub messages and RESP3 pushes (client-tracking
    /// invalidations among them).
    pub pushes: u64,
    /// Lines of MONITOR's stream.
    pub monitor_lines: u64,
    /// Commands queued inside MULTI (answered +QUEUED; their EXEC carries the latency).
    pub queued_commands: u64,
    /// Requests whose reply was never seen.
    pub unanswered_requests: u64,
    /// Flows forgotten after FIN/RST from both sides, 60 s idle, or a new SYN on their addresses
    /// (their memory freed).
    pub flows_freed: u64,
    /// Caps the capture reached (distinct command names, error words, keys), in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<String>,
    /// Requests paired with replies.
    pub requests: u64,
    /// Per command, busiest first.
    pub commands: Vec<CommandRow>,
    /// Blocking commands (BLPOP, WAIT, XREAD … BLOCK): they wait by design, so their time is
    /// a wait, kept out of the latency rows and the slowest list.
    pub blocking: Vec<WaitRow>,
    /// Error replies by first word (ERR, WRONGTYPE, OOM, NOAUTH …).
    pub errors: BTreeMap<String, u64>,
    /// Most used keys.
    pub top_keys: Vec<KeyCount>,
    /// The ten slowest requests.
    pub slowest: Vec<SlowRequest>,
    /// Kernel drops reported by the capture (live only).
    pub kernel_drops: Option<u64>,
    /// Why reading stopped early, when it did (a truncated file, say).
    pub stopped_early: Option<String>,
    /// What the latency measures.
    pub latency_note: String,
}

/// How key names appear in the report.
#[derive(Clone)]
pub enum KeyNames {
    /// As seen (at most 64 characters): `--show-keys`.
    Plain,
    /// HMAC-SHA256 with this secret, first 8 bytes in hex: the same key gives the same label
    /// within a run (or across runs that share `--redact-salt`), and a guessable key cannot be
    /// found by hashing guesses without the secret.
    Hmac(Vec<u8>),
}

impl KeyNames {
    /// How key `k` is shown.
    pub fn label(&self, k: &[u8]) -> String {
        match self {
            KeyNames::Hmac(secret) => {
                use hmac::{KeyInit, Mac};
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
                    .expect("HMAC takes a key of any length");
                mac.update(k);
                let tag = mac.finalize().into_bytes();
                let hex: String = tag[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("h:{hex}")
            }
            KeyNames::Plain => String::from_utf8_lossy(k).chars().take(64).collect(),
        }
    }
}
