//! What Redis does with one connection, as far as pairing needs it: whether a request gets a
//! reply and how many (CLIENT REPLY OFF/ON/SKIP, Pub/Sub confirmations, MULTI's +QUEUED,
//! QUIT), and which server frames answer no request (Pub/Sub messages, RESP3 pushes such as
//! client-tracking invalidations, MONITOR's stream). Requests are simulated in the order the
//! server reads them; what depends on the server's answer (the protocol HELLO chose, MONITOR
//! taking effect) changes when the reply is paired.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashSet as HashSet, FxHasher};

/// Channels, patterns or shard channels remembered per connection; beyond this a subscription
/// is not tracked (an UNSUBSCRIBE without arguments is then counted short).
const MAX_CHANNELS: usize = 100_000;

/// How a request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One reply; its latency counts.
    Plain,
    /// Sent inside MULTI: answered +QUEUED. EXEC carries the latency.
    Queued,
    /// Waits by design (BLPOP, WAIT, XREAD … BLOCK): the wait is reported apart, not as latency.
    Blocking,
    /// (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE: one confirmation per channel. The first one times it.
    PubSub,
    /// HELLO: the type of its reply tells the protocol from then on.
    Hello,
    /// MONITOR: after its +OK the server streams every command it runs.
    Monitor,
    /// RESET: back to RESP2, out of Pub/Sub and MONITOR.
    Reset,
}

/// What one request will get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    /// How its replies are judged.
    pub kind: Kind,
    /// Replies the server will send to it: 0 when it sends none.
    pub replies: u32,
}

/// What a server frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// The reply to the oldest request waiting.
    Reply,
    /// Out of band: a Pub/Sub message or a RESP3 push. Answers no request.
    Push,
    /// A line of MONITOR's stream.
    Monitor,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ReplyMode {
    #[default]
    On,
    Off,
    SkipNext,
}

/// One connection's state as the server sees it.
#[derive(Debug, Default)]
pub struct Session {
    reply: ReplyMode,
    multi: bool,
    quit: bool,
    channels: HashSet<u64>,
    patterns: HashSet<u64>,
    shards: HashSet<u64>,
    resp3: bool,
    monitor: bool,
}

/// Whether `request` needs the request's arguments (the caller parses them only then).
pub fn needs_args(command: &str) -> bool {
    matches!(
        command,
        "CLIENT"
            | "SUBSCRIBE"
            | "PSUBSCRIBE"
            | "SSUBSCRIBE"
            | "UNSUBSCRIBE"
            | "PUNSUBSCRIBE"
            | "SUNSUBSCRIBE"
            | "XREAD"
            | "XREADGROUP"
    )
}

fn blocking(command: &str, args: &[&[u8]]) -> bool {
    match command {
        "BLPOP" | "BRPOP" | "BRPOPLPUSH" | "BLMOVE" | "BLMPOP" | "BZPOPMIN" | "BZPOPMAX"
        | "BZMPOP" | "WAIT" | "WAITAOF" => true,
        // only the options before STREAMS: what follows are key names and IDs
        "XREAD" | "XREADGROUP" => args
            .iter()
            .take_while(|a| !a.eq_ignore_ascii_case(b"STREAMS"))
            .any(|a| a.eq_ignore_ascii_case(b"BLOCK")),
        _ => false,
    }
}

fn hash(name: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    name.hash(&mut h);
    h.finish()
}

/// The first element of an aggregate frame, when it is a bulk or simple string.
fn first_string(frame: &[u8]) -> Option<&[u8]> {
    let eol = frame.iter().position(|b| *b == b'\n')?;
    let rest = &frame[eol + 1..];
    match rest.first()? {
        b'$' => {
            let e = rest.iter().position(|b| *b == b'\r')?;
            let n: usize = std::str::from_utf8(&rest[1..e]).ok()?.parse().ok()?;
            rest.get(e + 2..e + 2 + n)
        }
        b'+' => {
            let e = rest.iter().position(|b| *b == b'\r')?;
            Some(&rest[1..e])
        }
        _ => None,
    }
}

