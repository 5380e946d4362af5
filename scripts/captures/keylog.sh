#!/usr/bin/env bash
# Regenerates the key-logged TLS captures: captures/keylog-*.pcap(ng), the key log each
# client wrote (captures/keylog-*.keys, SSLKEYLOGFILE format: test-only secrets of test-only
# servers) and the .expect.json, each scenario in network namespaces of its own.
#
#   scripts/captures/keylog.sh [scenario...]   (no argument: all; run as root)
#   scripts/captures/keylog.sh --list | --packages
#
# Clients log their secrets as they do for Wireshark: openssl s_client -keylogfile, curl
# and gnutls-cli through SSLKEYLOGFILE. One capture carries its secrets inside (editcap
# --inject-secrets tls,FILE: a pcapng Decryption Secrets Block). tshark, given the same key
# log, is the oracle of the tests (test/keylog.test.ts).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
CERTS=$CAPTURES/certs
PY=/usr/bin/python3
CIP=10.81.0.1
SIP=10.81.0.2
SNI=www.example.test
KEYLOG_PACKAGES="iproute2 procps tcpdump tshark openssl curl nginx-light gnutls-bin python3"

SC_NS=()
WROTE=()
CAPTURE_PID=
cleanup() {
  local rc=$? ns
  [[ -n "$CAPTURE_PID" ]] && kill -INT "$CAPTURE_PID" 2>/dev/null
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
bg() { local ns=$1 name=$2; shift 2; ip netns exec "$ns" "$@" </dev/null >"$WORK/$name.log" 2>&1 & }
wait_listen() { ( wait_port "$1" "$2" ) || { cat "$WORK/$3.log" >&2; die "$3 did not start listening on port $2"; }; }
net_pair() {
  C=hsi-kl-$1-c; S=hsi-kl-$1-s
  ns_new "$C"; ns_new "$S"
  veth_link "$C" c0 "$CIP/24" "$S" s0 "$SIP/24"
  ip -n "$C" link set c0 gso_max_segs 1; ip -n "$S" link set s0 gso_max_segs 1
}
cap() { capture_start "$C" c0 "$CAPTURES/$1.pcap" --immediate-mode tcp; }
cap_done() { capture_stop 0.5; CAPTURE_PID=; WROTE+=("captures/$1.pcap"); }
KEYS() { echo "$CAPTURES/$1.keys"; }
# keys_done NAME: the key log next to the capture (the clients append to it)
keys_done() { [[ -s $(KEYS "$1") ]] || die "$1: the client wrote no key log"; chmod 600 "$(KEYS "$1")"; WROTE+=("captures/$1.keys"); }

WWW=(-cert "$CERTS/www.pem" -key "$CERTS/www.key" -cert_chain "$CERTS/test-intermediate.pem")
s_server() { local name=$1 port=$2; shift 2; bg "$S" "$name" openssl s_server -accept "$port" -www "$@"; wait_listen "$S" "$port" "$name"; }
# s_client NAME KEYLOG PORT ARGS...: one GET, the secrets appended to KEYLOG
s_client() {
  local name=$1 keylog=$2 port=$3; shift 3
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec "$C" timeout 8 openssl s_client -connect "$SIP:$port" -servername "$SNI" -keylogfile "$keylog" \
    -ign_eof "$@" >"$WORK/$name.log" 2>&1 || true
}

tsh() { tshark -n -d tcp.port==4443,tls -r "$@" 2>/dev/null; }
fields() { local f=$1 flt=$2; shift 2; local a=(); for x in "$@"; do a+=(-e "$x"); done; tsh "$f" -Y "$flt" -T fields "${a[@]}"; }
# decrypted FILE KEYS FILTER FIELD...: tshark with the key log
decrypted() { local f=$1 k=$2 flt=$3; shift 3; local a=(); for x in "$@"; do a+=(-e "$x"); done; tshark -n -d tcp.port==4443,tls -r "$f" -o "tls.keylog_file:$k" -Y "$flt" -T fields "${a[@]}" 2>/dev/null; }
frame() {
  local n; n=$(fields "$1" "$2" frame.number | sed -n "${3:-1}p")
  [[ -n "$n" ]] || { tsh "$1" >&2; die "$(basename "$1"): no frame matches '$2'"; }
  echo "$n"
}
said() { grep -qE "$2" "$WORK/$1.log" || { cat "$WORK/$1.log" >&2; die "$SCENARIO: the client's log does not say /$2/"; }; }
V_OPENSSL=$(openssl version | awk '{print $2}')
V_TCPDUMP=$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')
V_CURL=$(curl --version | awk 'NR==1{print $2}')
V_GNUTLS=$(gnutls-cli --version | awk 'NR==1{print $2}')
V_NGINX=$(nginx -v 2>&1 | sed 's|.*nginx/||')
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
  "$PY" -c "$EXPECT_PY" "$CAPTURES/$1.expect.json" "$2" "scripts/captures/keylog.sh $SCENARIO" "$3" "$4"
  WROTE+=("captures/$1.expect.json")
}
opts_for() { printf '["--ca-file", "captures/certs/test-root.pem", "--keylog", "captures/%s.keys"]' "$1"; }
rec() {  # rec CODE CONFIDENCE OUTCOME [EXTRA]
  printf '{ "server": { "ip": "%s", "port": %s }, "client": { "ip": "%s" }, "protocol": "tls", "outcome": "%s", "verdict": { "code": "%s", "confidence": "%s" }%s }' \
    "$SIP" "${PORT:-443}" "$CIP" "$3" "$1" "$2" "${4:+, $4}"
}

