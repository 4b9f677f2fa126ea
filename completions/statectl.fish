# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_statectl_global_optspecs
    string join \n format= color= q/quiet v/verbose host-root= h/help V/version
end

function __fish_statectl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_statectl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_statectl_using_subcommand
    set -l cmd (__fish_statectl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c statectl -n "__fish_statectl_needs_command" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_needs_command" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_needs_command" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_needs_command" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_needs_command" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_needs_command" -s V -l version -d 'Print version'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "doctor" -d 'Walk the troubleshooting matrix against live hosts and report every finding'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "preflight" -d 'Check prerequisite versions and kernel settings, for CI jobs and install scripts'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "tune" -d 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "bench" -d 'Measure state latency and throughput with HDR percentiles against the 5 ms target'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "latency" -d 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "verify" -d 'Prove state is consistent between copies: a Redis primary and its replica'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "capture" -d 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "nic" -d 'Show NIC link facts and error, drop and CRC counters with their change over a window'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "logs" -d 'The servers\' own logs against the troubleshooting matrix: a timeline per signature'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "path" -d 'The network path to a state node, as `mtr --report`: per hop loss and latency'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "drill" -d 'Failure drills on staging: inject one fault, measure what the API does, restore'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "man" -d 'Write the man pages (statectl.1 and one per subcommand) into a directory'
complete -c statectl -n "__fish_statectl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l redis -d 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l redis-password-file -d 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l redis-service -d 'An API service\'s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l sentinel-password -d 'The sentinels\' password for redis+sentinel:// targets, when it differs from the data nodes\' (the URL\'s). Prefer the environment variable: a flag shows in `ps`' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l postgres -d 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l iface -d 'A network interface to check. Repeatable. Default: the interfaces of the default routes' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l api -d 'An API node, or the load balancer\'s address: http(s)://host[:port]. Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l jwks -d 'A node\'s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l jwt-private-key -d 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l jwt-public-key -d 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l jwt-sample-file -d 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l lb-config -d 'The load balancer\'s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l session-header -d 'The request header that carries the session' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l session-cookie -d 'The cookie that carries the session, if one does' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l lb-url -d 'The load balancer\'s own address, for lb.live_header (with --echo-path)' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l echo-path -d 'A path behind the balancer whose backend echoes the request\'s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l lb-backend-header -d 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l since -d 'How far back the logs are read: lb.error_log and the log.* checks' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l resource -d 'A resource path on each --api node for http.conditional and http.latency (GET only)' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l write-probe -d 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l http-ca -d 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l http-cert -d 'Client certificate (PEM) for API nodes that authenticate clients' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l http-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l redis-log -d 'The Redis log to read for log.redis, instead of the local server\'s CONFIG GET logfile (a copy fetched from a remote node, say)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l postgres-log -d 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l syslog -d 'The kernel\'s messages for log.kernel, instead of /var/log/kern.log, syslog or messages' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l role -d 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails' -r -f -a "redis\t'A Redis (cache/session) node'
postgres\t'A PostgreSQL node'
lb\t'A load balancer'
app\t'An API node'"
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l timeout -d 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l sample -d 'The window over which counters are read twice and judged by their change' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l concurrency -d 'How many targets are probed at once (each holds one or two sockets while it is)' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l only -d 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l skip -d 'Leave out these checks: ids or globs. Repeatable, comma-separated' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l rpo -d 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary\'s site were lost now fails, named. Overrides statectl.toml\'s `[replication] rpo`' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l from -d 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l ssh-option -d 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l config -d 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l out -d 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter\'s textfile collector never reads half a file. New files are 0644' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l report -d 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`' -r
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l path -d 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l list -d 'Print every check with its one-line doc, and exit'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -l strict -d 'Exit 4 when any check was skipped (not checked is not passed): for CI'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l redis -d 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l redis-password-file -d 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l redis-service -d 'An API service\'s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l sentinel-password -d 'The sentinels\' password for redis+sentinel:// targets, when it differs from the data nodes\' (the URL\'s). Prefer the environment variable: a flag shows in `ps`' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l postgres -d 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l iface -d 'A network interface to check. Repeatable. Default: the interfaces of the default routes' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l api -d 'An API node, or the load balancer\'s address: http(s)://host[:port]. Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l jwks -d 'A node\'s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l jwt-private-key -d 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l jwt-public-key -d 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l jwt-sample-file -d 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l lb-config -d 'The load balancer\'s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l session-header -d 'The request header that carries the session' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l session-cookie -d 'The cookie that carries the session, if one does' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l lb-url -d 'The load balancer\'s own address, for lb.live_header (with --echo-path)' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l echo-path -d 'A path behind the balancer whose backend echoes the request\'s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l lb-backend-header -d 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l since -d 'How far back the logs are read: lb.error_log and the log.* checks' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l resource -d 'A resource path on each --api node for http.conditional and http.latency (GET only)' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l write-probe -d 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l http-ca -d 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l http-cert -d 'Client certificate (PEM) for API nodes that authenticate clients' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l http-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l redis-log -d 'The Redis log to read for log.redis, instead of the local server\'s CONFIG GET logfile (a copy fetched from a remote node, say)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l postgres-log -d 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l syslog -d 'The kernel\'s messages for log.kernel, instead of /var/log/kern.log, syslog or messages' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l role -d 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails' -r -f -a "redis\t'A Redis (cache/session) node'
postgres\t'A PostgreSQL node'
lb\t'A load balancer'
app\t'An API node'"
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l timeout -d 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l sample -d 'The window over which counters are read twice and judged by their change' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l concurrency -d 'How many targets are probed at once (each holds one or two sockets while it is)' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l only -d 'Run only these checks: ids or globs such as `redis.*`. Repeatable, comma-separated' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l skip -d 'Leave out these checks: ids or globs. Repeatable, comma-separated' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l rpo -d 'The recovery point objective: a replica (Redis, Sentinel or Cluster replica, PostgreSQL standby or subscriber) that would lose more than this much data if its primary\'s site were lost now fails, named. Overrides statectl.toml\'s `[replication] rpo`' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l from -d 'Look at the Redis and PostgreSQL targets from another vantage point (redis.exposure, postgres.exposure): `netns:NAME` (or a bare NAME in /run/netns), a network namespace on this host; or `ssh:[USER@]HOST[:PORT]`, a host over SSH (`ssh -W`, BatchMode, ~/.ssh/config honoured), so the connection is made from HOST. A server on this host is tried at every address of this host on its port' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l ssh-option -d 'An ssh option for `--from ssh:…`, passed as `-o KEY=VALUE` (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking …). Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l config -d 'Threshold overrides (TOML). Default: /etc/statectl/statectl.toml when it exists' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l out -d 'Write the report to FILE instead of stdout, atomically (a temp file in the same directory, then a rename): node_exporter\'s textfile collector never reads half a file. New files are 0644' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l report -d 'Also write the report as FORMAT (table, json, junit, prometheus) to FILE, atomically, besides stdout or --out: one run gives JSON to a program and JUnit to CI. Repeatable, e.g. `--report junit:preflight.xml`' -r
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l path -d 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l list -d 'Print every check with its one-line doc, and exit'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -l strict -d 'Exit 4 when any check was skipped (not checked is not passed): for CI'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand preflight" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -f -a "redis" -d 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -f -a "kernel" -d 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -f -a "postgres" -d 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and not __fish_seen_subcommand_from redis kernel postgres help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l config -d 'The redis.conf to plan against and edit [default: /etc/redis/redis.conf, below --host-root when given]' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l profile -d 'The settings profile' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l set -d 'Set a directive: name=value. Repeatable; wins over the profile' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l maxmemory -d 'maxmemory for the profile: a size such as 2gb, or `auto` (about 80% of RAM)' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l live -d 'Also CONFIG SET live items on this running server and read them back' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l redis-version -d 'The Redis version that will read the file (e.g. 7.4), to check directives against. Default: the --live server\'s INFO (Redis or Valkey; a parameter its CONFIG GET * lists is always accepted), else the local `redis-server --version` or `valkey-server --version`' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l backup-dir -d 'Where to keep the timestamped backup (default: beside the file)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l timeout -d 'Bound on each step of --live (connect, CONFIG GET, CONFIG SET), e.g. 5s' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l apply -d 'Write the file (default: print the diff only)'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -l force -d 'Apply a plan that the safety checks refuse (prints a warning)'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from redis" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l profile -d 'The settings profile (default session-cache when no --set is given)' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l set -d 'Set a key: net.core.somaxconn=4096. Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l persist -d 'Persist to this file instead of /etc/sysctl.d/60-statectl.conf' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l apply -d 'Write the live values and persist them (default: print the plan only)'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -l force -d 'Allow lowering a value'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from kernel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l postgres -d 'The server to tune (URL or key=value; PG* env vars and ~/.pgpass honoured)' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l profile -d 'The settings profile' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l set -d 'Set a parameter: name=value. Repeatable; wins over the profile' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l timeout -d 'How long any one step may take' -r
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -l apply -d 'Issue ALTER SYSTEM for real differences and reload (default: print the plan only)'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from postgres" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from help" -f -a "redis" -d 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from help" -f -a "kernel" -d 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from help" -f -a "postgres" -d 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
complete -c statectl -n "__fish_statectl_using_subcommand tune; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -f -a "redis" -d 'Load a Redis server with a session-state workload and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -f -a "postgres" -d 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and not __fish_seen_subcommand_from redis postgres help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l redis -d 'The server to load' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s c -l connections -d 'Concurrent connections' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s n -l requests -d 'Total requests (default 100000 when --duration is not given)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l duration -d 'Run for this long' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s P -l pipeline -d 'Commands per write: each batch of P replies is timed reply by reply' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l workload -d 'What to send' -r -f -a "get\t'GET of existing keys'
set\t'SET of keys'
session\t'SET with EX, GET, EXPIRE refresh and HGETALL of a session hash'
mixed\t'A ratio of reads to writes'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l keyspace -d 'Number of distinct keys' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l value-size -d 'Value size in bytes' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l ttl -d 'TTL for written keys, seconds' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l rate -d 'Open-loop rate in requests per second (latency corrected for coordinated omission)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l threads -d 'Runtime threads for the load generator, connections spread over them (1 = current-thread, best on small machines; more to saturate a cluster or a multi-threaded server)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l read-ratio -d 'Share of reads in the mixed workload (the rest are SET with EX)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l timeout -d 'Bound on every wait for the server' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l slo -d 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual\'s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l target-rate -d 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l step-duration -d 'Length of each measured step (after its warm-up)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l warmup -d 'Load before each step that is not measured (0s: none)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l resolution -d 'Stop when the passing and the failing rate are this close (percent of the passing rate)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l start-rate -d 'The first rate tried (the target rate when given)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l max-rate -d 'The highest rate offered' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l hdr-log -d 'Write each step\'s latency histogram to FILE in HdrHistogram\'s interval-log format (what HdrHistogram\'s plotters read)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l keep-keys -d 'Keep the statectl:bench:* keys instead of deleting them at the end'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -l cluster -d 'Treat the server as a Redis Cluster node (found from cluster_enabled:1 anyway): keys are routed by slot to every master, MOVED and ASK followed, results per master too'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from redis" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l postgres -d 'The server to load (URL or key=value)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -s c -l connections -d 'Concurrent connections' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -s n -l requests -d 'Total queries (default 100000 when --duration is not given)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l duration -d 'Run for this long' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l depth -d 'Queries in flight per connection' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l rate -d 'Open-loop rate in queries per second' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l keyspace -d 'Sessions in the table' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l read-ratio -d 'Share of reads (the rest are upserts)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l threads -d 'Runtime threads (1 = current-thread, best on small machines)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l timeout -d 'Bound on connecting and setup' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l slo -d 'Find the highest open-loop rate whose response times meet this objective: one or more percentile bounds (`p99<5ms`, `p99<5ms,p999<20ms`); without a value, the manual\'s p99<5ms. Runs steps at fixed rates: a ramp, then a bisection' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l target-rate -d 'Also say whether this rate meets the objective (measured at that rate); exit 3 when it does not, so CI can gate on it' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l step-duration -d 'Length of each measured step (after its warm-up)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l warmup -d 'Load before each step that is not measured (0s: none)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l resolution -d 'Stop when the passing and the failing rate are this close (percent of the passing rate)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l start-rate -d 'The first rate tried (the target rate when given)' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l max-rate -d 'The highest rate offered' -r
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l hdr-log -d 'Write each step\'s latency histogram to FILE in HdrHistogram\'s interval-log format (what HdrHistogram\'s plotters read)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -l keep -d 'Keep the statectl_bench schema instead of dropping it at the end'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from postgres" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "redis" -d 'Load a Redis server with a session-state workload and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "postgres" -d 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l redis -d 'Redis server to PING' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l postgres -d 'PostgreSQL server to send SELECT 1 to instead' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l interval -d 'Time between probes' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l window -d 'Length of each rolling window row' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l duration -d 'Stop after this long (default: until Ctrl-C)' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l timeout -d 'Bound on one probe (connect, PING or SELECT 1); a longer wait counts as an error' -r
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand latency" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand latency" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand latency" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand latency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -f -a "redis" -d 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -f -a "cache" -d 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -f -a "postgres" -d 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary\'s LSN; differing chunks are drilled down to the rows\' primary keys'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and not __fish_seen_subcommand_from redis cache postgres help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l primary -d 'The primary (master)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l replica -d 'Its replica' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l match -d 'Compare only keys matching this SCAN pattern' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l sample -d 'Compare at most this many keys of the primary (a SCAN sample)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l max-lag -d 'How long to wait for the replica to reach the primary\'s replication offset' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l timeout -d 'Bound on each command' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l limit -d 'List at most this many differing keys (the rest are counted)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l full -d 'Compare every key, and look for keys only the replica holds'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -l redact-keys -d 'Show keys as keyed hashes (HMAC-SHA256 with a random key per run) instead of names'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from redis" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l redis -d 'The cache' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l postgres -d 'The database (URL or key=value; PG* variables and ~/.pgpass as psql)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l map -d 'Which keys come from which rows: a pattern with one {placeholder}, and a query taking it as $1 whose first column is the cached value, e.g. \'session:{id}=SELECT payload FROM sessions WHERE id = $1\'' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l sample -d 'Compare at most this many keys (a SCAN sample)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l compare -d 'How to compare: byte for byte, or as JSON documents' -r -f -a "bytes\t'Byte for byte'
json\t'As JSON documents (key order and spacing do not matter)'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l version-column -d 'Compare only a version: the cached value is a JSON object whose field NAME must equal the query\'s column NAME (e.g. an updated_at or a row version kept in both)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l timeout -d 'Bound on each command and query' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -l redact-keys -d 'Show keys as keyed hashes instead of names'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from cache" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l primary -d 'The primary (or publisher)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l replica -d 'The replica: a physical standby or a logical subscriber' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l table -d 'Compare only this table (schema.table). Repeatable. Default: every table' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l chunk-rows -d 'Rows per chunk (with --chunk-time: the first chunk\'s)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l chunk-time -d 'Size chunks so each takes about this long (pt-table-checksum\'s --chunk-time), e.g. 0.5s: each next chunk is scaled by how long the last took, at most doubled or halved' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l max-lag -d 'How long to wait for the replica to reach the primary\'s current LSN' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l timeout -d 'statement_timeout of each chunk\'s query, and the bound on connecting' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l limit -d 'List at most this many differing rows per table (the rest are counted)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l max-load -d 'Pause before each chunk while the primary has more than N active client backends (pt-table-checksum\'s --max-load)' -r
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from postgres" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from help" -f -a "redis" -d 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from help" -f -a "cache" -d 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from help" -f -a "postgres" -d 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary\'s LSN; differing chunks are drilled down to the rows\' primary keys'
complete -c statectl -n "__fish_statectl_using_subcommand verify; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s i -l interface -d 'Interface to capture on (default: the route to the target, or lo)' -r
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s p -l port -d 'TCP port of the Redis traffic, or `auto`: every flow whose client speaks RESP (found from its first bytes). Default: 6379 live, auto with -r' -r
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s c -l count -d 'Stop after this many packets' -r
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l duration -d 'Stop after this long' -r
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s w -l write -d 'Write packets to this pcap file (created 0600)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s r -l read -d 'Analyse this pcap or pcapng file instead of capturing' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l redact-salt -d 'Hash key names with this salt instead of a random one, so two runs label the same key alike. Treat it as a secret: it is never printed' -r
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l show-keys -d 'Print key names as seen. By default they are shown as keyed hashes (HMAC-SHA256 with a random key per run), since session keys often carry the token itself'
complete -c statectl -n "__fish_statectl_using_subcommand capture" -l redact-keys -d 'Hash key names (the default; kept for scripts that pass it)'
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand capture" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l sample -d 'The window over which counters are read twice' -r
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l timeout -d 'Bound on the ethtool netlink query for link facts, e.g. 2s' -r
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand nic" -l watch -d 'Refresh every window until Ctrl-C (with --format json: one document per line)'
complete -c statectl -n "__fish_statectl_using_subcommand nic" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand nic" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand nic" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l redis -d 'A Redis server to check: redis://[user:password@]host[:port][/db] or rediss:// for TLS; a Cluster node (every node is found from it); or a Sentinel deployment: redis+sentinel://[user:password@]host[:26379][,host…]/MASTERNAME[/db]. Repeatable. The password may also come from REDISCLI_AUTH or --redis-password-file' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l redis-password-file -d 'Read the Redis password from this file (first line), instead of the URL or REDISCLI_AUTH' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l tls-ca -l cacert -d 'Trust only the CAs in this PEM file for rediss:// (default: the system CA store, SSL_CERT_FILE and SSL_CERT_DIR honoured)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l tls-cert -d 'Client certificate (PEM) for servers with tls-auth-clients yes' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l redis-service -d 'An API service\'s Redis ACL user and what it needs: NAME=ro (reads only) or NAME=rw. Repeatable. redis.acl then fails when that user may run admin commands, or, for ro, any write command' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l sentinel-password -d 'The sentinels\' password for redis+sentinel:// targets, when it differs from the data nodes\' (the URL\'s). Prefer the environment variable: a flag shows in `ps`' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l postgres -d 'A PostgreSQL server to check: a URL (postgresql://user@host:port/db) or key=value pairs (host=… port=… user=…). Repeatable. PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE and ~/.pgpass are honoured as psql does' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l iface -d 'A network interface to check. Repeatable. Default: the interfaces of the default routes' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l api -d 'An API node, or the load balancer\'s address: http(s)://host[:port]. Repeatable' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l jwks -d 'A node\'s JWKS document (https://node/.well-known/jwks.json). Repeatable, one per node: the sets must agree' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l jwt-private-key -d 'The PEM private key a node signs JWTs with: its public half must be published. Only a test token is signed with it; the key never leaves this process' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l jwt-public-key -d 'A PEM public key (SubjectPublicKeyInfo) a node verifies with: it must be published in every JWKS (matched by RFC 7638 thumbprint)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l jwt-sample-file -d 'A file holding one JWT issued by the API: only verified against the published keys and summarised (alg, kid, lifetime); the token itself is never shown' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l lb-config -d 'The load balancer\'s configuration: an nginx.conf or a haproxy.cfg. Default: `nginx -T`, else /etc/haproxy/haproxy.cfg' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l session-header -d 'The request header that carries the session' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l session-cookie -d 'The cookie that carries the session, if one does' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l lb-url -d 'The load balancer\'s own address, for lb.live_header (with --echo-path)' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l echo-path -d 'A path behind the balancer whose backend echoes the request\'s headers in its body: lb.live_header sends a unique session header and cookie there and looks for them' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l lb-backend-header -d 'The response header, or field of the echo body, in which the backend that answered names itself (lb.live_header tells pinning from it). Default: the first of X-Upstream-Addr, X-Upstream, X-Served-By, X-Backend-Server, X-Backend, X-Server' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l since -d 'How far back the logs are read: lb.error_log and the log.* checks' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l resource -d 'A resource path on each --api node for http.conditional and http.latency (GET only)' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l write-probe -d 'Opt-in, SENDS A WRITE: PATCH this path on each --api node with the body {} and a stale If-Match; the API must refuse it with 412 (http.precondition)' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l http-ca -d 'Trust only the CAs in this PEM file for https:// API and JWKS URLs (default: the system store)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l http-cert -d 'Client certificate (PEM) for API nodes that authenticate clients' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l http-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l redis-log -d 'The Redis log to read for log.redis, instead of the local server\'s CONFIG GET logfile (a copy fetched from a remote node, say)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l postgres-log -d 'The PostgreSQL log to read for log.postgres, instead of pg_current_logfile()' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l syslog -d 'The kernel\'s messages for log.kernel, instead of /var/log/kern.log, syslog or messages' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l role -d 'What this node is for: redis, postgres, lb or app. Repeatable. Picks which servers preflight requires (redis-server for redis, PostgreSQL for postgres, nginx or HAProxy for lb); without it, whatever is installed is judged and a missing Redis or PostgreSQL fails' -r -f -a "redis\t'A Redis (cache/session) node'
postgres\t'A PostgreSQL node'
lb\t'A load balancer'
app\t'An API node'"
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l timeout -d 'How long any one probe may take (connect, command, reply), e.g. 2s or 500ms' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l sample -d 'The window over which counters are read twice and judged by their change' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l concurrency -d 'How many targets are probed at once (each holds one or two sockets while it is)' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l lines -d 'Matching lines shown per signature: the last N (at most 50 are kept)' -r
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand logs" -l path -d 'Trace the network path to every Redis and PostgreSQL target (TCP SYN to its port, a round every 100 ms over --sample, at least 10) for the path.* checks. Off by default: it sends probes, and needs root or CAP_NET_RAW'
complete -c statectl -n "__fish_statectl_using_subcommand logs" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand logs" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand path" -s c -l count -d 'Rounds (mtr\'s -c)' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l duration -d 'Trace for this long instead of --count rounds: as many rounds as --interval fits' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l protocol -d 'How each round probes' -r -f -a "tcp\t'TCP SYN to --port'
icmp\t'ICMP echo'"
complete -c statectl -n "__fish_statectl_using_subcommand path" -l port -d 'The TCP port probed (--protocol tcp)' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l interval -d 'The shortest round (mtr\'s -i)' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l timeout -d 'How long a probe\'s answer is waited for' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l max-ttl -d 'The highest TTL' -r
complete -c statectl -n "__fish_statectl_using_subcommand path" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand path" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand path" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand path" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand path" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -f -a "store-outage" -d 'Cut the API\'s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -f -a "failover" -d 'Freeze (or kill) a Sentinel deployment\'s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster\'s nodes) agree on a new master, the clients\' error window, acknowledged writes the new master does not hold, and the old master\'s return as a replica'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and not __fish_seen_subcommand_from store-outage failover help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l api -d 'The API endpoint to send steady requests to (it should read or write the store)' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l store -d 'The state store to cut off: redis://, rediss://, postgresql:// or postgres://' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l mode -d 'How the store is cut off' -r -f -a "reject\t'nftables rejects the API host\'s traffic to the store with TCP resets (a store that is down: connections refused)'
blackhole\t'nftables drops it (a store that vanished from the network: connections hang)'
freeze\t'SIGSTOP of the store\'s process (a local Redis; a store that hangs with its connections open)'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l for -d 'How long the store stays cut off' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l before -d 'Requests before the fault, to see the API healthy' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l rate -d 'Requests per second sent to the API' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l request-timeout -d 'A request without an answer by then counts as hung' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l breaker-deadline -d 'The API must answer 503 within this long after the store is cut off' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l recovery-deadline -d 'The API must answer 2xx within this long after the store is back' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l health-url -d 'A site\'s health endpoint (what a GSLB or load balancer asks), asked as often as --api through the drill: it must answer non-2xx within --health-deadline of the cut and 2xx again within --recovery-deadline of the restore (drill.health_reflects_store). Repeatable: one per site' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l health-deadline -d 'Each --health-url must report the site down within this long after the store is cut off' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l http-ca -d 'CA certificate (PEM) for an https API' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -l yes -d 'Do it without asking (a drill cuts a live dependency off)'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from store-outage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l redis -d 'The deployment: redis+sentinel://[user:password@]host[:26379][,host2…]/MASTERNAME, or a Cluster node (redis://host:port) with --cluster' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l node -d 'With --cluster: the master to fail (host:port as CLUSTER NODES names it); default the --redis node when it is a master, else the first master' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l sentinel-password -d 'The sentinels\' password, when it differs from the data nodes\'' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l mode -d 'How the master fails' -r -f -a "freeze\t'SIGSTOP, then SIGCONT: a master that hangs and comes back (and must rejoin as a replica)'
kill\t'SIGKILL: a master that dies (its service manager restarts it)'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l for -d 'The longest the master stays frozen' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l rate -d 'Writes per second through the Sentinel-aware client' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l timeout -d 'Bound on each write and on each question to a sentinel' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l failover-deadline -d 'The sentinels must agree on a new master within this long after the fault' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l rejoin-deadline -d 'The old master must be a replica of the new one within this long after the fault' -r
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l cluster -d 'The deployment is a Redis Cluster (--redis names one of its nodes): fail one master and let its replica take over'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -l yes -d 'Do it without asking (a drill fails a live master over)'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from failover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "store-outage" -d 'Cut the API\'s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "failover" -d 'Freeze (or kill) a Sentinel deployment\'s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster\'s nodes) agree on a new master, the clients\' error window, acknowledged writes the new master does not hold, and the old master\'s return as a replica'
complete -c statectl -n "__fish_statectl_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand completions" -l out -d 'Write the script into this directory under its conventional name (statectl.bash, _statectl, statectl.fish, statectl.elv, _statectl.ps1) instead of stdout' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand completions" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand completions" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand completions" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand completions" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand completions" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand man" -l out -d 'Directory to write the pages into (created if missing)' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand man" -l checks -d 'Also write the checks reference, in Markdown, to FILE (docs/checks.md in the repository): every check with what it judges, from the check definitions, at the default thresholds' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand man" -l format -d 'Output format: tables for people, one JSON document, JUnit XML for CI, or Prometheus text exposition for node_exporter\'s textfile collector' -r -f -a "table\t'Tables grouped by target'
json\t'Exactly one JSON document on stdout'
junit\t'JUnit XML: one testcase per finding'
prometheus\t'Prometheus text exposition format'"
complete -c statectl -n "__fish_statectl_using_subcommand man" -l color -d 'When to colour tables. `auto` colours only a terminal and honours NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c statectl -n "__fish_statectl_using_subcommand man" -l host-root -d 'Read /proc, /sys, /etc and /dev below DIR instead of / (node_exporter\'s --path.rootfs): for statectl in a container with the host\'s trees mounted there. tune writes below DIR too, and says so' -r -F
complete -c statectl -n "__fish_statectl_using_subcommand man" -s q -l quiet -d 'Print less: only warnings, failures and errors'
complete -c statectl -n "__fish_statectl_using_subcommand man" -s v -l verbose -d 'Print more: evidence for passing checks, and probe steps on stderr'
complete -c statectl -n "__fish_statectl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "doctor" -d 'Walk the troubleshooting matrix against live hosts and report every finding'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "preflight" -d 'Check prerequisite versions and kernel settings, for CI jobs and install scripts'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "tune" -d 'Plan (and with --apply, make) configuration changes for Redis, the kernel or PostgreSQL'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "bench" -d 'Measure state latency and throughput with HDR percentiles against the 5 ms target'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "latency" -d 'Sample round-trip latency over time, like redis-cli --latency-history, with percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "verify" -d 'Prove state is consistent between copies: a Redis primary and its replica'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "capture" -d 'Capture port-6379 traffic to pcap, or analyse a pcap: RESP decoded, per-command latency'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "nic" -d 'Show NIC link facts and error, drop and CRC counters with their change over a window'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "logs" -d 'The servers\' own logs against the troubleshooting matrix: a timeline per signature'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "path" -d 'The network path to a state node, as `mtr --report`: per hop loss and latency'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "drill" -d 'Failure drills on staging: inject one fault, measure what the API does, restore'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "man" -d 'Write the man pages (statectl.1 and one per subcommand) into a directory'
complete -c statectl -n "__fish_statectl_using_subcommand help; and not __fish_seen_subcommand_from doctor preflight tune bench latency verify capture nic logs path drill completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from tune" -f -a "redis" -d 'Plan edits to redis.conf (dry run by default); --apply writes atomically with a backup'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from tune" -f -a "kernel" -d 'Plan kernel sysctl changes (dry run by default); --apply sets and persists them'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from tune" -f -a "postgres" -d 'Plan PostgreSQL settings against pg_settings; --apply uses ALTER SYSTEM and reloads'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "redis" -d 'Load a Redis server with a session-state workload and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "postgres" -d 'Load PostgreSQL with prepared session reads and upserts and report HDR percentiles'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from verify" -f -a "redis" -d 'Compare a Redis primary with its replica key by key: type, value digest (DEBUG DIGEST-VALUE, or DUMP hashed here), TTL; after waiting for the replica to catch up'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from verify" -f -a "cache" -d 'Compare cached values in Redis with the PostgreSQL rows they come from: stale, orphaned, and keys without a TTL'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from verify" -f -a "postgres" -d 'Compare PostgreSQL tables on a primary and its replica (a standby or a logical subscriber) chunk by chunk, after waiting for the replica to reach the primary\'s LSN; differing chunks are drilled down to the rows\' primary keys'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from drill" -f -a "store-outage" -d 'Cut the API\'s state store off for --for while sending steady requests to the API, and judge what it answers: a circuit breaker answers 503 at once and recovers after'
complete -c statectl -n "__fish_statectl_using_subcommand help; and __fish_seen_subcommand_from drill" -f -a "failover" -d 'Freeze (or kill) a Sentinel deployment\'s master (or a Redis Cluster master, --cluster) while writing through a client that follows failovers, and measure the failover: the time until the sentinels (or the cluster\'s nodes) agree on a new master, the clients\' error window, acknowledged writes the new master does not hold, and the old master\'s return as a replica'
