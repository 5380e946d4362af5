#!/usr/bin/env bash
# Regenerates the captures of TLS behind a preamble: HTTP CONNECT proxies (squid, tinyproxy),
# SOCKS proxies (Dante), STARTTLS-style upgrades (postfix, dovecot, vsftpd, slapd,
# PostgreSQL, MariaDB): captures/proxy-*, socks-*, starttls-*, db-*.pcap and their
# .expect.json, each scenario in network namespaces of its own (hsi-tn-*).
#
#   scripts/captures/tunnel.sh [scenario...]     (no argument: every scenario; run as root)
#   scripts/captures/tunnel.sh --list            (the scenario names)
#   scripts/captures/tunnel.sh --packages        (the Debian packages it needs)
#
# Topology of the proxy scenarios: the client namespace (10.79.0.1) reaches only the proxy
# (10.79.0.2); the proxy namespace also reaches the origin servers (10.79.1.2, a second
# veth); tcpdump runs on the client's interface, so the capture holds what the client
# sees: its connection to the proxy. The STARTTLS scenarios are a client / server pair.
#
# Every expectation is read back from the capture with tshark (frames, status codes, the
# negotiated version) and checked against what the client itself said: a scenario that
# did not happen as intended stops the script instead of writing a wrong expectation.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
CERTS=$CAPTURES/certs
PY=/usr/bin/python3
CIP=10.79.0.1      # client
PIP=10.79.0.2      # proxy (or the STARTTLS server)
OIP=10.79.1.2      # origin, behind the proxy
SNI=www.example.test
TUNNEL_PACKAGES="iproute2 procps tcpdump tshark openssl curl squid-openssl tinyproxy dante-server microsocks postfix swaks libnet-ssleay-perl dovecot-imapd dovecot-pop3d vsftpd slapd ldap-utils postgresql mariadb-server mariadb-client python3"
# Passwords of the test users: the credential tests check that none of them reaches any output.
PROXY_USER=alice
PROXY_PASSWORD='Pr0xy-S3cret-9f2c'
MAIL_PASSWORD='M4il-S3cret-71ab'

chmod 711 "$WORK"   # servers that drop to their own user (squid, postgres) read their files here
SC_NS=()
WROTE=()
CAPTURE_PID=
cleanup() {
  local rc=$?
  [[ -n "${POSTFIX_MAIN_CREATED:-}" ]] && rm -f /etc/postfix/main.cf
  [[ -n "$CAPTURE_PID" ]] && kill -INT "$CAPTURE_PID" 2>/dev/null
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; rm -rf "/etc/netns/$ns"; done
  rm -rf "$WORK"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_new() { ns_create "$1"; SC_NS+=("$1"); }
# ns_hosts NS LINE...: an /etc/hosts for processes started with ip netns exec NS (/etc/netns/NS/hosts)
ns_hosts() { local ns=$1; shift; mkdir -p "/etc/netns/$ns"; printf '%s\n' "$@" >"/etc/netns/$ns/hosts"; }
scenario_end() {
  postfix_cleanup
  for ns in "${SC_NS[@]}"; do rm -rf "/etc/netns/$ns"; done
  if [[ -n "$CAPTURE_PID" ]]; then kill -INT "$CAPTURE_PID" 2>/dev/null || true; wait "$CAPTURE_PID" 2>/dev/null || true; CAPTURE_PID=; fi
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; done
  SC_NS=()
}
bg() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" </dev/null >"$WORK/$name.log" 2>&1 & }
run() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 || true; }
logof() { cat "$WORK/$1.log"; }
wait_listen() { ( wait_port "$1" "$2" ) || { cat "$WORK/$3.log" >&2; die "$3 did not start listening on port $2"; }; }
no_offload() { ip -n "$1" link set "$2" gso_max_segs 1; }

# proxy_net TAG: namespaces $C (client), $P (proxy), $O (origin): C --c0/p0-- P --p1/o0-- O
proxy_net() {
  C=hsi-tn-$1-c; P=hsi-tn-$1-p; O=hsi-tn-$1-o
  ns_new "$C"; ns_new "$P"; ns_new "$O"
  veth_link "$C" c0 "$CIP/24" "$P" p0 "$PIP/24"
  veth_link "$P" p1 10.79.1.1/24 "$O" o0 "$OIP/24"
  ip -n "$C" route add 10.79.1.0/24 via "$PIP"   # only used by the "not a proxy" scenario
  in_ns "$P" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$O" route add default via 10.79.1.1
  no_offload "$C" c0; no_offload "$P" p0
}
# pair_net TAG: client $C and server $P (the STARTTLS scenarios).
pair_net() {
  C=hsi-tn-$1-c; P=hsi-tn-$1-s
  ns_new "$C"; ns_new "$P"
  veth_link "$C" c0 "$CIP/24" "$P" p0 "$PIP/24"
  no_offload "$C" c0; no_offload "$P" p0
}

# cap NAME [FILTER]: tcpdump on the client's interface into captures/NAME.pcap.
cap() { capture_start "$C" c0 "$CAPTURES/$1.pcap" "${2:-tcp}"; }
cap_done() { capture_stop "${2:-0.5}"; CAPTURE_PID=; WROTE+=("captures/$1.pcap"); }

# origin NAME PORT [S_SERVER ARGS...]: openssl s_server -www in $O on PORT with the
# www.example.test chain (unless other -cert arguments are given).
origin() {
  local name=$1 port=$2; shift 2
  local certs=(-cert "$CERTS/www.pem" -key "$CERTS/www.key" -cert_chain "$CERTS/test-intermediate.pem")
  [[ " $* " == *" -cert "* ]] && certs=()
  bg "$O" "$name" openssl s_server -accept "$port" -www "${certs[@]}" "$@"
  wait_listen "$O" "$port" "$name"
}

# ------------------------------------------------------------------ squid
# squid_start EXTRA_CONFIG: squid on $PIP:3128 in $P, no cache, names from its own hosts file.
squid_start() {
  local dir=$WORK/squid
  mkdir -p "$dir"
  printf '%s %s\n' "$OIP" "$SNI" "$OIP" "blocked.example.test" "$OIP" "other.example.test" >"$dir/hosts"
  cat >"$dir/squid.conf" <<CONF
http_port $PIP:3128${SQUID_PORT_OPTS:-}
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log
cache deny all
cache_mem 8 MB
coredump_dir $dir
hosts_file $dir/hosts
dns_nameservers 127.0.0.1
dns_timeout 2 seconds
connect_timeout 5 seconds
shutdown_lifetime 0 seconds
visible_hostname proxy.example.test
acl SSL_ports port 443 4443 4444 4445
acl CONNECT method CONNECT
acl blocked dstdomain blocked.example.test
$1
http_access deny CONNECT !SSL_ports
http_access deny blocked
http_access allow all
CONF
  chown -R proxy:proxy "$dir"
  bg "$P" squid squid -N -f "$dir/squid.conf"
  wait_listen "$P" 3128 squid
}
# curl through the proxy: curl_proxy NAME URL [CURL ARGS...] (client log NAME; never fails)
curl_proxy() {
  local name=$1 url=$2; shift 2
  ip netns exec "$C" curl -sS -v --max-time 12 --cacert "$CERTS/test-root.pem" "$@" "$url" >"$WORK/$name.log" 2>&1 || true
}
curl_said() { grep -m1 -E '^curl: \([0-9]+\)' "$WORK/$1.log" || grep -m1 -E '^\* SSL connection using' "$WORK/$1.log" | sed 's/^\* //' || true; }

