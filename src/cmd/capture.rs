//! `statectl capture`: live (libpcap ring, kernel BPF filter) or from a pcap/pcapng file; the
//! same analysis either way.

use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pcap_file::pcap::PcapWriter;

use crate::cancel::CancellationToken;
use crate::capture::analysis::{Analysis, KeyNames};
use crate::capture::decode;
use crate::cli::{CaptureArgs, CapturePort, Format, OutputArgs};
use crate::exit::{Exit, UsageError};
use crate::probe::packets::{self, Live, LiveCounters, Sink};
use crate::render::{self, Style};

/// Decodes every packet into the analysis, and writes it to the pcap when asked.
struct Analyser {
    analysis: Analysis,
    write_to: Option<std::path::PathBuf>,
    writer: Option<PcapWriter<BufWriter<File>>>,
    write_error: Option<String>,
    unsupported: Option<u32>,
}

impl Analyser {
    fn new(port: Option<u16>, keys: KeyNames, write_to: Option<std::path::PathBuf>) -> Self {
        Analyser {
            analysis: Analysis::new(port, keys),
            write_to,
            writer: None,
            write_error: None,
            unsupported: None,
        }
    }
}

impl Sink for Analyser {
    fn start(&mut self, linktype: u32) -> Result<(), String> {
        if let Some(path) = &self.write_to {
            self.writer = Some(packets::create_pcap(path, linktype, 262_144)?);
        }
        // like tcpdump's "listening on": scripts wait for this line before sending traffic
        match self.analysis.port() {
            Some(p) => eprintln!("statectl: capturing on tcp port {p} (link type {linktype})"),
            None => eprintln!(
                "statectl: capturing tcp, every flow that speaks RESP (link type {linktype})"
            ),
        }
        Ok(())
    }

    fn packet(&mut self, ts: Duration, linktype: u32, data: &[u8], orig_len: u32) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = packets::write_packet(w, ts, data, orig_len) {
                self.write_error.get_or_insert(e);
            }
        }
        if !decode::supported(linktype) {
            self.unsupported = Some(linktype);
        }
        self.analysis.captured(data.len(), orig_len);
        self.analysis
            .segment(ts, data.len(), decode::decode(linktype, data));
    }
}

