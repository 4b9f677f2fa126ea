//! Kernel checks.

use super::{Area, Check, Eval, Tag};
use crate::config::{parse_major_minor, Thresholds};
use crate::model::{Status, Verdict};
use crate::probe::kernel::KernelObservation;

/// The kernel checks, in report order.
pub static CHECKS: &[Check] = &[Check {
    id: "kernel.version",
    area: Area::Kernel,
    tags: &[Tag::Doctor, Tag::Preflight],
    doc: "the running kernel is at least 5.10 (configurable: kernel.min_version)",
    full: false,
    eval: Eval::Kernel(version),
}];

/// `kernel.version`.
pub fn version(k: &KernelObservation, t: &Thresholds) -> Verdict {
    let release = match &k.release {
        Ok(r) => r,
        Err(e) => return Verdict::skip(format!("cannot read the kernel release: {e}")),
    };
    let want = parse_major_minor(&t.kernel.min_version).unwrap_or((5, 10));
    let v = Verdict::pass(format!("kernel {release}"))
        .with("release", release)
        .with("minimum", &t.kernel.min_version);
    match parse_major_minor(release) {
        Some(have) if have >= want => v,
        Some(_) => {
            let mut v = v;
            v.escalate(
                Status::Fail,
                format!("kernel {release} is older than {}", t.kernel.min_version),
                "Upgrade the kernel (Debian 11+ ships 5.10 or later) and reboot; verify with `uname -r`",
            );
            v
        }
        None => Verdict::new(
            Status::Error,
            format!("cannot parse kernel release {release:?}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(r: &str) -> KernelObservation {
        KernelObservation {
            release: Ok(r.into()),
        }
    }

    #[test]
    fn version_boundaries() {
        let t = Thresholds::default();
        assert_eq!(version(&obs("5.10.0-28-amd64"), &t).status, Status::Pass);
        assert_eq!(version(&obs("6.18.44"), &t).status, Status::Pass);
        assert_eq!(version(&obs("5.4.0-150-generic"), &t).status, Status::Fail);
        assert_eq!(version(&obs("4.19.0"), &t).status, Status::Fail);
        let unreadable = KernelObservation {
            release: Err("no /proc".into()),
        };
        let v = version(&unreadable, &t);
        assert_eq!(v.status, Status::Skip);
        assert!(v.summary.contains("no /proc"));
    }
}
