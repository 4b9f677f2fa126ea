//! After a connection fails, a second, plain look at the peer tells the failure kinds apart:
//! whether the TCP handshake completes at all, whether the port speaks TLS, and the first bytes
//! it answers to a RESP PING. What the look means is decided in `observe::PeerLook::refine`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::observe::PeerLook;

/// Looks at `host:port` within `budget`: a TCP connect, a TLS ClientHello (certificates not
/// checked: only whether TLS is spoken), and a plain PING's first bytes.
pub async fn look(host: &str, port: u16, budget: Duration) -> PeerLook {
    let addr = (host, port);
    let connect = || tokio::time::timeout(budget, tokio::net::TcpStream::connect(addr));
    let mut look = PeerLook::default();
    match connect().await {
        Err(_) => {
            look.tcp_timeout = true;
            return look;
        }
        Ok(Err(_)) => return look,
        Ok(Ok(_)) => {} // the handshake completes: look further
    }
    // the two looks run at once: a failure costs at most two budgets on top of the probe
    let tls = async {
        let Ok(Ok(tcp)) = connect().await else {
            return false;
        };
        let client = crate::tls::insecure();
        let hello = client.connect(tcp, host);
        matches!(tokio::time::timeout(budget, hello).await, Ok(Ok(_)))
    };
    let ping = async {
        let Ok(Ok(mut tcp)) = connect().await else {
            return None;
        };
        // a peer that closes (EOF, reset, broken pipe) answered with nothing: Some(empty)
        let read = async {
            if tcp.write_all(b"PING\r\n").await.is_err() {
                return Vec::new();
            }
            let mut buf = vec![0u8; 64];
            let n = tcp.read(&mut buf).await.unwrap_or(0);
            buf.truncate(n);
            buf
        };
        tokio::time::timeout(budget, read).await.ok()
    };
    (look.speaks_tls, look.first_bytes) = tokio::join!(tls, ping);
    look
}
