//! Capture analysis: link-layer decoding and the RESP/TCP analysis shared by live and offline
//! capture. Sockets and files stay in `probe::packets`.

pub mod analysis;
pub mod decode;
pub mod session;
