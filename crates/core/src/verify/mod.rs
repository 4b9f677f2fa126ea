//! `statectl verify`: pure comparison of what two sides hold. The I/O (connecting, waiting for
//! replication, scanning, fetching digests) is `probe::replica`'s.

pub mod cache;
pub mod postgres;
pub mod redis;
