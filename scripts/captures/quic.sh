#!/usr/bin/env bash
# Regenerates the QUIC captures: captures/quic-*.pcap, the key log each client wrote
# (captures/quic-*.keys: test-only secrets of test-only servers) and the .expect.json, each
# scenario in network namespaces of its own.
#
#   scripts/captures/quic.sh [scenario...]   (no argument: all; run as root)
#   scripts/captures/quic.sh --list | --packages
#
# Debian's ngtcp2 examples (GnuTLS build): gtlsserver serves HTTP/3 on UDP 443, gtlsclient
# fetches one URL with SSLKEYLOGFILE set. The veths have GSO off (gso_max_segs 1) so that
# the capture shows the datagrams as they travel. tshark is the oracle of the scenarios here
# (frame numbers, versions, CONNECTION_CLOSE codes) and of test/quic.test.ts (SNI, ALPN,
# cipher suites, extensions: tshark decrypts Initials by itself).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
CERTS=$CAPTURES/certs
PY=/usr/bin/python3
CIP=10.83.0.1
SIP=10.83.0.2
SNI=www.example.test
QUIC_PACKAGES="iproute2 procps tcpdump tshark nftables ngtcp2-client ngtcp2-server python3"

SC_NS=()
WROTE=()
CAPTURE_PID=
cleanup() {
  local rc=$? ns
  [[ -n "$CAPTURE_PID" ]] && kill -INT "$CAPTURE_PID" 2>/dev/null
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; rm -rf "/etc/netns/$ns"; done
  rm -rf "$WORK"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ns_new() { ns_create "$1"; SC_NS+=("$1"); }
scenario_end() {
  if [[ -n "$CAPTURE_PID" ]]; then kill -INT "$CAPTURE_PID" 2>/dev/null || true; wait "$CAPTURE_PID" 2>/dev/null || true; CAPTURE_PID=; fi
  local ns
  for ns in "${SC_NS[@]}"; do ns_delete "$ns"; rm -rf "/etc/netns/$ns"; done
  SC_NS=()
}
bg() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" </dev/null >"$WORK/$name.log" 2>&1 & }
wait_udp() {
  local ns=$1 port=$2 name=$3
  for _ in $(seq 1 200); do
    ip netns exec "$ns" ss -lunH "sport = :$port" | grep -q . && return 0
    sleep 0.05
  done
  cat "$WORK/$name.log" >&2; die "$name did not bind UDP port $port"
}
net_pair() {
  C=hsi-q-$1-c; S=hsi-q-$1-s
  ns_new "$C"; ns_new "$S"
  veth_link "$C" c0 "$CIP/24" "$S" s0 "$SIP/24"
  ip -n "$C" link set c0 gso_max_segs 1; ip -n "$S" link set s0 gso_max_segs 1
  ip netns exec "$C" ethtool -K c0 gro off >/dev/null 2>&1 || true
  # the client names the server (its SNI is the host it connects to): /etc/netns/NS/hosts
  mkdir -p "/etc/netns/$C"; echo "$SIP $SNI" >"/etc/netns/$C/hosts"
}
cap() { capture_start "$C" c0 "$CAPTURES/$1.pcap" udp; }
cap_done() { capture_stop 0.5; CAPTURE_PID=; WROTE+=("captures/$1.pcap"); }
KEYS() { echo "$CAPTURES/$1.keys"; }
keys_done() { [[ -s $(KEYS "$1") ]] || die "$1: the client wrote no key log"; chmod 600 "$(KEYS "$1")"; WROTE+=("captures/$1.keys"); }

# server NAME ARGS...: gtlsserver on UDP 443 with the test chain (leaf + intermediate)
server() {
  local name=$1; shift
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$WORK/chain.pem"
  mkdir -p "$WORK/htdocs"; echo "hello over HTTP/3" >"$WORK/htdocs/index.html"
  bg "$S" "$name" gtlsserver -q "$@" -d "$WORK/htdocs" "$SIP" 443 "$CERTS/www.key" "$WORK/chain.pem"
  wait_udp "$S" 443 "$name"
}
# client NAME KEYLOG ARGS...: one GET of https://SNI/ (its exit status is the scenario's business)
client() {
  local name=$1 keylog=$2; shift 2
  ip netns exec "$C" env SSLKEYLOGFILE="$keylog" timeout 20 gtlsclient -q --exit-on-all-streams-close "$@" "$SNI" 443 "https://$SNI/" \
    >"$WORK/$name.log" 2>&1 || true
}

tsh() { tshark -n -r "$@" 2>/dev/null; }
fields() { local f=$1 flt=$2; shift 2; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -Y "$flt" -T fields "${a[@]}"; }
# decrypted FILE KEYS FILTER FIELD...: tshark with the key log (Handshake and 1-RTT packets opened)
decrypted() { local f=$1 k=$2 flt=$3; shift 3; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -o "tls.keylog_file:$k" -Y "$flt" -T fields "${a[@]}"; }
frame() {
  local n; n=$(fields "$1" "$2" frame.number | sed -n "${3:-1}p")
  [[ -n "$n" ]] || { tsh "$1" >&2; die "$(basename "$1"): no frame matches '$2'"; }
  echo "$n"
}
said() { grep -qE "$2" "$WORK/$1.log" || { cat "$WORK/$1.log" >&2; die "$SCENARIO: the client's log does not say /$2/"; }; }
fine() { if grep -qiE 'error|fail' "$WORK/$1.log"; then cat "$WORK/$1.log" >&2; die "$SCENARIO: $1 failed"; fi; }
V_NGTCP2=$(dpkg-query -W -f '${Version}' ngtcp2-client 2>/dev/null | sed 's/+.*//')
V_TCPDUMP=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')
TOOLS="ngtcp2 $V_NGTCP2 gtlsclient / gtlsserver (GnuTLS), tcpdump $V_TCPDUMP"
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
  "$PY" -c "$EXPECT_PY" "$CAPTURES/$1.expect.json" "$2" "scripts/captures/quic.sh $SCENARIO" "$TOOLS" "$3"
  WROTE+=("captures/$1.expect.json")
}
with_keys() { printf '["--ca-file", "captures/certs/test-root.pem", "--keylog", "captures/%s.keys"]' "$1"; }
NO_KEYS='["--ca-file", "captures/certs/test-root.pem"]'
rec() {  # rec CODE CONFIDENCE OUTCOME [EXTRA]
  printf '{ "server": { "ip": "%s", "port": 443 }, "client": { "ip": "%s" }, "protocol": "quic", "transport": "udp", "outcome": "%s", "verdict": { "code": "%s", "confidence": "%s" }%s }' \
    "$SIP" "$CIP" "$3" "$1" "$2" "${4:+, $4}"
}

