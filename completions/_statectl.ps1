
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'statectl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'statectl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'statectl' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Walk the troubleshooting matrix against live hosts and report every finding')
            [CompletionResult]::new('preflight', 'preflight', [CompletionResultType]::ParameterValue, 'Check prerequisite versions and kernel settings, for CI jobs and install scripts')
            [CompletionResult]::new('tune', 'tune', [CompletionResultType]::ParameterValue, 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure state latency and throughput with HDR percentiles against the 5 ms target')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove state is consistent between copies: a Redis primary and its replica')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency')
            [CompletionResult]::new('nic', 'nic', [CompletionResultType]::ParameterValue, 'Show NIC link facts and error, drop and CRC counters with their change over a window')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'The servers'' own logs against the troubleshooting matrix: a timeline per signature')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The network path to a state node, as `mtr --report`: per hop loss and latency')
            [CompletionResult]::new('drill', 'drill', [CompletionResultType]::ParameterValue, 'Failure drills on staging: inject one fault, measure what the API does, restore')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (statectl.1 and one per subcommand) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;doctor' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-service', '--redis-service', [CompletionResultType]::ParameterName, 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'A network interface to check. Repeatable. Default: the interfaces of the default routes')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree')
            [CompletionResult]::new('--jwt-private-key', '--jwt-private-key', [CompletionResultType]::ParameterName, 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process')
            [CompletionResult]::new('--jwt-public-key', '--jwt-public-key', [CompletionResultType]::ParameterName, 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)')
            [CompletionResult]::new('--jwt-sample-file', '--jwt-sample-file', [CompletionResultType]::ParameterName, 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown')
            [CompletionResult]::new('--lb-config', '--lb-config', [CompletionResultType]::ParameterName, 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg')
            [CompletionResult]::new('--session-header', '--session-header', [CompletionResultType]::ParameterName, 'The request header that carries the session')
            [CompletionResult]::new('--session-cookie', '--session-cookie', [CompletionResultType]::ParameterName, 'The cookie that carries the session, if one does')
            [CompletionResult]::new('--lb-url', '--lb-url', [CompletionResultType]::ParameterName, 'The load balancer''s own address, for lb.live_header (with --echo-path)')
            [CompletionResult]::new('--echo-path', '--echo-path', [CompletionResultType]::ParameterName, 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them')
            [CompletionResult]::new('--lb-backend-header', '--lb-backend-header', [CompletionResultType]::ParameterName, 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back the logs are read: lb.error_log and the log.* checks')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A resource path on each --api node for http.conditional and http.latency (GET only)')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)')
            [CompletionResult]::new('--http-ca', '--http-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)')
            [CompletionResult]::new('--http-cert', '--http-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for API nodes that authenticate clients')
            [CompletionResult]::new('--http-key', '--http-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-log', '--redis-log', [CompletionResultType]::ParameterName, 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)')
            [CompletionResult]::new('--postgres-log', '--postgres-log', [CompletionResultType]::ParameterName, 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()')
            [CompletionResult]::new('--syslog', '--syslog', [CompletionResultType]::ParameterName, 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'The window over which counters are read twice and judged by their change')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many targets are probed at once (each holds one or two sockets while it is)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out these checks: ids or globs. Repeatable, comma-separated')
            [CompletionResult]::new('--rpo', '--rpo', [CompletionResultType]::ParameterName, 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary''s site were lost now fails, named. Overrides statectl.toml''s `[replication] rpo`')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port')
            [CompletionResult]::new('--ssh-option', '--ssh-option', [CompletionResultType]::ParameterName, 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter''s textfile collector never reads half a file. New files are 0644')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print every check with its one-line doc, and exit')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 4 when any check was skipped (not checked is not passed): for CI')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;preflight' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-service', '--redis-service', [CompletionResultType]::ParameterName, 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'A network interface to check. Repeatable. Default: the interfaces of the default routes')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree')
            [CompletionResult]::new('--jwt-private-key', '--jwt-private-key', [CompletionResultType]::ParameterName, 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process')
            [CompletionResult]::new('--jwt-public-key', '--jwt-public-key', [CompletionResultType]::ParameterName, 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)')
            [CompletionResult]::new('--jwt-sample-file', '--jwt-sample-file', [CompletionResultType]::ParameterName, 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown')
            [CompletionResult]::new('--lb-config', '--lb-config', [CompletionResultType]::ParameterName, 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg')
            [CompletionResult]::new('--session-header', '--session-header', [CompletionResultType]::ParameterName, 'The request header that carries the session')
            [CompletionResult]::new('--session-cookie', '--session-cookie', [CompletionResultType]::ParameterName, 'The cookie that carries the session, if one does')
            [CompletionResult]::new('--lb-url', '--lb-url', [CompletionResultType]::ParameterName, 'The load balancer''s own address, for lb.live_header (with --echo-path)')
            [CompletionResult]::new('--echo-path', '--echo-path', [CompletionResultType]::ParameterName, 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them')
            [CompletionResult]::new('--lb-backend-header', '--lb-backend-header', [CompletionResultType]::ParameterName, 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back the logs are read: lb.error_log and the log.* checks')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A resource path on each --api node for http.conditional and http.latency (GET only)')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)')
            [CompletionResult]::new('--http-ca', '--http-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)')
            [CompletionResult]::new('--http-cert', '--http-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for API nodes that authenticate clients')
            [CompletionResult]::new('--http-key', '--http-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-log', '--redis-log', [CompletionResultType]::ParameterName, 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)')
            [CompletionResult]::new('--postgres-log', '--postgres-log', [CompletionResultType]::ParameterName, 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()')
            [CompletionResult]::new('--syslog', '--syslog', [CompletionResultType]::ParameterName, 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'The window over which counters are read twice and judged by their change')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many targets are probed at once (each holds one or two sockets while it is)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out these checks: ids or globs. Repeatable, comma-separated')
            [CompletionResult]::new('--rpo', '--rpo', [CompletionResultType]::ParameterName, 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary''s site were lost now fails, named. Overrides statectl.toml''s `[replication] rpo`')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port')
            [CompletionResult]::new('--ssh-option', '--ssh-option', [CompletionResultType]::ParameterName, 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter''s textfile collector never reads half a file. New files are 0644')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print every check with its one-line doc, and exit')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 4 when any check was skipped (not checked is not passed): for CI')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;tune' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup')
            [CompletionResult]::new('kernel', 'kernel', [CompletionResultType]::ParameterValue, 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;tune;redis' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The redis.conf to plan against and edit [default: /etc/redis/redis.conf, below --host-root when given]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The settings profile')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a directive: name=value. Repeatable; wins over the profile')
            [CompletionResult]::new('--maxmemory', '--maxmemory', [CompletionResultType]::ParameterName, 'maxmemory for the profile: a size such as 2gb, or `auto` (about 80% of RAM)')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Also CONFIG SET live items on this running server and read them back')
            [CompletionResult]::new('--redis-version', '--redis-version', [CompletionResultType]::ParameterName, 'The Redis version that will read the file (e.g. 7.4), to check directives against. Default: the --live server''s INFO (Redis or Valkey; a parameter its CONFIG GET * lists is always accepted), else the local `redis-server --version` or `valkey-server --version`')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Where to keep the timestamped backup (default: beside the file)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each step of --live (connect, CONFIG GET, CONFIG SET), e.g. 5s')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Write the file (default: print the diff only)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Apply a plan that the safety checks refuse (prints a warning)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;tune;kernel' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The settings profile (default session-cache when no --set is given)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a key: net.core.somaxconn=4096. Repeatable')
            [CompletionResult]::new('--persist', '--persist', [CompletionResultType]::ParameterName, 'Persist to this file instead of /etc/sysctl.d/60-statectl.conf')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Write the live values and persist them (default: print the plan only)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow lowering a value')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;tune;postgres' {
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'The server to tune (URL or key=value; PG* env vars and ~/.pgpass honoured)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The settings profile')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a parameter: name=value. Repeatable; wins over the profile')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long any one step may take')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Issue ALTER SYSTEM for real differences and reload (default: print the plan only)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;tune;help' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup')
            [CompletionResult]::new('kernel', 'kernel', [CompletionResultType]::ParameterValue, 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;tune;help;redis' {
            break
        }
        'statectl;tune;help;kernel' {
            break
        }
        'statectl;tune;help;postgres' {
            break
        }
        'statectl;tune;help;help' {
            break
        }
        'statectl;bench' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Load a Redis server with a session-state workload and report HDR percentiles')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;bench;redis' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'The server to load')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Concurrent connections')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Concurrent connections')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Total requests (default 100000 when --duration is not given)')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Total requests (default 100000 when --duration is not given)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Run for this long')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Commands per write: each batch of P replies is timed reply by reply')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Commands per write: each batch of P replies is timed reply by reply')
            [CompletionResult]::new('--workload', '--workload', [CompletionResultType]::ParameterName, 'What to send')
            [CompletionResult]::new('--keyspace', '--keyspace', [CompletionResultType]::ParameterName, 'Number of distinct keys')
            [CompletionResult]::new('--value-size', '--value-size', [CompletionResultType]::ParameterName, 'Value size in bytes')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'TTL for written keys, seconds')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open-loop rate in requests per second (latency corrected for coordinated omission)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads for the load generator, connections spread over them (1 = current-thread, best on small machines; more to saturate a cluster or a multi-threaded server)')
            [CompletionResult]::new('--read-ratio', '--read-ratio', [CompletionResultType]::ParameterName, 'Share of reads in the mixed workload (the rest are SET with EX)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every wait for the server')
            [CompletionResult]::new('--slo', '--slo', [CompletionResultType]::ParameterName, 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual''s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection')
            [CompletionResult]::new('--target-rate', '--target-rate', [CompletionResultType]::ParameterName, 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it')
            [CompletionResult]::new('--step-duration', '--step-duration', [CompletionResultType]::ParameterName, 'Length of each measured step (after its warm-up)')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Load before each step that is not measured (0s: none)')
            [CompletionResult]::new('--resolution', '--resolution', [CompletionResultType]::ParameterName, 'Stop when the passing and the failing rate are this close (percent of the passing rate)')
            [CompletionResult]::new('--start-rate', '--start-rate', [CompletionResultType]::ParameterName, 'The first rate tried (the target rate when given)')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'The highest rate offered')
            [CompletionResult]::new('--hdr-log', '--hdr-log', [CompletionResultType]::ParameterName, 'Write each step''s latency histogram to FILE in HdrHistogram''s interval-log format (what HdrHistogram''s plotters read)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--keep-keys', '--keep-keys', [CompletionResultType]::ParameterName, 'Keep the statectl:bench:* keys instead of deleting them at the end')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Treat the server as a Redis Cluster node (found from cluster_enabled:1 anyway): keys are routed by slot to every master, MOVED and ASK followed, results per master too')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;bench;postgres' {
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'The server to load (URL or key=value)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Concurrent connections')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Concurrent connections')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Total queries (default 100000 when --duration is not given)')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Total queries (default 100000 when --duration is not given)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Run for this long')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'Queries in flight per connection')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open-loop rate in queries per second')
            [CompletionResult]::new('--keyspace', '--keyspace', [CompletionResultType]::ParameterName, 'Sessions in the table')
            [CompletionResult]::new('--read-ratio', '--read-ratio', [CompletionResultType]::ParameterName, 'Share of reads (the rest are upserts)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (1 = current-thread, best on small machines)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on connecting and setup')
            [CompletionResult]::new('--slo', '--slo', [CompletionResultType]::ParameterName, 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual''s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection')
            [CompletionResult]::new('--target-rate', '--target-rate', [CompletionResultType]::ParameterName, 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it')
            [CompletionResult]::new('--step-duration', '--step-duration', [CompletionResultType]::ParameterName, 'Length of each measured step (after its warm-up)')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Load before each step that is not measured (0s: none)')
            [CompletionResult]::new('--resolution', '--resolution', [CompletionResultType]::ParameterName, 'Stop when the passing and the failing rate are this close (percent of the passing rate)')
            [CompletionResult]::new('--start-rate', '--start-rate', [CompletionResultType]::ParameterName, 'The first rate tried (the target rate when given)')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'The highest rate offered')
            [CompletionResult]::new('--hdr-log', '--hdr-log', [CompletionResultType]::ParameterName, 'Write each step''s latency histogram to FILE in HdrHistogram''s interval-log format (what HdrHistogram''s plotters read)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the statectl_bench schema instead of dropping it at the end')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;bench;help' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Load a Redis server with a session-state workload and report HDR percentiles')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;bench;help;redis' {
            break
        }
        'statectl;bench;help;postgres' {
            break
        }
        'statectl;bench;help;help' {
            break
        }
        'statectl;latency' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis server to PING')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'PostgreSQL server to send SELECT 1 to instead')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between probes')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Length of each rolling window row')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (default: until Ctrl-C)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on one probe (connect, PING or SELECT 1); a longer wait counts as an error')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;verify' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;verify;redis' {
            [CompletionResult]::new('--primary', '--primary', [CompletionResultType]::ParameterName, 'The primary (master)')
            [CompletionResult]::new('--replica', '--replica', [CompletionResultType]::ParameterName, 'Its replica')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Compare only keys matching this SCAN pattern')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Compare at most this many keys of the primary (a SCAN sample)')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'How long to wait for the replica to reach the primary''s replication offset')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each command')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'List at most this many differing keys (the rest are counted)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Compare every key, and look for keys only the replica holds')
            [CompletionResult]::new('--redact-keys', '--redact-keys', [CompletionResultType]::ParameterName, 'Show keys as keyed hashes (HMAC-SHA256 with a random key per run) instead of names')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;verify;cache' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'The cache')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'The database (URL or key=value; PG* variables and ~/.pgpass as psql)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Which keys come from which rows: a pattern with one {placeholder}, and a query taking it as $1 whose first column is the cached value, e.g. ''session:{id}=SELECT payload FROM sessions WHERE id = $1''')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Compare at most this many keys (a SCAN sample)')
            [CompletionResult]::new('--compare', '--compare', [CompletionResultType]::ParameterName, 'How to compare: byte for byte, or as JSON documents')
            [CompletionResult]::new('--version-column', '--version-column', [CompletionResultType]::ParameterName, 'Compare only a version: the cached value is a JSON object whose field NAME must equal the query''s column NAME (e.g. an updated_at or a row version kept in both)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each command and query')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--redact-keys', '--redact-keys', [CompletionResultType]::ParameterName, 'Show keys as keyed hashes instead of names')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;verify;postgres' {
            [CompletionResult]::new('--primary', '--primary', [CompletionResultType]::ParameterName, 'The primary (or publisher)')
            [CompletionResult]::new('--replica', '--replica', [CompletionResultType]::ParameterName, 'The replica: a physical standby or a logical subscriber')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Compare only this table (schema.table). Repeatable. Default: every table')
            [CompletionResult]::new('--chunk-rows', '--chunk-rows', [CompletionResultType]::ParameterName, 'Rows per chunk (with --chunk-time: the first chunk''s)')
            [CompletionResult]::new('--chunk-time', '--chunk-time', [CompletionResultType]::ParameterName, 'Size chunks so each takes about this long (pt-table-checksum''s --chunk-time), e.g. 0.5s: each next chunk is scaled by how long the last took, at most doubled or halved')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'How long to wait for the replica to reach the primary''s current LSN')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'statement_timeout of each chunk''s query, and the bound on connecting')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'List at most this many differing rows per table (the rest are counted)')
            [CompletionResult]::new('--max-load', '--max-load', [CompletionResultType]::ParameterName, 'Pause before each chunk while the primary has more than N active client backends (pt-table-checksum''s --max-load)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;verify;help' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;verify;help;redis' {
            break
        }
        'statectl;verify;help;cache' {
            break
        }
        'statectl;verify;help;postgres' {
            break
        }
        'statectl;verify;help;help' {
            break
        }
        'statectl;capture' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface to capture on (default: the route to the target, or lo)')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Interface to capture on (default: the route to the target, or lo)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found from its first bytes). Default: 6379 live, auto with -r')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found from its first bytes). Default: 6379 live, auto with -r')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after this many packets')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after this many packets')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Write packets to this pcap file (created 0600)')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Write packets to this pcap file (created 0600)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Analyse this pcap or pcapng file instead of capturing')
            [CompletionResult]::new('--read', '--read', [CompletionResultType]::ParameterName, 'Analyse this pcap or pcapng file instead of capturing')
            [CompletionResult]::new('--redact-salt', '--redact-salt', [CompletionResultType]::ParameterName, 'Hash key names with this salt instead of a random one, so two runs label the same key alike. Treat it as a secret: it is never printed')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--show-keys', '--show-keys', [CompletionResultType]::ParameterName, 'Print key names as seen. By default they are shown as keyed hashes (HMAC-SHA256 with a random key per run), since session keys often carry the token itself')
            [CompletionResult]::new('--redact-keys', '--redact-keys', [CompletionResultType]::ParameterName, 'Hash key names (the default; kept for scripts that pass it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;nic' {
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'The window over which counters are read twice')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the ethtool netlink query for link facts, e.g. 2s')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh every window until Ctrl-C (with --format json: one document per line)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;logs' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers with tls-auth-clients yes')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-service', '--redis-service', [CompletionResultType]::ParameterName, 'An API service''s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'The sentinels'' password for redis+sentinel:// targets, when it differs from the data nodes'' (the URL''s). Prefer the environment variable: a flag shows in `ps`')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'A network interface to check. Repeatable. Default: the interfaces of the default routes')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'An API node, or the load balancer''s address: http(s)://host[:port]. Repeatable')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'A node''s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree')
            [CompletionResult]::new('--jwt-private-key', '--jwt-private-key', [CompletionResultType]::ParameterName, 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process')
            [CompletionResult]::new('--jwt-public-key', '--jwt-public-key', [CompletionResultType]::ParameterName, 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)')
            [CompletionResult]::new('--jwt-sample-file', '--jwt-sample-file', [CompletionResultType]::ParameterName, 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown')
            [CompletionResult]::new('--lb-config', '--lb-config', [CompletionResultType]::ParameterName, 'The load balancer''s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg')
            [CompletionResult]::new('--session-header', '--session-header', [CompletionResultType]::ParameterName, 'The request header that carries the session')
            [CompletionResult]::new('--session-cookie', '--session-cookie', [CompletionResultType]::ParameterName, 'The cookie that carries the session, if one does')
            [CompletionResult]::new('--lb-url', '--lb-url', [CompletionResultType]::ParameterName, 'The load balancer''s own address, for lb.live_header (with --echo-path)')
            [CompletionResult]::new('--echo-path', '--echo-path', [CompletionResultType]::ParameterName, 'A path behind the balancer whose backend echoes the request''s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them')
            [CompletionResult]::new('--lb-backend-header', '--lb-backend-header', [CompletionResultType]::ParameterName, 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back the logs are read: lb.error_log and the log.* checks')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A resource path on each --api node for http.conditional and http.latency (GET only)')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)')
            [CompletionResult]::new('--http-ca', '--http-ca', [CompletionResultType]::ParameterName, 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)')
            [CompletionResult]::new('--http-cert', '--http-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for API nodes that authenticate clients')
            [CompletionResult]::new('--http-key', '--http-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--redis-log', '--redis-log', [CompletionResultType]::ParameterName, 'The Redis log to read for log.redis, instead of the local server''s CONFIG GET logfile (a copy fetched from a remote node, say)')
            [CompletionResult]::new('--postgres-log', '--postgres-log', [CompletionResultType]::ParameterName, 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()')
            [CompletionResult]::new('--syslog', '--syslog', [CompletionResultType]::ParameterName, 'The kernel''s messages for log.kernel, instead of /var/log/kern.log, syslog or messages')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'The window over which counters are read twice and judged by their change')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many targets are probed at once (each holds one or two sockets while it is)')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Matching lines shown per signature: the last N (at most 50 are kept)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;path' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Rounds (mtr''s -c)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Rounds (mtr''s -c)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Trace for this long instead of --count rounds: as many rounds as --interval fits')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'How each round probes')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port probed (--protocol tcp)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'The shortest round (mtr''s -i)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a probe''s answer is waited for')
            [CompletionResult]::new('--max-ttl', '--max-ttl', [CompletionResultType]::ParameterName, 'The highest TTL')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;drill' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('store-outage', 'store-outage', [CompletionResultType]::ParameterValue, 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;drill;store-outage' {
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'The API endpoint to send steady requests to (it should read or write the store)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The state store to cut off: redis://, rediss://, postgresql:// or postgres://')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How the store is cut off')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long the store stays cut off')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Requests before the fault, to see the API healthy')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second sent to the API')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'A request without an answer by then counts as hung')
            [CompletionResult]::new('--breaker-deadline', '--breaker-deadline', [CompletionResultType]::ParameterName, 'The API must answer 503 within this long after the store is cut off')
            [CompletionResult]::new('--recovery-deadline', '--recovery-deadline', [CompletionResultType]::ParameterName, 'The API must answer 2xx within this long after the store is back')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A site''s health endpoint (what a GSLB or load balancer asks), asked as often as --api through the drill: it must answer non-2xx within --health-deadline of the cut and 2xx again within --recovery-deadline of the restore (drill.health_reflects_store). Repeatable: one per site')
            [CompletionResult]::new('--health-deadline', '--health-deadline', [CompletionResultType]::ParameterName, 'Each --health-url must report the site down within this long after the store is cut off')
            [CompletionResult]::new('--http-ca', '--http-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) for an https API')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do it without asking (a drill cuts a live dependency off)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;drill;failover' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'The deployment: redis+sentinel://[user:password@]host[:26379][,host2…]/MASTERNAME, or a Cluster node (redis://host:port) with --cluster')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'With --cluster: the master to fail (host:port as CLUSTER NODES names it); default the --redis node when it is a master, else the first master')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'The sentinels'' password, when it differs from the data nodes''')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How the master fails')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'The longest the master stays frozen')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Writes per second through the Sentinel-aware client')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each write and on each question to a sentinel')
            [CompletionResult]::new('--failover-deadline', '--failover-deadline', [CompletionResultType]::ParameterName, 'The sentinels must agree on a new master within this long after the fault')
            [CompletionResult]::new('--rejoin-deadline', '--rejoin-deadline', [CompletionResultType]::ParameterName, 'The old master must be a replica of the new one within this long after the fault')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The deployment is a Redis Cluster (--redis names one of its nodes): fail one master and let its replica take over')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do it without asking (a drill fails a live master over)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;drill;help' {
            [CompletionResult]::new('store-outage', 'store-outage', [CompletionResultType]::ParameterValue, 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;drill;help;store-outage' {
            break
        }
        'statectl;drill;help;failover' {
            break
        }
        'statectl;drill;help;help' {
            break
        }
        'statectl;completions' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the script into this directory under its conventional name (statectl.bash, _statectl, statectl.fish, statectl.elv, _statectl.ps1) instead of stdout')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the pages into (created if missing)')
            [CompletionResult]::new('--checks', '--checks', [CompletionResultType]::ParameterName, 'Also write the checks reference, in Markdown, to FILE (docs/checks.md in the repository): every check with what it judges, from the check definitions, at the default thresholds')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter''s textfile collector')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter''s --path.rootfs): for statectl in a container with the host''s trees mounted there. tune writes below DIR too, and says so')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only warnings, failures and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: evidence for passing checks, and probe steps on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'statectl;help' {
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Walk the troubleshooting matrix against live hosts and report every finding')
            [CompletionResult]::new('preflight', 'preflight', [CompletionResultType]::ParameterValue, 'Check prerequisite versions and kernel settings, for CI jobs and install scripts')
            [CompletionResult]::new('tune', 'tune', [CompletionResultType]::ParameterValue, 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure state latency and throughput with HDR percentiles against the 5 ms target')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove state is consistent between copies: a Redis primary and its replica')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency')
            [CompletionResult]::new('nic', 'nic', [CompletionResultType]::ParameterValue, 'Show NIC link facts and error, drop and CRC counters with their change over a window')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'The servers'' own logs against the troubleshooting matrix: a timeline per signature')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The network path to a state node, as `mtr --report`: per hop loss and latency')
            [CompletionResult]::new('drill', 'drill', [CompletionResultType]::ParameterValue, 'Failure drills on staging: inject one fault, measure what the API does, restore')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (statectl.1 and one per subcommand) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'statectl;help;doctor' {
            break
        }
        'statectl;help;preflight' {
            break
        }
        'statectl;help;tune' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup')
            [CompletionResult]::new('kernel', 'kernel', [CompletionResultType]::ParameterValue, 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads')
            break
        }
        'statectl;help;tune;redis' {
            break
        }
        'statectl;help;tune;kernel' {
            break
        }
        'statectl;help;tune;postgres' {
            break
        }
        'statectl;help;bench' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Load a Redis server with a session-state workload and report HDR percentiles')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles')
            break
        }
        'statectl;help;bench;redis' {
            break
        }
        'statectl;help;bench;postgres' {
            break
        }
        'statectl;help;latency' {
            break
        }
        'statectl;help;verify' {
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL')
            [CompletionResult]::new('postgres', 'postgres', [CompletionResultType]::ParameterValue, 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary''s LSN; differing chunks are drilled down to the rows'' primary keys')
            break
        }
        'statectl;help;verify;redis' {
            break
        }
        'statectl;help;verify;cache' {
            break
        }
        'statectl;help;verify;postgres' {
            break
        }
        'statectl;help;capture' {
            break
        }
        'statectl;help;nic' {
            break
        }
        'statectl;help;logs' {
            break
        }
        'statectl;help;path' {
            break
        }
        'statectl;help;drill' {
            [CompletionResult]::new('store-outage', 'store-outage', [CompletionResultType]::ParameterValue, 'Cut the API''s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'Freeze (or kill) a Sentinel deployment''s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster''s nodes) agree on a new master, the clients'' error window, acknowledged writes the new master does not hold, and the old master''s return as a replica')
            break
        }
        'statectl;help;drill;store-outage' {
            break
        }
        'statectl;help;drill;failover' {
            break
        }
        'statectl;help;completions' {
            break
        }
        'statectl;help;man' {
            break
        }
        'statectl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
