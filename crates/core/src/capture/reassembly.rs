//! The bounded TCP reassembler of one direction of a flow: in-order delivery, held
//! out-of-order data, retransmissions, holes given up on, and resynchronising on a RESP
//! value boundary after a gap.

use std::collections::BTreeMap;

use super::decode::Segment;

/// Bytes of out-of-order data one direction may hold before the gap is given up on.
pub(super) const MAX_PENDING_BYTES: usize = 1 << 20;
/// Segments held after a hole before the hole is taken as lost (a retransmission would have
/// come long before this many later segments).
pub(super) const HOLD_SEGMENTS: usize = 64;
/// Undecoded bytes one direction may buffer (a huge value in flight) before it is dropped.
pub(super) const MAX_BUFFER: usize = 64 << 20;

/// One direction of a connection.
#[derive(Default)]
pub(super) struct Half {
    pub(super) next: Option<u32>,
    pub(super) pending: BTreeMap<u32, Vec<u8>>,
    pub(super) pending_bytes: usize,
    pub(super) buf: Vec<u8>,
    /// Set after a gap or garbage: wait for a segment that starts a RESP value.
    pub(super) lost: bool,
    /// Out of sync because the capture cut a segment: the bytes skipped until the next value
    /// are the rest of a value cut short, not garbage.
    pub(super) cut: bool,
}

/// What one segment did to a direction's stream.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Outcome {
    pub(super) retransmitted: u64,
    pub(super) out_of_order: u64,
    pub(super) gap: bool,
    /// Bytes skipped because they did not start a RESP value.
    pub(super) skipped: u64,
}

/// Whether a segment can start a RESP value: a request array (`*2\r\n$3…`) towards the
/// server; a type byte with a well-formed header line towards the client. A segment cut
/// inside a value rarely passes, so the stream resumes on a real boundary.
pub(super) fn resumes(payload: &[u8], to_server: bool) -> bool {
    let Some(&tag) = payload.first() else {
        return false;
    };
    if to_server && tag != b'*' {
        return false;
    }
    // the header line, or what the segment holds of it
    let line_end = payload.iter().position(|b| *b == b'\r');
    let line = &payload[1..line_end.unwrap_or(payload.len()).clamp(1, 66)];
    let complete = line_end.is_some_and(|e| payload.get(e + 1) == Some(&b'\n'));
    let digits = |l: &[u8]| {
        let l = l.strip_prefix(b"-").unwrap_or(l);
        !l.is_empty() && l.iter().all(u8::is_ascii_digit)
    };
    let ok = match tag {
        b'*' | b'$' | b'%' | b'~' | b'>' | b'|' | b'!' | b'=' | b':' | b'(' => {
            digits(line) || (!complete && line.iter().all(|b| *b == b'-' || b.is_ascii_digit()))
        }
        b'_' => line.is_empty(),
        b'#' => matches!(line, b"t" | b"f" | b""),
        b',' => line
            .iter()
            .all(|b| b.is_ascii_digit() || b".-+eEinfa".contains(b)),
        b'+' | b'-' => !line.contains(&b'\n'),
        _ => false,
    };
    if !ok || !complete {
        return ok;
    }
    // a request is an array of bulk strings
    !to_server
        || payload
            .get(line_end.unwrap_or(0) + 2)
            .is_none_or(|b| *b == b'$')
}

/// Appends the segment's new bytes to the direction in sequence order.
/// Where an out-of-sync direction may take up decoding again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Resume {
    /// At a segment that starts a request.
    Request,
    /// At a segment that starts a reply.
    Reply,
    /// Not now.
    Never,
}

impl Resume {
    pub(super) fn at(self, payload: &[u8]) -> bool {
        match self {
            Resume::Request => resumes(payload, true),
            Resume::Reply => resumes(payload, false),
            Resume::Never => false,
        }
    }
}

