//! Capture analysis: link-layer decoding and the RESP/TCP analysis shared by live and offline
//! capture. Sockets and files stay in `probe::packets`.

pub mod analysis;
mod census;
pub mod decode;
pub mod file;
mod reassembly;
mod report;
pub mod session;
mod stats;
