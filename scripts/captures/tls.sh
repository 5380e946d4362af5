#!/usr/bin/env bash
# Regenerates the TCP-level, TLS and certificate captures in captures/ (tcp-*, tls-*, cert-*,
# demo.*) with real clients and servers, each scenario in network namespaces of its own.
#
#   scripts/captures/tls.sh [scenario...]     (no argument: every scenario; run as root)
#   scripts/captures/tls.sh --list            (the scenario names)
#   scripts/captures/tls.sh --packages        (the Debian packages it needs)
#
# Each scenario writes captures/<name>.pcap (or .pcapng / .pcap.gz) and
# captures/<name>.expect.json, after checking with tshark that the capture really shows what
# its name claims (the alert, the RST, the retransmissions...): a scenario that did not
# happen as intended stops the script with an error instead of writing a wrong expectation.
# Frame numbers and negotiated parameters in the expectations are read back from the
# capture with tshark, never typed in.
#
# Debian 12 packages needed (TLS_PACKAGES below): iproute2 iptables procps tcpdump tshark
#   (with dumpcap, capinfos) openssl nginx-light (or nginx) curl gnutls-bin
#   openjdk-17-jdk-headless (java File.java needs the compiler) python3 gzip coreutils
#   openssh-server openssh-client (the demo's ssh connections), and Node.js >= 19 (the
#   project's own Node 20; Debian 12's nodejs 18 does not send no_application_protocol).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TLS_HELPERS=$HERE/tls
CERTS=$CAPTURES/certs
CERTS_REL=captures/certs
PY=/usr/bin/python3

CIP=10.77.0.1         # client address in the two-namespace scenarios
SIP=10.77.0.2         # server address
SNI=www.example.test
NS_PREFIX=hsi-ct
TLS_PACKAGES="iproute2 iptables procps tcpdump tshark openssl nginx-light curl gnutls-bin openjdk-17-jdk-headless python3 gzip coreutils openssh-server openssh-client"

# ---------------------------------------------------------------------------------------
# bookkeeping: namespaces and processes of the current scenario, files written
SC_NS=()
WROTE=()
CAPTURE_PID=
cleanup() {
  local rc=$?
  if [[ -n "$CAPTURE_PID" ]]; then kill -INT "$CAPTURE_PID" 2>/dev/null || true; fi
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; done
  rm -rf "$WORK"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_new() { ns_create "$1"; SC_NS+=("$1"); }
scenario_end() {
  if [[ -n "$CAPTURE_PID" ]]; then kill -INT "$CAPTURE_PID" 2>/dev/null || true; wait "$CAPTURE_PID" 2>/dev/null || true; CAPTURE_PID=; fi
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; done
  SC_NS=()
}

# no_offload NS IFACE: one TCP segment per frame on the wire (veth would otherwise hand
# 64 KB GSO super-packets to tcpdump), so frames look like those of a real NIC.
no_offload() { ip -n "$1" link set "$2" gso_max_segs 1; }

# net_pair TAG: namespaces $C (client, c0 = $CIP) and $S (server, s0 = $SIP) joined by a veth.
net_pair() {
  C=$NS_PREFIX-$1-c; S=$NS_PREFIX-$1-s
  ns_new "$C"; ns_new "$S"
  veth_link "$C" c0 "$CIP/24" "$S" s0 "$SIP/24"
  no_offload "$C" c0; no_offload "$S" s0
}

# short_syn_timeout NS: connections from NS give up after 3 SYNs (at 0, 1 and 3 s; ~7 s).
short_syn_timeout() {
  in_ns "$1" sysctl -qw net.ipv4.tcp_syn_retries=2
  # kernels >= 6.5 retransmit the first SYNs at 1 s intervals; keep the classic 1 s, 2 s backoff
  if [[ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]]; then in_ns "$1" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0; fi
}

# bg NS NAME CMD...: run CMD in NS in the background, output in $WORK/NAME.log.
bg() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" </dev/null >"$WORK/$name.log" 2>&1 & }
# run NS NAME CMD...: run CMD in NS in the foreground, output in $WORK/NAME.log; never fails.
run() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 || true; }
logof() { cat "$WORK/$1.log"; }
# wait_listen NS PORT NAME: wait_port, showing the log of the background job NAME if it fails.
wait_listen() { ( wait_port "$1" "$2" ) || { cat "$WORK/$3.log" >&2; die "$3 did not start listening on port $2"; }; }