# ======================================================================================= scenarios

sc_keylog_cert_rejected_13() {
  local n=keylog-cert-rejected-13 f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair rej
  # a chain ending at a root the clients do not trust, in the encrypted TLS 1.3 flight
  s_server server 443 -tls1_3 -cert "$CERTS/www-private.pem" -key "$CERTS/www-private.key" -cert_chain "$CERTS/private-root.pem"
  cap $n
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec "$C" env SSLKEYLOGFILE="$k" timeout 8 gnutls-cli -p 443 --sni-hostname="$SNI" --verify-hostname="$SNI" \
    --x509cafile="$CERTS/test-root.pem" "$SIP" >"$WORK/gnutls.log" 2>&1 || true
  s_client openssl "$k" 443 -tls1_3 -CAfile "$CERTS/test-root.pem" -verify_return_error -verify_hostname "$SNI"
  cap_done $n; keys_done $n
  said gnutls 'NOT trusted'
  said openssl 'verify error:num=19'
  local a1 a2 d1
  a1=$(frame "$f" "tcp.stream==0 && ip.src==$CIP && tls.record.opaque_type==23 && tls.record.length==19")
  d1=$(decrypted "$f" "$k" "frame.number==$a1" tls.alert_message.desc)
  [[ -n "$d1" ]] || die "$n: tshark does not decrypt the client's alert in frame $a1"
  a2=$(frame "$f" "tcp.stream==1 && ip.src==$CIP && tls.alert_message")
  expect $n "TLS 1.3, the server's chain (leaf + 'HSI Private Root CA (untrusted)') encrypted in its flight: (1) gnutls-cli $V_GNUTLS with SSLKEYLOGFILE rejects it with an encrypted alert in frame $a1 (tshark with the key log reads alert $d1); (2) openssl s_client -keylogfile rejects it (its unknown_ca alert goes in clear, frame $a2). With the key log the chain is decrypted and judged: the root is not trusted." \
    "gnutls-cli $V_GNUTLS, OpenSSL $V_OPENSSL s_client / s_server, tcpdump $V_TCPDUMP" "$(opts_for $n)" <<JSON
[ $(rec tls.cert_untrusted certain failed "\"cutFrame\": $a1, \"tls\": { \"decrypted\": true }"),
  $(rec tls.cert_untrusted certain failed "\"cutFrame\": $a2, \"tls\": { \"decrypted\": true }") ]
JSON
}

