//! RESP2/RESP3 framing: finds where one value ends in a byte buffer without copying it, so the
//! bench client can count replies and the capture decoder can split streams. Incremental: an
//! incomplete value is `Ok(None)`, never an error.

/// What kind of value a frame holds (only what callers need).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A simple or verbatim string, number, null, boolean, double, big number.
    Scalar,
    /// An error reply (`-ERR …` or RESP3 blob error).
    Error,
    /// An aggregate (array, map, set, push, attribute).
    Aggregate,
}

/// A protocol violation: the bytes are not RESP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not RESP at byte {at}: {why}")]
pub struct RespError {
    /// Offset of the offending byte.
    pub at: usize,
    /// What was wrong.
    pub why: &'static str,
}

/// The deepest nesting accepted; deeper input is treated as garbage rather than recursed into.
const MAX_DEPTH: usize = 64;

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| from + p)
}

fn int(buf: &[u8], from: usize, to: usize) -> Result<i64, RespError> {
    std::str::from_utf8(&buf[from..to])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(RespError {
            at: from,
            why: "bad length",
        })
}

/// The longest bulk string a reply may announce: Redis's own proto-max-bulk-len default. A
/// longer one is a broken or hostile peer, and waiting for it would buffer without end.
pub const MAX_BULK: i64 = 512 * 1024 * 1024;

/// Finds the end of the value starting at `at`: `Ok(Some((end, frame)))` when complete,
/// `Ok(None)` when more bytes are needed.
pub fn frame(buf: &[u8], at: usize) -> Result<Option<(usize, Frame)>, RespError> {
    frame_depth(buf, at, 0)
}

fn frame_depth(buf: &[u8], at: usize, depth: usize) -> Result<Option<(usize, Frame)>, RespError> {
    if depth > MAX_DEPTH {
        return Err(RespError {
            at,
            why: "nested too deep",
        });
    }
    let Some(&tag) = buf.get(at) else {
        return Ok(None);
    };
    let Some(eol) = line_end(buf, at + 1) else {
        // a header line longer than any sane length prefix is garbage, not "incomplete"
        if buf.len() - at > 64 * 1024
            && matches!(tag, b'$' | b'*' | b'%' | b'~' | b'>' | b'|' | b'!' | b'=')
        {
            return Err(RespError {
                at,
                why: "header line too long",
            });
        }
        return Ok(None);
    };
    let after = eol + 2;
    match tag {
        b'+' | b':' | b'_' | b'#' | b',' | b'(' => Ok(Some((after, Frame::Scalar))),
        b'-' => Ok(Some((after, Frame::Error))),
        b'$' | b'!' | b'=' => {
            let n = int(buf, at + 1, eol)?;
            if n < 0 {
                return Ok(Some((after, Frame::Scalar)));
            }
            if n > MAX_BULK {
                return Err(RespError {
                    at,
                    why: "bulk length above 512 MiB (Redis's proto-max-bulk-len)",
                });
            }
            let end = after + n as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            if &buf[end - 2..end] != b"\r\n" {
                return Err(RespError {
                    at: end - 2,
                    why: "bulk string without CRLF",
                });
            }
            Ok(Some((
                end,
                if tag == b'!' {
                    Frame::Error
                } else {
                    Frame::Scalar
                },
            )))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = int(buf, at + 1, eol)?;
            if n < 0 {
                return Ok(Some((after, Frame::Scalar)));
            }
            let items = if matches!(tag, b'%' | b'|') {
                n as usize * 2
            } else {
                n as usize
            };
            let mut pos = after;
            for _ in 0..items {
                match frame_depth(buf, pos, depth + 1)? {
                    Some((end, _)) => pos = end,
                    None => return Ok(None),
                }
            }
            if tag == b'|' {
                // an attribute precedes the value it annotates
                return frame_depth(buf, pos, depth + 1);
            }
            Ok(Some((pos, Frame::Aggregate)))
        }
        _ => Err(RespError {
            at,
            why: "unknown type byte",
        }),
    }
}