pub(super) fn reassemble(h: &mut Half, seg: &Segment<'_>, mut resume: Resume) -> Outcome {
    let mut out = Outcome::default();
    let len = seg.payload.len() as u32;
    if seg.syn {
        h.next = Some(seg.seq.wrapping_add(1));
        return out;
    }
    if len == 0 {
        return out;
    }
    let Some(next) = h.next else {
        // first data seen on a stream already under way
        h.next = Some(seg.seq.wrapping_add(len));
        if resume.at(seg.payload) {
            h.buf.extend_from_slice(seg.payload);
        } else {
            h.lost = true;
            out.skipped = seg.payload.len() as u64;
        }
        return out;
    };
    let off = seg.seq.wrapping_sub(next) as i32;
    if off < 0 {
        out.retransmitted = 1;
        let seen = (-off) as u32;
        if seen >= len {
            return out;
        }
        // a retransmission that also carries new bytes: keep the new tail
        let tail = &seg.payload[seen as usize..];
        out.skipped += append(h, tail, resume);
        h.next = Some(next.wrapping_add(tail.len() as u32));
    } else if off > 0 {
        out.out_of_order = 1;
        if h.pending.insert(seg.seq, seg.payload.to_vec()).is_none() {
            h.pending_bytes += seg.payload.len();
        } else {
            out.retransmitted = 1;
        }
        if h.pending.len() <= HOLD_SEGMENTS && h.pending_bytes <= MAX_PENDING_BYTES {
            return out;
        }
        // The hole has not filled while this much arrived after it: the capture lost it.
        // Skip to the first held segment and resume at the next RESP value.
        out.gap = true;
        h.buf.clear();
        h.next = h.pending.keys().next().copied();
        h.lost = true;
        // the caller gives up the requests in flight on a gap: the held replies answer none
        // of the requests left, so they are not decoded (inside a value they can look like
        // RESP); decoding resumes at a reply start once a new request waits
        if resume == Resume::Reply {
            resume = Resume::Never;
        }
    } else {
        out.skipped += append(h, seg.payload, resume);
        h.next = Some(next.wrapping_add(len));
    }
    // release held segments that are now in order
    while let Some((&seq, _)) = h.pending.iter().next() {
        let next = h.next.expect("set above");
        let off = seq.wrapping_sub(next) as i32;
        if off > 0 {
            break;
        }
        let data = h.pending.remove(&seq).expect("present");
        h.pending_bytes -= data.len();
        let seen = (-off) as usize;
        if seen < data.len() {
            out.skipped += append(h, &data[seen..], resume);
            h.next = Some(next.wrapping_add((data.len() - seen) as u32));
        }
    }
    out
}

/// A segment the capture cut (snapshot length): the bytes kept go where they belong, and the
/// stream moves past the whole segment. Cut segments are never held for reordering (what they
/// lack could not fill a hole), so one out of place is a gap.
pub(super) fn reassemble_cut(h: &mut Half, seg: &Segment<'_>, resume: Resume) -> Outcome {
    let mut out = Outcome::default();
    let end = seg.seq.wrapping_add(seg.wire_len as u32);
    if seg.syn {
        h.next = Some(seg.seq.wrapping_add(1));
        return out;
    }
    match h.next {
        Some(next) if end.wrapping_sub(next) as i32 <= 0 => {
            out.retransmitted = 1;
            return out;
        }
        Some(next) if seg.seq != next => {
            if (seg.seq.wrapping_sub(next) as i32) < 0 {
                out.retransmitted = 1;
            } else {
                out.gap = true;
            }
            h.buf.clear();
            h.pending.clear();
            h.pending_bytes = 0;
            h.lost = true;
        }
        Some(_) => out.skipped += append(h, seg.payload, resume),
        None if resume.at(seg.payload) => {
            h.lost = false;
            h.buf.extend_from_slice(seg.payload);
        }
        None => {
            h.lost = true;
            out.skipped = seg.payload.len() as u64;
        }
    }
    h.next = Some(end);
    out
}

/// Appends in-order bytes; returns how many were skipped while waiting to resynchronise.
pub(super) fn append(h: &mut Half, bytes: &[u8], resume: Resume) -> u64 {
    if h.lost {
        if resume.at(bytes) {
            h.lost = false;
        } else {
            return bytes.len() as u64;
        }
    }
    h.buf.extend_from_slice(bytes);
    0
}