# ------------------------------------------------------------------ checks (tshark)
# ports tshark would not decode as the protocol they carry here
TSHARK_DECODE=(-d tcp.port==8888,http)
tsh() { tshark -n "${TSHARK_DECODE[@]}" -r "$@" 2>"$WORK/tshark.err" || { grep -v 'Running as user' "$WORK/tshark.err" >&2; die "tshark failed: tshark -r $*"; }; }
fields() { local f=$1 flt=$2; shift 2; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -Y "$flt" -T fields "${a[@]}"; }
frame() {
  local n; n=$(fields "$1" "$2" frame.number | sed -n "${3:-1}p")
  [[ -n "$n" ]] || { tsh "$1" >&2; die "$(basename "$1"): no frame matches '$2'"; }
  echo "$n"
}
count() { fields "$1" "$2" frame.number | wc -l; }
require() { local c; c=$(count "$1" "$2"); (( c >= ${3:-1} )) || { tsh "$1" >&2; die "$(basename "$1"): expected >= ${3:-1} frames matching '$2', got $c"; }; }
forbid() { local c; c=$(count "$1" "$2"); (( c == 0 )) || { tsh "$1" >&2; die "$(basename "$1"): expected no frame matching '$2', got $c"; }; }
# grep_log NAME PATTERN: the client's log must say PATTERN.
said() { grep -qE "$2" "$WORK/$1.log" || { cat "$WORK/$1.log" >&2; die "$SCENARIO: the client's log does not say /$2/"; }; }
# sid FILE N: tshark's tcp.stream of the N-th connection (0-based; tshark's numbers have holes
# where a dissector such as SOCKS opens conversations of its own)
sid() { fields "$1" "tcp.flags.syn==1 && tcp.flags.ack==0" tcp.stream | awk '!seen[$0]++' | sed -n "$(( $2 + 1 ))p"; }
# streams FILE: number of TCP connections.
streams() { fields "$1" "tcp.flags.syn==1 && tcp.flags.ack==0" tcp.stream | sort -u | wc -l; }
# tls_version FILE STREAM: the negotiated version (supported_versions, else the ServerHello's).
tls_version() {
  local v; v=$(fields "$1" "tcp.stream==$2 && tls.handshake.type==2" tls.handshake.extensions.supported_version tls.handshake.version | head -1)
  v=${v%%[[:space:]]*}; echo $((v))
}

# ------------------------------------------------------------------ expectations
V_CURL=$(curl --version | awk 'NR==1{print $2}')
V_OPENSSL=$(openssl version | awk '{print $2}')
V_TCPDUMP=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')
V_SQUID=$(squid -v 2>/dev/null | awk 'NR==1{print $4}')
EXPECT_PY='
import json, sys
out, desc, gen, tools, opts = sys.argv[1:6]
conns = json.loads(sys.stdin.read())
doc = {"description": desc, "generator": gen, "tools": tools, "options": json.loads(opts), "connections": conns}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
'
# expect NAME DESCRIPTION TOOLS [OPTIONS_JSON] < CONNECTIONS_JSON
expect() {
  "$PY" -c "$EXPECT_PY" "$CAPTURES/$1.expect.json" "$2" "scripts/captures/tunnel.sh $SCENARIO" "$3" "${4:-[]}"
  WROTE+=("captures/$1.expect.json")
}
CA_OPTS='["--ca-file", "captures/certs/test-root.pem"]'

# proxied_json FILE STREAM CODE OUTCOME STAGE TUNNEL_JSON [EXTRA]: one record through the proxy.
proxied_json() {
  printf '{ "server": { "ip": "%s", "port": %s }, "client": { "ip": "%s" }, "outcome": "%s", "stage": "%s",
    "verdict": { "code": "%s" }, "tunnel": %s%s }' "$PIP" "${PPORT:-3128}" "$CIP" "$4" "$5" "$3" "$6" "${7:+, $7}"
}
# connect_tunnel FILE STREAM TARGET STATUS: the tunnel object of an HTTP CONNECT, frames from tshark.
connect_tunnel() {
  local req; req=$(frame "$1" "tcp.stream==$(sid "$1" "$2") && http.request.method==\"CONNECT\"")
  printf '{ "kind": "http-connect", "frame": %s, "target": "%s", "status": "%s" }' "$req" "$3" "$4"
}

# =======================================================================================
# HTTP CONNECT through squid

sc_proxy_connect_ok() {
  local f=$CAPTURES/proxy-connect-ok.pcap
  proxy_net cok
  origin origin 443
  squid_start ""
  cap proxy-connect-ok
  curl_proxy client "https://$SNI/" -x "http://$PIP:3128"
  cap_done proxy-connect-ok
  said client 'SSL connection using TLSv1.3'
  require "$f" "http.response.code==200"
  require "$f" "tls.handshake.type==1 && tls.handshake.extensions_server_name==\"$SNI\""
  expect proxy-connect-ok "curl $V_CURL -x http://$PIP:3128 https://$SNI/ through squid $V_SQUID to an openssl s_server origin: CONNECT $SNI:443, HTTP/1.1 200 Connection established, then a TLS 1.3 handshake that completes ($(curl_said client))" \
    "curl $V_CURL, squid $V_SQUID, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<<"[ $(proxied_json "$f" 0 tls.ok completed application_data "$(connect_tunnel "$f" 0 "$SNI:443" 200)" \
      "\"protocol\": \"tls\", \"tls\": { \"clientHello\": { \"serverName\": \"$SNI\" }, \"serverHello\": { \"version\": $(tls_version "$f" 0) } }") ]"
}

sc_proxy_auth_required() {
  local f=$CAPTURES/proxy-auth-required.pcap
  proxy_net auth
  origin origin 443
  printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASSWORD")" >"$WORK/passwd"
  chmod 644 "$WORK/passwd"
  squid_start "auth_param basic program /usr/lib/squid/basic_ncsa_auth $WORK/passwd
auth_param basic realm hsi test proxy
acl authenticated proxy_auth REQUIRED
http_access deny !authenticated"
  cap proxy-auth-required
  curl_proxy client "https://$SNI/" -x "http://$PIP:3128"
  curl_proxy client2 "https://$SNI/" -x "http://$PIP:3128" --proxy-user "$PROXY_USER:wrong-password"
  curl_proxy client3 "https://$SNI/" -x "http://$PIP:3128" --proxy-user "$PROXY_USER:$PROXY_PASSWORD"
  cap_done proxy-auth-required
  said client 'CONNECT tunnel failed, response 407'
  said client2 'CONNECT tunnel failed, response 407'
  said client3 'SSL connection using'
  (( $(streams "$f") == 3 )) || die "proxy-auth-required: expected 3 connections"
  require "$f" "http.response.code==407" 2
  expect proxy-auth-required "squid $V_SQUID with basic authentication (basic_ncsa_auth, realm \"hsi test proxy\"): (1) curl -x without credentials: 407 Proxy Authentication Required; (2) with a wrong password: 407 again, the request carried Proxy-Authorization; (3) with the right password: 200 and a TLS 1.3 handshake that completes. The passwords must never appear in hsi's output." \
    "curl $V_CURL, squid $V_SQUID, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(proxied_json "$f" 0 proxy.auth_required failed tunnel_request "$(connect_tunnel "$f" 0 "$SNI:443" 407)" '"protocol": "unknown", "closedBy": "client"'),
  $(proxied_json "$f" 1 proxy.auth_required failed tunnel_request "$(connect_tunnel "$f" 1 "$SNI:443" 407)"),
  $(proxied_json "$f" 2 tls.ok completed application_data "$(connect_tunnel "$f" 2 "$SNI:443" 200)" '"protocol": "tls"') ]
JSON
}

