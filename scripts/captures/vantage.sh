#!/usr/bin/env bash
# Regenerates the vantage-point captures: the same failure captured at once on the client,
# on the router in between (its interface facing the client) and on the server, so that
# the verdicts can be checked wherever a capture was taken. captures/vantage-NAME-client.pcap,
# -router.pcap, -server.pcap and their .expect.json.
#
#   scripts/captures/vantage.sh [scenario...]     (no argument: every scenario; run as root)
#   scripts/captures/vantage.sh --list | --packages
#
# Topology: client 10.80.0.1 (c0) — r0 10.80.0.254 [router] 10.80.1.254 r1 — server
# 10.80.1.2 (s0); the router forwards (TTL -1) and its nftables rules make the failures:
# drop forwarded packets over 1280 bytes (an MTU black hole without ICMP), drop SYNs, answer
# the ClientHello with a forged RST. One tcpdump per vantage point runs during each scenario.
#
# Each expectation is read back from the capture (tshark) and from what the client said.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
CERTS=$CAPTURES/certs
PY=/usr/bin/python3
CIP=10.80.0.1
SIP=10.80.1.2
SNI=www.example.test
VANTAGE_PACKAGES="iproute2 procps nftables tcpdump tshark wireshark-common openssl curl faketime openssh-server openssh-client python3"
POINTS=(client router server)

SC_NS=()
PIDS=()
WROTE=()
cleanup() {
  local rc=$? p ns
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; done
  rm -rf "$WORK"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ns_new() { ns_create "$1"; SC_NS+=("$1"); }
scenario_end() {
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; done
  SC_NS=()
}
bg() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" </dev/null >"$WORK/$name.log" 2>&1 & }
logof() { cat "$WORK/$1.log"; }
wait_listen() { ( wait_port "$1" "$2" ) || { cat "$WORK/$3.log" >&2; die "$3 did not start listening on port $2"; }; }

# topology TAG: $C, $R, $S as above, one TCP segment per frame on every link.
topology() {
  C=hsi-vp-$1-c; R=hsi-vp-$1-r; S=hsi-vp-$1-s
  ns_new "$C"; ns_new "$R"; ns_new "$S"
  veth_link "$C" c0 "$CIP/24" "$R" r0 10.80.0.254/24
  veth_link "$R" r1 10.80.1.254/24 "$S" s0 "$SIP/24"
  ip -n "$C" route add default via 10.80.0.254
  ip -n "$S" route add default via 10.80.1.254
  in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
  local x
  for x in "$C c0" "$R r0" "$R r1" "$S s0"; do set -- $x; ip -n "$1" link set "$2" gso_max_segs 1; done
  # clients give up after 3 SYNs (0, 1, 3 s)
  in_ns "$C" sysctl -qw net.ipv4.tcp_syn_retries=2
  [[ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]] && in_ns "$C" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
  return 0
}
# router_rules RULE...: nftables rules in the router's forward chain.
router_rules() {
  in_ns "$R" nft add table ip hsi
  in_ns "$R" nft add chain ip hsi forward '{ type filter hook forward priority 0; policy accept; }'
  local r
  for r in "$@"; do in_ns "$R" nft add rule ip hsi forward "$r"; done
}

# capture_all NAME [FILTER]: tcpdump at the three vantage points (ANY=1: `tcpdump -i any`
# everywhere, Linux cooked headers that carry the packet's direction; the router's in SLL2).
capture_all() {
  local name=$1 filter=${2:-tcp} pt ns ifc extra
  PIDS=()
  for pt in "${POINTS[@]}"; do
    case $pt in client) ns=$C ifc=c0 ;; router) ns=$R ifc=r0 ;; server) ns=$S ifc=s0 ;; esac
    extra=()
    # -i any with the default 2 MiB buffer lost back-to-back packets here without counting them
    if [[ ${ANY:-0} == 1 ]]; then ifc=any; extra=(-B 16384); [[ $pt == router ]] && extra+=(-y LINUX_SLL2); fi
    capture_start "$ns" "$ifc" "$CAPTURES/vantage-$name-$pt.pcap" --immediate-mode "${extra[@]}" "$filter"
    PIDS+=("$CAPTURE_PID")
  done
}
capture_all_done() {
  sleep "${2:-0.5}"
  local p pt
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
  for pt in "${POINTS[@]}"; do WROTE+=("captures/vantage-$1-$pt.pcap"); done
}

