//! One module per subcommand; each orchestrates probes, checks and renderers and returns an Exit.

pub mod bench;
pub mod capture;
pub mod doctor;
pub mod drill;
pub mod generate;
pub mod latency;
pub mod logs;
pub mod nic;
pub mod path;
pub mod slo;
pub mod tune;
pub mod verify;