sc_proxy_denied() {
  local f=$CAPTURES/proxy-denied.pcap
  proxy_net denied
  origin origin 443
  origin origin2 8443
  squid_start ""
  cap proxy-denied
  curl_proxy client "https://blocked.example.test/" -x "http://$PIP:3128"
  curl_proxy client2 "https://$SNI:8443/" -x "http://$PIP:3128"
  cap_done proxy-denied
  said client 'CONNECT tunnel failed, response 403'
  said client2 'CONNECT tunnel failed, response 403'
  require "$f" "http.response.code==403" 2
  expect proxy-denied "squid $V_SQUID: (1) CONNECT blocked.example.test:443, denied by an http_access deny rule on its dstdomain: 403 Forbidden (ERR_ACCESS_DENIED); (2) CONNECT $SNI:8443, a port outside acl SSL_ports (http_access deny CONNECT !SSL_ports): 403" \
    "curl $V_CURL, squid $V_SQUID, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(proxied_json "$f" 0 proxy.denied failed tunnel_request "$(connect_tunnel "$f" 0 "blocked.example.test:443" 403)" '"protocol": "unknown", "verdict": { "code": "proxy.denied", "confidence": "certain" }'),
  $(proxied_json "$f" 1 proxy.denied failed tunnel_request "$(connect_tunnel "$f" 1 "$SNI:8443" 403)") ]
JSON
}

sc_proxy_upstream_failed() {
  local f=$CAPTURES/proxy-upstream-failed.pcap
  proxy_net upstream
  origin origin 443
  # 4443: allowed by SSL_ports, nothing listens (RST); 4444: the origin's firewall drops it (timeout)
  in_ns "$O" iptables -A INPUT -p tcp --dport 4444 -j DROP
  squid_start ""
  cap proxy-upstream-failed
  curl_proxy client "https://$SNI:4443/" -x "http://$PIP:3128"
  curl_proxy client2 "https://$SNI:4444/" -x "http://$PIP:3128"
  curl_proxy client3 "https://no-such-host.example.test/" -x "http://$PIP:3128"
  cap_done proxy-upstream-failed
  said client 'CONNECT tunnel failed, response 503'
  require "$f" "http.response.code==503" 2
  local c2; c2=$(fields "$f" "tcp.stream==1 && http.response.code" http.response.code | head -1)
  local c3; c3=$(fields "$f" "tcp.stream==2 && http.response.code" http.response.code | head -1)
  [[ -n "$c2" && -n "$c3" ]] || die "proxy-upstream-failed: squid did not answer every CONNECT"
  expect proxy-upstream-failed "squid $V_SQUID: (1) CONNECT $SNI:4443, where nothing listens on the origin: 503 (ERR_CONNECT_FAIL 111, connection refused); (2) CONNECT $SNI:4444, dropped by the origin's firewall: $c2 after squid's connect_timeout of 5 s; (3) CONNECT no-such-host.example.test:443, a name squid cannot resolve: $c3 (ERR_DNS_FAIL)" \
    "curl $V_CURL, squid $V_SQUID, iptables, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(proxied_json "$f" 0 proxy.upstream_failed failed tunnel_request "$(connect_tunnel "$f" 0 "$SNI:4443" 503)" '"protocol": "unknown", "verdict": { "code": "proxy.upstream_failed", "confidence": "certain" }'),
  $(proxied_json "$f" 1 proxy.upstream_failed failed tunnel_request "$(connect_tunnel "$f" 1 "$SNI:4444" "$c2")"),
  $(proxied_json "$f" 2 proxy.upstream_failed failed tunnel_request "$(connect_tunnel "$f" 2 "no-such-host.example.test:443" "$c3")") ]
JSON
}

sc_proxy_not_a_proxy() {
  local f=$CAPTURES/proxy-not-a-proxy.pcap
  proxy_net notproxy
  origin origin 443
  squid_start ""
  cap proxy-not-a-proxy
  # (1) TLS straight to the proxy port: an https:// URL pointing at squid
  ip netns exec "$C" curl -sS -v --max-time 8 --cacert "$CERTS/test-root.pem" --resolve "$SNI:3128:$PIP" "https://$SNI:3128/" >"$WORK/client.log" 2>&1 || true
  # (2) a CONNECT to a TLS server that is not a proxy: the origin's own port 443 as "proxy"
  curl_proxy client2 "https://$SNI/" -x "http://$OIP:443"
  cap_done proxy-not-a-proxy
  require "$f" "tcp.stream==0 && ip.src==$CIP && tcp.payload[0:3]==16:03:01"
  require "$f" "tcp.stream==0 && http.response.code==400"
  require "$f" "tcp.stream==1 && http.request.method==\"CONNECT\""
  forbid "$f" "tcp.stream==1 && ip.src==$OIP && tcp.len>0"
  expect proxy-not-a-proxy "(1) curl https://$SNI:3128/ resolved to squid $V_SQUID's address: a TLS ClientHello sent straight to the proxy port ($(curl_said client)); (2) curl -x http://$OIP:443, an openssl s_server TLS port used as an HTTP proxy: s_server closes the connection without a word on reading the CONNECT ($(curl_said client2))" \
    "curl $V_CURL, squid $V_SQUID, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ { "server": { "ip": "$PIP", "port": 3128 }, "client": { "ip": "$CIP" }, "protocol": "tls", "outcome": "failed",
    "verdict": { "code": "proxy.not_a_proxy" }, "tunnel": null },
  { "server": { "ip": "$OIP", "port": 443 }, "client": { "ip": "$CIP" }, "outcome": "failed", "stage": "tunnel_request",
    "closedBy": "server", "verdict": { "code": "proxy.not_a_proxy", "confidence": "likely" },
    "tunnel": $(connect_tunnel "$f" 1 "$SNI:443" null | sed 's/"status": "null"/"status": null/') } ]
JSON
}


# proxy_ca: a CA of the proxy's own (squid ssl_bump), made for the run: $WORK/proxy-ca.pem/.key
proxy_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/proxy-ca.key" -out "$WORK/proxy-ca.pem" -days 3650 \
    -subj "/O=Example Corp/OU=Web Filter/CN=Example Corp Squid Proxy CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
  chmod 644 "$WORK/proxy-ca.key" "$WORK/proxy-ca.pem"
}

sc_proxy_interception() {
  local f=$CAPTURES/proxy-interception.pcap
  proxy_net bump
  origin origin 443
  proxy_ca
  /usr/lib/squid/security_file_certgen -c -s "$WORK/ssl_db" -M 4MB >/dev/null
  chown -R proxy:proxy "$WORK/ssl_db"
  SQUID_PORT_OPTS=" ssl-bump tls-cert=$WORK/proxy-ca.pem tls-key=$WORK/proxy-ca.key generate-host-certificates=on dynamic_cert_mem_cache_size=4MB" squid_start "sslcrtd_program /usr/lib/squid/security_file_certgen -s $WORK/ssl_db -M 4MB
sslcrtd_children 2 startup=1 idle=1
tls_outgoing_options cafile=$CERTS/test-root.pem
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all"
  cap proxy-interception
  curl_proxy client "https://$SNI/" -x "http://$PIP:3128" --tls-max 1.2
  curl_proxy client2 "https://$SNI/" -x "http://$PIP:3128"
  cap_done proxy-interception
  said client 'unable to get local issuer certificate|self.signed certificate in certificate chain|unknown ca'
  said client2 'unable to get local issuer certificate|self.signed certificate in certificate chain|unknown ca'
  require "$f" "tcp.stream==0 && tls.handshake.type==11 && x509sat.uTF8String==\"Example Corp Squid Proxy CA\""
  local a1 a2
  a1=$(frame "$f" "tcp.stream==0 && tls.alert_message.level==2 && ip.src==$CIP")
  a2=$(frame "$f" "tcp.stream==1 && tls.alert_message.level==2 && ip.src==$CIP")
  expect proxy-interception "squid $V_SQUID with ssl_bump (peek, then bump) and a CA of its own (\"Example Corp Squid Proxy CA\", generate-host-certificates): curl -x http://$PIP:3128 https://$SNI/ gets a certificate for $SNI minted by squid, which the client (trusting only the test root) rejects with an unknown_ca alert: (1) with --tls-max 1.2, the certificate visible ($(curl_said client)); (2) with TLS 1.3, the certificate encrypted ($(curl_said client2))" \
    "curl $V_CURL, squid $V_SQUID (squid-openssl), OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(proxied_json "$f" 0 tls.cert_untrusted failed server_hello_done "$(connect_tunnel "$f" 0 "$SNI:443" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a1, \"closedBy\": \"client\", \"closeKind\": \"alert\"") ,
  $(proxied_json "$f" 1 tls.cert_rejected failed encrypted_handshake "$(connect_tunnel "$f" 1 "$SNI:443" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a2, \"closedBy\": \"client\", \"closeKind\": \"alert\"") ]
