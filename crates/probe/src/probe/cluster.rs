//! The Cluster area's probe: CLUSTER INFO, CLUSTER NODES and DBSIZE from every node.

use std::time::Duration;

use futures::future::BoxFuture;

use super::redis::{parse_info, reason, RedisSession};
use super::ProbeContext;
use crate::observe::cluster::{
    parse_nodes, ClusterNodeSnapshot, ClusterNodeView, ClusterObservation,
};
use crate::observe::Observed;
use crate::targets::{ClusterTarget, RedisTarget};

/// The Cluster area's probe.
pub fn observe_area(cx: &ProbeContext) -> BoxFuture<'_, Observed> {
    Box::pin(async move {
        let timeout = cx.timing.timeout;
        let seen = cx.targets.clusters.iter().map(|c| observe(c, timeout));
        Observed::Cluster(futures::future::join_all(seen).await)
    })
}

/// Asks every node of `c` for its view.
pub async fn observe(c: &ClusterTarget, timeout: Duration) -> ClusterObservation {
    let views = c.nodes.iter().map(|n| view(n, timeout));
    ClusterObservation {
        target: c.label.clone(),
        nodes: futures::future::join_all(views).await,
    }
}

async fn view(n: &RedisTarget, timeout: Duration) -> ClusterNodeView {
    let result = async {
        let (mut s, _) = RedisSession::connect(n, timeout).await?;
        let info: String = s
            .cmd(
                redis::cmd("CLUSTER").arg("INFO"),
                "waiting for CLUSTER INFO",
            )
            .await?;
        let nodes: String = s
            .cmd(
                redis::cmd("CLUSTER").arg("NODES"),
                "waiting for CLUSTER NODES",
            )
            .await?;
        let dbsize = s
            .cmd::<u64>(&redis::cmd("DBSIZE"), "waiting for DBSIZE")
            .await
            .map_err(reason);
        Ok(ClusterNodeSnapshot {
            info: parse_info(&info),
            nodes: parse_nodes(&nodes),
            dbsize,
        })
    }
    .await;
    ClusterNodeView {
        addr: n.host_port(),
        result,
    }
}