sc_keylog_client_cert_13() {
  local n=keylog-client-cert-required-13 f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair ccr
  s_server server 443 -tls1_3 -Verify 1 "${WWW[@]}"
  cap $n
  s_client client "$k" 443 -tls1_3 -CAfile "$CERTS/test-root.pem"
  cap_done $n; keys_done $n
  said client 'alert certificate required'
  local a d
  a=$(frame "$f" "ip.src==$SIP && tls.record.opaque_type==23 && tls.record.length==19")
  d=$(decrypted "$f" "$k" "frame.number==$a" tls.alert_message.desc)
  [[ $d == 116 ]] || die "$n: tshark reads alert '$d' in frame $a, not certificate_required (116)"
  local cr; cr=$(decrypted "$f" "$k" "tls.handshake.type==13" frame.number | head -1)
  expect $n "TLS 1.3: openssl s_server -Verify 1 asks for a client certificate in its encrypted flight (CertificateRequest in frame $cr, read with the key log); openssl s_client -keylogfile has none, sends an empty Certificate and its Finished; the server's encrypted alert (frame $a) is certificate_required(116), as tshark with the key log and the client say." \
    "OpenSSL $V_OPENSSL s_client / s_server, tcpdump $V_TCPDUMP" "$(opts_for $n)" <<<"[ $(rec tls.client_cert_required certain failed "\"cutFrame\": $a, \"closedBy\": \"server\", \"tls\": { \"decrypted\": true }") ]"
}

sc_keylog_suites() {
  local n=keylog-suites f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair suites
  local d=$WORK/nginx
  mkdir -p "$d/tmp"
  cat "$CERTS/www.pem" "$CERTS/test-intermediate.pem" >"$d/chain.pem"
  cat >"$d/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi; uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  server {
    listen 443 ssl; server_name $SNI;
    ssl_certificate $d/chain.pem; ssl_certificate_key $CERTS/www.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA;
    location / { return 200 "hello\n"; }
  }
}
CONF
  bg "$S" nginx nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;'
  wait_listen "$S" 443 nginx
  # s_server for the TLS 1.3 CCM suite (nginx cannot enable it) and TLS 1.2 CBC without encrypt_then_mac
  s_server ccm 4443 -ciphersuites TLS_AES_128_CCM_SHA256 "${WWW[@]}"
  cap $n
  local C_=(ip netns exec "$C" env SSLKEYLOGFILE="$k" curl -sS --max-time 8 --cacert "$CERTS/test-root.pem" --resolve "$SNI:443:$SIP")
  "${C_[@]}" "https://$SNI/" -o /dev/null
  "${C_[@]}" --tls13-ciphers TLS_AES_256_GCM_SHA384 "https://$SNI/" -o /dev/null
  "${C_[@]}" --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 "https://$SNI/" -o /dev/null
  "${C_[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 "https://$SNI/" -o /dev/null
  "${C_[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-CHACHA20-POLY1305 "https://$SNI/" -o /dev/null
  "${C_[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA256 "https://$SNI/" -o /dev/null
  s_client cbc "$k" 443 -tls1_2 -cipher ECDHE-RSA-AES256-SHA384 -no_etm -CAfile "$CERTS/test-root.pem"
  s_client ccm "$k" 4443 -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 -CAfile "$CERTS/test-root.pem"
  cap_done $n; keys_done $n
  local i suites=()
  for i in 0 1 2 3 4 5 6 7; do suites+=("$(fields "$f" "tcp.stream==$i && tls.handshake.type==2" tls.handshake.ciphersuite | head -1)"); done
  for i in 0 1 2 3 4 5 6 7; do [[ -n ${suites[$i]} ]] || die "$n: no ServerHello in connection $((i + 1))"; done
  local fin; fin=$(decrypted "$f" "$k" "tls.handshake.type==20" frame.number | wc -l)
  (( fin >= 16 )) || die "$n: tshark decrypts only $fin Finished messages with the key log"
  local list="" one
  for i in 0 1 2 3 4 5 6 7; do
    one=$(PORT=$([[ $i == 7 ]] && echo 4443 || echo 443) rec tls.ok certain completed "\"tls\": { \"decrypted\": true, \"serverHello\": { \"cipherSuite\": $((suites[$i])) } }")
    list+="${list:+,}$one"
  done
  expect $n "Eight completed handshakes whose Finished messages are read with the key log: curl $V_CURL (SSLKEYLOGFILE) to nginx $V_NGINX with TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, then TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305, ECDHE-RSA-AES128-SHA256 (CBC, encrypt_then_mac), openssl s_client -no_etm ECDHE-RSA-AES256-SHA384 (CBC, MAC-then-encrypt) and TLS_AES_128_CCM_SHA256 to s_server. tshark decrypts $fin Finished with the same key log." \
    "curl $V_CURL, nginx $V_NGINX, OpenSSL $V_OPENSSL s_client / s_server, tcpdump $V_TCPDUMP" "$(opts_for $n)" <<<"[ $list ]"
}