s_server() { local name=$1; shift; bg "$S" "$name" openssl s_server -accept 443 -www "$@"; wait_listen "$S" 443 "$name"; }
WWW=(-cert "$CERTS/www.pem" -key "$CERTS/www.key" -cert_chain "$CERTS/test-intermediate.pem")
s_client() {  # s_client NAME ARGS...: verified, one GET, 8 s at most
  local name=$1; shift
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec "$C" timeout 8 openssl s_client -connect "$SIP:443" -servername "$SNI" \
    -CAfile "$CERTS/test-root.pem" -verify_return_error -verify_hostname "$SNI" -ign_eof "$@" >"$WORK/$name.log" 2>&1 || true
}

# ------------------------------------------------------------------ checks and expectations
tsh() { tshark -n -r "$@" 2>/dev/null; }
fields() { local f=$1 flt=$2; shift 2; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -Y "$flt" -T fields "${a[@]}"; }
frame() {
  local n; n=$(fields "$1" "$2" frame.number | sed -n "${3:-1}p")
  [[ -n "$n" ]] || { tsh "$1" >&2; die "$(basename "$1"): no frame matches '$2'"; }
  echo "$n"
}
count() { fields "$1" "$2" frame.number | wc -l; }
require() { local c; c=$(count "$1" "$2"); (( c >= ${3:-1} )) || { tsh "$1" >&2; die "$(basename "$1"): expected >= ${3:-1} frames matching '$2', got $c"; }; }
forbid() { local c; c=$(count "$1" "$2"); (( c == 0 )) || { tsh "$1" >&2; die "$(basename "$1"): expected no frame matching '$2', got $c"; }; }
said() { grep -qE "$2" "$WORK/$1.log" || { cat "$WORK/$1.log" >&2; die "$SCENARIO: the client's log does not say /$2/"; }; }
V_OPENSSL=$(openssl version | awk '{print $2}')
V_TCPDUMP=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')
V_CURL=$(curl --version | awk 'NR==1{print $2}')
EXPECT_PY='
import json, sys
out, desc, gen, tools, opts = sys.argv[1:6]
conns = json.loads(sys.stdin.read())
doc = {"description": desc, "generator": gen, "tools": tools, "options": json.loads(opts), "connections": conns}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
'
# expect NAME POINT DESCRIPTION TOOLS OPTIONS_JSON < CONNECTIONS_JSON
expect() {
  local name=$1 pt=$2
  "$PY" -c "$EXPECT_PY" "$CAPTURES/vantage-$name-$pt.expect.json" "$3 Captured on the $pt$( [[ $pt == router ]] && echo "'s interface facing the client")." "scripts/captures/vantage.sh $SCENARIO" "$4" "$5"
  WROTE+=("captures/vantage-$name-$pt.expect.json")
}
# vantage_of POINT: the vantage the packets can support: the router's interface facing the
# client shows the client's packets with their initial TTL, like the client itself.
vantage_of() { [[ $1 == server ]] && echo server || echo client; }
# record POINT CODE OUTCOME [EXTRA]: one expected record, endpoints fixed by the topology.
record() {
  printf '{ "server": { "ip": "%s", "port": %s }, "client": { "ip": "%s" }, "outcome": "%s", "verdict": { "code": "%s" }, "vantage": { "point": "%s" }%s }' \
    "$SIP" "${PORT:-443}" "$CIP" "$3" "$2" "$(vantage_of "$1")" "${4:+, $4}"
}

# ======================================================================================= scenarios

sc_mtu_blackhole() {
  topology mtu
  # the router drops forwarded packets over 1280 bytes and says nothing (no ICMP)
  router_rules 'ip length > 1280 drop'
  s_server server -no_tls1_3 "${WWW[@]}"
  capture_all mtu-blackhole
  ip netns exec "$C" curl -sS -v --max-time 6 --tls-max 1.2 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1 || true
  capture_all_done mtu-blackhole 1
  said client 'timed out|Operation timed out'
  local pt f
  local srv=$CAPTURES/vantage-mtu-blackhole-server.pcap cli=$CAPTURES/vantage-mtu-blackhole-client.pcap
  require "$srv" "ip.src==$SIP && tcp.analysis.retransmission && ip.len > 1280"
  forbid "$cli" "ip.src==$SIP && ip.len > 1280"
  require "$cli" "ip.src==$SIP && tcp.len > 0"
  for pt in "${POINTS[@]}"; do
    f=$CAPTURES/vantage-mtu-blackhole-$pt.pcap
    expect mtu-blackhole "$pt" "Path-MTU black hole: the router drops forwarded packets over 1280 bytes without an ICMP error (nft 'ip length > 1280 drop'). curl --tls-max 1.2 to openssl s_server -no_tls1_3 with the www chain: the server's ServerHello/Certificate flight goes out in full-size segments that never reach the client, only the flight's short tail does; curl gives up after 6 s ($(grep -m1 -o 'curl: ([0-9]*) .*' "$WORK/client.log"))." \
      "curl $V_CURL, OpenSSL $V_OPENSSL s_server, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tls.mtu_blackhole failed '"protocol": "tls", "closedBy": "client"') ]"
  done
}