# ======================================================================================= scenarios

sc_quic_ok() {
  # three fetches: a plain one, one that migrates to a new local port (new connection ID,
  # path validation) and one that is NAT-rebound (new port, same connection ID)
  local n=quic-ok f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair ok
  server server
  cap $n
  client plain "$k"
  client migrate "$k" --change-local-addr=100ms --delay-stream=400ms
  client rebind "$k" --change-local-addr=100ms --nat-rebinding --delay-stream=400ms
  cap_done $n; keys_done $n
  local i ports=() all=() done_=()
  for i in plain migrate rebind; do fine "$i"; done
  mapfile -t ports < <(fields "$f" "quic.long.packet_type==0 && ip.src==$CIP" udp.srcport | awk '!seen[$0]++')
  (( ${#ports[@]} == 3 )) || die "$n: ${#ports[@]} client ports with Initials, not 3"
  # every port the client sent from, in order: plain, migrate, migrated-to, rebind, rebound-to
  mapfile -t all < <(fields "$f" "udp.dstport==443" udp.srcport | awk '!seen[$0]++')
  [[ "${all[*]}" == "${ports[0]} ${ports[1]} ${all[2]} ${ports[2]} ${all[4]}" && ${#all[@]} == 5 ]] \
    || die "$n: client ports ${all[*]}: not one migration and one rebinding"
  local moved1=${all[2]} moved2=${all[4]}
  for i in 0 1 2; do done_+=("$(decrypted "$f" "$k" "udp.port==${ports[$i]} && quic.frame_type==30" frame.number | head -1)"); done
  for i in 0 1 2; do [[ -n ${done_[$i]} ]] || die "$n: tshark finds no HANDSHAKE_DONE in connection $((i + 1))"; done
  local m1 m2
  m1=$(frame "$f" "udp.srcport==$moved1"); m2=$(frame "$f" "udp.srcport==$moved2")
  expect $n "ngtcp2's gtlsclient fetches https://$SNI/ over HTTP/3 from gtlsserver three times, with SSLKEYLOGFILE: (1) plainly (HANDSHAKE_DONE in frame ${done_[0]}); (2) migrating to a new local port 100 ms after the handshake (--change-local-addr: a new connection ID announced in NEW_CONNECTION_ID, path validated; first packet from port $moved1 in frame $m1); (3) NAT-rebound (--nat-rebinding: a new port, the same connection ID; first packet from port $moved2 in frame $m2). Each is one connection record; the new address pairs are its paths." \
    "$(with_keys $n)" <<JSON
[ $(rec quic.ok certain completed "\"client\": { \"ip\": \"$CIP\", \"port\": ${ports[0]} }, \"quic\": { \"handshakeDone\": { \"frame\": ${done_[0]} }, \"paths\": [] }"),
  $(rec quic.ok certain completed "\"client\": { \"ip\": \"$CIP\", \"port\": ${ports[1]} }, \"quic\": { \"handshakeDone\": { \"frame\": ${done_[1]} }, \"paths\": [ { \"client\": { \"port\": $moved1 }, \"firstFrame\": $m1 } ] }"),
  $(rec quic.ok certain completed "\"client\": { \"ip\": \"$CIP\", \"port\": ${ports[2]} }, \"quic\": { \"handshakeDone\": { \"frame\": ${done_[2]} }, \"paths\": [ { \"client\": { \"port\": $moved2 }, \"firstFrame\": $m2 } ] }") ]
JSON
}

sc_quic_retry() {
  local n=quic-retry f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair retry
  server server -V
  cap $n
  client client "$k"
  cap_done $n; keys_done $n
  fine client
  local r; r=$(frame "$f" "quic.long.packet_type==3")
  expect $n "gtlsserver -V (address validation) answers the first Initial with a Retry (frame $r); gtlsclient sends its Initial again with the token and the handshake completes." \
    "$(with_keys $n)" <<<"[ $(rec quic.ok certain completed "\"quic\": { \"retries\": [ { \"frame\": $r, \"tagValid\": true } ] }") ]"
}

sc_quic_blocked() {
  local n=quic-blocked f
  f=$CAPTURES/$n.pcap
  net_pair blocked
  server server
  # the server's host firewall drops UDP 443: the client's Initials go unanswered
  ip netns exec "$S" nft -f - <<'NFT'
table inet hsi {
  chain input {
    type filter hook input priority 0;
    udp dport 443 drop
  }
}
NFT
  cap $n
  client client /dev/null --handshake-timeout=3s
  cap_done $n
  said client 'HANDSHAKE_TIMEOUT|timeout'
  local count last
  count=$(fields "$f" "ip.src==$CIP && quic.long.packet_type==0" frame.number | wc -l)
  (( count >= 2 )) || die "$n: $count Initials from the client, not a retransmission"
  [[ -z $(fields "$f" "ip.src==$SIP" frame.number) ]] || die "$n: the server answered"
  last=$(fields "$f" "ip.src==$CIP && quic.long.packet_type==0" frame.number | tail -1)
  expect $n "nft on the server drops UDP 443; gtlsclient sends $count Initials over 3 s (the last in frame $last) and gives up (handshake timeout): nothing comes back." \
    "$NO_KEYS" <<<"[ $(rec quic.no_response likely failed "\"cutFrame\": $last") ]"
}

sc_quic_version_mismatch() {
  local n=quic-version-mismatch f
  f=$CAPTURES/$n.pcap
  net_pair vn
  server server
  cap $n
  # a version the server does not speak (0xbabababa, of the reserved 0x?a?a?a?a pattern)
  client client /dev/null -v 0xbabababa
  cap_done $n
  said client 'VERSION_NEGOTIATION|select a version'
  local vn versions
  vn=$(frame "$f" "quic.version==0")
  versions=$(fields "$f" "frame.number==$vn" quic.supported_version)
  expect $n "gtlsclient -v 0xbabababa: its Initial uses a version gtlsserver lacks; the server answers with Version Negotiation (frame $vn: $versions) and the client finds no version it is willing to use." \
    "$NO_KEYS" <<<"[ $(rec quic.version_mismatch certain failed "\"cutFrame\": $vn, \"closedBy\": \"server\"") ]"
}