fn one_of(word: &[u8], words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

const MESSAGES: &[&str] = &["message", "pmessage", "smessage"];
const CONFIRMATIONS: &[&str] = &[
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "unsubscribe",
    "punsubscribe",
    "sunsubscribe",
];

impl Session {
    /// A request, in the order the server reads them: what it will get, and what it changes.
    /// `args` are the arguments after the command name when `needs_args(command)`.
    pub fn request(&mut self, command: &str, args: &[&[u8]]) -> Expect {
        let one = |kind| Expect { kind, replies: 1 };
        let none = Expect {
            kind: Kind::Plain,
            replies: 0,
        };
        if self.quit {
            // after QUIT the server reads nothing more from the connection
            return none;
        }
        if command == "RESET" {
            // answered +RESET even under CLIENT REPLY OFF: it turns replies back on first
            *self = Session {
                resp3: self.resp3,
                monitor: self.monitor,
                ..Session::default()
            };
            return one(Kind::Reset);
        }
        if command == "CLIENT"
            && !self.multi
            && args
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case(b"REPLY"))
        {
            match args.get(1) {
                Some(m) if m.eq_ignore_ascii_case(b"ON") => {
                    self.reply = ReplyMode::On;
                    return one(Kind::Plain);
                }
                Some(m) if m.eq_ignore_ascii_case(b"OFF") => {
                    self.reply = ReplyMode::Off;
                    return none;
                }
                Some(m) if m.eq_ignore_ascii_case(b"SKIP") => {
                    // SKIP while OFF changes nothing
                    if self.reply == ReplyMode::On {
                        self.reply = ReplyMode::SkipNext;
                    }
                    return none;
                }
                // anything else is a syntax error, answered like any command
                _ => {}
            }
        }
        let silenced = match self.reply {
            ReplyMode::On => false,
            ReplyMode::Off => true,
            ReplyMode::SkipNext => {
                self.reply = ReplyMode::On;
                true
            }
        };
        let mut e = match command {
            "QUIT" => {
                self.quit = true;
                one(Kind::Plain)
            }
            "MULTI" => {
                self.multi = true;
                one(Kind::Plain)
            }
            "EXEC" | "DISCARD" => {
                self.multi = false;
                one(Kind::Plain)
            }
            // inside MULTI everything but these is queued
            _ if self.multi && command != "WATCH" => one(Kind::Queued),
            "SUBSCRIBE" | "PSUBSCRIBE" | "SSUBSCRIBE" | "UNSUBSCRIBE" | "PUNSUBSCRIBE"
            | "SUNSUBSCRIBE" => Expect {
                kind: Kind::PubSub,
                replies: self.subscriptions(command, args),
            },
            "HELLO" => one(Kind::Hello),
            "MONITOR" => one(Kind::Monitor),
            _ if blocking(command, args) => one(Kind::Blocking),
            _ => one(Kind::Plain),
        };
        if silenced {
            e.replies = 0;
        }
        e
    }

    /// Applies a (un)subscription and returns how many confirmations the server sends.
    fn subscriptions(&mut self, command: &str, args: &[&[u8]]) -> u32 {
        let unsubscribe = command.contains("UNSUB");
        let set = match command {
            "SUBSCRIBE" | "UNSUBSCRIBE" => &mut self.channels,
            "PSUBSCRIBE" | "PUNSUBSCRIBE" => &mut self.patterns,
            _ => &mut self.shards,
        };
        if args.is_empty() {
            if !unsubscribe {
                return 1; // a wrong-arity error
            }
            // one confirmation per channel left, or one saying there were none
            let n = set.len().max(1) as u32;
            set.clear();
            return n;
        }
        for a in args {
            if unsubscribe {
                set.remove(&hash(a));
            } else if set.len() < MAX_CHANNELS {
                set.insert(hash(a));
            }
        }
        args.len() as u32
    }

    fn subscribed(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shards.is_empty())
    }

    /// What a complete server frame is, given the kind of the oldest request waiting.
    pub fn classify(&self, frame: &[u8], waiting: Option<Kind>) -> Server {
        let Some(&tag) = frame.first() else {
            return Server::Reply;
        };
        // MONITOR's lines are "+1732838400.123456 [0 127.0.0.1:50000] …"; +OK and +RESET are not
        if self.monitor && tag == b'+' && frame.get(1).is_some_and(u8::is_ascii_digit) {
            return Server::Monitor;
        }
        // RESP2 has no push type: while subscribed, messages come as plain arrays
        let maybe_pubsub = tag == b'>'
            || (tag == b'*' && !self.resp3 && (self.subscribed() || waiting == Some(Kind::PubSub)));
        if !maybe_pubsub {
            return Server::Reply;
        }
        match first_string(frame) {
            Some(w) if one_of(w, MESSAGES) => Server::Push,
            Some(w) if one_of(w, CONFIRMATIONS) && waiting == Some(Kind::PubSub) => Server::Reply,
            // invalidate, a server-side sunsubscribe, any other push
            _ if tag == b'>' => Server::Push,
            _ => Server::Reply,
        }
    }

    /// A reply was paired with a request of `kind`: what the server's answer changes.
    pub fn answered(&mut self, kind: Kind, frame: &[u8]) {
        let tag = frame.first().copied().unwrap_or_default();
        match kind {
            // HELLO answers in the protocol it switched to: a map in RESP3, an array in RESP2
            Kind::Hello if tag == b'%' => self.resp3 = true,
            Kind::Hello if tag == b'*' => self.resp3 = false,
            Kind::Monitor if tag == b'+' => self.monitor = true,
            Kind::Reset => {
                self.resp3 = false;
                self.monitor = false;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies(s: &mut Session, cmds: &[&[&str]]) -> Vec<u32> {
        cmds.iter()
            .map(|c| {
                let args: Vec<&[u8]> = c[1..].iter().map(|a| a.as_bytes()).collect();
                s.request(c[0], &args).replies
            })
            .collect()
    }

    #[test]
    fn client_reply_off_on_skip_as_redis_does_it() {
        let mut s = Session::default();
        let got = replies(
            &mut s,
            &[
                &["PING"],
                &["CLIENT", "REPLY", "OFF"],
                &["PING"],
                &["CLIENT", "REPLY", "ON"],
                &["PING"],
                &["CLIENT", "REPLY", "SKIP"],
                &["PING"],
                &["PING"],
                // SKIP while OFF is ignored: ON is answered, the PING after it too
                &["CLIENT", "REPLY", "OFF"],
                &["CLIENT", "REPLY", "SKIP"],
                &["CLIENT", "REPLY", "ON"],
                &["PING"],
            ],
        );
        assert_eq!(got, [1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1]);
    }

    #[test]
    fn subscriptions_count_confirmations_and_messages_are_pushes() {
        let mut s = Session::default();
        assert_eq!(
            replies(
                &mut s,
                &[
                    &["SUBSCRIBE", "a", "b", "c"],
                    &["PSUBSCRIBE", "x*"],
                    &["UNSUBSCRIBE", "a"],
                    &["UNSUBSCRIBE"],
                    &["UNSUBSCRIBE"],
                    &["PUNSUBSCRIBE"],
                ]
            ),
            [3, 1, 1, 2, 1, 1]
        );
        let mut s = Session::default();
        s.request("SUBSCRIBE", &[b"a"]);
        let msg = b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n";
        let conf = b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n";
        assert_eq!(s.classify(msg, None), Server::Push);
        assert_eq!(s.classify(conf, Some(Kind::PubSub)), Server::Reply);
        // RESP3: pushes whatever they say, unless a confirmation is awaited
        let inval = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";
        assert_eq!(s.classify(inval, Some(Kind::Plain)), Server::Push);
        let conf3 = b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n";
        assert_eq!(s.classify(conf3, Some(Kind::PubSub)), Server::Reply);
        assert_eq!(s.classify(conf3, Some(Kind::Plain)), Server::Push);
        // an ordinary array when nothing is subscribed is a reply, even if it says "message"
        let plain = Session::default();
        assert_eq!(plain.classify(msg, Some(Kind::Plain)), Server::Reply);
    }

    #[test]
    fn multi_queues_blocking_is_apart_and_monitor_streams() {
        let mut s = Session::default();
        let kinds: Vec<Kind> = [
            &["MULTI"][..],
            &["SET", "k", "v"],
            &["BLPOP", "l", "0"],
            &["EXEC"],
            &["BLPOP", "l", "1"],
            &["XREAD", "COUNT", "1", "STREAMS", "BLOCK", "0"],
            &["XREAD", "BLOCK", "10", "STREAMS", "s", "$"],
        ]
        .iter()
        .map(|c| {
            let args: Vec<&[u8]> = c[1..].iter().map(|a| a.as_bytes()).collect();
            s.request(c[0], &args).kind
        })
        .collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [Plain, Queued, Queued, Plain, Blocking, Plain, Blocking]
        );
        assert_eq!(s.request("MONITOR", &[]).kind, Monitor);
        s.answered(Monitor, b"+OK\r\n");
        assert_eq!(
            s.classify(b"+1732838400.1 [0 1.2.3.4:5] \"GET\"\r\n", None),
            Server::Monitor
        );
        assert_eq!(s.classify(b"+RESET\r\n", Some(Reset)), Server::Reply);
        s.answered(Reset, b"+RESET\r\n");
        assert_eq!(s.classify(b"+1.1\r\n", None), Server::Reply);
        s.request("QUIT", &[]);
        assert_eq!(s.request("PING", &[]).replies, 0);
    }
}