# cap NS IFACE NAME [TCPDUMP_ARGS...]: start tcpdump into captures/NAME.pcap; the default
# arguments are the filter "tcp". Immediate mode: packets reach the file at once, none is
# left in the kernel buffer when the capture stops.
cap() {
  local ns=$1 iface=$2 name=$3; shift 3
  (( $# )) || set -- tcp
  capture_start "$ns" "$iface" "$CAPTURES/$name.pcap" --immediate-mode "$@"
}
# cap_done NAME [SECONDS]: stop the capture (after letting the last packets land).
cap_done() { capture_stop "${2:-0.5}"; CAPTURE_PID=; WROTE+=("captures/$1.pcap"); }

# ---------------------------------------------------------------------------------------
# servers and clients used by many scenarios
WWW_CERT=(-cert "$CERTS/www.pem" -key "$CERTS/www.key" -cert_chain "$CERTS/test-intermediate.pem")
HTTP_GET=$'GET / HTTP/1.0\r\nHost: '"$SNI"$'\r\n\r\n'

# s_server NS NAME ARGS...: openssl s_server on port $SPORT (443), waits until it listens.
SPORT=443
s_server() { local ns=$1 name=$2; shift 2; bg "$ns" "$name" openssl s_server -accept "$SPORT" "$@"; wait_listen "$ns" "${SPORT##*:}" "$name"; }
# a server answering HTTP GETs with the www.example.test chain
SRV_WWW=(-www "${WWW_CERT[@]}")
# s_client NS NAME ARGS...: openssl s_client to $SADDR ($SIP:443) with SNI $CLIENT_SNI
# (default $SNI), sends one GET and reads the answer until the server closes; killed after
# $CLIENT_TIMEOUT (10) seconds.
SADDR=$SIP:443
s_client() {
  local ns=$1 name=$2; shift 2
  printf '%s' "$HTTP_GET" | ip netns exec "$ns" timeout "${CLIENT_TIMEOUT:-10}" openssl s_client -connect "$SADDR" \
    -servername "${CLIENT_SNI:-$SNI}" -ign_eof "$@" >"$WORK/$name.log" 2>&1 || true
}
# gnutls_client NS NAME: gnutls-cli to $SIP:443 verifying against the test root and $SNI,
# one GET.
gnutls_client() {
  printf '%s' "$HTTP_GET" | ip netns exec "$1" timeout 10 gnutls-cli -p 443 --sni-hostname="$SNI" --verify-hostname="$SNI" \
    --x509cafile="$CERTS/test-root.pem" "$SIP" >"$WORK/$2.log" 2>&1 || true
}
# ok_exchange [S_CLIENT_ARGS...]: s_server with the www chain in $S, one verified GET from $C.
ok_exchange() { s_server "$S" server "${SRV_WWW[@]}"; s_client "$C" client "${VERIFY[@]}" "$@"; }
# ossl_capture NAME SERVER_ARGS... -- CLIENT_ARGS...: the common scenario shape: a namespace
# pair, s_server SERVER_ARGS in $S, tcpdump on the client side into captures/NAME.pcap,
# one s_client CLIENT_ARGS (log: client).
ossl_capture() {
  local name=$1 srv=(); shift
  while (( $# )) && [[ $1 != -- ]]; do srv+=("$1"); shift; done
  (( $# )) && shift
  net_pair "$name"
  s_server "$S" server "${srv[@]}"
  cap "$C" c0 "$name"
  s_client "$C" client "$@"
  cap_done "$name"
}
# peer_capture NAME MODE [PEER_ARGS...]: a namespace pair, the misbehaving server
# scripts/captures/tls/peers.py MODE on port 443 in $S, tcpdump on the client side into
# captures/NAME.pcap (the caller runs the client and cap_done).
peer_capture() {
  local name=$1 mode=$2; shift 2
  net_pair "$name"
  bg "$S" server "$PY" "$TLS_HELPERS/peers.py" "$mode" --port 443 "$@"
  wait_listen "$S" 443 server
  cap "$C" c0 "$name"
}
# ok_description NAME: what s_client said about the session, for the description.
ok_description() {
  local log=$WORK/${1:-client}.log
  grep -q '^New, ' "$log" || die "s_client did not complete its handshake: $(ossl_error "${1:-client}")"
  printf '%s %s' "$(grep -m1 -o 'Protocol *: .*' "$log" | sed 's/ *: /: /')" "$(grep -m1 -o 'Cipher *: .*' "$log" | sed 's/ *: /: /')"
}
# verify options of a client that checks the certificate against the test root
VERIFY=(-CAfile "$CERTS/test-root.pem" -verify_return_error -verify_hostname "$SNI")

# ossl_error NAME: the OpenSSL reason from a log ("SSL routines::tlsv1 alert protocol version").
ossl_error() { grep -o 'SSL routines:[^:]*:[^:]*' "$WORK/$1.log" | head -1 | sed 's/^SSL routines:[^:]*:/SSL routines::/'; }
# ossl_verify NAME: s_client's "verify error:num=..." line, if any.
ossl_verify() { grep -m1 -o 'verify error:num=[0-9]*:.*' "$WORK/$1.log" || true; }

# ---------------------------------------------------------------------------------------
# checks on the written capture (tshark)
tsh() {
  tshark -n -r "$@" 2>"$WORK/tshark.err" && return 0
  grep -v 'Running as user' "$WORK/tshark.err" >&2; die "tshark failed: tshark -r $*"
}
# fields FILE FILTER FIELD...: tab-separated fields of the matching frames.
fields() { local f=$1 flt=$2; shift 2; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -Y "$flt" -T fields "${a[@]}"; }
# frame FILE FILTER [N]: number of the N-th (default first) frame matching FILTER, or die.
frame() {
  local n; n=$(fields "$1" "$2" frame.number | sed -n "${3:-1}p")
  [[ -n "$n" ]] || die "$(basename "$1"): no frame matches '$2'"
  echo "$n"
}
count() { fields "$1" "$2" frame.number | wc -l; }
# require FILE FILTER [MIN]: at least MIN (default 1) frames match FILTER, or die.
require() {
  local c; c=$(count "$1" "$2")
  (( c >= ${3:-1} )) || { tsh "$1" >&2; die "$(basename "$1"): expected >= ${3:-1} frames matching '$2', got $c"; }
}
# forbid FILE FILTER: no frame matches FILTER, or die.
forbid() {
  local c; c=$(count "$1" "$2")
  (( c == 0 )) || { tsh "$1" >&2; die "$(basename "$1"): expected no frame matching '$2', got $c"; }
}
# close_frame FILE STREAM FROM_IP KIND: frame of the first FIN (KIND=fin) or RST (rst) sent by FROM_IP.
close_frame() {
  local flt; [[ $4 == fin ]] && flt="tcp.flags.fin==1" || flt="tcp.flags.reset==1"
  frame "$1" "tcp.stream==$2 && ip.src==$3 && $flt"
}
# encrypted_alert FILE STREAM FROM_IP: frame of the first 19-byte encrypted record (an
# alert under TLS 1.3 AEAD: 2 bytes, content type, 16-byte tag) sent by FROM_IP.
encrypted_alert() { frame "$1" "tcp.stream==$2 && ip.src==$3 && tls.record.opaque_type==23 && tls.record.length==19"; }
# streams FILE: number of TCP connections in the capture.
streams() { fields "$1" "tcp.flags.syn==1 && tcp.flags.ack==0" tcp.stream | sort -u | wc -l; }

# ---------------------------------------------------------------------------------------
# expectations
V_OPENSSL=$(openssl version | awk '{print $2}')
V_TCPDUMP=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')
V_NGINX=$(nginx -v 2>&1 | sed 's|.*nginx/||')
V_CURL=$(curl --version | awk 'NR==1{print $2}')
V_NODE=$(node --version)
V_JAVA=$(java -version 2>&1 | awk -F'"' 'NR==1{print $2}')
V_PY=$($PY -c 'import platform;print(platform.python_version())')
V_GNUTLS=$(gnutls-cli --version | awk 'NR==1{print $2}')
TOOLS_OSSL="OpenSSL $V_OPENSSL s_server / s_client, tcpdump $V_TCPDUMP"

# expect NAME DESCRIPTION TOOLS OPTIONS_JSON < CONNECTIONS_JSON: writes captures/NAME.expect.json.
EXPECT_PY='
import json, sys
out, desc, gen, tools, opts = sys.argv[1:6]
conns = json.loads(sys.stdin.read())
doc = {"description": desc, "generator": gen, "tools": tools, "options": json.loads(opts), "connections": conns}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
'
expect() {
  local name=$1 desc=$2 tools=$3 opts=$4
  "$PY" -c "$EXPECT_PY" "$CAPTURES/$name.expect.json" "$desc" "scripts/captures/tls.sh $SCENARIO" "$tools" "$opts"
  WROTE+=("captures/$name.expect.json")
}
CA_OPTS="[\"--ca-file\", \"$CERTS_REL/test-root.pem\"]"

# endpoints_json FILE STREAM: '"server": {...}, "client": {...}' of a connection to port 443,
# the addresses read from its first client packet (IPv4 or IPv6).
endpoints_json() {
  local src dst
  # empty fields are tabs, which read (IFS whitespace) skips
  IFS=$'\t' read -r src dst < <(fields "$1" "tcp.stream==$2 && tcp.dstport==443" ip.src ip.dst ipv6.src ipv6.dst | head -1)
  [[ -n "$src" && -n "$dst" ]] || die "$(basename "$1"): no client packet in stream $2"
  printf '"server": { "ip": "%s", "port": 443 }, "client": { "ip": "%s" }' "$dst" "$src"
}
# tls_ok_json FILE [STREAM]: the expected record of a completed TLS connection (with an HTTP
# exchange after it), the SNI, version and suite read from the capture; checks that
# application data went both ways after the handshake.
tls_ok_json() {
  local f=$1 stream=${2:-0} sni ver suite
  sni=$(fields "$f" "tcp.stream==$stream && tls.handshake.type==1" tls.handshake.extensions_server_name | head -1)
  ver=$(fields "$f" "tcp.stream==$stream && tls.handshake.type==2" tls.handshake.extensions.supported_version tls.handshake.version | head -1)
  suite=$(fields "$f" "tcp.stream==$stream && tls.handshake.type==2" tls.handshake.ciphersuite | tail -1)
  ver=${ver%%[[:space:]]*}; [[ -n "$ver" ]] || ver=$(fields "$f" "tcp.stream==$stream && tls.handshake.type==2" tls.handshake.version | tail -1)
  [[ -n "$suite" && -n "$ver" ]] || die "$(basename "$f"): no ServerHello in stream $stream"
  require "$f" "tcp.stream==$stream && (tls.record.content_type==23 || tls.record.opaque_type==23) && tcp.dstport==443"
  require "$f" "tcp.stream==$stream && (tls.record.content_type==23 || tls.record.opaque_type==23) && tcp.srcport==443"
  forbid "$f" "tcp.stream==$stream && tls.alert_message.level==2"
  printf '{ %s, "protocol": "tls", "outcome": "completed", "stage": "application_data",
    "tls": { "clientHello": { "serverName": %s }, "serverHello": { "version": %d, "cipherSuite": %d } },
    "verdict": { "code": "tls.ok" } }' \
    "$(endpoints_json "$f" "$stream")" "$( [[ -n "$sni" ]] && printf '"%s"' "$sni" || echo null)" "$((ver))" "$((suite))"
}

# =======================================================================================
# TCP-level scenarios

sc_tcp_refused() {
  local f=$CAPTURES/tcp-refused.pcap
  net_pair refused
  cap "$C" c0 tcp-refused
  run "$C" client curl -sS --max-time 5 --resolve "$SNI:443:$SIP" "https://$SNI/"
  cap_done tcp-refused
  require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==$CIP"
  local rst; rst=$(frame "$f" "tcp.flags.reset==1 && ip.src==$SIP")
  forbid "$f" "tcp.len>0"
  expect tcp-refused "curl https://$SNI/ to a server address where nothing listens on port 443: the SYN is answered by RST ($(logof client | head -1))" \
    "curl $V_CURL, tcpdump $V_TCPDUMP" '[]' \
    <<<"[ $(nopayload_json "$rst" server rst tcp.refused certain "\"firstFrame\": 1, \"lastFrame\": $rst,") ]"
}

sc_tcp_rejected_icmp() {
  local f=$CAPTURES/tcp-rejected-icmp.pcap
  net_pair rejicmp
  # iptables' default REJECT answers with ICMP port unreachable, not a TCP RST.
  in_ns "$S" iptables -A INPUT -p tcp --dport 443 -j REJECT
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 tcp-rejected-icmp 'tcp or icmp'
  run "$C" client curl -sS --max-time 5 --resolve "$SNI:443:$SIP" "https://$SNI/"
  cap_done tcp-rejected-icmp
  require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==$CIP"
  local icmp; icmp=$(frame "$f" "icmp.type==3 && icmp.code==3 && ip.src==$SIP")
  forbid "$f" "tcp.len>0 || tcp.flags.reset==1"
  expect tcp-rejected-icmp "curl https://$SNI/ to a server whose firewall rejects port 443 with iptables' default REJECT: the SYN is answered by an ICMP port unreachable, not a RST ($(logof client | head -1))" \
    "curl $V_CURL, iptables, tcpdump $V_TCPDUMP" '[]' \
    <<<"[ $(nopayload_json "$icmp" server rst tcp.refused certain '"firstFrame": 1,' | sed 's/"closeKind": "rst"/"closeKind": null/') ]"
}

sc_tcp_timeout() {
  local f=$CAPTURES/tcp-timeout.pcap
  net_pair timeout
  short_syn_timeout "$C"
  in_ns "$S" iptables -A INPUT -p tcp --dport 443 -j DROP
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 tcp-timeout
  run "$C" client curl -sS --connect-timeout 20 --resolve "$SNI:443:$SIP" "https://$SNI/"
  cap_done tcp-timeout 1
  local syns; syns=$(count "$f" "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==$CIP")
  (( syns == 3 )) || die "tcp-timeout: expected 3 SYNs (tcp_syn_retries=2), got $syns"
  forbid "$f" "ip.src==$SIP || !(tcp.flags.syn==1)"
  expect tcp-timeout "curl https://$SNI/ with net.ipv4.tcp_syn_retries=2 in the client's namespace; the server's firewall drops every packet to port 443 (iptables INPUT DROP): the SYN is sent 3 times and never answered, then the client gives up ($(logof client | head -1))" \
    "curl $V_CURL, iptables, tcpdump $V_TCPDUMP" '[]' \
    <<<"[ $(nopayload_json 3 - timeout tcp.timeout likely '"firstFrame": 1, "lastFrame": 3,') ]"
}

sc_tcp_reset() {
  local f=$CAPTURES/tcp-reset.pcap
  peer_capture tcp-reset reset-on-accept
  run "$C" client "$PY" "$TLS_HELPERS/peers.py" connect-then-wait "$SIP" 443 --delay 0.5
  cap_done tcp-reset
  local rst; rst=$(frame "$f" "tcp.flags.reset==1 && ip.src==$SIP")
  (( rst == 4 )) || die "tcp-reset: expected the server's RST as frame 4 (after the 3-way handshake), got $rst"
  forbid "$f" "tcp.len>0"
  expect tcp-reset "A server that accepts the TCP connection and closes it at once with SO_LINGER 0 (scripts/captures/tls/peers.py reset-on-accept); the client (python ssl) waits 0.5 s before its handshake, so the RST comes before any handshake byte ($(logof client | tail -1))" \
    "Python $V_PY, tcpdump $V_TCPDUMP" '[]' <<<"[ $(nopayload_json "$rst" server rst tcp.reset certain) ]"
}

sc_tcp_stalled() {
  local f=$CAPTURES/tcp-stalled.pcap
  net_pair stalled
  # the client gives up after ~3 s of retransmissions instead of ~15 min
  in_ns "$C" sysctl -qw net.ipv4.tcp_retries2=3
  # the server's firewall drops every client packet that carries payload (IPv4 + TCP headers
  # with timestamps are 52 bytes: pure ACKs pass, the ClientHello does not)
  in_ns "$S" iptables -A INPUT -p tcp --dport 443 -m length --length 100:65535 -j DROP
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 tcp-stalled
  s_client "$C" client -tls1_3
  cap_done tcp-stalled 1
  local hello; hello=$(frame "$f" "tls.handshake.type==1")
  require "$f" "tcp.analysis.retransmission && ip.src==$CIP && tcp.len>0" 3
  forbid "$f" "ip.src==$SIP && tcp.len>0"
  forbid "$f" "tcp.flags.reset==1 || tcp.flags.fin==1"
  local last; last=$(fields "$f" "ip.src==$CIP && tcp.len>0" frame.number | tail -1)
  expect tcp-stalled "openssl s_client -tls1_3 to s_server, but the server's firewall drops every client packet with payload (iptables -m length --length 100:65535 DROP): the TCP handshake completes, the ClientHello (frame $hello) is retransmitted and never acknowledged; net.ipv4.tcp_retries2=3 in the client's namespace makes the client give up after ~3 s without a FIN or RST ($(grep -m1 -io 'connection timed out\|errno=[0-9]*' "$WORK/client.log" || echo 'no error text'))" \
    "$TOOLS_OSSL, iptables" '[]' <<JSON
[ { "server": { "ip": "$SIP", "port": 443 }, "client": { "ip": "$CIP" }, "protocol": "tls",
    "outcome": "failed", "stage": "client_hello", "cutFrame": $last, "closeKind": "timeout",
    "verdict": { "code": "tcp.stalled", "confidence": "likely" } } ]
JSON
}

sc_tcp_midstream() {
  local f=$CAPTURES/tcp-midstream.pcap
  net_pair midstream
  # -rev: an echo server (answers each line reversed)
  s_server "$S" server -rev "${WWW_CERT[@]}"
  bg "$C" client "$PY" "$TLS_HELPERS/peers.py" tls-echo "$SIP" 443 --lines 14 --delay 0.4
  local pid=$!
  sleep 1.5
  cap "$C" c0 tcp-midstream
  sleep 2.5
  cap_done tcp-midstream 0
  wait "$pid" || die "tcp-midstream: the echo client failed: $(logof client)"
  forbid "$f" "tcp.flags.syn==1 || tcp.flags.fin==1 || tcp.flags.reset==1 || tls.handshake"
  require "$f" "(tls.record.content_type==23 || tls.record.opaque_type==23) && ip.src==$CIP" 3
  require "$f" "(tls.record.content_type==23 || tls.record.opaque_type==23) && ip.src==$SIP" 3
  local first; first=$(frame "$f" "tcp.len>0")
  [[ $(fields "$f" "frame.number==$first" ip.src) == "$CIP" ]] || die "tcp-midstream: the first payload is not the client's"
  expect tcp-midstream "A capture started in the middle of a TLS 1.3 connection and stopped before its end: a python ssl client sends a line every 0.4 s to openssl s_server -rev (which echoes it reversed); tcpdump starts 1.5 s after the handshake and stops 2.5 s later, so there is no SYN, no handshake and no close ($(logof client | head -1)). The client sends the first payload in the capture." \
    "$TOOLS_OSSL, Python $V_PY" '[]' <<JSON
[ { "server": { "ip": "$SIP", "port": 443 }, "client": { "ip": "$CIP" }, "protocol": "tls",
    "outcome": "incomplete", "verdict": { "code": "incomplete" } } ]
JSON
}

sc_tcp_no_payload() {
  local f=$CAPTURES/tcp-no-payload.pcap
  net_pair nopayload
  # nginx, not s_server: s_server answers an empty connection with a decode_error alert
  nginx_start "$S" nginx "  server {
    listen 443 ssl; server_name $SNI;
    ssl_certificate $WORK/nginx/www-chain.pem;
    location / { return 200 \"hello from nginx\\n\"; }
  }"
  cap "$C" c0 tcp-no-payload
  run "$C" client "$PY" "$TLS_HELPERS/peers.py" connect-close "$SIP" 443 --delay 0.2
  cap_done tcp-no-payload
  forbid "$f" "tcp.len>0 || tcp.flags.reset==1"
  local fin; fin=$(close_frame "$f" 0 "$CIP" fin)
  expect tcp-no-payload "A TCP connection to nginx (listen 443 ssl) that carries no payload: the client (a health-check style probe, scripts/captures/tls/peers.py connect-close) connects, waits 0.2 s and closes with a FIN; nginx closes too ($(logof client))" \
    "nginx $V_NGINX, Python $V_PY, tcpdump $V_TCPDUMP" '[]' <<JSON
[ { "server": { "ip": "$SIP", "port": 443 }, "client": { "ip": "$CIP" }, "protocol": "unknown",
    "cutFrame": $fin, "closedBy": "client", "closeKind": "fin",
    "verdict": { "code": "unknown.no_payload" } } ]
JSON
}

sc_tcp_other_protocol() {
  local f=$CAPTURES/tcp-other-protocol.pcap
  net_pair other
  nginx_start "$S" nginx "  server { listen 8080; location / { return 200 \"plain http on 8080\\n\"; } }" 8080
  cap "$C" c0 tcp-other-protocol
  run "$C" client curl -sS -i --max-time 5 "http://$SIP:8080/"
  cap_done tcp-other-protocol
  grep -q 'plain http on 8080' "$WORK/client.log" || die "tcp-other-protocol: curl failed: $(logof client)"
  require "$f" "http.request && tcp.dstport==8080"
  forbid "$f" "tls || ssh"
  expect tcp-other-protocol "Plain HTTP on port 8080 (curl http://$SIP:8080/ to nginx $V_NGINX), read with --any-port: a complete TCP connection whose payload is neither TLS nor SSH" \
    "curl $V_CURL, nginx $V_NGINX, tcpdump $V_TCPDUMP" '["--any-port"]' <<JSON
[ { "server": { "ip": "$SIP", "port": 8080 }, "client": { "ip": "$CIP" }, "protocol": "unknown",
    "verdict": { "code": "unknown.other" } } ]
JSON
}

# linktype FILE: the link-layer type of a classic pcap file (header offset 20), and its magic.
pcap_linktype() { od -An -tu4 -j20 -N4 "$1" | tr -d ' '; }
pcap_magic() { od -An -tx4 -N4 "$1" | tr -d ' '; }

# format_expect NAME FILE DESCRIPTION TOOLS [OPTIONS_JSON]: the exchange of ok_exchange was
# captured into FILE; write its expectation (one completed connection).
format_expect() {
  local name=$1 file=$2 desc=$3 tools=$4 opts=${5:-[]} json
  json=$(tls_ok_json "$file")
  expect "$name" "$desc ($(ok_description))" "$tools" "$opts" <<<"[ $json ]"
}

sc_tcp_any_sll2() {
  net_pair anysll2
  cap "$C" any tcp-any-sll2 tcp
  ok_exchange -tls1_3
  cap_done tcp-any-sll2
  [[ $(pcap_linktype "$CAPTURES/tcp-any-sll2.pcap") == 276 ]] || die "tcp-any-sll2: link type is not LINUX_SLL2 (276)"
  format_expect tcp-any-sll2 "$CAPTURES/tcp-any-sll2.pcap" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) captured with tcpdump -i any: link type LINUX_SLL2 (276)" "$TOOLS_OSSL"
}

sc_tcp_any_sll() {
  net_pair anysll
  cap "$C" any tcp-any-sll -y LINUX_SLL tcp
  ok_exchange -tls1_3
  cap_done tcp-any-sll
  [[ $(pcap_linktype "$CAPTURES/tcp-any-sll.pcap") == 113 ]] || die "tcp-any-sll: link type is not LINUX_SLL (113)"
  format_expect tcp-any-sll "$CAPTURES/tcp-any-sll.pcap" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) captured with tcpdump -i any -y LINUX_SLL: link type LINUX_SLL (113)" "$TOOLS_OSSL"
}

sc_tcp_ipv6() {
  C=$NS_PREFIX-ipv6-c; S=$NS_PREFIX-ipv6-s
  ns_new "$C"; ns_new "$S"
  local ns
  for ns in "$C" "$S"; do in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
  veth_link "$C" c0 fd77::1/64 "$S" s0 fd77::2/64
  no_offload "$C" c0; no_offload "$S" s0
  cap "$C" c0 tcp-ipv6 tcp
  SPORT='[::]:443' SADDR='[fd77::2]:443' ok_exchange -tls1_3
  cap_done tcp-ipv6
  require "$CAPTURES/tcp-ipv6.pcap" "ipv6.src==fd77::1 && tls.handshake.type==1"
  forbid "$CAPTURES/tcp-ipv6.pcap" "ip"
  format_expect tcp-ipv6 "$CAPTURES/tcp-ipv6.pcap" "TLS 1.3 handshake and one HTTP GET over IPv6 (ULA fd77::1 -> [fd77::2]:443, a veth pair), openssl s_client -> s_server -www" "$TOOLS_OSSL"
}

# dcap_start NS IFACE OUT FILTER: dumpcap (pcapng) in NS; sets CAPTURE_PID.
dcap_start() {
  local ns=$1 iface=$2 out=$3 filter=$4 errlog=$WORK/dumpcap.log
  rm -f "$out"
  ip netns exec "$ns" dumpcap -i "$iface" -f "$filter" -w "$out" >"$errlog" 2>&1 &
  CAPTURE_PID=$!
  for _ in $(seq 1 100); do grep -q '^Capturing on' "$errlog" 2>/dev/null && return 0; sleep 0.05; done
  cat "$errlog" >&2; die "dumpcap did not start"
}

sc_tcp_pcapng() {
  local f=$CAPTURES/tcp-pcapng.pcapng
  net_pair pcapng
  dcap_start "$C" c0 "$f" tcp
  ok_exchange -tls1_3
  capture_stop 1; CAPTURE_PID=; WROTE+=("captures/tcp-pcapng.pcapng")
  [[ $(pcap_magic "$f") == 0a0d0d0a ]] || die "tcp-pcapng: not a pcapng file"
  format_expect tcp-pcapng "$f" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) written by dumpcap as pcapng" \
    "OpenSSL $V_OPENSSL s_server / s_client, $(dumpcap --version 2>/dev/null | head -1 | sed 's/ (Git.*//')"
}