JSON
}

sc_proxy_tunnelled_failures() {
  local f=$CAPTURES/proxy-tunnelled-failures.pcap
  proxy_net tfail
  origin origin1 443 -tls1_2
  origin origin2 4443 -cert "$CERTS/www-expired.pem" -key "$CERTS/www-expired.key" -cert_chain "$CERTS/test-intermediate.pem"
  origin origin3 4444 -cert "$CERTS/other-host.pem" -key "$CERTS/other-host.key" -cert_chain "$CERTS/test-intermediate.pem"
  origin origin4 4445 -tls1_2 -cipher AES128-SHA
  squid_start ""
  cap proxy-tunnelled-failures
  curl_proxy client1 "https://$SNI/" -x "http://$PIP:3128" --tlsv1.3
  curl_proxy client2 "https://$SNI:4443/" -x "http://$PIP:3128" --tls-max 1.2
  # openssl s_client -proxy: checks the name during the handshake (curl does it after the handshake)
  ip netns exec "$C" timeout 10 openssl s_client -connect "$SNI:4444" -proxy "$PIP:3128" -servername "$SNI" -tls1_2 \
    -CAfile "$CERTS/test-root.pem" -verify_return_error -verify_hostname "$SNI" </dev/null >"$WORK/client3.log" 2>&1 || true
  curl_proxy client4 "https://$SNI:4445/" -x "http://$PIP:3128" --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
  cap_done proxy-tunnelled-failures
  (( $(streams "$f") == 4 )) || die "proxy-tunnelled-failures: expected 4 connections"
  require "$f" "http.response.code==200" 4
  local a1 a2 a3 a4
  a1=$(frame "$f" "tcp.stream==0 && tls.alert_message.desc==70")
  a2=$(frame "$f" "tcp.stream==1 && tls.alert_message.desc==45")
  a3=$(frame "$f" "tcp.stream==2 && tls.alert_message.level==2")
  a4=$(frame "$f" "tcp.stream==3 && tls.alert_message.desc==40")
  expect proxy-tunnelled-failures "Four TLS failures through squid $V_SQUID (CONNECT answered 200 each time, then the tunnelled handshake fails): (1) curl --tlsv1.3 to a TLS 1.2-only origin: protocol_version; (2) curl --tls-max 1.2 to an origin whose certificate expired in 2021: the client's certificate_expired; (3) openssl s_client -proxy $PIP:3128 -tls1_2 -verify_hostname $SNI to an origin whose certificate names only other.example.test: $(grep -m1 -o 'verify error:num=[0-9]*:[^:]*' "$WORK/client3.log"); (4) curl --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384 to an origin with only AES128-SHA: handshake_failure" \
    "curl $V_CURL, OpenSSL $V_OPENSSL s_client / s_server, squid $V_SQUID, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(proxied_json "$f" 0 tls.version_mismatch failed client_hello "$(connect_tunnel "$f" 0 "$SNI:443" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a1"),
  $(proxied_json "$f" 1 tls.cert_expired failed server_hello_done "$(connect_tunnel "$f" 1 "$SNI:4443" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a2"),
  $(proxied_json "$f" 2 tls.cert_hostname_mismatch failed server_hello_done "$(connect_tunnel "$f" 2 "$SNI:4444" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a3"),
  $(proxied_json "$f" 3 tls.cipher_mismatch failed client_hello "$(connect_tunnel "$f" 3 "$SNI:4445" 200)" "\"protocol\": \"tls\", \"cutFrame\": $a4") ]
JSON
}

# ------------------------------------------------------------------ tinyproxy
sc_proxy_tinyproxy() {
  local f=$CAPTURES/proxy-tinyproxy.pcap
  proxy_net tiny
  origin origin 443
  cat >"$WORK/tinyproxy.conf" <<CONF
User nobody
Group nogroup
Port 8888
Listen $PIP
Timeout 10
LogLevel Info
MaxClients 10
Allow $CIP
ConnectPort 443
ConnectPort 4443
CONF
  echo "$OIP $SNI" >>"$WORK/hosts.tiny"
  bg "$P" tinyproxy tinyproxy -d -c "$WORK/tinyproxy.conf"
  wait_listen "$P" 8888 tinyproxy
  cap proxy-tinyproxy
  # tinyproxy resolves names itself: ask for the origin by address
  curl_proxy client1 "https://$SNI/" -x "http://$PIP:8888" --connect-to "$SNI:443:$OIP:443"
  curl_proxy client2 "https://$OIP:8443/" -x "http://$PIP:8888"
  curl_proxy client3 "https://$OIP:4443/" -x "http://$PIP:8888"
  cap_done proxy-tinyproxy
  said client1 'SSL connection using'
  local s2 s3
  s2=$(fields "$f" "tcp.stream==1 && http.response.code" http.response.code | head -1)
  s3=$(fields "$f" "tcp.stream==2 && http.response.code" http.response.code | head -1)
  [[ -n "$s2" && -n "$s3" ]] || die "proxy-tinyproxy: tinyproxy did not answer"
  expect proxy-tinyproxy "tinyproxy $(tinyproxy -v 2>&1 | awk '{print $2}') with ConnectPort 443 and 4443: (1) CONNECT $OIP:443 (curl --connect-to) and a TLS 1.3 handshake that completes; (2) CONNECT $OIP:8443, a port outside ConnectPort: $s2; (3) CONNECT $OIP:4443 where nothing listens: $s3" \
    "curl $V_CURL, tinyproxy, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(PPORT=8888 proxied_json "$f" 0 tls.ok completed application_data "$(connect_tunnel "$f" 0 "$OIP:443" 200)" '"protocol": "tls"'),
  $(PPORT=8888 proxied_json "$f" 1 proxy.denied failed tunnel_request "$(connect_tunnel "$f" 1 "$OIP:8443" "$s2")"),
  $(PPORT=8888 proxied_json "$f" 2 proxy.upstream_failed failed tunnel_request "$(connect_tunnel "$f" 2 "$OIP:4443" "$s3")") ]
JSON
}


