//! The one integration crate: runs the built binary against private real servers.

mod support;

mod bench;
mod capture;
mod capture_semantics;
mod cli;
mod drill;
mod edge;
mod exposure;
mod faults;
mod fleet;
mod generated;
mod ha;
mod interrupt;
mod jwks;
mod kernel_nic;
mod layers;
mod logs;
mod package;
mod path;
mod playbooks;
mod postgres_doctor;
mod postgres_reachable;
mod postgres_rpo;
mod preflight;
mod redis_doctor;
mod redis_reachable;
mod redis_rpo;
mod scenarios;
mod secrets;
mod server_versions;
mod service;
mod tls;
mod tune_redis;
mod untrusted;
mod verify;