sc_tcp_nanosecond() {
  local f=$CAPTURES/tcp-nanosecond.pcap
  net_pair nano
  cap "$C" c0 tcp-nanosecond --time-stamp-precision=nano tcp
  ok_exchange -tls1_3
  cap_done tcp-nanosecond
  [[ $(pcap_magic "$f") == a1b23c4d ]] || die "tcp-nanosecond: not a nanosecond pcap (magic $(pcap_magic "$f"))"
  format_expect tcp-nanosecond "$f" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) written by tcpdump --time-stamp-precision=nano: nanosecond pcap (magic a1b23c4d)" "$TOOLS_OSSL"
}

sc_tcp_gzip() {
  local f=$CAPTURES/tcp-gzip.pcap
  net_pair gzip
  cap "$C" c0 tcp-gzip tcp
  ok_exchange -tls1_2
  capture_stop; CAPTURE_PID=
  gzip -n -9 -f "$f"
  WROTE+=("captures/tcp-gzip.pcap.gz")
  format_expect tcp-gzip "$f.gz" "TLS 1.2 handshake and one HTTP GET (openssl s_client -tls1_2 -> s_server -www), the tcpdump file compressed with gzip -9 (tcp-gzip.pcap.gz)" "$TOOLS_OSSL, gzip" "$CA_OPTS"
}

# vlan_scenario NAME TAG...: client and server joined through two halves of a user-space
# switch (scripts/captures/tls/vlan-switch.py) whose trunk link carries the given tags;
# tcpdump on the trunk records the tagged frames.
vlan_scenario() {
  local name=$1; shift
  local tags=("$@") W=$NS_PREFIX-$name-w ns ifc
  C=$NS_PREFIX-$name-c; S=$NS_PREFIX-$name-s
  ns_new "$C"; ns_new "$S"; ns_new "$W"
  for ns in "$C" "$S" "$W"; do in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
  ip link add c0 netns "$C" type veth peer name a0 netns "$W"
  ip link add s0 netns "$S" type veth peer name a1 netns "$W"
  ip link add t0 netns "$W" type veth peer name t1 netns "$W"
  # room for the tags: 1500-byte IP packets plus up to two 4-byte tags on the trunk
  ip -n "$W" link set t0 mtu 1600; ip -n "$W" link set t1 mtu 1600
  ip -n "$C" addr add "$CIP/24" dev c0; ip -n "$S" addr add "$SIP/24" dev s0
  no_offload "$C" c0; no_offload "$S" s0
  # the switch copies frames in user space: the endpoints must fill in their checksums
  in_ns "$C" "$PY" "$TLS_HELPERS/tx-csum-off.py" c0
  in_ns "$S" "$PY" "$TLS_HELPERS/tx-csum-off.py" s0
  for ifc in a0 a1 t0 t1; do ip -n "$W" link set "$ifc" up; done
  ip -n "$C" link set c0 up; ip -n "$S" link set s0 up
  bg "$W" switch0 "$PY" "$TLS_HELPERS/vlan-switch.py" a0 t0 "${tags[@]}"
  bg "$W" switch1 "$PY" "$TLS_HELPERS/vlan-switch.py" a1 t1 "${tags[@]}"
  sleep 0.3
  cap "$W" t0 "$name" -Q inout
  ok_exchange -tls1_3
  cap_done "$name"
}

sc_tcp_vlan() {
  local f=$CAPTURES/tcp-vlan.pcap
  vlan_scenario tcp-vlan 100
  forbid "$f" "!vlan"
  require "$f" "vlan.id==100 && tls.handshake.type==1"
  format_expect tcp-vlan "$f" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) captured on an 802.1Q trunk: every frame (ARP included) carries VLAN tag 100 (a user-space switch, scripts/captures/tls/vlan-switch.py, tags the frames on a veth trunk)" "$TOOLS_OSSL, Python $V_PY"
}