sc_quic_v2() {
  # the client offers QUIC v1 and prefers the v2 draft; the server prefers it too and moves
  # the connection there (compatible version negotiation, RFC 9368): other salt, other labels
  local n=quic-v2 f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair v2
  server server --preferred-versions=v2draft,v1
  cap $n
  client client "$k" -v v1 --preferred-versions=v2draft,v1 --other-versions=v2draft,v1
  cap_done $n; keys_done $n
  fine client
  local v; v=$(fields "$f" "ip.src==$SIP && quic.version" quic.version | head -1)
  [[ $v == 0x709a50c4 ]] || die "$n: the server answered in version $v, not the v2 draft"
  expect $n "gtlsclient starts in QUIC v1 and names the v2 draft (0x709a50c4) in its version_information; gtlsserver, preferring it, answers in the v2 draft: the server's packets use that version's salt and labels." \
    "$(with_keys $n)" <<<"[ $(rec quic.ok certain completed "\"quic\": { \"version\": 1, \"negotiatedVersion\": 1889161412 }") ]"
}

sc_quic_no_shared_cipher() {
  local n=quic-no-shared-cipher f
  f=$CAPTURES/$n.pcap
  net_pair cipher
  server server --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM
  cap $n
  client client /dev/null --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305
  cap_done $n
  local c code
  c=$(frame "$f" "ip.src==$SIP && quic.frame_type==28")
  code=$(fields "$f" "frame.number==$c" quic.cc.error_code | head -1)
  [[ $code == 296 ]] || die "$n: CONNECTION_CLOSE with error $code, not 0x128 (handshake_failure)"
  expect $n "gtlsclient offers only TLS_CHACHA20_POLY1305_SHA256, gtlsserver accepts only TLS_AES_256_GCM_SHA384: the server's Initial carries CONNECTION_CLOSE with CRYPTO_ERROR 0x128 (TLS alert handshake_failure, frame $c)." \
    "$NO_KEYS" <<<"[ $(rec tls.cipher_mismatch likely failed "\"cutFrame\": $c, \"closedBy\": \"server\"") ]"
}