# a leaf for www.example.test issued by the test intermediate, valid from `faketime` on
future_leaf() {
  local when=$1 out=$2
  openssl req -new -newkey rsa:2048 -nodes -keyout "$out.key" -subj "/CN=$SNI" -out "$out.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$SNI" >"$out.ext"
  faketime "$when" openssl x509 -req -in "$out.csr" -CA "$CERTS/test-intermediate.pem" -CAkey "$CERTS/test-intermediate.key" \
    -CAcreateserial -CAserial "$out.srl" -days 365 -sha256 -extfile "$out.ext" -out "$out.pem" >/dev/null 2>&1
}

sc_cert_not_yet_valid() {
  topology nyv
  future_leaf '+1 day' "$WORK/tomorrow"
  s_server server -no_tls1_3 -cert "$WORK/tomorrow.pem" -key "$WORK/tomorrow.key" -cert_chain "$CERTS/test-intermediate.pem"
  capture_all cert-not-yet-valid
  s_client client
  capture_all_done cert-not-yet-valid
  said client 'verify error:num=9:certificate is not yet valid'
  local pt a f
  for pt in "${POINTS[@]}"; do
    f=$CAPTURES/vantage-cert-not-yet-valid-$pt.pcap
    a=$(frame "$f" "ip.src==$CIP && tls.alert_message.desc==42")
    expect cert-not-yet-valid "$pt" "The server's certificate (issued by the test intermediate) becomes valid only tomorrow (signed under faketime '+1 day'); openssl s_client -verify_return_error rejects it with the generic alert bad_certificate(42) ($(grep -m1 -o 'verify error:num=[0-9]*:[^:]*' "$WORK/client.log")). Read without --ca-file: the date is what the capture proves, whatever this machine's trust store says." \
      "OpenSSL $V_OPENSSL s_client / s_server, faketime, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tls.cert_not_yet_valid failed "\"protocol\": \"tls\", \"cutFrame\": $a, \"closedBy\": \"client\", \"verdict\": { \"code\": \"tls.cert_not_yet_valid\", \"confidence\": \"certain\" }") ]"
  done
}

sc_cert_other_name() {
  topology name
  s_server server -no_tls1_3 -cert "$CERTS/other-host.pem" -key "$CERTS/other-host.key" -cert_chain "$CERTS/test-intermediate.pem"
  capture_all cert-other-name
  s_client client
  capture_all_done cert-other-name
  said client 'verify error:num=62:hostname mismatch'
  local pt a f
  for pt in "${POINTS[@]}"; do
    f=$CAPTURES/vantage-cert-other-name-$pt.pcap
    a=$(frame "$f" "ip.src==$CIP && tls.alert_message.desc==42")
    expect cert-other-name "$pt" "The client asks for $SNI; the certificate names only other.example.test; openssl s_client -verify_hostname $SNI rejects it with the generic alert bad_certificate(42). Read without --ca-file: the name is what the capture proves." \
      "OpenSSL $V_OPENSSL s_client / s_server, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tls.cert_hostname_mismatch failed "\"protocol\": \"tls\", \"cutFrame\": $a, \"closedBy\": \"client\", \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\", \"confidence\": \"certain\" }") ]"
  done
}

sc_syn_timeout() {
  topology syn
  router_rules 'tcp dport 443 tcp flags syn drop'
  s_server server "${WWW[@]}"
  capture_all syn-timeout
  ip netns exec "$C" curl -sS --connect-timeout 20 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1 || true
  capture_all_done syn-timeout 1
  local pt f syns
  syns=$(count "$CAPTURES/vantage-syn-timeout-client.pcap" "tcp.flags.syn==1")
  (( syns == 3 )) || die "syn-timeout: expected 3 SYNs from the client, got $syns"
  forbid "$CAPTURES/vantage-syn-timeout-server.pcap" "tcp"
  for pt in client router; do
    expect syn-timeout "$pt" "The router drops every SYN to port 443 (nft 'tcp dport 443 tcp flags syn drop'); curl with tcp_syn_retries=2 sends 3 SYNs and gives up ($(head -1 "$WORK/client.log"))." \
      "curl $V_CURL, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tcp.timeout failed '"stage": "tcp_connect", "closedBy": "client", "closeKind": "timeout"') ]"
  done
  expect syn-timeout server "The router drops every SYN to port 443: nothing of the connection reaches the server, so its capture holds no packet of it (what a server-side capture can prove: nothing)." \
    "curl $V_CURL, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[]"
}