sc_tcp_qinq() {
  local f=$CAPTURES/tcp-qinq.pcap
  vlan_scenario tcp-qinq ad:200 100
  forbid "$f" "!(eth.type==0x88a8)"
  require "$f" "ieee8021ad.id==200 && vlan.id==100 && tls.handshake.type==1"
  format_expect tcp-qinq "$f" "TLS 1.3 handshake and one HTTP GET (openssl s_client -> s_server -www) captured on a QinQ trunk: an 802.1ad service tag (TPID 0x88a8, VLAN 200) outside an 802.1Q tag (VLAN 100) on every frame (user-space switch scripts/captures/tls/vlan-switch.py)" "$TOOLS_OSSL, Python $V_PY"
}

# =======================================================================================
# TLS scenarios

# alert_json FILE STREAM FROM DESC CODE [STAGE] [TLS_MEMBERS]: the expected record of a
# connection ended by the clear fatal alert DESC sent by FROM (client|server), found with
# tshark. TLS_MEMBERS: more members of the "tls" object ('"clientHello": {...}, ').
alert_json() {
  local f=$1 stream=$2 from=$3 desc=$4 code=$5 stage=${6:-} more=${7:-} dir fr
  [[ $from == server ]] && dir="tcp.srcport==443" || dir="tcp.dstport==443"
  fr=$(frame "$f" "tcp.stream==$stream && $dir && tls.alert_message.level==2 && tls.alert_message.desc==$desc")
  printf '{ %s, "protocol": "tls", "outcome": "failed", %s"cutFrame": %d,
    "closedBy": "%s", "closeKind": "alert",
    "tls": { %s"alerts": [ { "frame": %d, "from": "%s", "level": 2, "description": %d, "encrypted": false } ] },
    "verdict": { "code": "%s", "confidence": "certain" } }' \
    "$(endpoints_json "$f" "$stream")" "$( [[ -n "$stage" ]] && printf '"stage": "%s", ' "$stage")" "$fr" "$from" "$more" "$fr" "$from" "$desc" "$code"
}
# closed_json FILE STAGE CUT_FRAME CLOSED_BY CLOSE_KIND CODE [CONFIDENCE]: the expected record
# of the first connection, a TLS handshake cut without any alert.
closed_json() {
  printf '{ %s, "protocol": "tls", "outcome": "failed", "stage": "%s", "cutFrame": %d,
    "closedBy": "%s", "closeKind": "%s", "verdict": { "code": "%s"%s } }' \
    "$(endpoints_json "$1" 0)" "$2" "$3" "$4" "$5" "$6" "${7:+, \"confidence\": \"$7\"}"
}
# nopayload_json CUT_FRAME CLOSED_BY CLOSE_KIND CODE CONFIDENCE [MORE_MEMBERS]: the expected
# record of a connection $CIP -> $SIP:443 cut before any payload (CLOSED_BY "-": omitted).
nopayload_json() {
  printf '{ "server": { "ip": "%s", "port": 443 }, "client": { "ip": "%s" }, "protocol": "unknown", %s
    "outcome": "failed", "stage": "tcp_connect", "cutFrame": %d, %s"closeKind": "%s",
    "verdict": { "code": "%s", "confidence": "%s" } }' "$SIP" "$CIP" "${6:-}" "$1" \
    "$( [[ $2 != - ]] && printf '"closedBy": "%s", ' "$2")" "$3" "$4" "$5"
}
# cert_count FILE STREAM: how many certificates the server's (clear) Certificate message holds.
cert_count() { fields "$1" "tcp.stream==$2 && tls.handshake.type==11" tls.handshake.certificate_length | head -1 | tr ',' '\n' | grep -c .; }
# sni_of FILE STREAM: the SNI the client sent, as a JSON string or null.
sni_of() { local v; v=$(fields "$1" "tcp.stream==$2 && tls.handshake.type==1" tls.handshake.extensions_server_name | head -1); [[ -n "$v" ]] && printf '"%s"' "$v" || echo null; }

sc_tls_ok_13() {
  local f=$CAPTURES/tls-ok-13.pcap
  ossl_capture tls-ok-13 "${SRV_WWW[@]}" -- -tls1_3 "${VERIFY[@]}"
  format_expect tls-ok-13 "$f" "TLS 1.3 full handshake and one HTTP GET: openssl s_client -tls1_3 (verifying the chain against the test root and the host name) -> s_server -www with the www.example.test chain" "$TOOLS_OSSL" "$CA_OPTS"
}

sc_tls_ok_12() {
  local f=$CAPTURES/tls-ok-12.pcap
  ossl_capture tls-ok-12 "${SRV_WWW[@]}" -- -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 "${VERIFY[@]}"
  require "$f" "tls.handshake.type==11 && ip.src==$SIP"
  require "$f" "tls.handshake.type==12 && ip.src==$SIP"
  [[ $(cert_count "$f" 0) == 2 ]] || die "tls-ok-12: expected a 2-certificate chain"
  format_expect tls-ok-12 "$f" "TLS 1.2 full handshake with ECDHE-RSA (certificate chain leaf + intermediate visible) and one HTTP GET: openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256, verifying against the test root -> s_server -www" "$TOOLS_OSSL" "$CA_OPTS"
}

# nginx_start NS NAME SERVER_BLOCKS [PORT]: an nginx with its own prefix, config, pid and
# logs under $WORK/NAME, running in the foreground of a background job in NS; waits until
# PORT (443) listens.
nginx_start() {
  local ns=$1 name=$2 servers=$3 port=${4:-443} dir=$WORK/$2
  mkdir -p "$dir/tmp"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$dir/www-chain.pem"
  cat "$CERTS/www-expired.pem" "$CERTS/test-intermediate.pem" >"$dir/expired-chain.pem"
  cat >"$dir/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  default_type text/plain;
  ssl_certificate_key $CERTS/www.key;
$servers
}
CONF
  bg "$ns" "$name" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;'
  wait_listen "$ns" "$port" "$name"
}
# curl_https NS NAME URL_HOST [CURL_ARGS...]: curl -v https://URL_HOST/ resolved to $SIP.
curl_https() {
  local ns=$1 name=$2 host=$3; shift 3
  ip netns exec "$ns" curl -sS -v --max-time 10 --resolve "$host:443:$SIP" "$@" "https://$host/" >"$WORK/$name.log" 2>&1 || true
}
curl_said() { grep -m1 -E "^\* SSL connection using|^curl: \([0-9]+\)" "$WORK/$1.log" | sed 's/^\* //'; }

sc_tls_ok_nginx_curl() {
  local f=$CAPTURES/tls-ok-nginx-curl.pcap
  net_pair nginx
  nginx_start "$S" nginx "  server {
    listen 443 ssl; server_name $SNI;
    ssl_certificate $WORK/nginx/www-chain.pem;
    location / { return 200 \"hello from nginx\\n\"; }
  }"
  cap "$C" c0 tls-ok-nginx-curl
  curl_https "$C" client "$SNI" --cacert "$CERTS/test-root.pem"
  cap_done tls-ok-nginx-curl
  grep -q 'hello from nginx' "$WORK/client.log" || die "tls-ok-nginx-curl: curl failed: $(curl_said client)"
  local json; json=$(tls_ok_json "$f")
  expect tls-ok-nginx-curl "curl -v --cacert test-root.pem https://$SNI/ -> nginx $V_NGINX (listen 443 ssl, leaf + intermediate chain, default protocols): $(curl_said client)" \
    "curl $V_CURL, nginx $V_NGINX, tcpdump $V_TCPDUMP" "$CA_OPTS" <<<"[ $json ]"
}

sc_tls_ok_gnutls() {
  local f=$CAPTURES/tls-ok-gnutls.pcap
  net_pair gnutls
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 tls-ok-gnutls
  gnutls_client "$C" client
  cap_done tls-ok-gnutls
  local said; said=$(grep -m1 -E '^- Description: ' "$WORK/client.log" | sed 's/^- //') || die "tls-ok-gnutls: gnutls-cli failed: $(tail -3 "$WORK/client.log")"
  local json; json=$(tls_ok_json "$f")
  expect tls-ok-gnutls "gnutls-cli (verifying against the test root and the host name) -> openssl s_server -www, one HTTP GET: $said" \
    "gnutls-cli $(gnutls-cli --version | awk 'NR==1{print $2}'), OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" "$CA_OPTS" <<<"[ $json ]"
}

# resume_scenario NAME VERSION_FLAG: two s_client connections to one s_server, the second
# resuming the session the first saved (-sess_out / -sess_in).
resume_scenario() {
  local name=$1 flag=$2 f=$CAPTURES/$1.pcap
  net_pair "$name"
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 "$name"
  s_client "$C" client1 "$flag" "${VERIFY[@]}" -sess_out "$WORK/session.pem"
  s_client "$C" client2 "$flag" "${VERIFY[@]}" -sess_in "$WORK/session.pem"
  cap_done "$name"
  grep -q '^New, ' "$WORK/client1.log" || die "$name: first connection failed"
  grep -q '^Reused, ' "$WORK/client2.log" || die "$name: the second connection was not resumed"
  (( $(streams "$f") == 2 )) || die "$name: expected 2 connections"
}

sc_tls_resume_12() {
  local f=$CAPTURES/tls-resume-12.pcap
  resume_scenario tls-resume-12 -tls1_2
  require "$f" "tcp.stream==0 && tls.handshake.type==11"
  forbid "$f" "tcp.stream==1 && tls.handshake.type==11"
  require "$f" "tcp.stream==1 && tls.handshake.type==1 && tls.handshake.extension.type==35"
  local a b; a=$(tls_ok_json "$f" 0); b=$(tls_ok_json "$f" 1)
  expect tls-resume-12 "Two TLS 1.2 connections of openssl s_client to s_server -www: the first a full handshake saving its session (-sess_out), the second an abbreviated handshake resuming it with the session ticket (-sess_in; ServerHello, NewSessionTicket, ChangeCipherSpec, Finished, no Certificate): '$(grep -m1 '^Reused, ' "$WORK/client2.log")'" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $a, $b ]"
}

sc_tls_resume_13() {
  local f=$CAPTURES/tls-resume-13.pcap
  resume_scenario tls-resume-13 -tls1_3
  require "$f" "tcp.stream==1 && tls.handshake.type==1 && tls.handshake.extension.type==41"
  require "$f" "tcp.stream==1 && tls.handshake.type==2 && tls.handshake.extension.type==41"
  local a b; a=$(tls_ok_json "$f" 0); b=$(tls_ok_json "$f" 1)
  expect tls-resume-13 "Two TLS 1.3 connections of openssl s_client to s_server -www: the first a full handshake saving the session ticket it received (-sess_out), the second resuming with it (-sess_in): pre_shared_key in both the ClientHello and the ServerHello, no certificate: '$(grep -m1 '^Reused, ' "$WORK/client2.log")'" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $a, $b ]"
}

HRR_RANDOM=cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c
sc_tls_hrr() {
  local f=$CAPTURES/tls-hrr.pcap
  ossl_capture tls-hrr "${SRV_WWW[@]}" -groups X25519 -- -tls1_3 -groups P-256:X25519 "${VERIFY[@]}"
  ok_description >/dev/null
  local hrr; hrr=$(frame "$f" "tls.handshake.type==2 && tls.handshake.random==$HRR_RANDOM")
  (( $(count "$f" "tls.handshake.type==1") == 2 )) || die "tls-hrr: expected two ClientHellos"
  local json; json=$(tls_ok_json "$f")
  expect tls-hrr "TLS 1.3 with a HelloRetryRequest (frame $hrr): s_server -groups X25519, s_client -tls1_3 -groups P-256:X25519 sends only a P-256 key share first; the server asks for X25519, the second ClientHello has it and the handshake completes ($(ok_description))" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $json ]"
}