sc_quic_transport_parameter_error() {
  local n=quic-transport-parameter-error f
  f=$CAPTURES/$n.pcap
  net_pair tperr
  server server
  cap $n
  # initial_max_streams_bidi above 2^60: RFC 9000 §18.2 makes the server close
  client client /dev/null --max-streams-bidi=2000000000000000000
  cap_done $n
  local c code
  c=$(frame "$f" "ip.src==$SIP && quic.frame_type==28")
  code=$(fields "$f" "frame.number==$c" quic.cc.error_code | head -1)
  [[ $code == 8 ]] || die "$n: CONNECTION_CLOSE with error $code, not TRANSPORT_PARAMETER_ERROR (8)"
  expect $n "gtlsclient --max-streams-bidi=2000000000000000000 sends initial_max_streams_bidi above 2^60; gtlsserver answers its Initial with CONNECTION_CLOSE TRANSPORT_PARAMETER_ERROR (frame $c)." \
    "$NO_KEYS" <<<"[ $(rec quic.connection_closed certain failed "\"cutFrame\": $c, \"closedBy\": \"server\"") ]"
}

sc_quic_initial_too_small() {
  local n=quic-initial-too-small f
  f=$CAPTURES/$n.pcap
  net_pair small
  server server
  cap $n
  # datagrams capped at 1000 bytes: the server must drop Initials under 1200 (RFC 9000 §14.1)
  client client /dev/null --max-udp-payload-size=1000 --handshake-timeout=3s
  cap_done $n
  said client 'HANDSHAKE_TIMEOUT|timeout'
  local sizes last
  sizes=$(fields "$f" "ip.src==$CIP" udp.length | sort -u | tr '\n' ' ')
  [[ -z $(fields "$f" "ip.src==$SIP" frame.number) ]] || die "$n: the server answered"
  last=$(fields "$f" "ip.src==$CIP && quic.long.packet_type==0" frame.number | tail -1)
  expect $n "gtlsclient --max-udp-payload-size=1000 sends its Initials in datagrams of UDP length $sizes(under the 1200-byte minimum); gtlsserver drops them without a word, as RFC 9000 §14.1 requires; the client gives up after 3 s (last Initial in frame $last)." \
    "$NO_KEYS" <<<"[ $(rec quic.no_response likely failed "\"cutFrame\": $last") ]"
}

# =======================================================================================
ALL_SCENARIOS=(quic-ok quic-retry quic-blocked quic-version-mismatch quic-v2 quic-no-shared-cipher quic-transport-parameter-error quic-initial-too-small)

main() {
  if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; return; fi
  if [[ "${1:-}" == --packages ]]; then echo "$QUIC_PACKAGES"; return; fi
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, captures)"
  need ip tcpdump tshark nft gtlsclient gtlsserver "$PY"
  local list=("$@") sc
  (( ${#list[@]} )) || list=("${ALL_SCENARIOS[@]}")
  for sc in "${list[@]}"; do declare -F "sc_${sc//-/_}" >/dev/null || die "unknown scenario '$sc' (see --list)"; done
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