sc_reset_injected() {
  topology rst
  # the router answers the ClientHello (the client's first segment with payload) with a
  # RST forged in the server's name, and drops it
  router_rules 'tcp dport 443 tcp flags & (syn | ack) == ack ip length > 100 reject with tcp reset'
  s_server server "${WWW[@]}"
  capture_all reset-injected
  ip netns exec "$C" curl -sS -v --max-time 5 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1 || true
  capture_all_done reset-injected 1
  said client 'Connection reset by peer|SSL_ERROR_SYSCALL|reset'
  local cli=$CAPTURES/vantage-reset-injected-client.pcap srv=$CAPTURES/vantage-reset-injected-server.pcap pt rst ttl_rst ttl_srv
  rst=$(frame "$cli" "tcp.flags.reset==1 && ip.src==$SIP")
  ttl_rst=$(fields "$cli" "frame.number==$rst" ip.ttl)
  ttl_srv=$(fields "$cli" "ip.src==$SIP && tcp.flags.syn==1" ip.ttl | head -1)
  [[ $ttl_rst != "$ttl_srv" ]] || die "reset-injected: the forged RST has the server's TTL ($ttl_rst)"
  forbid "$srv" "tcp.flags.reset==1 || tcp.len>0"
  for pt in client router; do
    rst=$(frame "$CAPTURES/vantage-reset-injected-$pt.pcap" "tcp.flags.reset==1 && ip.src==$SIP")
    expect reset-injected "$pt" "The router answers the client's ClientHello with a RST forged in the server's name (nft 'reject with tcp reset') and drops the ClientHello: the RST arrives with TTL $ttl_rst where the server's own packets arrive with $ttl_srv ($(grep -m1 -o 'curl: ([0-9]*) .*' "$WORK/client.log"))." \
      "curl $V_CURL, OpenSSL $V_OPENSSL s_server, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tcp.reset_injected failed "\"cutFrame\": $rst, \"closedBy\": \"server\", \"closeKind\": \"rst\", \"verdict\": { \"code\": \"tcp.reset_injected\", \"confidence\": \"likely\" }") ]"
  done
  expect reset-injected server "The router answers the client's ClientHello with a forged RST and drops it: the server sees the TCP handshake, then nothing (the client, reset, stays silent); its capture ends with the connection idle, which is all a server-side capture can tell." \
    "curl $V_CURL, OpenSSL $V_OPENSSL s_server, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record server incomplete incomplete) ]"
}

sc_server_closed() {
  topology closed
  bg "$S" server "$PY" "$HERE/tls/peers.py" close-after-hello --port 443
  wait_listen "$S" 443 server
  capture_all server-closed
  ip netns exec "$C" curl -sS -v --max-time 5 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1 || true
  capture_all_done server-closed
  local pt f fin
  for pt in "${POINTS[@]}"; do
    f=$CAPTURES/vantage-server-closed-$pt.pcap
    fin=$(frame "$f" "ip.src==$SIP && tcp.flags.fin==1")
    expect server-closed "$pt" "A server that reads the ClientHello and closes without an alert (scripts/captures/tls/peers.py close-after-hello); curl says: $(grep -m1 -o 'curl: ([0-9]*) .*' "$WORK/client.log")." \
      "curl $V_CURL, Python, tcpdump $V_TCPDUMP" '[]' <<<"[ $(record "$pt" tls.server_closed failed "\"protocol\": \"tls\", \"cutFrame\": $fin, \"closedBy\": \"server\", \"closeKind\": \"fin\"") ]"
  done
}