sc_tls_version_mismatch() {
  local f=$CAPTURES/tls-version-mismatch.pcap
  ossl_capture tls-version-mismatch "${SRV_WWW[@]}" -tls1_3 -- -tls1_2
  local json; json=$(alert_json "$f" 0 server 70 tls.version_mismatch client_hello)
  expect tls-version-mismatch "openssl s_client -tls1_2 against s_server -tls1_3: no common version, the server answers the ClientHello with a protocol_version alert (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_version_mismatch_old_server() {
  local f=$CAPTURES/tls-version-mismatch-old-server.pcap
  ossl_capture tls-version-mismatch-old-server "${SRV_WWW[@]}" -tls1_2 -- -tls1_3
  local json; json=$(alert_json "$f" 0 server 70 tls.version_mismatch client_hello)
  expect tls-version-mismatch-old-server "openssl s_client -tls1_3 (supported_versions offers only TLS 1.3) against a TLS 1.2-only s_server -tls1_2: the server answers the ClientHello with a protocol_version alert (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_version_mismatch_internal_error() {
  local f=$CAPTURES/tls-version-mismatch-internal-error.pcap
  # the client needs SECLEVEL=0 to send TLS 1.1 at all; the server keeps OpenSSL 3's defaults
  ossl_capture tls-version-mismatch-internal-error "${SRV_WWW[@]}" -- -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
  local json; json=$(alert_json "$f" 0 server 80 tls.version_mismatch client_hello)
  json=${json/\"confidence\": \"certain\"/\"confidence\": \"likely\"}
  expect tls-version-mismatch-internal-error "openssl s_client -tls1_1 (with SECLEVEL=0, so that it sends TLS 1.1 at all) against s_server with OpenSSL 3's defaults (security level 1: TLS 1.0 and 1.1 off): the server answers the ClientHello with internal_error, not protocol_version (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_cipher_mismatch() {
  local f=$CAPTURES/tls-cipher-mismatch.pcap
  net_pair cmis
  s_server "$S" server "${SRV_WWW[@]}" -cipher AES256-SHA -no_tls1_3
  cap "$C" c0 tls-cipher-mismatch
  s_client "$C" client1 -tls1_2 -cipher AES256-SHA "${VERIFY[@]}"
  s_client "$C" client2 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  cap_done tls-cipher-mismatch
  ok_description client1 >/dev/null
  local a b; a=$(tls_ok_json "$f" 0); b=$(alert_json "$f" 1 server 40 tls.cipher_mismatch client_hello)
  expect tls-cipher-mismatch "TLS 1.2 server allowing only AES256-SHA (s_server -cipher AES256-SHA -no_tls1_3). First a client that offers AES256-SHA and completes ($(ok_description client1)); then s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256: no suite in common, the server answers the ClientHello with handshake_failure (client: $(ossl_error client2))" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $a, $b ]"
}

sc_tls_group_mismatch() {
  local f=$CAPTURES/tls-group-mismatch.pcap
  ossl_capture tls-group-mismatch "${SRV_WWW[@]}" -groups P-384 -- -tls1_3 -groups X25519
  local json; json=$(alert_json "$f" 0 server 40 tls.group_mismatch client_hello)
  expect tls-group-mismatch "TLS 1.3: s_server -groups P-384 against s_client -tls1_3 -groups X25519 (supported_groups and key_share both only x25519): no group in common, so no HelloRetryRequest is possible; the server answers with handshake_failure (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_sni_rejected() {
  local f=$CAPTURES/tls-sni-rejected.pcap
  CLIENT_SNI=bad.example.test ossl_capture tls-sni-rejected "${SRV_WWW[@]}" \
    -servername "$SNI" -cert2 "$CERTS/www.pem" -key2 "$CERTS/www.key" -servername_fatal --
  [[ $(sni_of "$f" 0) == '"bad.example.test"' ]] || die "tls-sni-rejected: SNI not sent"
  local json; json=$(alert_json "$f" 0 server 112 tls.sni_rejected client_hello '"clientHello": { "serverName": "bad.example.test" }, ')
  expect tls-sni-rejected "s_server -servername $SNI -servername_fatal (serves only that name) against s_client -servername bad.example.test: the server answers the ClientHello with a fatal unrecognized_name alert (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_sni_missing() {
  local f=$CAPTURES/tls-sni-missing.pcap
  net_pair snimissing
  # The usual nginx set-up against scanners: a default server that refuses any handshake
  # whose SNI names no configured server (ssl_reject_handshake, nginx >= 1.19.4).
  nginx_start "$S" nginx "  server { listen 443 ssl default_server; ssl_reject_handshake on; }
  server {
    listen 443 ssl; server_name $SNI;
    ssl_certificate $WORK/nginx/www-chain.pem;
    location / { return 200 \"hello from nginx\\n\"; }
  }"
  cap "$C" c0 tls-sni-missing
  # By address: curl sends no SNI for an IP literal.
  ip netns exec "$C" curl -sS -v --max-time 10 -k "https://$SIP/" >"$WORK/client.log" 2>&1 || true
  cap_done tls-sni-missing
  forbid "$f" "tls.handshake.extensions_server_name"
  local json; json=$(alert_json "$f" 0 server 112 tls.sni_rejected client_hello '"clientHello": { "serverName": null }, ')
  expect tls-sni-missing "curl -k https://$SIP/ (an IP address: no SNI) to nginx $V_NGINX whose default server has ssl_reject_handshake on: the ClientHello without a server name is refused with unrecognized_name ($(curl_said client))" \
    "curl $V_CURL, nginx $V_NGINX, tcpdump $V_TCPDUMP" '[]' <<<"[ $json ]"
}

sc_tls_alpn_mismatch() {
  local f=$CAPTURES/tls-alpn-mismatch.pcap
  net_pair alpn
  bg "$S" server node "$TLS_HELPERS/alpn.mjs" server "$CERTS/www.pem" "$CERTS/www.key" h2
  wait_listen "$S" 443 server
  cap "$C" c0 tls-alpn-mismatch
  run "$C" client node "$TLS_HELPERS/alpn.mjs" client "$SIP" "$SNI" http/1.1
  cap_done tls-alpn-mismatch
  require "$f" "tls.handshake.type==1 && tls.handshake.extensions_alpn_str==\"http/1.1\""
  local json; json=$(alert_json "$f" 0 server 120 tls.alpn_mismatch client_hello '"clientHello": { "alpn": [ "http/1.1" ] }, ')
  expect tls-alpn-mismatch "A Node.js TLS server with ALPNProtocols ['h2'] against a Node.js client offering only http/1.1 (scripts/captures/tls/alpn.mjs): the server answers the ClientHello with no_application_protocol ($(logof client | head -1))" \
    "Node.js $V_NODE, tcpdump $V_TCPDUMP" '[]' <<<"[ $json ]"
}

sc_tls_client_cert_required_12() {
  local f=$CAPTURES/tls-client-cert-required-12.pcap
  ossl_capture tls-client-cert-required-12 "${SRV_WWW[@]}" -Verify 1 -CAfile "$CERTS/test-root.pem" -- -tls1_2 "${VERIFY[@]}"
  require "$f" "ip.src==$SIP && tls.handshake.type==13"
  require "$f" "ip.src==$CIP && tls.handshake.type==11 && tls.handshake.certificates_length==0"
  local json; json=$(alert_json "$f" 0 server 40 tls.client_cert_required)
  expect tls-client-cert-required-12 "TLS 1.2: s_server -Verify 1 (a client certificate is required) sends a CertificateRequest; openssl s_client has no certificate and answers with an empty Certificate message; the server ends with a handshake_failure alert (client: $(ossl_error client))" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $json ]"
}


sc_tls_client_cert_required_13() {
  local f=$CAPTURES/tls-client-cert-required-13.pcap
  ossl_capture tls-client-cert-required-13 "${SRV_WWW[@]}" -Verify 1 -CAfile "$CERTS/test-root.pem" -- -tls1_3 "${VERIFY[@]}"
  grep -q 'alert certificate required' "$WORK/client.log" || die "tls-client-cert-required-13: the client did not get certificate_required: $(ossl_error client)"
  local al; al=$(encrypted_alert "$f" 0 "$SIP")
  expect tls-client-cert-required-13 "TLS 1.3: s_server -Verify 1 asks for a client certificate (in its encrypted flight); openssl s_client has none, sends an empty Certificate and its Finished, then its HTTP GET; the server answers with an encrypted alert (frame $al, 19 bytes: certificate_required, as the client reports: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<JSON
[ { $(endpoints_json "$f" 0), "protocol": "tls", "outcome": "failed", "cutFrame": $al, "closedBy": "server", "closeKind": "alert",
    "tls": { "alerts": [ { "frame": $al, "from": "server", "encrypted": true } ] },
    "verdict": { "code": "tls.client_cert_required" } } ]
JSON
}


sc_tls_server_closed() {
  local f=$CAPTURES/tls-server-closed.pcap
  peer_capture tls-server-closed close-after-hello
  run "$C" client java "$TLS_HELPERS/TlsProbe.java" "$SIP" 443 "$SNI"
  cap_done tls-server-closed
  grep -q 'Remote host terminated the handshake' "$WORK/client.log" || die "tls-server-closed: unexpected Java outcome: $(logof client)"
  require "$f" "ip.src==$CIP && tls.handshake.type==1"
  forbid "$f" "ip.src==$SIP && tcp.len>0"
  local fin after=''; fin=$(close_frame "$f" 0 "$SIP" fin)
  # Java answers the server's FIN with a handshake_failure alert of its own (to a socket
  # that is gone, hence the server's RST): the server's close comes first
  forbid "$f" "tls.alert_message && frame.number<$fin"
  local jal; jal=$(fields "$f" "ip.src==$CIP && tls.alert_message" frame.number tls.alert_message.desc | head -1)
  [[ -n "$jal" ]] && after=" After the server's FIN (frame $fin) Java still sends a fatal alert $(cut -f2 <<<"$jal") (frame $(cut -f1 <<<"$jal")) into the closed connection, which the server's kernel answers with a RST."
  expect tls-server-closed "A Java 17 client (scripts/captures/tls/TlsProbe.java, SSLSocket with default settings) against a server that reads the ClientHello and closes the connection without a word (scripts/captures/tls/peers.py close-after-hello). The client reports: $(head -1 "$WORK/client.log" | sed 's/^java: //').$after" \
    "Java $V_JAVA, Python $V_PY, tcpdump $V_TCPDUMP" '[]' <<<"[ $(closed_json "$f" client_hello "$fin" server fin tls.server_closed) ]"
}

sc_tls_server_reset() {
  local f=$CAPTURES/tls-server-reset.pcap
  peer_capture tls-server-reset reset-after-hello
  s_client "$C" client
  cap_done tls-server-reset
  require "$f" "ip.src==$CIP && tls.handshake.type==1"
  forbid "$f" "ip.src==$SIP && tcp.len>0"
  local rst; rst=$(close_frame "$f" 0 "$SIP" rst)
  expect tls-server-reset "openssl s_client against a server that reads the ClientHello and resets the connection (SO_LINGER 0 close, scripts/captures/tls/peers.py reset-after-hello); the client reports: $(grep -m1 -o 'errno=[0-9]*\|Connection reset by peer' "$WORK/client.log" || ossl_error client)" \
    "$TOOLS_OSSL, Python $V_PY" '[]' <<<"[ $(closed_json "$f" client_hello "$rst" server rst tls.server_closed) ]"
}

