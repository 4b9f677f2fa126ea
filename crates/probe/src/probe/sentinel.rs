//! The Sentinel area's probe: every sentinel of every deployment, concurrently.

use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};

use super::redis::{reason, RedisSession};
use super::topology::{field_list, fields};
use super::ProbeContext;
use crate::observe::sentinel::{SentinelObservation, SentinelSnapshot, SentinelView};
use crate::observe::Observed;
use crate::targets::{host_port, RedisTarget, SentinelTarget};

/// The Sentinel area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let timeout = cx.timing.timeout;
        let seen = cx.each(cx.targets.sentinels.iter().map(|s| observe(s, timeout)));
        Observed::Sentinel(seen.await)
    })
}

/// One sentinel's answer being read in its own task: started by discovery, awaited by both
/// discovery and the probe, so every sentinel is asked once and all of them at the same time.
#[derive(Clone)]
pub struct Asked(Shared<BoxFuture<'static, SentinelView>>);

impl Asked {
    /// Starts asking `st` about `master` now.
    pub fn start(st: &RedisTarget, master: &str, timeout: Duration) -> Asked {
        let (st, master) = (st.clone(), master.to_string());
        let addr = st.host_port();
        let task = tokio::spawn(async move { view(&st, &master, timeout).await });
        let answer = async move {
            task.await.unwrap_or_else(|e| SentinelView {
                addr: addr.clone(),
                result: Err(crate::observe::ProbeError::Other {
                    addr,
                    detail: format!("the probe failed: {e}"),
                }),
            })
        };
        Asked(answer.boxed().shared())
    }

    /// The sentinel's answer, once it is in.
    pub async fn answer(&self) -> SentinelView {
        self.0.clone().await
    }
}

impl std::fmt::Debug for Asked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asked")
    }
}

/// Asks every sentinel of `s` what it knows of the master; those discovery already asked are
/// not asked again.
pub async fn observe(s: &SentinelTarget, timeout: Duration) -> SentinelObservation {
    let views = s.sentinels.iter().map(|st| async move {
        let addr = st.host_port();
        match s.asked.iter().find(|(a, _)| *a == addr) {
            Some((_, asked)) => asked.answer().await,
            None => view(st, &s.master, timeout).await,
        }
    });
    SentinelObservation {
        target: s.label.clone(),
        master: s.master.clone(),
        sentinels: futures::future::join_all(views).await,
    }
}

async fn view(st: &RedisTarget, master: &str, timeout: Duration) -> SentinelView {
    let result = async {
        let (mut s, _) = RedisSession::connect(st, timeout).await?;
        let ask = |sub: &str| {
            let mut c = redis::cmd("SENTINEL");
            c.arg(sub).arg(master);
            c
        };
        let master_addr = s
            .cmd::<Option<Vec<String>>>(
                &ask("GET-MASTER-ADDR-BY-NAME"),
                "waiting for SENTINEL GET-MASTER-ADDR-BY-NAME",
            )
            .await
            .ok()
            .flatten()
            .and_then(|v| match v.as_slice() {
                [ip, port] => Some(host_port(ip, port.parse().ok()?)),
                _ => None,
            });
        let master_fields = s
            .cmd::<redis::Value>(&ask("MASTER"), "waiting for SENTINEL MASTER")
            .await
            .map(|v| fields(&v))
            .map_err(reason);
        let ckquorum = s
            .cmd::<String>(&ask("CKQUORUM"), "waiting for SENTINEL CKQUORUM")
            .await
            .map_err(reason);
        let replicas = s
            .cmd::<redis::Value>(&ask("REPLICAS"), "waiting for SENTINEL REPLICAS")
            .await
            .map(|v| field_list(&v))
            .map_err(reason);
        let sentinels = s
            .cmd::<redis::Value>(&ask("SENTINELS"), "waiting for SENTINEL SENTINELS")
            .await
            .map(|v| field_list(&v))
            .map_err(reason);
        let monitors = s
            .cmd::<redis::Value>(
                redis::cmd("SENTINEL").arg("MASTERS"),
                "waiting for SENTINEL MASTERS",
            )
            .await
            .map(|v| {
                field_list(&v)
                    .into_iter()
                    .filter_map(|mut m| m.remove("name"))
                    .collect()
            })
            .map_err(reason);
        Ok(SentinelSnapshot {
            master_addr,
            monitors,
            master: master_fields,
            ckquorum,
            replicas,
            sentinels,
        })
    }
    .await;
    SentinelView {
        addr: st.host_port(),
        result,
    }
}