sc_ssh_hostkey_mismatch() {
  topology ssh
  local d=$WORK/ssh
  mkdir -p "$d" /run/sshd
  ssh-keygen -q -t rsa -b 2048 -N '' -f "$d/host_rsa"
  cat >"$d/sshd_config" <<CONF
ListenAddress $SIP
Port 22
HostKey $d/host_rsa
HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256
PidFile $d/sshd.pid
UsePAM no
PasswordAuthentication no
CONF
  bg "$S" sshd /usr/sbin/sshd -D -e -f "$d/sshd_config"
  wait_listen "$S" 22 sshd
  capture_all ssh-hostkey-mismatch
  ip netns exec "$C" timeout 8 ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o HostKeyAlgorithms=ssh-ed25519 "root@$SIP" true >"$WORK/client.log" 2>&1 || true
  capture_all_done ssh-hostkey-mismatch
  said client 'no matching host key type found'
  local pt
  for pt in "${POINTS[@]}"; do
    PORT=22 expect ssh-hostkey-mismatch "$pt" "sshd with only an RSA host key (HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256) and an OpenSSH client with -o HostKeyAlgorithms=ssh-ed25519: $(head -1 "$WORK/client.log")." \
      "$(ssh -V 2>&1 | cut -d, -f1), tcpdump $V_TCPDUMP" '[]' <<<"[ $(PORT=22 record "$pt" ssh.hostkey_mismatch failed '"protocol": "ssh", "closedBy": "client"') ]"
  done
}

sc_any_interface() {
  topology any
  s_server server "${WWW[@]}"
  ANY=1 capture_all any-interface
  ip netns exec "$C" curl -sS -o /dev/null --max-time 5 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1
  capture_all_done any-interface
  local pt f
  for pt in "${POINTS[@]}"; do
    f=$CAPTURES/vantage-any-interface-$pt.pcap
    [[ $(capinfos -T -m -E "$f" | awk -F, 'NR==2{print $2}') == linux-sll* ]] || die "any-interface: $pt capture is not Linux cooked"
  done
  # on the router every forwarded packet is captured twice: coming in on r0 (or r1), going out on r1 (or r0)
  require "$CAPTURES/vantage-any-interface-router.pcap" "sll.pkttype==4 && ip.src==$CIP" 3
  require "$CAPTURES/vantage-any-interface-router.pcap" "sll.pkttype==0 && ip.src==$CIP" 3
  forbid "$CAPTURES/vantage-any-interface-client.pcap" "sll.pkttype==4 && ip.src==$SIP"
  local where
  for pt in "${POINTS[@]}"; do
    case $pt in client) where="the client's packets are marked outgoing (sent by the capturing host), the server's incoming" ;;
      server) where="the server's packets are marked outgoing, the client's incoming" ;;
      router) where="every packet appears twice, incoming on one interface and outgoing on the other with its TTL one lower: a host forwarding the connection" ;; esac
    expect any-interface "$pt" "A verified TLS 1.3 handshake (curl to openssl s_server with the www chain), captured with tcpdump -i any (Linux cooked headers$( [[ $pt == router ]] && echo ', SLL2'), which carry each packet's direction): $where." \
      "curl $V_CURL, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP" '["--ca-file", "captures/certs/test-root.pem"]' \
      <<<"[ { \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$CIP\" }, \"protocol\": \"tls\", \"outcome\": \"completed\", \"verdict\": { \"code\": \"tls.ok\" }, \"vantage\": { \"point\": \"$( [[ $pt == router ]] && echo middle || echo "$pt")\", \"confidence\": \"likely\" } } ]"
  done
}