sc_tls_client_closed() {
  local f=$CAPTURES/tls-client-closed.pcap
  peer_capture tls-client-closed slow-tls --delay 1.5 --cert "$CERTS/www.pem" --key "$CERTS/www.key"
  run "$C" client "$PY" "$TLS_HELPERS/peers.py" hello-then-close "$SIP" 443
  sleep 2
  cap_done tls-client-closed
  local hello fin; hello=$(frame "$f" "ip.src==$CIP && tls.handshake.type==1")
  fin=$(close_frame "$f" 0 "$CIP" fin)
  (( fin == hello + 1 || fin == hello + 2 )) || die "tls-client-closed: the client's FIN does not follow its ClientHello"
  forbid "$f" "tls.alert_message"
  local first_srv; first_srv=$(frame "$f" "ip.src==$SIP && tcp.len>0")
  (( first_srv > fin )) || die "tls-client-closed: the server answered before the client closed"
  expect tls-client-closed "A client (python ssl via a memory BIO, scripts/captures/tls/peers.py hello-then-close) sends a ClientHello and closes at once (FIN) without an alert; the server (python ssl, slow-tls) only answers 1.5 s later, after the FIN, and the client's kernel resets. The client said: $(logof client | head -1)" \
    "Python $V_PY ($($PY -c 'import ssl;print(ssl.OPENSSL_VERSION)')), tcpdump $V_TCPDUMP" '[]' <<<"[ $(closed_json "$f" client_hello "$fin" client fin tls.client_closed) ]"
}

sc_tls_no_response() {
  local f=$CAPTURES/tls-no-response.pcap
  peer_capture tls-no-response silent
  run "$C" client curl -sS --max-time 3 --resolve "$SNI:443:$SIP" "https://$SNI/"
  cap_done tls-no-response
  local hello; hello=$(frame "$f" "ip.src==$CIP && tls.handshake.type==1")
  require "$f" "ip.src==$SIP && tcp.ack>1 && tcp.len==0 && frame.number>$hello"
  forbid "$f" "ip.src==$SIP && tcp.len>0"
  local fin; fin=$(close_frame "$f" 0 "$CIP" fin)
  expect tls-no-response "curl --max-time 3 https://$SNI/ against a server that accepts and reads but never answers (scripts/captures/tls/peers.py silent): the ClientHello (frame $hello) is acknowledged, nothing comes back, and curl gives up after 3 s with a FIN ($(logof client | head -1))" \
    "curl $V_CURL, Python $V_PY, tcpdump $V_TCPDUMP" '[]' <<<"[ $(closed_json "$f" client_hello "$fin" client fin tls.no_response likely) ]"
}

sc_tls_not_tls_http_to_tls() {
  local f=$CAPTURES/tls-not-tls-http-to-tls.pcap
  net_pair http2tls
  nginx_start "$S" nginx "  server {
    listen 443 ssl; server_name $SNI;
    ssl_certificate $WORK/nginx/www-chain.pem;
    location / { return 200 \"hello from nginx\\n\"; }
  }"
  cap "$C" c0 tls-not-tls-http-to-tls
  run "$C" client curl -sS -i --max-time 5 --resolve "$SNI:443:$SIP" "http://$SNI:443/"
  cap_done tls-not-tls-http-to-tls
  require "$f" "ip.src==$CIP && http.request.method==\"GET\""
  require "$f" "ip.src==$SIP && http.response.code==400"
  forbid "$f" "tls"
  expect tls-not-tls-http-to-tls "Plain HTTP to a TLS port: curl http://$SNI:443/ to nginx $V_NGINX listening with ssl on 443; nginx answers in plain HTTP '$(grep -m1 -o '<title>.*</title>' "$WORK/client.log" | sed 's/<[^>]*>//g')' and closes" \
    "curl $V_CURL, nginx $V_NGINX, tcpdump $V_TCPDUMP" '[]' <<JSON
[ { $(endpoints_json "$f" 0), "outcome": "failed", "verdict": { "code": "tls.not_tls" } } ]
JSON
}

sc_tls_not_tls_tls_to_http() {
  local f=$CAPTURES/tls-not-tls-tls-to-http.pcap
  net_pair tls2http
  nginx_start "$S" nginx "  server {
    listen 443; server_name $SNI;
    location / { return 200 \"hello from plain nginx\\n\"; }
  }"
  cap "$C" c0 tls-not-tls-tls-to-http
  curl_https "$C" client "$SNI"
  cap_done tls-not-tls-tls-to-http
  require "$f" "ip.src==$CIP && tls.handshake.type==1"
  require "$f" "ip.src==$SIP && http.response.code==400"
  expect tls-not-tls-tls-to-http "A TLS client to a plain HTTP port: curl https://$SNI/ to nginx $V_NGINX listening on 443 without ssl; nginx answers the ClientHello with a plain HTTP 400 Bad Request and closes ($(curl_said client))" \
    "curl $V_CURL, nginx $V_NGINX, tcpdump $V_TCPDUMP" '[]' <<JSON
[ { $(endpoints_json "$f" 0), "outcome": "failed", "stage": "client_hello", "verdict": { "code": "tls.not_tls" } } ]
JSON
}

sc_tls_protocol_error() {
  local f=$CAPTURES/tls-protocol-error.pcap
  net_pair proterr
  s_server "$S" server "${SRV_WWW[@]}"
  cap "$C" c0 tls-protocol-error
  run "$C" client "$PY" "$TLS_HELPERS/peers.py" malformed-hello "$SIP" 443
  cap_done tls-protocol-error
  local json; json=$(alert_json "$f" 0 server 50 tls.protocol_error client_hello)
  expect tls-protocol-error "A malformed ClientHello (made by OpenSSL through python ssl, then the supported_groups list length set 2 bytes beyond its extension: scripts/captures/tls/peers.py malformed-hello) sent to openssl s_server, which answers with decode_error ($(logof client | head -1); server: $(grep -o 'SSL routines:[^:]*:[^:]*' "$WORK/server.log" | head -1 | sed 's/^SSL routines:[^:]*:/SSL routines::/'))" \
    "$TOOLS_OSSL, Python $V_PY" '[]' <<<"[ $json ]"
}

sc_tls_alert_other() {
  local f=$CAPTURES/tls-alert-other.pcap
  ossl_capture tls-alert-other -www -nocert -psk 00112233445566778899aabbccddeeff -cipher PSK-AES128-GCM-SHA256 -no_tls1_3 \
    -- -tls1_2 -psk ffeeddccbbaa99887766554433221100 -cipher PSK-AES128-GCM-SHA256
  local desc; desc=$(fields "$f" "ip.src==$SIP && tls.alert_message.level==2" tls.alert_message.desc | head -1)
  [[ "$desc" == 20 || "$desc" == 51 ]] || die "tls-alert-other: expected bad_record_mac or decrypt_error from the server, got '$desc'"
  local json; json=$(alert_json "$f" 0 server "$desc" tls.alert)
  expect tls-alert-other "TLS 1.2 pre-shared-key mismatch: s_server -psk K1 -nocert and s_client -psk K2 with PSK-AES128-GCM-SHA256: the server cannot decrypt the client's Finished and ends with a fatal $( [[ $desc == 20 ]] && echo bad_record_mac || echo decrypt_error) alert (client: $(ossl_error client))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_split_clienthello() {
  local f=$CAPTURES/tls-split-clienthello.pcap
  net_pair split
  # the server advertises MSS 120: the client's ClientHello leaves in several segments
  ip -n "$S" route change 10.77.0.0/24 dev s0 advmss 120
  cap "$C" c0 tls-split-clienthello
  ok_exchange -tls1_3
  cap_done tls-split-clienthello
  local parts; parts=$(count "$f" "ip.src==$CIP && tcp.len>0 && tcp.seq<$(fields "$f" "tls.handshake.type==1" tcp.seq | head -1)+1000 && frame.number<=$(frame "$f" "tls.handshake.type==1")")
  (( parts >= 2 )) || die "tls-split-clienthello: the ClientHello was not split ($parts segments)"
  format_expect tls-split-clienthello "$f" "TLS 1.3 handshake whose ClientHello is spread over $parts TCP segments: the server's route has advmss 120, so its SYN-ACK advertises MSS 120 (openssl s_client -> s_server -www)" "$TOOLS_OSSL" "$CA_OPTS"
}

# a weak but completed handshake, for the security findings: TLS 1.0, an anonymous CBC
# suite (no certificate, no server authentication), no encrypt_then_mac, and no extended
# master secret (both sides run with an OpenSSL configuration that turns it off)
sc_tls_weak_ok() {
  local f=$CAPTURES/tls-weak-ok.pcap
  printf '%s\n' 'openssl_conf = hsi_conf' '[hsi_conf]' 'ssl_conf = hsi_ssl' '[hsi_ssl]' 'system_default = hsi_sys' \
    '[hsi_sys]' 'Options = -ExtendedMasterSecret' >"$WORK/no-ems.cnf"
  OPENSSL_CONF=$WORK/no-ems.cnf ossl_capture tls-weak-ok -www -nocert -tls1 -cipher 'AECDH-AES128-SHA:@SECLEVEL=0' -no_etm \
    -- -tls1 -cipher 'AECDH-AES128-SHA:AES128-SHA:@SECLEVEL=0'
  require "$f" "ip.src==$SIP && tls.handshake.type==2 && tls.handshake.version==0x0301 && tls.handshake.ciphersuite==0xc018"
  forbid "$f" "tls.handshake.type==2 && (tls.handshake.extension.type==23 || tls.handshake.extension.type==22)"
  forbid "$f" "tls.handshake.type==11"
  local json; json=$(tls_ok_json "$f")
  expect tls-weak-ok "A completed but weak handshake: openssl s_client -tls1 -cipher 'AECDH-AES128-SHA:AES128-SHA:@SECLEVEL=0' -> s_server -nocert -tls1 -cipher 'AECDH-AES128-SHA:@SECLEVEL=0' -no_etm, both with an OpenSSL configuration setting 'Options = -ExtendedMasterSecret': TLS 1.0, TLS_ECDH_anon_WITH_AES_128_CBC_SHA (anonymous: no certificate), CBC without encrypt_then_mac, no extended master secret ($(ok_description))" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}