# ------------------------------------------------------------------ SOCKS: Dante, microsocks
# dante_start [RULES]: danted on $PIP:1080 in $P, no authentication; RULES go before the final pass.
dante_start() {
  cat >"$WORK/danted.conf" <<CONF
logoutput: stderr
internal: $PIP port = 1080
external: p1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: $CIP/32 to: 0.0.0.0/0 }
${1:-}
socks pass { from: $CIP/32 to: 0.0.0.0/0 }
CONF
  bg "$P" danted danted -f "$WORK/danted.conf" -N 1
  wait_listen "$P" 1080 danted
}
V_DANTE=$(danted -v 2>&1 | grep -o 'v[0-9.]*' | head -1)
# socks_tunnel FILE STREAM KIND TARGET STATUS: the expected tunnel object (frame of the request: the client's first payload after the greeting)
socks_tunnel() {
  local req; req=$(fields "$1" "tcp.stream==$(sid "$1" "$2") && ip.src==$CIP && tcp.len>0" frame.number | sed -n "${6:-1}p")
  printf '{ "kind": "%s", "frame": %s, "target": "%s", "status": "%s" }' "$3" "$req" "$4" "$5"
}

sc_socks_dante() {
  local f=$CAPTURES/socks-dante.pcap
  proxy_net dante
  origin origin 443
  # dante resolves names with the system resolver: ip netns exec gives the proxy namespace this hosts file
  ns_hosts "$P" "$OIP $SNI"
  dante_start "socks block { from: $CIP/32 to: 10.79.1.3/32 log: connect error }"
  cap socks-dante
  curl_proxy client1 "https://$SNI/" --socks5-hostname "$PIP:1080"
  # SOCKS4 carries an address (Dante refuses 4a host names): curl --connect-to gives it the origin's
  curl_proxy client2 "https://$SNI/" --socks4 "$PIP:1080" --connect-to "$SNI:443:$OIP:443"
  curl_proxy client3 "https://$OIP:4443/" --socks5 "$PIP:1080"
  curl_proxy client4 "https://10.79.1.3/" --socks5 "$PIP:1080"
  curl_proxy client5 "https://10.79.1.3/" --socks4 "$PIP:1080"
  curl_proxy client6 "https://no-such-host.example.test/" --socks5-hostname "$PIP:1080"
  cap_done socks-dante
  said client1 'SSL connection using'
  said client2 'SSL connection using'
  said client3 'SOCKS5 connection to .*\(5\)'
  said client4 'SOCKS5 connection to .*\(2\)'
  said client6 'SOCKS5 connection to .*\(4\)'
  (( $(streams "$f") == 6 )) || die "socks-dante: expected 6 connections"
  expect socks-dante "Dante $V_DANTE on $PIP:1080, no authentication, a socks block rule for 10.79.1.3: (1) curl --socks5-hostname: the request carries the name $SNI, which Dante resolves, and a TLS 1.3 handshake that completes; (2) the same with --socks4 (an address: --connect-to $SNI:443:$OIP:443); (3) SOCKS5 CONNECT $OIP:4443 where nothing listens: reply 0x05 ($(curl_said client3)); (4) SOCKS5 CONNECT 10.79.1.3:443, blocked by the rule: reply 0x02 ($(curl_said client4)); (5) SOCKS4 CONNECT 10.79.1.3:443: reply 0x5b ($(curl_said client5)); (6) SOCKS5 CONNECT no-such-host.example.test:443, a name Dante cannot resolve: reply 0x04 ($(curl_said client6))" \
    "curl $V_CURL, Dante $V_DANTE, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(PPORT=1080 proxied_json "$f" 0 tls.ok completed application_data "$(socks_tunnel "$f" 0 socks5 "$SNI:443" socks5:0x00 2)" '"protocol": "tls"'),
  $(PPORT=1080 proxied_json "$f" 1 tls.ok completed application_data "$(socks_tunnel "$f" 1 socks4 "$OIP:443" socks4:0x5a)" '"protocol": "tls"'),
  $(PPORT=1080 proxied_json "$f" 2 proxy.upstream_failed failed tunnel_request "$(socks_tunnel "$f" 2 socks5 "$OIP:4443" socks5:0x05 2)"),
  $(PPORT=1080 proxied_json "$f" 3 proxy.denied failed tunnel_request "$(socks_tunnel "$f" 3 socks5 "10.79.1.3:443" socks5:0x02 2)"),
  $(PPORT=1080 proxied_json "$f" 4 proxy.denied failed tunnel_request "$(socks_tunnel "$f" 4 socks4 "10.79.1.3:443" socks4:0x5b)"),
  $(PPORT=1080 proxied_json "$f" 5 proxy.upstream_failed failed tunnel_request "$(socks_tunnel "$f" 5 socks5 "no-such-host.example.test:443" socks5:0x04 2)") ]
JSON
}

sc_socks_auth() {
  local f=$CAPTURES/socks-auth.pcap
  proxy_net sauth
  origin origin 443
  bg "$P" microsocks microsocks -i "$PIP" -p 1080 -u "$PROXY_USER" -P "$PROXY_PASSWORD"
  wait_listen "$P" 1080 microsocks
  cap socks-auth
  curl_proxy client1 "https://$OIP/" --socks5 "$PIP:1080"
  curl_proxy client2 "https://$OIP/" --socks5 "$PIP:1080" --proxy-user "$PROXY_USER:wrong-password"
  curl_proxy client3 "https://$SNI/" --socks5 "$PIP:1080" --proxy-user "$PROXY_USER:$PROXY_PASSWORD" --connect-to "$SNI:443:$OIP:443"
  cap_done socks-auth
  said client3 'SSL connection using'
  (( $(streams "$f") == 3 )) || die "socks-auth: expected 3 connections"
  expect socks-auth "microsocks with username/password (RFC 1929) on $PIP:1080: (1) curl --socks5 without credentials offers only 'no authentication': method 0xff, no acceptable methods ($(curl_said client1)); (2) a wrong password: the authentication fails ($(curl_said client2)); (3) the right password, then a TLS 1.3 handshake that completes. The password must never appear in hsi's output." \
    "curl $V_CURL, microsocks, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(PPORT=1080 proxied_json "$f" 0 proxy.auth_required failed tunnel_request '{ "kind": "socks5", "status": "socks5-method:0xff", "target": null }'),
  $(PPORT=1080 proxied_json "$f" 1 proxy.auth_required failed tunnel_request '{ "kind": "socks5", "target": null }'),
  $(PPORT=1080 proxied_json "$f" 2 tls.ok completed application_data "$(socks_tunnel "$f" 2 socks5 "$OIP:443" socks5:0x00 3)" '"protocol": "tls"') ]
JSON
}


# ------------------------------------------------------------------ mail: postfix, dovecot
# A second server address in the STARTTLS scenarios, where TLS is not configured.
NOTLS_IP=10.79.0.3
# mail_net TAG: pair_net plus $NOTLS_IP on the server
mail_net() { pair_net "$1"; ip -n "$P" addr add "$NOTLS_IP/24" dev p0; }

# Postfix refuses a configuration directory that the default one does not list in
# alternate_config_directories: when Debian's postfix has no configuration of its own
# ("No configuration"), the script writes that one line and removes it at the end.
POSTFIX_MAIN_CREATED=
postfix_allow_config() {
  if [[ -e /etc/postfix/main.cf ]]; then
    grep -q "alternate_config_directories.*$1" /etc/postfix/main.cf || die "/etc/postfix/main.cf exists: add 'alternate_config_directories = $1' to it (or move it away) to let this script run its own postfix"
  else
    echo "alternate_config_directories = $1" >/etc/postfix/main.cf
    POSTFIX_MAIN_CREATED=1
  fi
}
postfix_cleanup() { [[ -n "$POSTFIX_MAIN_CREATED" ]] && rm -f /etc/postfix/main.cf; POSTFIX_MAIN_CREATED=; }