sc_keylog_bad_record_mac() {
  local n=keylog-bad-record-mac-12 f k
  f=$CAPTURES/$n.pcap; k=$(KEYS $n); rm -f "$k"
  net_pair mac
  s_server server 4443 -tls1_2 "${WWW[@]}"
  # a relay on port 443 in front of the server flips one byte of the client's first
  # protected record (its Finished); the capture is the server's: what it received, on lo
  bg "$S" relay "$PY" "$HERE/tls/corrupt-relay.py" --listen 443 --to 127.0.0.1:4443
  wait_listen "$S" 443 relay
  capture_start "$S" lo "$f" --immediate-mode tcp port 4443
  s_client client "$k" 443 -tls1_2 -CAfile "$CERTS/test-root.pem"
  cap_done $n; keys_done $n
  said client 'bad record mac'
  local a; a=$(frame "$f" "tcp.srcport==4443 && tls.alert_message.desc==20")
  local fin; fin=$(frame "$f" "tcp.dstport==4443 && tls.record.content_type==22" 2)
  expect $n "TLS 1.2: a relay in front of s_server flips one byte of the client's encrypted Finished; captured on the server's loopback, where it arrives altered (frame $fin; scripts/captures/tls/corrupt-relay.py); the server answers with bad_record_mac (frame $a). With the key log the client's Finished does not open while the server's records do: the bytes were altered on the way." \
    "OpenSSL $V_OPENSSL s_client / s_server, Python, tcpdump $V_TCPDUMP" "$(opts_for $n)" <<<"[ { \"server\": { \"ip\": \"127.0.0.1\", \"port\": 4443 }, \"protocol\": \"tls\", \"outcome\": \"failed\", \"verdict\": { \"code\": \"tls.alert\", \"confidence\": \"certain\" }, \"cutFrame\": $a, \"closedBy\": \"server\" } ]"
}

sc_keylog_injected() {
  # the secrets of keylog-client-cert-required-13, inside a copy of its capture
  local src=keylog-client-cert-required-13 n=keylog-injected
  [[ -s $CAPTURES/$src.pcap && -s $(KEYS $src) ]] || sc_keylog_client_cert_13
  editcap --inject-secrets "tls,$(KEYS $src)" "$CAPTURES/$src.pcap" "$CAPTURES/$n.pcapng" >/dev/null
  WROTE+=("captures/$n.pcapng")
  capinfos "$CAPTURES/$n.pcapng" >/dev/null
  local a; a=$(frame "$CAPTURES/$n.pcapng" "ip.src==$SIP && tls.record.opaque_type==23 && tls.record.length==19")
  expect $n "The capture and key log of $src, joined by editcap --inject-secrets tls,FILE into one pcapng with a Decryption Secrets Block: read without --keylog, the secrets come from the capture itself." \
    "editcap $(editcap --version 2>/dev/null | head -1 | awk '{print $2}')" '["--ca-file", "captures/certs/test-root.pem"]' <<<"[ $(rec tls.client_cert_required certain failed "\"cutFrame\": $a, \"tls\": { \"decrypted\": true }") ]"
}

# =======================================================================================
ALL_SCENARIOS=(keylog-cert-rejected-13 keylog-client-cert-13 keylog-suites keylog-bad-record-mac keylog-injected)

main() {
  if [[ "${1:-}" == --list ]]; then printf '%s\n' "${ALL_SCENARIOS[@]}"; return; fi
  if [[ "${1:-}" == --packages ]]; then echo "$KEYLOG_PACKAGES"; return; fi
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, captures)"
  need ip tcpdump tshark editcap capinfos openssl curl nginx gnutls-cli "$PY"
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