# A router that masquerades the client (nft masquerade on its server-side interface),
# captured with tcpdump -i any at the three points: the router holds the connection twice,
# before the translation (the client's address) and after it (the router's), and each
# packet of each leg twice (in on one interface, out on the other). The client's
# certificate check fails (another name), so both legs carry the same failure.
sc_nat_any() {
  topology nat
  in_ns "$R" nft add table ip hsinat
  in_ns "$R" nft add chain ip hsinat post '{ type nat hook postrouting priority 100; }'
  in_ns "$R" nft add rule ip hsinat post oifname r1 masquerade
  s_server server -no_tls1_3 -cert "$CERTS/other-host.pem" -key "$CERTS/other-host.key" -cert_chain "$CERTS/test-intermediate.pem"
  ANY=1 capture_all nat-any
  s_client client
  capture_all_done nat-any
  said client 'verify error:num=62:hostname mismatch'
  local rtr=$CAPTURES/vantage-nat-any-router.pcap nat=10.80.1.254
  require "$rtr" "ip.src==$CIP && ip.dst==$SIP && tcp.flags.syn==1 && tcp.flags.ack==0"
  require "$rtr" "ip.src==$nat && ip.dst==$SIP && tcp.flags.syn==1 && tcp.flags.ack==0"
  forbid "$CAPTURES/vantage-nat-any-server.pcap" "ip.src==$CIP"
  local pt a leg
  for pt in "${POINTS[@]}"; do
    a=$(frame "$CAPTURES/vantage-nat-any-$pt.pcap" "tls.alert_message.desc==42")
    case $pt in
      client) leg="{ \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$CIP\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"cutFrame\": $a, \"vantage\": { \"point\": \"client\" } }" ;;
      server) leg="{ \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$nat\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"cutFrame\": $a, \"vantage\": { \"point\": \"server\" } }" ;;
      router) leg="{ \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$CIP\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"cutFrame\": $a, \"vantage\": { \"point\": \"middle\" } },
        { \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$nat\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"vantage\": { \"point\": \"middle\" } }" ;;
    esac
    expect nat-any "$pt" "The router masquerades the client ($CIP becomes $nat on the server's side: nft masquerade); openssl s_client -verify_hostname $SNI rejects the server's certificate for other.example.test with bad_certificate(42). Captured with tcpdump -i any$( [[ $pt == router ]] && echo ': the router holds the connection before the translation (as it came in from the client) and after it (as it went out to the server)')." \
      "OpenSSL $V_OPENSSL s_client / s_server, nftables, tcpdump $V_TCPDUMP" '[]' <<<"[ $leg ]"
  done
}