# postfix_start: postfix in $P: port 25 on $PIP with STARTTLS (www chain) and SASL AUTH
# through dovecot's auth socket; port 25 on $NOTLS_IP without TLS; port 587 on $PIP with
# the expired certificate.
postfix_start() {
  local d=$WORK/pf
  mkdir -p "$d/cf" "$d/spool" "$d/data"
  chown postfix "$d/data"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/www-chain.pem"
  cat "$CERTS/www-expired.pem" "$CERTS/test-intermediate.pem" >"$d/expired-chain.pem"
  cat >"$d/cf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.test
mydestination = mail.example.test
inet_interfaces = $PIP, $NOTLS_IP
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
smtpd_banner = \$myhostname ESMTP Postfix
maillog_file = /dev/stdout
smtpd_tls_security_level = may
smtpd_tls_cert_file = $d/www-chain.pem
smtpd_tls_key_file = $CERTS/www.key
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $WORK/dovecot/auth-postfix
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
CONF
  cat >"$d/cf/master.cf" <<CONF
$PIP:smtp inet n - n - - smtpd
$NOTLS_IP:smtp inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=no
$PIP:submission inet n - n - - smtpd -o smtpd_tls_cert_file=$d/expired-chain.pem -o smtpd_tls_key_file=$CERTS/www-expired.key
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CONF
  postfix_allow_config "$d/cf"
  in_ns "$P" postfix -c "$d/cf" check >/dev/null 2>&1 || true
  bg "$P" postfix postfix -c "$d/cf" start-fg
  wait_listen "$P" 25 postfix
}

# dovecot_start: IMAP (143) and POP3 (110) on $PIP with TLS and on $NOTLS_IP without,
# one user $PROXY_USER with $MAIL_PASSWORD, and an auth socket for postfix.
dovecot_start() {
  local d=$WORK/dovecot
  mkdir -p "$d/run" "$d/mail"
  chown dovecot:dovecot "$d"
  printf '%s:{PLAIN}%s\n' "$PROXY_USER" "$MAIL_PASSWORD" >"$d/users"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/www-chain.pem"
  cat >"$d/dovecot.conf" <<CONF
protocols = imap pop3
listen = $PIP, $NOTLS_IP
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
ssl = yes
ssl_cert = <$d/www-chain.pem
ssl_key = <$CERTS/www.key
local $NOTLS_IP {
  ssl = no
}
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/mail/%u
}
mail_location = maildir:$d/mail/%u
service auth {
  unix_listener $d/auth-postfix {
    mode = 0666
  }
}
CONF
  bg "$P" dovecot dovecot -F -c "$d/dovecot.conf"
  wait_listen "$P" 143 dovecot
}
V_POSTFIX=$(postconf -d mail_version 2>/dev/null | awk '{print $3}')
V_DOVECOT=$(dovecot --version 2>/dev/null | awk '{print $1}')
V_SWAKS=$(swaks --version 2>/dev/null | awk 'NR==1{print $3}')

# s_starttls NAME PROTO ADDR:PORT [ARGS...]: openssl s_client -starttls PROTO, verifying against the test root; stdin QUIT.
s_starttls() {
  local name=$1 proto=$2 addr=$3; shift 3
  printf '%s\r\n' "${S_QUIT:-QUIT}" | ip netns exec "$C" timeout 10 openssl s_client -starttls "$proto" -connect "$addr" -CAfile "$CERTS/test-root.pem" \
    -verify_return_error -verify_hostname "$SNI" -servername "$SNI" "$@" >"$WORK/$name.log" 2>&1 || true
}
ossl_error() { grep -o 'SSL routines:[^:]*:[^:]*\|verify error:num=[0-9]*:[^:]*\|didn.t find starttls[^,]*\|STARTTLS not supported\|[A-Za-z]* failed' "$WORK/$1.log" | head -1; }
# starttls_json FILE N PORT KIND STATUS CODE OUTCOME STAGE [EXTRA] [IP]: one record of the N-th connection
starttls_json() {
  local f=$1 n=$2 port=$3 kind=$4 status=$5 code=$6 outcome=$7 stage=$8 extra=${9:-} ip=${10:-$PIP}
  local st; st=$(sid "$f" "$n")
  printf '{ "server": { "ip": "%s", "port": %s }, "client": { "ip": "%s" }, "outcome": "%s", "stage": "%s",
    "verdict": { "code": "%s" }, "tunnel": { "kind": "%s", "status": %s }%s }' "$ip" "$port" "$CIP" "$outcome" "$stage" "$code" "$kind" "$status" "${extra:+, $extra}"
}

sc_starttls_smtp() {
  local f=$CAPTURES/starttls-smtp.pcap
  mail_net smtp
  dovecot_start
  postfix_start
  cap starttls-smtp
  # (1) STARTTLS, verified, TLS 1.3, then QUIT inside TLS
  s_starttls client1 smtp "$PIP:25"
  # (2) swaks with AUTH PLAIN and no --tls: the credentials go in plain text
  ip netns exec "$C" timeout 10 swaks --server "$PIP" --from "bob@example.test" --to "$PROXY_USER@mail.example.test" \
    --auth PLAIN --auth-user "$PROXY_USER" --auth-password "$MAIL_PASSWORD" --quit-after AUTH >"$WORK/client2.log" 2>&1 || true
  # (3) the server without TLS: s_client sends STARTTLS anyway
  s_starttls client3 smtp "$NOTLS_IP:25"
  # (4) the same server with swaks --tls: STARTTLS is not advertised
  ip netns exec "$C" timeout 10 swaks --server "$NOTLS_IP" --from "bob@example.test" --to "$PROXY_USER@mail.example.test" --tls \
    >"$WORK/client4.log" 2>&1 || true
  # (5) submission (587) with the expired certificate, verified
  s_starttls client5 smtp "$PIP:587" -tls1_2
  cap_done starttls-smtp
  said client1 'Verification: OK|Verify return code: 0'
  said client2 '235 2.7.0 Authentication successful'
  said client4 'STARTTLS'
  said client4 'STARTTLS'
  (( $(streams "$f") == 5 )) || die "starttls-smtp: expected 5 connections"
  local r3 a5
  r3=$(fields "$f" "tcp.stream==$(sid "$f" 2) && smtp.response.code" smtp.response.code | tail -2 | head -1)
  a5=$(frame "$f" "tcp.stream==$(sid "$f" 4) && tls.alert_message.desc==45")
  expect starttls-smtp "postfix $V_POSTFIX (SASL through dovecot $V_DOVECOT): (1) openssl s_client -starttls smtp, verified against the test root: TLS 1.3 after 220 2.0.0 Ready to start TLS; (2) swaks $V_SWAKS --auth PLAIN without --tls: the login goes in plain text before any STARTTLS ($(grep -m1 -o '235 2.7.0 .*' "$WORK/client2.log")); (3) s_client -starttls smtp to the listener without TLS: $(ossl_error client3), STARTTLS answered $r3; (4) swaks --tls to it: $(grep -m1 -o '\*\*\*.*' "$WORK/client4.log"); (5) s_client -tls1_2 to submission (587), whose certificate expired: the client's certificate_expired alert. The password must never appear in hsi's output." \
    "OpenSSL $V_OPENSSL s_client, swaks $V_SWAKS, postfix $V_POSTFIX, dovecot $V_DOVECOT, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 25 starttls-smtp '"220"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 25 starttls-smtp null starttls.not_requested failed tunnel_request '"protocol": "unknown"'),
  $(starttls_json "$f" 2 25 starttls-smtp "\"$r3\"" starttls.refused failed tunnel_request '"protocol": "tls", "verdict": { "code": "starttls.refused", "confidence": "certain" }' "$NOTLS_IP"),
  $(starttls_json "$f" 3 25 starttls-smtp null starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP"),
  $(starttls_json "$f" 4 587 starttls-smtp '"220"' tls.cert_expired failed server_hello_done "\"protocol\": \"tls\", \"cutFrame\": $a5") ]
JSON
}