sc_tls_mtu_blackhole() {
  local f=$CAPTURES/tls-mtu-blackhole.pcap
  local CIP=10.77.1.1 SIP=10.77.2.1 SADDR=10.77.2.1:443
  C=$NS_PREFIX-mtu-c; S=$NS_PREFIX-mtu-s; local R=$NS_PREFIX-mtu-r
  ns_new "$C"; ns_new "$S"; ns_new "$R"
  veth_link "$C" c0 "$CIP/24" "$R" r0 10.77.1.254/24
  veth_link "$R" r1 10.77.2.254/24 "$S" s0 "$SIP/24"
  no_offload "$C" c0; no_offload "$R" r0; no_offload "$R" r1; no_offload "$S" s0
  ip -n "$C" route add default via 10.77.1.254
  ip -n "$S" route add default via 10.77.2.254
  in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
  # the path's "small MTU" link, without any ICMP: forwarded packets over 1000 bytes vanish
  in_ns "$R" iptables -A FORWARD -m length --length 1001:65535 -j DROP
  s_server "$S" server "${SRV_WWW[@]}" -no_tls1_3
  cap "$S" s0 tls-mtu-blackhole
  CLIENT_TIMEOUT=6 s_client "$C" client -tls1_2
  cap_done tls-mtu-blackhole
  local hello; hello=$(frame "$f" "ip.src==$CIP && tls.handshake.type==1")
  require "$f" "ip.src==$SIP && frame.len>1000 && tcp.analysis.retransmission" 3
  forbid "$f" "ip.src==$CIP && tcp.len>0 && frame.number>$hello"
  local big; big=$(frame "$f" "ip.src==$SIP && frame.len>1000")
  expect tls-mtu-blackhole "Path-MTU black hole, captured at the server: client - router - server namespaces, all links MTU 1500, but the router silently drops forwarded packets over 1000 bytes (iptables FORWARD -m length --length 1001:65535 DROP, no ICMP). openssl s_client -tls1_2 -> s_server with the www chain: the server's full-size segments of its ServerHello/Certificate flight (from frame $big) are retransmitted and never acknowledged, small packets pass; the client gives up after 6 s (timeout) with a FIN" \
    "$TOOLS_OSSL, iptables" "$CA_OPTS" <<JSON
[ { "server": { "ip": "$SIP", "port": 443 }, "client": { "ip": "$CIP" }, "protocol": "tls", "outcome": "failed",
    "verdict": { "code": "tls.mtu_blackhole" } } ]
JSON
}

# =======================================================================================
# certificate scenarios: TLS 1.2 (the chain is visible) unless noted; the client verifies
# against the test root (captures/certs/test-root.pem) and the name www.example.test.


# cert_args PEM_BASENAME [CHAIN_PEM_BASENAME]: CERT_ARGS = s_server arguments answering GETs
# with that certificate (and chain file).
cert_args() {
  CERT_ARGS=(-www -cert "$CERTS/$1.pem" -key "$CERTS/$1.key")
  if [[ -n "${2:-}" ]]; then CERT_ARGS+=(-cert_chain "$CERTS/$2.pem"); fi
}
# verifying clients: each writes $WORK/client.log and leaves one line in CLIENT_SAID
client_verify() {
  case $1 in
    s_client) s_client "$C" client -tls1_2 "${VERIFY[@]}"
              CLIENT_SAID="openssl s_client -verify_return_error -verify_hostname $SNI -CAfile test-root.pem: $(ossl_verify client); $(ossl_error client)";;
    curl)     curl_https "$C" client "$SNI" --cacert "$CERTS/test-root.pem"
              CLIENT_SAID="curl --cacert test-root.pem: $(curl_said client)";;
    gnutls)   gnutls_client "$C" client
              CLIENT_SAID="gnutls-cli --x509cafile test-root.pem: $(grep -m1 -E 'The certificate is NOT trusted|Status:' "$WORK/client.log" | sed 's/^- //') $(grep -m1 -E '^\*\*\* ' "$WORK/client.log")";;
  esac
}
TOOLS_CERT() { case $1 in s_client) echo "$TOOLS_OSSL";; curl) echo "curl $V_CURL, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP";;
  gnutls) echo "gnutls-cli $V_GNUTLS, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP";; esac; }

# cert_rejected NAME CLIENT LEAF CHAIN CODE WHAT: a verifying CLIENT rejects the TLS 1.2 chain
# LEAF (+ CHAIN) with a clear alert after the server's flight.
cert_rejected() {
  local name=$1 client=$2 leaf=$3 chain=$4 code=$5 what=$6 f=$CAPTURES/$1.pcap
  net_pair "$name"
  cert_args "$leaf" "$chain"
  s_server "$S" server "${CERT_ARGS[@]}" -no_tls1_3
  cap "$C" c0 "$name"
  client_verify "$client"
  cap_done "$name"
  require "$f" "ip.src==$SIP && tls.handshake.type==14"
  local n; n=$(cert_count "$f" 0)
  local desc; desc=$(fields "$f" "ip.src==$CIP && tls.alert_message.level==2" tls.alert_message.desc | head -1)
  [[ -n "$desc" ]] || { tsh "$f" >&2; die "$name: the client sent no clear fatal alert ($CLIENT_SAID)"; }
  local json; json=$(alert_json "$f" 0 client "$desc" "$code" server_hello_done)
  expect "$name" "$what. The server (openssl s_server -no_tls1_3) sends $n certificate(s); the client rejects them with a fatal alert $desc ($(alert_name "$desc")). $CLIENT_SAID" \
    "$(TOOLS_CERT "$client")" "$CA_OPTS" <<<"[ $json ]"
}
alert_name() { case $1 in 40) echo handshake_failure;; 42) echo bad_certificate;; 43) echo unsupported_certificate;;
  44) echo certificate_revoked;; 45) echo certificate_expired;; 46) echo certificate_unknown;; 48) echo unknown_ca;;
  *) echo "alert $1";; esac; }

sc_cert_ok_chain() {
  local f=$CAPTURES/cert-ok-chain.pcap
  cert_args www test-intermediate
  ossl_capture cert-ok-chain "${CERT_ARGS[@]}" -no_tls1_3 -- -tls1_2 "${VERIFY[@]}"
  grep -q 'Verify return code: 0 (ok)' "$WORK/client.log" || die "cert-ok-chain: the client did not verify the chain: $(ossl_verify client)"
  [[ $(cert_count "$f" 0) == 2 ]] || die "cert-ok-chain: expected leaf + intermediate"
  local json; json=$(tls_ok_json "$f")
  expect cert-ok-chain "TLS 1.2, full chain (leaf www.example.test + HSI Test Intermediate CA) verified by openssl s_client -verify_return_error -verify_hostname $SNI -CAfile test-root.pem: Verify return code: 0 (ok) ($(ok_description))" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $json ]"
}
sc_cert_expired() {
  cert_rejected cert-expired curl www-expired test-intermediate tls.cert_expired \
    "The leaf certificate expired on 2021-01-01 (valid 2020-01-01 .. 2021-01-01), chain leaf + intermediate; curl verifies"
}
sc_cert_not_yet_valid() {
  cert_rejected cert-not-yet-valid s_client www-not-yet-valid test-intermediate tls.cert_not_yet_valid \
    "The leaf certificate is valid only from 2090-01-01 (GeneralizedTime dates), chain leaf + intermediate; openssl s_client verifies"
}
sc_cert_self_signed() {
  cert_rejected cert-self-signed s_client www-self-signed "" tls.cert_self_signed \
    "A self-signed certificate for www.example.test, alone; openssl s_client verifies"
}
sc_cert_weak_key_self_signed() {
  local name=cert-weak-key-self-signed f=$CAPTURES/cert-weak-key-self-signed.pcap
  # a throw-away 1024-bit self-signed certificate, made here and not kept (the capture holds
  # it); the server needs SECLEVEL=0 to use such a key at all
  openssl req -x509 -newkey rsa:1024 -nodes -keyout "$WORK/weak.key" -out "$WORK/weak.pem" -days 3650 \
    -subj "/CN=$SNI" -addext "subjectAltName=DNS:$SNI" >/dev/null 2>&1
  net_pair "$name"
  s_server "$S" server -www -cert "$WORK/weak.pem" -key "$WORK/weak.key" -cipher 'DEFAULT@SECLEVEL=0' -no_tls1_3
  cap "$C" c0 "$name"
  s_client "$C" client -tls1_2 -verify_return_error -verify_hostname "$SNI" -CAfile "$WORK/weak.pem"
  cap_done "$name"
  local desc; desc=$(fields "$f" "ip.src==$CIP && tls.alert_message.level==2" tls.alert_message.desc | head -1)
  [[ "$desc" == 42 ]] || { tsh "$f" >&2; die "$name: expected bad_certificate from the client, got '$desc' ($(ossl_error client))"; }
  local json; json=$(alert_json "$f" 0 client 42 tls.cert_self_signed server_hello_done)
  json=${json/\"confidence\": \"certain\"/\"confidence\": \"likely\"}
  expect "$name" "A 1024-bit self-signed certificate for $SNI (s_server -cipher DEFAULT@SECLEVEL=0 -no_tls1_3); openssl s_client trusts it (-CAfile the certificate itself) but refuses its key at OpenSSL 3's default security level with bad_certificate ($(ossl_verify client); $(ossl_error client)). Read without --ca-file: self-signed, but only likely, the weak key beside it" \
    "$TOOLS_OSSL" '[]' <<<"[ $json ]"
}
sc_cert_hostname_mismatch() {
  cert_rejected cert-hostname-mismatch s_client other-host test-intermediate tls.cert_hostname_mismatch \
    "The client asks for www.example.test (SNI and -verify_hostname) but the certificate names only other.example.test (valid chain leaf + intermediate)"
}
sc_cert_chain_incomplete() {
  cert_rejected cert-chain-incomplete gnutls www "" tls.cert_chain_incomplete \
    "The server sends only its leaf (issued by HSI Test Intermediate CA), not the intermediate: the chain cannot reach the root; gnutls-cli verifies"
}
sc_cert_untrusted() {
  cert_rejected cert-untrusted s_client www-private private-root tls.cert_untrusted \
    "The chain ends at 'HSI Private Root CA (untrusted)', a root the client does not trust (the server sends leaf + that root); the expectation's --ca-file holds only the test root"
}

# TLS 1.3: the certificate travels encrypted, so only the client's reaction is visible.
rejected_13() {
  local name=$1 client=$2 f=$CAPTURES/$1.pcap
  net_pair "$name"
  cert_args www-private private-root
  s_server "$S" server "${CERT_ARGS[@]}" -tls1_3
  cap "$C" c0 "$name"
  if [[ $client == gnutls ]]; then client_verify gnutls; else s_client "$C" client -tls1_3 "${VERIFY[@]}"; fi
  cap_done "$name"
  forbid "$f" "tls.handshake.type==11"
}

sc_cert_rejected_13() {
  local f=$CAPTURES/cert-rejected-13.pcap
  rejected_13 cert-rejected-13 gnutls
  local al; al=$(encrypted_alert "$f" 0 "$CIP")
  expect cert-rejected-13 "TLS 1.3: gnutls-cli --x509cafile test-root.pem rejects the server's chain (openssl s_server -tls1_3 sending leaf + 'HSI Private Root CA (untrusted)', encrypted in its flight) with an encrypted 19-byte alert (frame $al) right after the server's flight. $(grep -m1 -E 'Status:' "$WORK/client.log" | sed 's/^- //') $(grep -m1 -E '^\*\*\* ' "$WORK/client.log")" \
    "$(TOOLS_CERT gnutls)" "$CA_OPTS" <<JSON
[ { $(endpoints_json "$f" 0), "protocol": "tls", "outcome": "failed", "stage": "encrypted_handshake", "cutFrame": $al,
    "closedBy": "client", "closeKind": "alert",
    "tls": { "alerts": [ { "frame": $al, "from": "client", "encrypted": true } ] },
    "verdict": { "code": "tls.cert_rejected" } } ]
JSON
}

sc_cert_rejected_13_openssl() {
  local f=$CAPTURES/cert-rejected-13-openssl.pcap
  rejected_13 cert-rejected-13-openssl s_client
  local json; json=$(alert_json "$f" 0 client 48 tls.cert_rejected encrypted_handshake)
  expect cert-rejected-13-openssl "TLS 1.3: openssl s_client -tls1_3 -verify_return_error -CAfile test-root.pem rejects the server's chain (leaf + 'HSI Private Root CA (untrusted)', encrypted in the server's flight). OpenSSL 3.0 sends its unknown_ca alert in CLEAR (a plaintext record, not encrypted with the handshake keys): the cause stays invisible since the certificates were encrypted. $(ossl_verify client); $(ossl_error client)" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $json ]"
}

