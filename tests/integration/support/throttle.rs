//! A server of known capacity: a TCP proxy in front of a real redis-server that forwards the
//! requests of all its clients one per service slot (a deterministic single-server queue). Below
//! its capacity a request waits at most one slot; above it the queue, and the response time,
//! grow without bound. `bench --slo` must find that capacity.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The proxy; it stops accepting when dropped (open connections end with the test).
pub struct Throttle {
    pub port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Throttle {
    /// Serves at most `per_second` requests per second, forwarding to 127.0.0.1:`upstream`.
    pub fn start(upstream: u16, per_second: u64) -> Throttle {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let slot = Duration::from_secs_f64(1.0 / per_second as f64);
        let next = Arc::new(Mutex::new(Instant::now()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                match l.accept() {
                    Ok((client, _)) => {
                        let next = next.clone();
                        std::thread::spawn(move || serve(client, upstream, slot, next));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Throttle { port, stop }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Throttle {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn serve(mut client: TcpStream, upstream: u16, slot: Duration, next: Arc<Mutex<Instant>>) {
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut back_from, mut back_to) = (server.try_clone().unwrap(), client.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back_from, &mut back_to);
        let _ = back_to.shutdown(std::net::Shutdown::Both);
    });
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        let n = match client.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some(len) = request_len(&buf) {
            // the request's slot: the first free one from now
            let due = {
                let mut next = next.lock().unwrap();
                let due = (*next).max(Instant::now());
                *next = due + slot;
                due
            };
            let wait = due.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
            if server.write_all(&buf[..len]).is_err() {
                return;
            }
            buf.drain(..len);
        }
    }
    let _ = server.shutdown(std::net::Shutdown::Both);
}

/// The length of the first complete RESP request in `b` (an array of bulk strings, or an inline
/// line), None until it has all arrived.
fn request_len(b: &[u8]) -> Option<usize> {
    let line_end = |from: usize| {
        b.get(from..)?
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| from + p)
    };
    let head = line_end(0)?;
    if b.first() != Some(&b'*') {
        return Some(head + 2);
    }
    let n: usize = std::str::from_utf8(&b[1..head]).ok()?.parse().ok()?;
    let mut at = head + 2;
    for _ in 0..n {
        let end = line_end(at)?;
        let len: usize = std::str::from_utf8(b.get(at + 1..end)?)
            .ok()?
            .parse()
            .ok()?;
        at = end + 2 + len + 2;
        if at > b.len() {
            return None;
        }
    }
    Some(at)
}