sc_starttls_imap_pop3() {
  local f=$CAPTURES/starttls-imap-pop3.pcap
  mail_net imap
  dovecot_start
  wait_listen "$P" 110 dovecot
  cap starttls-imap-pop3
  S_QUIT='a9 LOGOUT' s_starttls client1 imap "$PIP:143"
  s_starttls client2 pop3 "$PIP:110"
  S_QUIT='a9 LOGOUT' s_starttls client3 imap "$NOTLS_IP:143"
  s_starttls client4 pop3 "$NOTLS_IP:110"
  cap_done starttls-imap-pop3
  said client1 'Verification: OK|Verify return code: 0'
  said client2 'Verification: OK|Verify return code: 0'
  (( $(streams "$f") == 4 )) || die "starttls-imap-pop3: expected 4 connections"
  expect starttls-imap-pop3 "dovecot $V_DOVECOT: (1) openssl s_client -starttls imap to the listener with TLS: TLS 1.3 after the tagged OK; (2) s_client -starttls pop3: STLS, +OK, TLS 1.3; (3) -starttls imap to the address where dovecot has ssl = no: $(ossl_error client3); (4) -starttls pop3 there: $(ossl_error client4)" \
    "OpenSSL $V_OPENSSL s_client, dovecot $V_DOVECOT, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 143 starttls-imap '"OK"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 110 starttls-pop3 '"+OK"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 2 143 starttls-imap '"BAD"' starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP"),
  $(starttls_json "$f" 3 110 starttls-pop3 '"-ERR"' starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP") ]
JSON
}


# ------------------------------------------------------------------ FTP: vsftpd
# vsftpd_start ADDR SSL NAME: vsftpd on ADDR:21 in $P, ssl_enable=SSL (the www chain).
vsftpd_start() {
  local addr=$1 ssl=$2 name=$3 d=$WORK/$3
  mkdir -p "$d/empty"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/www-chain.pem"
  cat >"$d/vsftpd.conf" <<CONF
listen=YES
listen_address=$addr
background=NO
anonymous_enable=NO
local_enable=YES
secure_chroot_dir=$d/empty
ssl_enable=$ssl
rsa_cert_file=$d/www-chain.pem
rsa_private_key_file=$CERTS/www.key
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
seccomp_sandbox=NO
vsftpd_log_file=$d/vsftpd.log
CONF
  bg "$P" "$name" vsftpd "$d/vsftpd.conf"
  for _ in $(seq 1 100); do in_ns "$P" ss -ltnH "src $addr:21" | grep -q . && return 0; sleep 0.05; done
  logof "$name" >&2; die "vsftpd did not start on $addr:21"
}

sc_starttls_ftp() {
  local f=$CAPTURES/starttls-ftp.pcap
  mail_net ftp
  vsftpd_start "$PIP" YES ftps
  vsftpd_start "$NOTLS_IP" NO ftp
  cap starttls-ftp
  s_starttls client1 ftp "$PIP:21"
  s_starttls client2 ftp "$NOTLS_IP:21"
  cap_done starttls-ftp
  said client1 'Verification: OK|Verify return code: 0'
  (( $(streams "$f") == 2 )) || die "starttls-ftp: expected 2 connections"
  local r2; r2=$(fields "$f" "tcp.stream==$(sid "$f" 1) && ftp.response.code" ftp.response.code | sed -n 2p)
  expect starttls-ftp "vsftpd $(vsftpd -v 0>&1 2>&1 | awk '{print $3}'): (1) openssl s_client -starttls ftp to a server with ssl_enable=YES: AUTH TLS, 234, TLS 1.3; (2) the same to a server with ssl_enable=NO: AUTH TLS answered $r2 ($(ossl_error client2))" \
    "OpenSSL $V_OPENSSL s_client, vsftpd, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 21 ftp-auth-tls '"234"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 21 ftp-auth-tls "\"$r2\"" starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP") ]
JSON
}

# ------------------------------------------------------------------ LDAP: slapd
# slapd_start ADDR TLS NAME: slapd on ldap://ADDR/ in $P with an empty database; TLS=yes adds the www chain.
slapd_start() {
  local addr=$1 tls=$2 name=$3 d=$WORK/$3
  mkdir -p "$d/db"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/www-chain.pem"
  cp "$CERTS/www.key" "$d/www.key"
  {
    echo "include /etc/ldap/schema/core.schema"
    echo "pidfile $d/slapd.pid"
    echo "modulepath /usr/lib/ldap"
    echo "moduleload back_mdb"
    if [[ $tls == yes ]]; then
      echo "TLSCertificateFile $d/www-chain.pem"
      echo "TLSCertificateKeyFile $d/www.key"
    fi
    echo "database mdb"
    echo "suffix dc=example,dc=test"
    echo "directory $d/db"
  } >"$d/slapd.conf"
  bg "$P" "$name" slapd -d 0 -f "$d/slapd.conf" -h "ldap://$addr/"
  for _ in $(seq 1 100); do in_ns "$P" ss -ltnH "src $addr:389" | grep -q . && return 0; sleep 0.05; done
  logof "$name" >&2; die "slapd did not start on $addr:389"
}

sc_starttls_ldap() {
  local f=$CAPTURES/starttls-ldap.pcap
  mail_net ldap
  slapd_start "$PIP" yes ldaps
  slapd_start "$NOTLS_IP" no ldap
  ns_hosts "$C" "$PIP $SNI"   # ldapsearch checks the certificate against the name it connects to
  cap starttls-ldap
  ip netns exec "$C" env LDAPTLS_CACERT="$CERTS/test-root.pem" timeout 10 ldapsearch -ZZ -x -H "ldap://$SNI" -b "" -s base namingContexts \
    >"$WORK/client1.log" 2>&1 || true
  ip netns exec "$C" env LDAPTLS_CACERT="$CERTS/test-root.pem" timeout 10 ldapsearch -ZZ -x -H "ldap://$NOTLS_IP" -b "" -s base namingContexts \
    >"$WORK/client2.log" 2>&1 || true
  cap_done starttls-ldap
  said client1 'result: 0 Success'
  said client2 'ldap_start_tls'
  local r2; r2=$(fields "$f" "tcp.stream==$(sid "$f" 1) && ldap.protocolOp==24" ldap.resultCode | head -1)
  expect starttls-ldap "slapd $(slapd -VV 2>&1 | grep -o 'slapd [0-9.]*' | head -1 | cut -d' ' -f2): (1) ldapsearch -ZZ to a server with a TLS certificate: StartTLS, success, TLS 1.3, the search inside TLS; (2) ldapsearch -ZZ to a server without TLS: the extended response carries resultCode $r2 ($(grep -m1 'ldap_start_tls' "$WORK/client2.log"))" \
    "ldapsearch (OpenLDAP), slapd, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 389 starttls-ldap '"0"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 389 starttls-ldap "\"$r2\"" starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP") ]
JSON
}