/// Key names as asked: plain with --show-keys, else hashed with --redact-salt or a key drawn
/// for this run alone.
fn key_names(a: &CaptureArgs) -> anyhow::Result<KeyNames> {
    if a.show_keys {
        return Ok(KeyNames::Plain);
    }
    if let Some(salt) = &a.redact_salt {
        return Ok(KeyNames::Hmac(salt.as_bytes().to_vec()));
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for key hashing: {e}"))?;
    Ok(KeyNames::Hmac(key))
}

/// `statectl capture`.
pub async fn run(
    a: &CaptureArgs,
    out: &OutputArgs,
    cancel: &CancellationToken,
) -> anyhow::Result<Exit> {
    if !matches!(out.format, Format::Table | Format::Json) {
        return Err(UsageError("--format: capture prints table or json".into()).into());
    }
    // Packet loops run on blocking threads and poll this flag; Ctrl-C sets it.
    let stop = Arc::new(AtomicBool::new(false));
    let bridge = {
        let (stop, cancel) = (stop.clone(), cancel.clone());
        tokio::spawn(async move {
            cancel.cancelled().await;
            stop.store(true, Ordering::Relaxed);
        })
    };
    let port = match a.port {
        Some(CapturePort::Port(p)) => Some(p),
        Some(CapturePort::Auto) => None,
        None if a.read.is_some() => None,
        None => Some(6379),
    };
    let mut sink = Analyser::new(port, key_names(a)?, a.write.clone());
    let mut interrupted = false;
    let (source, kernel_drops, stopped_early) = match &a.read {
        Some(path) => {
            let (path, stop) = (path.clone(), stop.clone());
            let (end, owned) = tokio::task::spawn_blocking(move || {
                let end = packets::read_file(&path, &mut sink, &stop);
                (end, sink)
            })
            .await?;
            sink = owned;
            let end = end.map_err(UsageError)?;
            // Ctrl-C ends a file read early: a partial report, and exit 130.
            interrupted = end.interrupted;
            let name = a
                .read
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            (name, None, end.stopped_early)
        }
        // Ctrl-C is how a live capture without -c or --duration normally ends.
        None => live(a, port, out, &mut sink, &stop).await?,
    };
    bridge.abort();
    if let Some(w) = sink.writer.take() {
        let mut inner = w.into_writer();
        std::io::Write::flush(&mut inner)?;
        inner
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .sync_all()?;
    }
    sink.analysis.finish();
    let mut stopped = stopped_early;
    if let Some(lt) = sink.unsupported {
        stopped.get_or_insert(format!(
            "link type {lt} is not decoded (Ethernet, Linux cooked, raw IP and loopback are)"
        ));
    }
    let report = sink.analysis.report(source, kernel_drops, stopped.clone());
    let stdout = &mut std::io::stdout().lock();
    match out.format {
        Format::Json => render::json::write(stdout, &report)?,
        _ => render::capture::report(
            stdout,
            Style::resolve(out.color, out.quiet, out.verbose),
            &report,
        )?,
    }
    if let Some(e) = sink.write_error {
        anyhow::bail!("writing the pcap: {e}");
    }
    if let Some(why) = stopped {
        eprintln!("statectl: {why}");
        return Ok(Exit::Error);
    }
    if interrupted {
        eprintln!("statectl: interrupted: the report covers the packets read so far");
        return Ok(Exit::Interrupted);
    }
    Ok(Exit::Ok)
}

async fn live(
    a: &CaptureArgs,
    port: Option<u16>,
    out: &OutputArgs,
    sink: &mut Analyser,
    stop: &Arc<AtomicBool>,
) -> anyhow::Result<(String, Option<u64>, Option<String>)> {
    let iface = a.interface.clone().unwrap_or_else(|| "lo".into());
    // asked of the kernel in this network namespace, as `ip link` does; libpcap captures on it
    if !crate::probe::nic::exists(&crate::probe::kernel::HostRoot::new(None), &iface) {
        return Err(UsageError(format!("-i {iface}: no such network interface")).into());
    }
    let live = Live {
        iface: iface.clone(),
        port,
        count: a.count,
        duration: a.duration,
    };
    let done = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(LiveCounters::default());
    let progress = (!out.quiet && std::io::stderr().is_terminal()).then(|| {
        let (counters, done) = (counters.clone(), done.clone());
        tokio::spawn(async move {
            let bar = indicatif::ProgressBar::new_spinner();
            while !done.load(Ordering::Relaxed) {
                bar.set_message(format!(
                    "{} packets, {} bytes, {} kernel drops",
                    counters.packets.load(Ordering::Relaxed),
                    counters.bytes.load(Ordering::Relaxed),
                    counters.drops.load(Ordering::Relaxed)
                ));
                bar.tick();
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            bar.finish_and_clear();
        })
    });
    // libpcap blocks: the loop runs on its own thread and polls `stop` between reads
    let mut owned = std::mem::replace(sink, Analyser::new(port, KeyNames::Plain, None));
    let (stop2, counters2) = (stop.clone(), counters.clone());
    let (result, owned) = tokio::task::spawn_blocking(move || {
        let r = packets::capture(&live, &stop2, &counters2, &mut owned);
        (r, owned)
    })
    .await?;
    *sink = owned;
    done.store(true, Ordering::Relaxed);
    if let Some(p) = progress {
        let _ = p.await;
    }
    let end = result.map_err(|e| anyhow::anyhow!(e))?;
    Ok((format!("live on {iface}"), Some(end.kernel_drops), None))
}
