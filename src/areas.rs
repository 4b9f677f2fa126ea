//! The areas' registry is the core's ([`statectl_core::areas`]); running their probes is here.

use crate::doctor::{self, Check};
use crate::observe::Observations;
use crate::probe::{self, ProbeContext};

pub use statectl_core::areas::*;

/// Runs the probes of `areas` concurrently and folds what they saw into one [`Observations`].
/// An area run only because a selected check reads it gets no sample window.
pub async fn observe(
    checks: &[Check],
    areas: &[&'static AreaEntry],
    cx: &ProbeContext,
) -> Observations {
    let mut unsampled = cx.clone();
    unsampled.timing.sample = std::time::Duration::ZERO;
    let seen = futures::future::join_all(areas.iter().map(|a| {
        if doctor::needs(checks, a.area) {
            probe::of(a.area)(cx)
        } else {
            probe::of(a.area)(&unsampled)
        }
    }))
    .await;
    let mut obs = Observations::default();
    for o in seen {
        obs.add(o);
    }
    obs
}