/// The first word of an error reply (`ERR`, `WRONGTYPE`, `OOM` …).
pub fn error_word(buf: &[u8], at: usize) -> String {
    let rest = &buf[at + 1..];
    let rest = if buf[at] == b'!' {
        // blob error: skip the length line
        match line_end(buf, at + 1) {
            Some(e) => &buf[e + 2..],
            None => rest,
        }
    } else {
        rest
    };
    let end = rest
        .iter()
        .position(|b| *b == b' ' || *b == b'\r')
        .unwrap_or(rest.len())
        .min(32);
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    // itoa rather than format!: this runs once per request on the bench hot path
    let mut n = itoa::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(n.format(args.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        out.push(b'$');
        out.extend_from_slice(n.format(a.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn frames_of_every_type() {
        assert_eq!(frame(b"+OK\r\n", 0).unwrap(), Some((5, Frame::Scalar)));
        assert_eq!(frame(b"-ERR no\r\n", 0).unwrap(), Some((9, Frame::Error)));
        assert_eq!(error_word(b"-WRONGTYPE Operation\r\n", 0), "WRONGTYPE");
        assert_eq!(
            frame(b"$3\r\nabc\r\n+", 0).unwrap(),
            Some((9, Frame::Scalar))
        );
        assert_eq!(frame(b"$-1\r\n", 0).unwrap(), Some((5, Frame::Scalar)));
        assert_eq!(
            frame(b"*2\r\n$1\r\na\r\n:5\r\n", 0).unwrap(),
            Some((15, Frame::Aggregate))
        );
        assert_eq!(
            frame(b"%1\r\n+k\r\n+v\r\n", 0).unwrap(),
            Some((12, Frame::Aggregate))
        );
        assert_eq!(frame(b"_\r\n", 0).unwrap(), Some((3, Frame::Scalar)));
        assert_eq!(
            frame(b"!5\r\nERR x\r\n", 0).unwrap(),
            Some((11, Frame::Error))
        );
        assert_eq!(
            frame(b"|1\r\n+a\r\n+b\r\n:1\r\n", 0).unwrap(),
            Some((16, Frame::Scalar))
        );
    }

    #[test]
    fn incomplete_is_none_and_garbage_is_an_error() {
        for cut in [&b"$3\r\nab"[..], b"*2\r\n$1\r\na\r\n", b"+OK", b""] {
            assert_eq!(frame(cut, 0).unwrap(), None, "{cut:?}");
        }
        assert!(frame(b"HTTP/1.1 200 OK\r\n", 0).is_err());
        assert!(frame(b"$x\r\n", 0).is_err());
        assert!(frame(b"$1x\r\n", 0).is_err());
        assert!(frame(b"$99999999999999999999\r\n", 0).is_err());
        assert!(frame(b"$3\r\nabcd\r\n", 0).is_err());
        let deep = "*1\r\n".repeat(100) + ":1\r\n";
        assert!(frame(deep.as_bytes(), 0).is_err());
    }

    #[test]
    fn encode_round_trips() {
        let mut b = Vec::new();
        encode(&mut b, &[b"SET", b"k", b"v v"]);
        assert_eq!(b, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv v\r\n");
        assert_eq!(frame(&b, 0).unwrap(), Some((b.len(), Frame::Aggregate)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_and_prefixes_are_incomplete(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = frame(&bytes, 0);
            let mut cmd = Vec::new();
            encode(&mut cmd, &[&bytes, b"x"]);
            let (end, _) = frame(&cmd, 0).unwrap().unwrap();
            prop_assert_eq!(end, cmd.len());
            for cut in 0..cmd.len() {
                prop_assert_eq!(frame(&cmd[..cut], 0).unwrap(), None);
            }
        }
    }

    // issue 12, defect 13: a reply announcing a huge $len made the bench buffer grow without end
    #[test]
    fn a_bulk_length_above_512_mib_is_an_error_not_a_wait() {
        let e = frame(b"$1000000000000\r\n", 0).unwrap_err();
        assert!(e.why.contains("512 MiB"), "{}", e.why);
        assert!(
            frame(b"$536870912\r\n", 0).unwrap().is_none(),
            "512 MiB itself is allowed"
        );
    }
}