# A container host, as Docker or Podman set it up: the container's veth on a bridge, the
# host masquerading it out of its uplink; tcpdump -i any on the host. Each packet inside
# is there twice (on the veth and on the bridge, the same TTL), then once more after the
# translation, on the uplink. The container's curl (TLS 1.2, so the chain is readable) does
# not trust the server's private CA.
sc_container_host() {
  C=hsi-vp-ctr-k; R=hsi-vp-ctr-h; S=hsi-vp-ctr-s
  local kip=10.88.0.2 nat=10.80.1.254
  ns_new "$C"; ns_new "$R"; ns_new "$S"
  ip link add eth0 netns "$C" type veth peer name veth1 netns "$R"
  ip -n "$C" addr add "$kip/24" dev eth0; ip -n "$C" link set eth0 up
  in_ns "$R" ip link add br0 type bridge
  in_ns "$R" ip addr add 10.88.0.1/24 dev br0
  in_ns "$R" ip link set veth1 master br0
  in_ns "$R" ip link set veth1 up; in_ns "$R" ip link set br0 up
  veth_link "$R" up0 "$nat/24" "$S" s0 "$SIP/24"
  ip -n "$C" route add default via 10.88.0.1
  in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
  local x
  for x in "$C eth0" "$R veth1" "$R up0" "$S s0"; do set -- $x; ip -n "$1" link set "$2" gso_max_segs 1; done
  in_ns "$R" nft add table ip hsinat
  in_ns "$R" nft add chain ip hsinat post '{ type nat hook postrouting priority 100; }'
  in_ns "$R" nft add rule ip hsinat post oifname up0 masquerade
  s_server server "${WWW[@]}"
  local f=$CAPTURES/vantage-container-host.pcap
  capture_start "$R" any "$f" -B 16384 tcp  # the default buffer loses packets on -i any (see capture_all)
  PIDS=("$CAPTURE_PID")
  ip netns exec "$C" curl -sS -o /dev/null --max-time 5 --tls-max 1.2 --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1 || true
  sleep 0.5
  kill -INT "${PIDS[0]}" 2>/dev/null || true; wait "${PIDS[0]}" 2>/dev/null || true
  PIDS=()
  WROTE+=("captures/vantage-container-host.pcap")
  said client 'unable to get local issuer certificate|self.signed|certificate problem'
  require "$f" "ip.src==$kip && tcp.flags.syn==1 && tcp.flags.ack==0" 2
  require "$f" "ip.src==$nat && tcp.flags.syn==1 && tcp.flags.ack==0"
  local a1 a2
  a1=$(frame "$f" "ip.src==$kip && tls.alert_message")
  a2=$(frame "$f" "ip.src==$nat && tls.alert_message")
  "$PY" -c "$EXPECT_PY" "$CAPTURES/vantage-container-host.expect.json" \
    "A container ($kip on a bridge, masqueraded by its host to $nat) runs curl --tls-max 1.2 against a server whose chain ends at a private CA it does not trust: curl sends unknown_ca: it has no issuer for the intermediate ($(grep -m1 -o 'curl: ([0-9]*) .*' "$WORK/client.log")). Captured on the host with tcpdump -i any: each packet on the container's veth and on the bridge, then on the uplink after the translation. Read without --ca-file." \
    "scripts/captures/vantage.sh container-host" "curl $V_CURL, OpenSSL $V_OPENSSL s_server, nftables, tcpdump $V_TCPDUMP" '[]' \
    <<<"[ { \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$kip\" }, \"verdict\": { \"code\": \"tls.cert_chain_incomplete\" }, \"cutFrame\": $a1, \"vantage\": { \"point\": \"middle\" } },
          { \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$nat\" }, \"verdict\": { \"code\": \"tls.cert_chain_incomplete\" }, \"cutFrame\": $a2, \"vantage\": { \"point\": \"middle\" } } ]"
  WROTE+=("captures/vantage-container-host.expect.json")
}

# The other way in: a port published from a container (docker run -p 443:443): the host
# DNATs what reaches its address to the container on the bridge; tcpdump -i any on the
# host holds the connection as the client sent it and as the container got it.
sc_port_forward() {
  C=hsi-vp-pf-c; R=hsi-vp-pf-h; S=hsi-vp-pf-k
  local kip=10.88.0.2 pub=10.80.1.254 cip=10.80.1.7
  ns_new "$C"; ns_new "$R"; ns_new "$S"
  veth_link "$C" c0 "$cip/24" "$R" up0 "$pub/24"
  ip link add eth0 netns "$S" type veth peer name veth1 netns "$R"
  ip -n "$S" addr add "$kip/24" dev eth0; ip -n "$S" link set eth0 up
  ip -n "$S" route add default via 10.88.0.1
  in_ns "$R" ip link add br0 type bridge
  in_ns "$R" ip addr add 10.88.0.1/24 dev br0
  in_ns "$R" ip link set veth1 master br0
  in_ns "$R" ip link set veth1 up; in_ns "$R" ip link set br0 up
  in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
  local x
  for x in "$C c0" "$R up0" "$R veth1" "$S eth0"; do set -- $x; ip -n "$1" link set "$2" gso_max_segs 1; done
  in_ns "$R" nft add table ip hsinat
  in_ns "$R" nft add chain ip hsinat pre '{ type nat hook prerouting priority -100; }'
  in_ns "$R" nft add rule ip hsinat pre iifname up0 tcp dport 443 dnat to "$kip:443"
  s_server server -no_tls1_3 -cert "$CERTS/other-host.pem" -key "$CERTS/other-host.key" -cert_chain "$CERTS/test-intermediate.pem"
  local f=$CAPTURES/vantage-port-forward.pcap
  capture_start "$R" any "$f" -B 16384 tcp
  PIDS=("$CAPTURE_PID")
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec "$C" timeout 8 openssl s_client -connect "$pub:443" -servername "$SNI" \
    -CAfile "$CERTS/test-root.pem" -verify_return_error -verify_hostname "$SNI" -ign_eof >"$WORK/client.log" 2>&1 || true
  sleep 0.5
  kill -INT "${PIDS[0]}" 2>/dev/null || true; wait "${PIDS[0]}" 2>/dev/null || true
  PIDS=()
  WROTE+=("captures/vantage-port-forward.pcap")
  said client 'verify error:num=62:hostname mismatch'
  require "$f" "ip.src==$cip && ip.dst==$pub && tcp.flags.syn==1 && tcp.flags.ack==0"
  require "$f" "ip.src==$cip && ip.dst==$kip && tcp.flags.syn==1 && tcp.flags.ack==0" 2
  local a1 a2
  a1=$(frame "$f" "ip.dst==$pub && tls.alert_message")
  a2=$(frame "$f" "ip.dst==$kip && tls.alert_message")
  "$PY" -c "$EXPECT_PY" "$CAPTURES/vantage-port-forward.expect.json" \
    "A port published from a container: the host DNATs $pub:443 to the container $kip:443 on its bridge (nft dnat); openssl s_client from $cip asks for $SNI and the container's certificate names only other.example.test (bad_certificate). Captured on the host with tcpdump -i any: the connection as it arrived and, after the translation, on the bridge and the container's veth." \
    "scripts/captures/vantage.sh port-forward" "OpenSSL $V_OPENSSL s_client / s_server, nftables, tcpdump $V_TCPDUMP" '[]' \
    <<<"[ { \"server\": { \"ip\": \"$pub\", \"port\": 443 }, \"client\": { \"ip\": \"$cip\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"cutFrame\": $a1, \"vantage\": { \"point\": \"middle\" } },
          { \"server\": { \"ip\": \"$kip\", \"port\": 443 }, \"client\": { \"ip\": \"$cip\" }, \"verdict\": { \"code\": \"tls.cert_hostname_mismatch\" }, \"cutFrame\": $a2, \"vantage\": { \"point\": \"middle\" } } ]"
  WROTE+=("captures/vantage-port-forward.expect.json")
}

# Two switch ports mirrored into one capture: a bridge between client and server, tcpdump
# on both of its ports (plain Ethernet, no direction marks), the two files merged. Every
# packet is there twice, the same TTL and IPv4 identification, microseconds apart: what a
# SPAN session over two ports or a mergecap of two taps gives.
sc_mirrored() {
  C=hsi-vp-mir-c; R=hsi-vp-mir-b; S=hsi-vp-mir-s
  ns_new "$C"; ns_new "$R"; ns_new "$S"
  ip link add c0 netns "$C" type veth peer name b0 netns "$R"
  ip link add s0 netns "$S" type veth peer name b1 netns "$R"
  ip -n "$C" addr add "$CIP/16" dev c0; ip -n "$S" addr add "$SIP/16" dev s0
  in_ns "$R" ip link add br0 type bridge
  local x
  for x in b0 b1; do in_ns "$R" ip link set "$x" master br0; in_ns "$R" ip link set "$x" up; done
  in_ns "$R" ip link set br0 up
  ip -n "$C" link set c0 up; ip -n "$S" link set s0 up
  for x in "$C c0" "$R b0" "$R b1" "$S s0"; do set -- $x; ip -n "$1" link set "$2" gso_max_segs 1; done
  s_server server "${WWW[@]}"
  PIDS=()
  capture_start "$R" b0 "$WORK/b0.pcap" --immediate-mode tcp; PIDS+=("$CAPTURE_PID")
  capture_start "$R" b1 "$WORK/b1.pcap" --immediate-mode tcp; PIDS+=("$CAPTURE_PID")
  ip netns exec "$C" curl -sS -o /dev/null --max-time 5 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP" "https://$SNI/" >"$WORK/client.log" 2>&1
  sleep 0.5
  local p
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
  local f=$CAPTURES/vantage-mirrored-bridge.pcap
  mergecap -F pcap -w "$f" "$WORK/b0.pcap" "$WORK/b1.pcap"
  WROTE+=("captures/vantage-mirrored-bridge.pcap")
  local n1 n2
  n1=$(count "$WORK/b0.pcap" tcp); n2=$(count "$f" tcp)
  (( n2 == 2 * n1 )) || die "mirrored: expected every packet twice ($n1 on one port, $n2 merged)"
  SCENARIO=mirrored "$PY" -c "$EXPECT_PY" "$CAPTURES/vantage-mirrored-bridge.expect.json" \
    "A verified TLS 1.3 handshake (curl to openssl s_server with the www chain) through a Linux bridge, captured on both bridge ports (tcpdump, Ethernet) and merged with mergecap: each of the $n1 packets twice, the same TTL and IPv4 identification, as a SPAN session over two switch ports gives." \
    "scripts/captures/vantage.sh mirrored" "curl $V_CURL, OpenSSL $V_OPENSSL s_server, tcpdump $V_TCPDUMP, mergecap" '["--ca-file", "captures/certs/test-root.pem"]' \
    <<<"[ { \"server\": { \"ip\": \"$SIP\", \"port\": 443 }, \"client\": { \"ip\": \"$CIP\" }, \"protocol\": \"tls\", \"outcome\": \"completed\", \"verdict\": { \"code\": \"tls.ok\" }, \"vantage\": { \"point\": \"middle\", \"confidence\": \"likely\" } } ]"
  WROTE+=("captures/vantage-mirrored-bridge.expect.json")
}

# =======================================================================================
ALL_SCENARIOS=(any-interface mirrored nat-any container-host port-forward mtu-blackhole cert-not-yet-valid cert-other-name syn-timeout reset-injected server-closed ssh-hostkey-mismatch)

main() {
  if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; return; fi
  if [[ "${1:-}" == --packages ]]; then echo "$VANTAGE_PACKAGES"; return; fi
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, nftables, captures)"
  need ip nft tcpdump tshark mergecap openssl curl faketime ssh ssh-keygen /usr/sbin/sshd "$PY"
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
