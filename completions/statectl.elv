
use builtin;
use str;

set edit:completion:arg-completer[statectl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'statectl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'statectl'= {
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand doctor 'Walk the troubleshooting matrix against live hosts and report every finding'
            cand preflight 'Check prerequisite versions and kernel settings, for CI jobs and install scripts'
            cand tune 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL'
            cand bench 'Measure state latency and throughput with HDR percentiles against the 5 ms target'
            cand latency 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles'
            cand verify 'Prove state is consistent between copies: a Redis primary and its replica'
            cand capture 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency'
            cand nic 'Show NIC link facts and error, drop and CRC counters with their change over a window'
            cand logs 'The servers'' own logs against the troubleshooting matrix: a timeline per signature'
            cand path 'The network path to a state node, as `mtr --report`: per hop loss and latency'
            cand drill 'Failure drills on staging: inject one fault, measure what the API does, restore'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Write the man pages (statectl.1 and one per subcommand) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;doctor'= {
            cand --redis 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file'
            cand --redis-password-file 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --redis-service 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command'
            cand --sentinel-password 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`'
            cand --postgres 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does'
            cand --iface 'A network interface to check. Repeatable. Default: the interfaces of the default routes'
            cand --api 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable'
            cand --jwks 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree'
            cand --jwt-private-key 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process'
            cand --jwt-public-key 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)'
            cand --jwt-sample-file 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown'
            cand --lb-config 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg'
            cand --session-header 'The request header that carries the session'
            cand --session-cookie 'The cookie that carries the session, if one does'
            cand --lb-url 'The load balancer''s own address, for lb.live_header (with --echo-path)'
            cand --echo-path 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them'
            cand --lb-backend-header 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server'
            cand --since 'How far back the logs are read: lb.error_log and the log.* checks'
            cand --resource 'A resource path on each --api node for http.conditional and http.latency (GET only)'
            cand --write-probe 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)'
            cand --http-ca 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)'
            cand --http-cert 'Client certificate (PEM) for API nodes that authenticate clients'
            cand --http-key 'The client certificate''s private key (PEM)'
            cand --redis-log 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)'
            cand --postgres-log 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()'
            cand --syslog 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages'
            cand --role 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails'
            cand --timeout 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms'
            cand --sample 'The window over which counters are read twice and judged by their change'
            cand --concurrency 'How many targets are probed at once (each holds one or two sockets while it is)'
            cand --only 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated'
            cand --skip 'Leave out these checks: ids or globs. Repeatable, comma-separated'
            cand --rpo 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary''s site were lost now fails, named. Overrides statectl.toml''s `[replication] rpo`'
            cand --from 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port'
            cand --ssh-option 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable'
            cand --config 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists'
            cand --out 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter''s textfile collector never reads half a file. New files are 0644'
            cand --report 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --path 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
            cand --list 'Print every check with its one-line doc, and exit'
            cand --strict 'Exit 4 when any check was skipped (not checked is not passed): for CI'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;preflight'= {
            cand --redis 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file'
            cand --redis-password-file 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --redis-service 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command'
            cand --sentinel-password 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`'
            cand --postgres 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does'
            cand --iface 'A network interface to check. Repeatable. Default: the interfaces of the default routes'
            cand --api 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable'
            cand --jwks 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree'
            cand --jwt-private-key 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process'
            cand --jwt-public-key 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)'
            cand --jwt-sample-file 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown'
            cand --lb-config 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg'
            cand --session-header 'The request header that carries the session'
            cand --session-cookie 'The cookie that carries the session, if one does'
            cand --lb-url 'The load balancer''s own address, for lb.live_header (with --echo-path)'
            cand --echo-path 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them'
            cand --lb-backend-header 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server'
            cand --since 'How far back the logs are read: lb.error_log and the log.* checks'
            cand --resource 'A resource path on each --api node for http.conditional and http.latency (GET only)'
            cand --write-probe 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)'
            cand --http-ca 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)'
            cand --http-cert 'Client certificate (PEM) for API nodes that authenticate clients'
            cand --http-key 'The client certificate''s private key (PEM)'
            cand --redis-log 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)'
            cand --postgres-log 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()'
            cand --syslog 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages'
            cand --role 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails'
            cand --timeout 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms'
            cand --sample 'The window over which counters are read twice and judged by their change'
            cand --concurrency 'How many targets are probed at once (each holds one or two sockets while it is)'
            cand --only 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated'
            cand --skip 'Leave out these checks: ids or globs. Repeatable, comma-separated'
            cand --rpo 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary''s site were lost now fails, named. Overrides statectl.toml''s `[replication] rpo`'
            cand --from 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port'
            cand --ssh-option 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable'
            cand --config 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists'
            cand --out 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter''s textfile collector never reads half a file. New files are 0644'
            cand --report 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --path 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
            cand --list 'Print every check with its one-line doc, and exit'
            cand --strict 'Exit 4 when any check was skipped (not checked is not passed): for CI'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;tune'= {
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand redis 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
            cand kernel 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
            cand postgres 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;tune;redis'= {
            cand --config 'The redis.conf to plan against and edit [default: /etc/redis/redis.conf, below --host-root when given]'
            cand --profile 'The settings profile'
            cand --set 'Set a directive: name=value. Repeatable; wins over the profile'
            cand --maxmemory 'maxmemory for the profile: a size such as 2gb, or `auto` (about 80% of RAM)'
            cand --live 'Also CONFIG SET live items on this running server and read them back'
            cand --redis-version 'The Redis version that will read the file (e.g. 7.4), to check directives against. Default: the --live server''s INFO (Redis or Valkey; a parameter its CONFIG GET * lists is always accepted), else the local `redis-server --version` or `valkey-server --version`'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --backup-dir 'Where to keep the timestamped backup (default: beside the file)'
            cand --timeout 'Bound on each step of --live (connect, CONFIG GET, CONFIG SET), e.g. 5s'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --apply 'Write the file (default: print the diff only)'
            cand --force 'Apply a plan that the safety checks refuse (prints a warning)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;tune;kernel'= {
            cand --profile 'The settings profile (default session-cache when no --set is given)'
            cand --set 'Set a key: net.core.somaxconn=4096. Repeatable'
            cand --persist 'Persist to this file instead of /etc/sysctl.d/60-statectl.conf'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --apply 'Write the live values and persist them (default: print the plan only)'
            cand --force 'Allow lowering a value'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;tune;postgres'= {
            cand --postgres 'The server to tune (URL or key=value; PG* env vars and ~/.pgpass honoured)'
            cand --profile 'The settings profile'
            cand --set 'Set a parameter: name=value. Repeatable; wins over the profile'
            cand --timeout 'How long any one step may take'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --apply 'Issue ALTER SYSTEM for real differences and reload (default: print the plan only)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;tune;help'= {
            cand redis 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
            cand kernel 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
            cand postgres 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;tune;help;redis'= {
        }
        &'statectl;tune;help;kernel'= {
        }
        &'statectl;tune;help;postgres'= {
        }
        &'statectl;tune;help;help'= {
        }
        &'statectl;bench'= {
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand redis 'Load a Redis server with a session-state workload and report HDR percentiles'
            cand postgres 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;bench;redis'= {
            cand --redis 'The server to load'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand -c 'Concurrent connections'
            cand --connections 'Concurrent connections'
            cand -n 'Total requests (default 100000 when --duration is not given)'
            cand --requests 'Total requests (default 100000 when --duration is not given)'
            cand --duration 'Run for this long'
            cand -P 'Commands per write: each batch of P replies is timed reply by reply'
            cand --pipeline 'Commands per write: each batch of P replies is timed reply by reply'
            cand --workload 'What to send'
            cand --keyspace 'Number of distinct keys'
            cand --value-size 'Value size in bytes'
            cand --ttl 'TTL for written keys, seconds'
            cand --rate 'Open-loop rate in requests per second (latency corrected for coordinated omission)'
            cand --threads 'Runtime threads for the load generator, connections spread over them (1 = current-thread, best on small machines; more to saturate a cluster or a multi-threaded server)'
            cand --read-ratio 'Share of reads in the mixed workload (the rest are SET with EX)'
            cand --timeout 'Bound on every wait for the server'
            cand --slo 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual''s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection'
            cand --target-rate 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it'
            cand --step-duration 'Length of each measured step (after its warm-up)'
            cand --warmup 'Load before each step that is not measured (0s: none)'
            cand --resolution 'Stop when the passing and the failing rate are this close (percent of the passing rate)'
            cand --start-rate 'The first rate tried (the target rate when given)'
            cand --max-rate 'The highest rate offered'
            cand --hdr-log 'Write each step''s latency histogram to FILE in HdrHistogram''s interval-log format (what HdrHistogram''s plotters read)'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --keep-keys 'Keep the statectl:bench:* keys instead of deleting them at the end'
            cand --cluster 'Treat the server as a Redis Cluster node (found from cluster_enabled:1 anyway): keys are routed by slot to every master, MOVED and ASK followed, results per master too'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;bench;postgres'= {
            cand --postgres 'The server to load (URL or key=value)'
            cand -c 'Concurrent connections'
            cand --connections 'Concurrent connections'
            cand -n 'Total queries (default 100000 when --duration is not given)'
            cand --requests 'Total queries (default 100000 when --duration is not given)'
            cand --duration 'Run for this long'
            cand --depth 'Queries in flight per connection'
            cand --rate 'Open-loop rate in queries per second'
            cand --keyspace 'Sessions in the table'
            cand --read-ratio 'Share of reads (the rest are upserts)'
            cand --threads 'Runtime threads (1 = current-thread, best on small machines)'
            cand --timeout 'Bound on connecting and setup'
            cand --slo 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual''s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection'
            cand --target-rate 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it'
            cand --step-duration 'Length of each measured step (after its warm-up)'
            cand --warmup 'Load before each step that is not measured (0s: none)'
            cand --resolution 'Stop when the passing and the failing rate are this close (percent of the passing rate)'
            cand --start-rate 'The first rate tried (the target rate when given)'
            cand --max-rate 'The highest rate offered'
            cand --hdr-log 'Write each step''s latency histogram to FILE in HdrHistogram''s interval-log format (what HdrHistogram''s plotters read)'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --keep 'Keep the statectl_bench schema instead of dropping it at the end'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;bench;help'= {
            cand redis 'Load a Redis server with a session-state workload and report HDR percentiles'
            cand postgres 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;bench;help;redis'= {
        }
        &'statectl;bench;help;postgres'= {
        }
        &'statectl;bench;help;help'= {
        }
        &'statectl;latency'= {
            cand --redis 'Redis server to PING'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --postgres 'PostgreSQL server to send SELECT 1 to instead'
            cand --interval 'Time between probes'
            cand --window 'Length of each rolling window row'
            cand --duration 'Stop after this long (default: until Ctrl-C)'
            cand --timeout 'Bound on one probe (connect, PING or SELECT 1); a longer wait counts as an error'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;verify'= {
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand redis 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
            cand cache 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
            cand postgres 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;verify;redis'= {
            cand --primary 'The primary (master)'
            cand --replica 'Its replica'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --match 'Compare only keys matching this SCAN pattern'
            cand --sample 'Compare at most this many keys of the primary (a SCAN sample)'
            cand --max-lag 'How long to wait for the replica to reach the primary''s replication offset'
            cand --timeout 'Bound on each command'
            cand --limit 'List at most this many differing keys (the rest are counted)'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --full 'Compare every key, and look for keys only the replica holds'
            cand --redact-keys 'Show keys as keyed hashes (HMAC-SHA256 with a random key per run) instead of names'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;verify;cache'= {
            cand --redis 'The cache'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --postgres 'The database (URL or key=value; PG* variables and ~/.pgpass as psql)'
            cand --map 'Which keys come from which rows: a pattern with one {placeholder}, and a query taking it as $1 whose first column is the cached value, e.g. ''session:{id}=SELECT payload FROM sessions WHERE id = $1'''
            cand --sample 'Compare at most this many keys (a SCAN sample)'
            cand --compare 'How to compare: byte for byte, or as JSON documents'
            cand --version-column 'Compare only a version: the cached value is a JSON object whose field NAME must equal the query''s column NAME (e.g. an updated_at or a row version kept in both)'
            cand --timeout 'Bound on each command and query'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --redact-keys 'Show keys as keyed hashes instead of names'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;verify;postgres'= {
            cand --primary 'The primary (or publisher)'
            cand --replica 'The replica: a physical standby or a logical subscriber'
            cand --table 'Compare only this table (schema.table). Repeatable. Default: every table'
            cand --chunk-rows 'Rows per chunk (with --chunk-time: the first chunk''s)'
            cand --chunk-time 'Size chunks so each takes about this long (pt-table-checksum''s --chunk-time), e.g. 0.5s: each next chunk is scaled by how long the last took, at most doubled or halved'
            cand --max-lag 'How long to wait for the replica to reach the primary''s current LSN'
            cand --timeout 'statement_timeout of each chunk''s query, and the bound on connecting'
            cand --limit 'List at most this many differing rows per table (the rest are counted)'
            cand --max-load 'Pause before each chunk while the primary has more than N active client backends (pt-table-checksum''s --max-load)'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;verify;help'= {
            cand redis 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
            cand cache 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
            cand postgres 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;verify;help;redis'= {
        }
        &'statectl;verify;help;cache'= {
        }
        &'statectl;verify;help;postgres'= {
        }
        &'statectl;verify;help;help'= {
        }
        &'statectl;capture'= {
            cand -i 'Interface to capture on (default: the route to the target, or lo)'
            cand --interface 'Interface to capture on (default: the route to the target, or lo)'
            cand -p 'TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found from its first bytes). Default: 6379 live, auto with -r'
            cand --port 'TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found from its first bytes). Default: 6379 live, auto with -r'
            cand -c 'Stop after this many packets'
            cand --count 'Stop after this many packets'
            cand --duration 'Stop after this long'
            cand -w 'Write packets to this pcap file (created 0600)'
            cand --write 'Write packets to this pcap file (created 0600)'
            cand -r 'Analyse this pcap or pcapng file instead of capturing'
            cand --read 'Analyse this pcap or pcapng file instead of capturing'
            cand --redact-salt 'Hash key names with this salt instead of a random one, so two runs label the same key alike. Treat it as a secret: it is never printed'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --show-keys 'Print key names as seen. By default they are shown as keyed hashes (HMAC-SHA256 with a random key per run), since session keys often carry the token itself'
            cand --redact-keys 'Hash key names (the default; kept for scripts that pass it)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;nic'= {
            cand --sample 'The window over which counters are read twice'
            cand --timeout 'Bound on the ethtool netlink query for link facts, e.g. 2s'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --watch 'Refresh every window until Ctrl-C (with --format json: one document per line)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;logs'= {
            cand --redis 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file'
            cand --redis-password-file 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH'
            cand --tls-ca 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --cacert 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)'
            cand --tls-cert 'Client certificate (PEM) for servers with tls-auth-clients yes'
            cand --tls-key 'The client certificate''s private key (PEM)'
            cand --redis-service 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command'
            cand --sentinel-password 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`'
            cand --postgres 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does'
            cand --iface 'A network interface to check. Repeatable. Default: the interfaces of the default routes'
            cand --api 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable'
            cand --jwks 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree'
            cand --jwt-private-key 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process'
            cand --jwt-public-key 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)'
            cand --jwt-sample-file 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown'
            cand --lb-config 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg'
            cand --session-header 'The request header that carries the session'
            cand --session-cookie 'The cookie that carries the session, if one does'
            cand --lb-url 'The load balancer''s own address, for lb.live_header (with --echo-path)'
            cand --echo-path 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them'
            cand --lb-backend-header 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server'
            cand --since 'How far back the logs are read: lb.error_log and the log.* checks'
            cand --resource 'A resource path on each --api node for http.conditional and http.latency (GET only)'
            cand --write-probe 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)'
            cand --http-ca 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)'
            cand --http-cert 'Client certificate (PEM) for API nodes that authenticate clients'
            cand --http-key 'The client certificate''s private key (PEM)'
            cand --redis-log 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)'
            cand --postgres-log 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()'
            cand --syslog 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages'
            cand --role 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails'
            cand --timeout 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms'
            cand --sample 'The window over which counters are read twice and judged by their change'
            cand --concurrency 'How many targets are probed at once (each holds one or two sockets while it is)'
            cand --lines 'Matching lines shown per signature: the last N (at most 50 are kept)'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --path 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;path'= {
            cand -c 'Rounds (mtr''s -c)'
            cand --count 'Rounds (mtr''s -c)'
            cand --duration 'Trace for this long instead of --count rounds: as many rounds as --interval fits'
            cand --protocol 'How each round probes'
            cand --port 'The TCP port probed (--protocol tcp)'
            cand --interval 'The shortest round (mtr''s -i)'
            cand --timeout 'How long a probe''s answer is waited for'
            cand --max-ttl 'The highest TTL'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;drill'= {
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand store-outage 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
            cand failover 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;drill;store-outage'= {
            cand --api 'The API endpoint to send steady requests to (it should read or write the store)'
            cand --store 'The state store to cut off: redis://, rediss://, postgresql:// or postgres://'
            cand --mode 'How the store is cut off'
            cand --for 'How long the store stays cut off'
            cand --before 'Requests before the fault, to see the API healthy'
            cand --rate 'Requests per second sent to the API'
            cand --request-timeout 'A request without an answer by then counts as hung'
            cand --breaker-deadline 'The API must answer 503 within this long after the store is cut off'
            cand --recovery-deadline 'The API must answer 2xx within this long after the store is back'
            cand --health-url 'A site''s health endpoint (what a GSLB or load balancer asks), asked as often as --api through the drill: it must answer non-2xx within --health-deadline of the cut and 2xx again within --recovery-deadline of the restore (drill.health_reflects_store). Repeatable: one per site'
            cand --health-deadline 'Each --health-url must report the site down within this long after the store is cut off'
            cand --http-ca 'CA certificate (PEM) for an https API'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --yes 'Do it without asking (a drill cuts a live dependency off)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;drill;failover'= {
            cand --redis 'The deployment: redis+sentinel://[user:password@]host[:26379][,host2…]/MASTERNAME, or a Cluster node (redis://host:port) with --cluster'
            cand --node 'With --cluster: the master to fail (host:port as CLUSTER NODES names it); default the --redis node when it is a master, else the first master'
            cand --sentinel-password 'The sentinels'' password, when it differs from the data nodes'''
            cand --mode 'How the master fails'
            cand --for 'The longest the master stays frozen'
            cand --rate 'Writes per second through the Sentinel-aware client'
            cand --timeout 'Bound on each write and on each question to a sentinel'
            cand --failover-deadline 'The sentinels must agree on a new master within this long after the fault'
            cand --rejoin-deadline 'The old master must be a replica of the new one within this long after the fault'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand --cluster 'The deployment is a Redis Cluster (--redis names one of its nodes): fail one master and let its replica take over'
            cand --yes 'Do it without asking (a drill fails a live master over)'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;drill;help'= {
            cand store-outage 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
            cand failover 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;drill;help;store-outage'= {
        }
        &'statectl;drill;help;failover'= {
        }
        &'statectl;drill;help;help'= {
        }
        &'statectl;completions'= {
            cand --out 'Write the script into this directory under its conventional name (statectl.bash, _statectl, statectl.fish, statectl.elv, _statectl.ps1) instead of stdout'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;man'= {
            cand --out 'Directory to write the pages into (created if missing)'
            cand --checks 'Also write the checks reference, in Markdown, to FILE (docs/checks.md in the repository): every check with what it judges, from the check definitions, at the default thresholds'
            cand --format 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector'
            cand --color 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR'
            cand --host-root 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so'
            cand -q 'Print less: only warnings, failures and errors'
            cand --quiet 'Print less: only warnings, failures and errors'
            cand -v 'Print more: evidence for passing checks, and probe steps on stderr'
            cand --verbose 'Print more: evidence for passing checks, and probe steps on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'statectl;help'= {
            cand doctor 'Walk the troubleshooting matrix against live hosts and report every finding'
            cand preflight 'Check prerequisite versions and kernel settings, for CI jobs and install scripts'
            cand tune 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL'
            cand bench 'Measure state latency and throughput with HDR percentiles against the 5 ms target'
            cand latency 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles'
            cand verify 'Prove state is consistent between copies: a Redis primary and its replica'
            cand capture 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency'
            cand nic 'Show NIC link facts and error, drop and CRC counters with their change over a window'
            cand logs 'The servers'' own logs against the troubleshooting matrix: a timeline per signature'
            cand path 'The network path to a state node, as `mtr --report`: per hop loss and latency'
            cand drill 'Failure drills on staging: inject one fault, measure what the API does, restore'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Write the man pages (statectl.1 and one per subcommand) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'statectl;help;doctor'= {
        }
        &'statectl;help;preflight'= {
        }
        &'statectl;help;tune'= {
            cand redis 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
            cand kernel 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
            cand postgres 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
        }
        &'statectl;help;tune;redis'= {
        }
        &'statectl;help;tune;kernel'= {
        }
        &'statectl;help;tune;postgres'= {
        }
        &'statectl;help;bench'= {
            cand redis 'Load a Redis server with a session-state workload and report HDR percentiles'
            cand postgres 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
        }
        &'statectl;help;bench;redis'= {
        }
        &'statectl;help;bench;postgres'= {
        }
        &'statectl;help;latency'= {
        }
        &'statectl;help;verify'= {
            cand redis 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
            cand cache 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
            cand postgres 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys'
        }
        &'statectl;help;verify;redis'= {
        }
        &'statectl;help;verify;cache'= {
        }
        &'statectl;help;verify;postgres'= {
        }
        &'statectl;help;capture'= {
        }
        &'statectl;help;nic'= {
        }
        &'statectl;help;logs'= {
        }
        &'statectl;help;path'= {
        }
        &'statectl;help;drill'= {
            cand store-outage 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
            cand failover 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica'
        }
        &'statectl;help;drill;store-outage'= {
        }
        &'statectl;help;drill;failover'= {
        }
        &'statectl;help;completions'= {
        }
        &'statectl;help;man'= {
        }
        &'statectl;help;help'= {
        }
    ]
    $completions[$command]
}