# ------------------------------------------------------------------ PostgreSQL, MariaDB
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
# pg_start ADDR SSL NAME: a PostgreSQL cluster of its own on ADDR:5432 in $P (trust auth), ssl = SSL.
pg_start() {
  local addr=$1 ssl=$2 name=$3 d=$WORK/$3
  mkdir -p "$d"
  chown postgres "$d"
  runuser -u postgres -- "$PGBIN/initdb" -D "$d/data" -A trust --no-sync >"$WORK/$name-initdb.log" 2>&1 || { logof "$name-initdb" >&2; die "initdb failed"; }
  echo "host all all 10.79.0.0/24 trust" >>"$d/data/pg_hba.conf"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/server.crt"
  install -o postgres -m 600 "$CERTS/www.key" "$d/server.key"
  chown postgres "$d/server.crt"
  ip netns exec "$P" runuser -u postgres -- "$PGBIN/postgres" -D "$d/data" -c listen_addresses="$addr" -c port=5432 \
    -c unix_socket_directories="$d" -c ssl="$ssl" -c ssl_cert_file="$d/server.crt" -c ssl_key_file="$d/server.key" \
    </dev/null >"$WORK/$name.log" 2>&1 &
  for _ in $(seq 1 200); do in_ns "$P" ss -ltnH "src $addr:5432" | grep -q . && return 0; sleep 0.05; done
  logof "$name" >&2; die "postgres did not start on $addr:5432"
}
psql_to() {  # psql_to NAME CONNINFO
  ip netns exec "$C" timeout 10 psql "$2" -c 'select 1' >"$WORK/$1.log" 2>&1 || true
}

sc_db_postgres() {
  local f=$CAPTURES/db-postgres.pcap
  mail_net pg
  pg_start "$PIP" on pg
  pg_start "$NOTLS_IP" off pgplain
  cap db-postgres
  psql_to client1 "host=$SNI hostaddr=$PIP dbname=postgres user=postgres sslmode=verify-full sslrootcert=$CERTS/test-root.pem"
  psql_to client2 "host=$NOTLS_IP dbname=postgres user=postgres sslmode=require"
  psql_to client3 "host=$PIP dbname=postgres user=postgres sslmode=disable"
  cap_done db-postgres
  said client1 '1 row'
  said client2 'SSL'
  said client3 '1 row'
  expect db-postgres "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'): (1) psql sslmode=verify-full to a server with ssl = on: SSLRequest, 'S', TLS 1.3, the query inside TLS; (2) psql sslmode=require to a server with ssl = off: 'N' ($(head -1 "$WORK/client2.log")); (3) psql sslmode=disable: a plain-text StartupMessage, no SSLRequest" \
    "psql, PostgreSQL, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 5432 postgres-ssl '"S"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 5432 postgres-ssl '"N"' starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP"),
  $(starttls_json "$f" 2 5432 postgres-ssl null starttls.not_requested failed tunnel_request '"protocol": "unknown"') ]
JSON
}

# mariadb_start ADDR SSL NAME: a MariaDB server of its own on ADDR:3306 in $P; SSL=yes with the www chain.
mariadb_start() {
  local addr=$1 ssl=$2 name=$3 d=$WORK/$3
  mkdir -p "$d"
  chown mysql "$d"
  mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" --auth-root-authentication-method=normal --skip-test-db >"$WORK/$name-install.log" 2>&1 \
    || { logof "$name-install" >&2; die "mariadb-install-db failed"; }
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/server.crt"
  install -o mysql -m 600 "$CERTS/www.key" "$d/server.key"
  echo "CREATE USER IF NOT EXISTS 'hsi'@'$CIP';" >"$d/init.sql"
  chown mysql "$d/init.sql"
  local tls=(--skip-ssl)
  [[ $ssl == yes ]] && tls=(--ssl-cert="$d/server.crt" --ssl-key="$d/server.key")
  bg "$P" "$name" mariadbd --no-defaults --user=mysql --datadir="$d/data" --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" \
    --bind-address="$addr" --port=3306 --skip-name-resolve --init-file="$d/init.sql" "${tls[@]}"
  for _ in $(seq 1 200); do in_ns "$P" ss -ltnH "src $addr:3306" | grep -q . && return 0; sleep 0.1; done
  logof "$name" >&2; die "mariadbd did not start on $addr:3306"
}
mariadb_to() {  # mariadb_to NAME ADDR [ARGS...]
  local name=$1 addr=$2; shift 2
  ip netns exec "$C" timeout 10 mariadb -h "$addr" -P 3306 -u "${MY_USER:-hsi}" "$@" -e 'select 1' >"$WORK/$name.log" 2>&1 || true
}

sc_db_mariadb() {
  local f=$CAPTURES/db-mariadb.pcap
  mail_net my
  mariadb_start "$PIP" yes my
  mariadb_start "$NOTLS_IP" no myplain
  cap db-mariadb
  mariadb_to client1 "$PIP" --ssl --ssl-ca="$CERTS/test-root.pem"
  mariadb_to client2 "$NOTLS_IP" --ssl --ssl-ca="$CERTS/test-root.pem"
  mariadb_to client3 "$PIP" --skip-ssl
  ip -n "$C" addr add 10.79.0.4/24 dev c0
  ip -n "$C" route add "$PIP/32" dev c0 src 10.79.0.4   # the mariadb client cannot choose its source address
  mariadb_to client4 "$PIP" --ssl --ssl-ca="$CERTS/test-root.pem"
  cap_done db-mariadb
  said client1 '^1$'
  said client3 '^1$'
  said client4 '1130'
  expect db-mariadb "MariaDB $(mariadbd --version | awk '{print $3}'): (1) mariadb --ssl to a server with ssl-cert/ssl-key: the greeting offers CLIENT_SSL, the client's SSLRequest, TLS 1.3 ($(head -1 "$WORK/client1.log")); (2) mariadb --ssl to a server started with --skip-ssl: no CLIENT_SSL in the greeting ($(head -1 "$WORK/client2.log")); (3) mariadb --skip-ssl: a plain-text login; (4) mariadb from another client address (10.79.0.4), which no account allows: the server greets with ERR 1130 ($(head -1 "$WORK/client4.log"))" \
    "mariadb client, MariaDB, tcpdump $V_TCPDUMP" "$CA_OPTS" <<JSON
[ $(starttls_json "$f" 0 3306 mysql-ssl '"ssl"' tls.ok completed application_data '"protocol": "tls"'),
  $(starttls_json "$f" 1 3306 mysql-ssl null starttls.refused failed tunnel_request '"protocol": "tls"' "$NOTLS_IP"),
  $(starttls_json "$f" 2 3306 mysql-ssl null starttls.not_requested failed tunnel_request '"protocol": "unknown"'),
  $(starttls_json "$f" 3 3306 mysql-ssl '"err:1130"' unknown.other failed tunnel_request '"protocol": "unknown", "client": { "ip": "10.79.0.4" }') ]
JSON
}

# =======================================================================================
ALL_SCENARIOS=(
  proxy-connect-ok proxy-auth-required proxy-denied proxy-upstream-failed proxy-not-a-proxy proxy-interception
  proxy-tunnelled-failures proxy-tinyproxy socks-dante socks-auth starttls-smtp starttls-imap-pop3
  starttls-ftp starttls-ldap db-postgres db-mariadb
)

main() {
  if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; return; fi
  if [[ "${1:-}" == --packages ]]; then echo "$TUNNEL_PACKAGES"; return; fi
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, captures)"
  need ip iptables tcpdump tshark openssl curl squid tinyproxy danted microsocks postfix swaks dovecot vsftpd slapd ldapsearch psql mariadbd mariadb mariadb-install-db "$PY"
  local list=("$@") sc
  (( ${#list[@]} )) || list=("${ALL_SCENARIOS[@]}")
  for sc in "${list[@]}"; do declare -F "sc_${sc//-/_}" >/dev/null || die "unknown scenario '$sc' (see --list)"; done
  [[ -s $CERTS/test-root.pem ]] || "$HERE/tls/pki.sh" "$CERTS" >/dev/null
  for sc in "${list[@]}"; do
    SCENARIO=$sc
    log "scenario $sc"
    "sc_${sc//-/_}"
    scenario_end
  done
  log "wrote:"
  printf '  %s\n' "${WROTE[@]}" >&2
}

main "$@"