sc_cert_ok_but_unverified() {
  local f=$CAPTURES/cert-ok-but-unverified.pcap
  cert_args www-expired test-intermediate
  ossl_capture cert-ok-but-unverified "${CERT_ARGS[@]}" -no_tls1_3 -- -tls1_2
  local vr; vr=$(grep -m1 -o 'Verify return code: .*' "$WORK/client.log")
  [[ "$vr" == *'(certificate has expired)'* || "$vr" == *'unable to get local issuer'* ]] || die "cert-ok-but-unverified: unexpected verify result: $vr"
  local json; json=$(tls_ok_json "$f")
  expect cert-ok-but-unverified "TLS 1.2 with an expired leaf (valid 2020-01-01 .. 2021-01-01, chain leaf + intermediate), but openssl s_client without -verify_return_error only notes the problem and completes the handshake and an HTTP GET ($vr; $(ok_description)): tls.ok, with a finding about the expired certificate" \
    "$TOOLS_OSSL" "$CA_OPTS" <<<"[ $json ]"
}

# =======================================================================================
# demo: one dumpcap session with a realistic mix, the first capture a new user sees

# sshd_start NS DIR LISTEN_ADDR: an OpenSSH server of our own (host key, authorized key, pid
# file and config under DIR) on port 22; the client key is DIR/id_ed25519.
sshd_start() {
  local ns=$1 dir=$2 addr=$3
  mkdir -p "$dir" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C hsi-demo-host -f "$dir/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C hsi-demo-client -f "$dir/id_ed25519"
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  cat >"$dir/sshd_config" <<CONF
Port 22
ListenAddress $addr
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PrintMotd no
CONF
  bg "$ns" sshd /usr/sbin/sshd -D -e -f "$dir/sshd_config"
  wait_listen "$ns" 22 sshd
}
ssh_client() {
  local ns=$1 name=$2 dir=$3 host=$4; shift 4
  ip netns exec "$ns" timeout 10 ssh -F /dev/null -i "$dir/id_ed25519" -o UserKnownHostsFile="$dir/known_hosts" \
    -o StrictHostKeyChecking=accept-new -o BatchMode=yes "$@" "root@$host" echo hi from sshd >"$WORK/$name.log" 2>&1 || true
}

sc_demo() {
  local f=$CAPTURES/demo.pcapng
  local OK=10.77.0.2 OLD=10.77.0.3 EXP=10.77.0.4 CLOSED=10.77.0.5 DOWN=10.77.0.6
  net_pair demo
  for a in $OLD $EXP $CLOSED $DOWN; do ip -n "$S" addr add "$a/24" dev s0; done
  short_syn_timeout "$C"
  in_ns "$S" iptables -A INPUT -d "$DOWN" -j DROP
  nginx_start "$S" nginx "  ssl_certificate $WORK/nginx/www-chain.pem;
  server { listen $OK:443 ssl; server_name $SNI; ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 \"hello from nginx\\n\"; } }
  server { listen $OLD:443 ssl; server_name legacy.example.test; ssl_protocols TLSv1.2;
    location / { return 200 \"hello from the legacy server\\n\"; } }
  server { listen $EXP:443 ssl; server_name $SNI; ssl_protocols TLSv1.2;
    ssl_certificate $WORK/nginx/expired-chain.pem; ssl_certificate_key $CERTS/www-expired.key;
    location / { return 200 \"hello from the expired server\\n\"; } }"
  sshd_start "$S" "$WORK/ssh" "$OK"
  dcap_start "$C" c0 "$f" tcp
  local ca=(--cacert "$CERTS/test-root.pem")
  ip netns exec "$C" curl -sS --max-time 5 "${ca[@]}" --resolve "$SNI:443:$OK" "https://$SNI/" >"$WORK/d1.log" 2>&1 || true
  ip netns exec "$C" curl -sS --max-time 5 "${ca[@]}" --tls-max 1.2 --resolve "$SNI:443:$OK" "https://$SNI/" >"$WORK/d2.log" 2>&1 || true
  ssh_client "$C" d3 "$WORK/ssh" "$OK"
  ip netns exec "$C" curl -sS --max-time 5 "${ca[@]}" --tlsv1.3 --resolve "legacy.example.test:443:$OLD" "https://legacy.example.test/" >"$WORK/d4.log" 2>&1 || true
  ip netns exec "$C" curl -sS --max-time 5 "${ca[@]}" --resolve "$SNI:443:$EXP" "https://$SNI/" >"$WORK/d5.log" 2>&1 || true
  ssh_client "$C" d6 "$WORK/ssh" "$OK" -o KexAlgorithms=diffie-hellman-group1-sha1
  ip netns exec "$C" curl -sS --max-time 5 --resolve "$SNI:443:$CLOSED" "https://$SNI/" >"$WORK/d7.log" 2>&1 || true
  # the unreachable server: three SYNs (at 0, 1 and 3 s), then stop the capture
  bg "$C" d8 curl -sS --connect-timeout 10 --resolve "$SNI:443:$DOWN" "https://$SNI/"
  sleep 4
  capture_stop 0; CAPTURE_PID=; WROTE+=("captures/demo.pcapng")
  grep -q 'hello from nginx' "$WORK/d1.log" || die "demo: first curl failed: $(cat "$WORK/d1.log")"
  grep -q 'hello from nginx' "$WORK/d2.log" || die "demo: second curl failed: $(cat "$WORK/d2.log")"
  grep -q 'hi from sshd' "$WORK/d3.log" || die "demo: ssh login failed: $(cat "$WORK/d3.log")"
  grep -q 'no matching key exchange method' "$WORK/d6.log" || die "demo: ssh kex mismatch did not happen: $(cat "$WORK/d6.log")"
  (( $(streams "$f") == 8 )) || die "demo: expected 8 connections, got $(streams "$f")"
  # stream numbers follow the order of the first SYN
  local s1 s2 v4 e5 r7
  s1=$(tls_ok_json "$f" 0); s2=$(tls_ok_json "$f" 1)
  [[ $s1 == *'"version": 772'* && $s2 == *'"version": 771'* ]] || die "demo: expected TLS 1.3 then TLS 1.2"
  require "$f" "tcp.stream==2 && ssh.message_code==21" 2
  v4=$(alert_json "$f" 3 server 70 tls.version_mismatch client_hello)
  e5=$(alert_json "$f" 4 client 45 tls.cert_expired server_hello_done)
  require "$f" "tcp.stream==5 && ssh.kex_algorithms contains \"diffie-hellman-group1-sha1\""
  forbid "$f" "tcp.stream==5 && ssh.message_code==21"
  local kfin; kfin=$(frame "$f" "tcp.stream==5 && tcp.flags.fin==1")
  [[ $(fields "$f" "frame.number==$kfin" ip.src) == "$CIP" ]] || die "demo: the ssh client did not close first"
  r7=$(frame "$f" "tcp.stream==6 && tcp.flags.reset==1 && ip.src==$CLOSED")
  local syns; syns=$(count "$f" "tcp.stream==7 && tcp.flags.syn==1")
  (( syns == 3 )) || die "demo: expected 3 SYNs to the unreachable server, got $syns"
  local dur; dur=$(capinfos -u "$f" 2>/dev/null | awk -F': *' '/Capture duration/{print int($2)}')
  (( dur < 15 )) || die "demo: capture too long (${dur}s)"
  expect demo "Demo: one dumpcap session on the client's interface, 8 connections: (1) curl https://$SNI/ to nginx $V_NGINX, TLS 1.3, completes; (2) the same with --tls-max 1.2, completes; (3) ssh publickey login to OpenSSH sshd running 'echo hi from sshd'; (4) curl --tlsv1.3 to a TLS 1.2-only nginx ($OLD): protocol_version alert; (5) curl to an nginx ($EXP) whose certificate expired in 2021: the client's certificate_expired alert; (6) ssh -o KexAlgorithms=diffie-hellman-group1-sha1 to the same sshd: '$(grep -m1 -o 'no matching key exchange method found' "$WORK/d6.log")', the client closes without a DISCONNECT; (7) curl to $CLOSED where nothing listens on 443: RST; (8) curl to $DOWN whose packets a firewall drops: three SYNs, no answer." \
    "curl $V_CURL, nginx $V_NGINX, $(ssh -V 2>&1 | cut -d, -f1), $(dumpcap --version 2>/dev/null | head -1 | sed 's/ (Git.*//')" "$CA_OPTS" <<JSON
[ $s1,
  $s2,
  { "server": { "ip": "$OK", "port": 22 }, "protocol": "ssh", "outcome": "completed", "verdict": { "code": "ssh.ok" } },
  $v4,
  $e5,
  { "server": { "ip": "$OK", "port": 22 }, "protocol": "ssh", "outcome": "failed", "stage": "kexinit",
    "closedBy": "client", "closeKind": "fin", "verdict": { "code": "ssh.kex_mismatch", "confidence": "certain" } },
  { "server": { "ip": "$CLOSED", "port": 443 }, "protocol": "unknown", "outcome": "failed", "stage": "tcp_connect",
    "cutFrame": $r7, "closedBy": "server", "closeKind": "rst", "verdict": { "code": "tcp.refused", "confidence": "certain" } },
  { "server": { "ip": "$DOWN", "port": 443 }, "protocol": "unknown", "outcome": "failed", "stage": "tcp_connect",
    "closeKind": "timeout", "verdict": { "code": "tcp.timeout", "confidence": "likely" } } ]
JSON
}

# =======================================================================================
ALL_SCENARIOS=(
  tcp-refused tcp-rejected-icmp tcp-timeout tcp-reset tcp-stalled tcp-no-payload tcp-other-protocol tcp-midstream tcp-any-sll2 tcp-any-sll tcp-ipv6
  tcp-pcapng tcp-nanosecond tcp-gzip tcp-vlan tcp-qinq
  tls-ok-13 tls-ok-12 tls-ok-nginx-curl tls-ok-gnutls tls-resume-12 tls-resume-13 tls-hrr
  tls-version-mismatch tls-version-mismatch-old-server tls-version-mismatch-internal-error tls-cipher-mismatch tls-group-mismatch
  tls-sni-rejected tls-sni-missing tls-alpn-mismatch tls-client-cert-required-12 tls-client-cert-required-13
  tls-server-closed tls-server-reset tls-client-closed tls-no-response tls-not-tls-http-to-tls
  tls-not-tls-tls-to-http tls-protocol-error tls-alert-other tls-split-clienthello tls-mtu-blackhole tls-weak-ok
  cert-ok-chain cert-expired cert-not-yet-valid cert-self-signed cert-weak-key-self-signed cert-hostname-mismatch
  cert-chain-incomplete cert-untrusted cert-rejected-13 cert-rejected-13-openssl cert-ok-but-unverified
  demo
)

main() {
  if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; return; fi
  if [[ "${1:-}" == --packages ]]; then echo "$TLS_PACKAGES"; return; fi
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, iptables, captures)"
  need ip iptables sysctl tcpdump tshark dumpcap capinfos openssl nginx curl gnutls-cli java node gzip od \
    ssh ssh-keygen /usr/sbin/sshd "$PY"
  local list=("$@") sc
  (( ${#list[@]} )) || list=("${ALL_SCENARIOS[@]}")
  for sc in "${list[@]}"; do
    declare -F "sc_${sc//-/_}" >/dev/null || die "unknown scenario '$sc' (see --list)"
  done
  "$TLS_HELPERS/pki.sh" "$CERTS" >/dev/null
  WROTE+=("$CERTS_REL/")
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
