#!/usr/bin/env bash
# Regenerates the SSH scenario captures: captures/ssh-<scenario>.pcap and
# captures/ssh-<scenario>.expect.json (plus captures/ssh-known_hosts), each made by real
# OpenSSH / dropbear / asyncssh peers in network namespaces of its own (hsi-cs-*), with
# the expected connection records written from what the run really did (the client's
# own log, the server key files, tshark's reading of the capture).
#
# Usage: scripts/captures/ssh.sh [--list] [SCENARIO...]   (no scenario: all of them;
#        names with or without the "ssh-" prefix). Run as root on Debian 12.
# Debian packages: openssh-client openssh-server dropbear-bin python3 python3-asyncssh
#                  nginx-light (or nginx) tcpdump tshark iproute2 iptables procps
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/captures/lib.sh
source "$HERE/lib.sh"

PY=/usr/bin/python3          # Debian's python, where python3-asyncssh lives
PEERS=$HERE/ssh/peers.py
GENERATOR=scripts/captures/ssh.sh
CLIENT_IP=10.78.0.1
SERVER_IP=10.78.0.2
NS_FILE=$WORK/namespaces     # every namespace a scenario creates, for the final cleanup

SCENARIOS=(
  ok ok-dropbear ipv6 weak-algorithms-ok terrapin-exposed
  kex-mismatch hostkey-mismatch cipher-mismatch mac-mismatch compression-mismatch
  disconnect hostkey-changed hostkey-changed-known-hosts auth-failed auth-failed-password
  closed-before-banner maxstartups http-on-ssh-port protocol-1 closed-during-kex
  mtu-blackhole refused timeout
)

# ------------------------------------------------------------------ scenario plumbing

# scenario_init NAME: the scenario's temp dir D and capture file OUT.
scenario_init() {
  NAME=$1
  D=$WORK/$NAME
  rm -rf "$D"; mkdir -p "$D"; chmod 700 "$D"
  OUT=$D/capture.pcap
  SSH_EXTRA=(); SSH_ENV=(); SSH_WRAP=(); HOSTKEYS=(); NSLIST=(); CLIENT_KEY=authorized
}
scenario_cleanup() {
  local ns
  for ns in "${NSLIST[@]}"; do ns_delete "$ns"; done
}
ns_new() { ns_create "$1"; NSLIST+=("$1"); echo "$1" >>"$NS_FILE"; }

# pair_topology: client namespace C and server namespace S joined by a veth pair.
pair_topology() {
  C=hsi-cs-$NAME-c; S=hsi-cs-$NAME-s
  ns_new "$C"; ns_new "$S"
  veth_link "$C" veth-c "$CLIENT_IP/24" "$S" veth-s "$SERVER_IP/24"
}

capture_client_side() { capture_start "$C" veth-c "$OUT" --immediate-mode tcp; }

# finish_capture: stop tcpdump and move the capture into captures/.
finish_capture() {
  capture_stop "${1:-1}"
  PCAP=$CAPTURES/ssh-$NAME.pcap
  mv -f "$OUT" "$PCAP"
  chmod 644 "$PCAP"
}

# ------------------------------------------------------------------ keys and servers

host_key() {  # host_key TYPE FILE: an OpenSSH host key pair
  ssh-keygen -q -t "$1" -N '' -C "hsi-test-host-$1" -f "$2"
}
# client_key: the client's key $D/id_ed25519; authorized_keys holds it unless
# CLIENT_KEY=unknown.
client_key() {
  ssh-keygen -q -t ed25519 -N '' -C hsi-test-client -f "$D/id_ed25519"
  if [[ $CLIENT_KEY == unknown ]]; then : >"$D/authorized_keys"; else cp "$D/id_ed25519.pub" "$D/authorized_keys"; fi
}
fingerprint() { ssh-keygen -lf "$1" | awk '{print $2}'; }

# sshd_start [CONFIG LINE...]: our own sshd in S on port 22 with HOSTKEYS, scenario
# lines first (sshd keeps the first value of most keywords), then the base template.
sshd_start() {
  local conf=$D/sshd_config k
  {
    printf '%s\n' "$@"
    for k in "${HOSTKEYS[@]}"; do echo "HostKey $k"; done
    sed "s#@DIR@#$D#g" "$HERE/ssh/sshd_config.in"
  } >"$conf"
  mkdir -p /run/sshd && chmod 755 /run/sshd   # privilege separation directory
  /usr/sbin/sshd -t -f "$conf" || die "sshd rejects $conf"
  # not through in_ns: a function would run in a subshell and $! would not be sshd
  ip netns exec "$S" /usr/sbin/sshd -f "$conf" -D -e >>"$D/sshd.log" 2>&1 &
  SSHD_PID=$!
  wait_port "$S" 22
}
sshd_stop() {
  kill "$SSHD_PID" 2>/dev/null || true
  wait "$SSHD_PID" 2>/dev/null || true
  ! in_ns "$S" ss -ltnH "sport = :22" | grep -q . || die "ssh-$NAME: port 22 still taken after sshd stopped"
}

# pair_with_sshd KEYTYPE [CONFIG LINE...]: both namespaces, the client key, a host key
# $D/host_KEYTYPE and sshd running with it.
pair_with_sshd() {
  local type=$1; shift
  pair_topology; client_key
  host_key "$type" "$D/host_$type"; HOSTKEYS=("$D/host_$type")
  sshd_start "$@"
}

# peer_start LOG ARGS...: a peers.py role in S, in the background, then wait for port 22.
peer_start() {
  local logf=$1; shift
  in_ns "$S" "$PY" "$PEERS" "$@" >"$D/$logf" 2>&1 &
  wait_port "$S" 22
}

# ------------------------------------------------------------------ clients

# ssh_client NS DEST [COMMAND...]: OpenSSH with -v, our key and known_hosts only;
# SSH_EXTRA options go first (ssh keeps the first value); SSH_WRAP (e.g. timeout 6) and
# SSH_ENV (variables) go before ssh. Log in $D/ssh.log, rc in SSH_RC.
ssh_client() {
  local ns=$1; shift
  set +e
  in_ns "$ns" "${SSH_WRAP[@]}" env "${SSH_ENV[@]}" ssh -v "${SSH_EXTRA[@]}" -F /dev/null \
    -o UserKnownHostsFile="$D/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o IdentitiesOnly=yes \
    -o IdentityAgent=none -o ConnectTimeout=10 -i "$D/id_ed25519" \
    "$@" </dev/null >"$D/ssh.out" 2>"$D/ssh.raw"
  SSH_RC=$?
  set -e
  tr -d '\r' <"$D/ssh.raw" >"$D/ssh.log"   # ssh ends its log lines with CR LF
}

# login_captured [COMMAND...]: capture on the client side while the OpenSSH client logs
# in to the server and runs COMMAND (default: true).
login_captured() {
  capture_client_side
  ssh_client "$C" "root@$SERVER_IP" "${@:-true}"
  finish_capture
}

# ssh_says REGEX: the client's first non-debug log line matching REGEX (dies if none).
ssh_says() {
  local line
  line=$(grep -v '^debug' "$D/ssh.log" | grep -E -m1 -- "$1" || true)
  [[ -n $line ]] || { grep -v '^debug' "$D/ssh.log" >&2 || true; die "ssh-$NAME: the client never said /$1/"; }
  printf '%s' "$line"
}

# negotiated_fields [LOG]: ssh.negotiated.* and ssh.hostKey.* as the OpenSSH client's -v
# log reports them (MACs of AEAD ciphers are "<implicit>" there and left out).
negotiated_fields() {
  awk '
    /^debug1: kex: algorithm: / { print "ssh.negotiated.kex=" $4 }
    /^debug1: kex: host key algorithm: / { print "ssh.negotiated.hostKey=" $6 }
    /^debug1: kex: (client->server|server->client) cipher: / {
      d = ($3 == "client->server") ? "C2S" : "S2C"
      print "ssh.negotiated.cipher" d "=" $5
      if ($7 != "<implicit>") print "ssh.negotiated.mac" d "=" $7
      print "ssh.negotiated.compression" d "=" $9
    }
    /^debug1: Server host key: / { print "ssh.hostKey.type=" $5; print "ssh.hostKey.fingerprint=" $6 }
  ' "${1:-$D/ssh.log}"
}
# server_key_seen: the fingerprint the client's log says the server presented.
server_key_seen() { awk '/^debug1: Server host key: / {print $6; exit}' "$D/ssh.log"; }

# ------------------------------------------------------------------ reading the capture

tsh() { tshark -r "$PCAP" "$@" 2>/dev/null; }
count() { tsh -Y "$1" | wc -l; }
# expect_frames FILTER OP N: the number of frames matching the display filter compares as told.
expect_frames() {
  local n ok; n=$(count "$1")
  case $2 in
    '==') ok=$(( n == $3 )) ;;
    '>=') ok=$(( n >= $3 )) ;;
    *) die "expect_frames: operator $2" ;;
  esac
  ((ok)) || die "ssh-$NAME: expected $2 $3 frame(s) matching '$1', found $n"
}
first_frame() { tsh -Y "$1" -T fields -e frame.number | head -1; }
# banners: CLIENT_BANNER / SERVER_BANNER as tshark reads them (empty when not sent).
banners() {
  CLIENT_BANNER=$(tsh -Y 'ssh.protocol && tcp.dstport == 22' -T fields -e ssh.protocol | head -1)
  SERVER_BANNER=$(tsh -Y 'ssh.protocol && tcp.srcport == 22' -T fields -e ssh.protocol | head -1)
}
hassh_fields() {
  local c s
  c=$(tsh -Y 'ssh.kex.hassh' -T fields -e ssh.kex.hassh | head -1)
  s=$(tsh -Y 'ssh.kex.hasshserver' -T fields -e ssh.kex.hasshserver | head -1)
  [[ -n $c && -n $s ]] || die "ssh-$NAME: tshark found no HASSH"
  echo "ssh.hassh=$c"; echo "ssh.hasshServer=$s"
}
# close_event [tcp]: CUT_FRAME, CUT_BY, CUT_KIND (and CLOSE_FIELDS for write_expect) from
# the first clear-text DISCONNECT, FIN or RST in the capture ("tcp": FIN/RST only, when
# the payload is not SSH).
close_event() {
  local filter='tcp.flags.fin == 1 || tcp.flags.reset == 1' line port codes rst
  [[ ${1:-} == tcp ]] || filter="ssh.message_code == 1 || $filter"
  line=$(tsh -Y "$filter" -T fields -E 'separator=|' -e frame.number -e tcp.srcport \
           -e ssh.message_code -e tcp.flags.reset | head -1)
  [[ -n $line ]] || die "ssh-$NAME: no DISCONNECT, FIN or RST in the capture"
  IFS='|' read -r CUT_FRAME port codes rst <<<"$line"
  if [[ $port == 22 ]]; then CUT_BY=server; else CUT_BY=client; fi
  if [[ ${1:-} != tcp && ,$codes, == *,1,* ]]; then CUT_KIND=disconnect
  elif [[ $rst == 1 ]]; then CUT_KIND=rst
  else CUT_KIND=fin; fi
  CLOSE_FIELDS=("cutFrame=#$CUT_FRAME" "closedBy=$CUT_BY" "closeKind=$CUT_KIND")
}
# disconnect_info: "reason N, \"description\"" of the first clear-text DISCONNECT (tshark 4.0
# shows its payload only as hex: uint32 reason code, string description, string language).
disconnect_info() {
  tsh -Y 'ssh.message_code == 1' -T fields -e ssh.payload | head -1 | "$PY" -c '
import struct, sys
p = bytes.fromhex(sys.stdin.read().strip().replace(":", ""))  # after the message code
code, n = struct.unpack(">II", p[:8])
print("reason %d, \"%s\"" % (code, p[8:8 + n].decode("utf-8", "replace")))'
}

# ------------------------------------------------------------------ expect.json

v_openssh() { ssh -V 2>&1 | cut -d, -f1; }
v_tcpdump() { tcpdump --version 2>&1 | head -1 | sed 's/ version / /'; }
v_dropbear() { dropbear -V 2>&1 | grep -o 'Dropbear v[0-9.]*' | head -1; }
v_asyncssh() { echo "AsyncSSH $("$PY" -W ignore -c 'import asyncssh; print(asyncssh.__version__)')"; }

# write_expect DESCRIPTION TOOLS [--option X]... --conn KEY=VALUE... [--conn ...]
write_expect() {
  local desc=$1 tools=$2; shift 2
  "$PY" "$HERE/ssh/expect.py" "$CAPTURES/ssh-$NAME.expect.json" "$desc" "$GENERATOR $NAME" \
    "$tools, $(v_tcpdump)" "$@"
  log "wrote captures/ssh-$NAME.pcap ($(count frame) frames) and captures/ssh-$NAME.expect.json"
}
ENDPOINTS=("client.ip=$CLIENT_IP" "server.ip=$SERVER_IP" "server.port=#22" "protocol=ssh")

# ok_fields [LOG]: the fields of a completed OpenSSH-client connection, from the client
# log and the capture's banners.
ok_fields() {
  banners
  echo "outcome=completed"; echo "verdict.code=ssh.ok"; echo "verdict.confidence=certain"
  echo "ssh.clientBanner=$CLIENT_BANNER"; echo "ssh.serverBanner=$SERVER_BANNER"
  negotiated_fields "$@"
}

# ================================================================== scenarios

# A publickey login that runs a command: OpenSSH client and server, default algorithms.
scn_ok() {
  pair_with_sshd ed25519
  login_captured echo hi
  [[ $SSH_RC == 0 && $(cat "$D/ssh.out") == hi ]] || die "ssh-ok: login failed (rc $SSH_RC)"
  [[ $(server_key_seen) == "$(fingerprint "$D/host_ed25519.pub")" ]] || die "ssh-ok: host key"
  expect_frames 'ssh.message_code == 21' == 2
  local fields; mapfile -t fields < <(ok_fields; hassh_fields)
  write_expect "OpenSSH client logs in with a public key to OpenSSH sshd (default algorithms) and runs 'echo hi'" \
    "$(v_openssh) ssh and sshd" --conn "${ENDPOINTS[@]}" "${fields[@]}"
}

# The same with dropbear as the server (its authorized_keys in a private bind mount of
# /root inside the server namespace: dropbear has no option for the file's path).
scn_ok_dropbear() {
  pair_topology; client_key
  dropbearkey -t ed25519 -f "$D/dropbear_ed25519" >"$D/dropbearkey.out" 2>&1
  local fpr; fpr=$(sed -n 's/^Fingerprint: //p' "$D/dropbearkey.out")
  mkdir -p "$D/root/.ssh"; cp "$D/authorized_keys" "$D/root/.ssh/authorized_keys"
  chmod 700 "$D/root" "$D/root/.ssh"; chmod 600 "$D/root/.ssh/authorized_keys"
  # shellcheck disable=SC2016  # $1..$3 are the inner sh's arguments
  in_ns "$S" sh -c 'mount --bind "$1" /root && exec dropbear -F -E -r "$2" -p 22 -P "$3"' \
    sh "$D/root" "$D/dropbear_ed25519" "$D/dropbear.pid" >"$D/dropbear.log" 2>&1 &
  wait_port "$S" 22
  login_captured echo hi
  [[ $SSH_RC == 0 && $(cat "$D/ssh.out") == hi ]] || die "ssh-ok-dropbear: login failed (rc $SSH_RC)"
  [[ $(server_key_seen) == "$fpr" ]] || die "ssh-ok-dropbear: host key $(server_key_seen) != $fpr"
  expect_frames 'ssh.message_code == 21' == 2
  local fields; mapfile -t fields < <(ok_fields; hassh_fields)
  write_expect "OpenSSH client logs in with a public key to dropbear and runs 'echo hi'" \
    "$(v_openssh) ssh, $(v_dropbear)" --conn "${ENDPOINTS[@]}" "${fields[@]}"
}

# A successful login over IPv6 loopback (one namespace, captured on its lo).
scn_ipv6() {
  S=hsi-cs-$NAME; C=$S; ns_new "$S"
  host_key ed25519 "$D/host_ed25519"; HOSTKEYS=("$D/host_ed25519"); client_key
  sshd_start "ListenAddress ::1"
  capture_start "$S" lo "$OUT" --immediate-mode tcp port 22
  ssh_client "$C" "root@::1" echo hi
  finish_capture
  [[ $SSH_RC == 0 && $(cat "$D/ssh.out") == hi ]] || die "ssh-ipv6: login failed (rc $SSH_RC)"
  expect_frames 'ipv6 && ssh.message_code == 21' == 2
  local fields; mapfile -t fields < <(ok_fields)
  write_expect "OpenSSH client logs in to OpenSSH sshd over IPv6 loopback (::1) and runs 'echo hi'" \
    "$(v_openssh) ssh and sshd" \
    --conn client.ip=::1 server.ip=::1 server.port=#22 protocol=ssh "${fields[@]}"
}

# A completed exchange on weak algorithms, forced on both sides.
scn_weak_algorithms_ok() {
  pair_with_sshd rsa "KexAlgorithms diffie-hellman-group14-sha1" "HostKeyAlgorithms ssh-rsa" \
    "Ciphers aes128-cbc" "MACs hmac-sha1"
  SSH_EXTRA=(-o KexAlgorithms=diffie-hellman-group14-sha1 -o HostKeyAlgorithms=ssh-rsa
             -c aes128-cbc -m hmac-sha1)
  login_captured echo hi
  [[ $SSH_RC == 0 ]] || die "ssh-weak-algorithms-ok: login failed (rc $SSH_RC)"
  expect_frames 'ssh.message_code == 21' == 2
  expect_frames 'ssh.message_code == 31' == 1
  local fields; mapfile -t fields < <(ok_fields)
  printf '%s\n' "${fields[@]}" | grep -qx 'ssh.negotiated.cipherC2S=aes128-cbc' \
    || die "ssh-weak-algorithms-ok: aes128-cbc was not negotiated"
  write_expect "OpenSSH client and sshd both forced to diffie-hellman-group14-sha1, ssh-rsa (SHA-1 signatures), aes128-cbc and hmac-sha1: the login completes on weak algorithms" \
    "$(v_openssh) ssh and sshd" --conn "${ENDPOINTS[@]}" "${fields[@]}"
}

# A completed login whose server lacks strict KEX while chacha20-poly1305 is negotiated.
scn_terrapin_exposed() {
  pair_topology; client_key; host_key ed25519 "$D/host_ed25519"
  peer_start asyncssh.log async-server --host-key "$D/host_ed25519" \
    --authorized-keys "$D/authorized_keys" --no-strict-kex
  login_captured echo hi
  [[ $SSH_RC == 0 ]] || die "ssh-terrapin-exposed: login failed (rc $SSH_RC)"
  expect_frames 'ssh.message_code == 21' == 2
  expect_frames 'ssh.kex_algorithms contains "kex-strict-c-v00@openssh.com"' == 1
  expect_frames 'ssh.kex_algorithms contains "kex-strict-s-v00@openssh.com"' == 0
  local fields; mapfile -t fields < <(ok_fields; hassh_fields)
  printf '%s\n' "${fields[@]}" | grep -qx 'ssh.negotiated.cipherC2S=chacha20-poly1305@openssh.com' \
    || die "ssh-terrapin-exposed: chacha20-poly1305 was not negotiated"
  write_expect "OpenSSH client (offers strict KEX) logs in to an asyncssh server that does not offer kex-strict-s-v00@openssh.com (as asyncssh before 2.14.2: Debian's 2.10.1 has the fix backported, so peers.py removes the marker and strict mode), with chacha20-poly1305@openssh.com negotiated: exposed to Terrapin (CVE-2023-48795)" \
    "$(v_openssh) ssh, $(v_asyncssh) server" --conn "${ENDPOINTS[@]}" "${fields[@]}"
}

# mismatch_scenario CODE NEGOTIATED-NULLS REGEX DESCRIPTION: the OpenSSH client and sshd
# exchange KEXINITs that have no algorithm in common in one list; neither sends a
# DISCONNECT, both just close.
mismatch_expect() {
  local code=$1 nulls=$2 regex=$3 desc=$4 said n fields=()
  said=$(ssh_says "$regex")
  [[ $SSH_RC == 255 ]] || die "ssh-$NAME: ssh exit status $SSH_RC"
  expect_frames 'ssh.message_code == 20' == 2
  expect_frames 'ssh.message_code == 30 || ssh.message_code == 31 || ssh.message_code == 1' == 0
  close_event; banners
  for n in $nulls; do fields+=("ssh.negotiated.$n=null"); done
  write_expect "$desc; the client says: $said (no DISCONNECT on the wire: OpenSSH just closes)" \
    "$(v_openssh) ssh and sshd" --conn "${ENDPOINTS[@]}" outcome=failed stage=kexinit \
    "verdict.code=$code" verdict.confidence=certain "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" "${fields[@]}"
}
mismatch_setup() {  # mismatch_setup KEYTYPE [sshd config lines...]
  pair_with_sshd "$@"
  login_captured
}

scn_kex_mismatch() {
  SSH_EXTRA=(-o KexAlgorithms=diffie-hellman-group1-sha1)
  mismatch_setup ed25519
  mismatch_expect ssh.kex_mismatch kex 'no matching key exchange method found' \
    "OpenSSH client with -o KexAlgorithms=diffie-hellman-group1-sha1 against sshd with default KexAlgorithms"
}
scn_hostkey_mismatch() {
  mismatch_setup rsa "HostKeyAlgorithms ssh-rsa"
  mismatch_expect ssh.hostkey_mismatch hostKey 'no matching host key type found' \
    "sshd with only an RSA host key and HostKeyAlgorithms ssh-rsa against the default OpenSSH 9.2 client, which disabled ssh-rsa (SHA-1) signatures"
}
scn_cipher_mismatch() {
  SSH_EXTRA=(-c aes256-gcm@openssh.com)
  mismatch_setup ed25519 "Ciphers aes128-ctr"
  mismatch_expect ssh.cipher_mismatch "cipherC2S cipherS2C" 'no matching cipher found' \
    "OpenSSH client with -c aes256-gcm@openssh.com against sshd with Ciphers aes128-ctr"
}
scn_mac_mismatch() {
  SSH_EXTRA=(-c aes128-ctr -m hmac-sha1)
  mismatch_setup ed25519 "Ciphers aes128-ctr" "MACs hmac-sha2-512"
  mismatch_expect ssh.mac_mismatch "macC2S macS2C" 'no matching MAC found' \
    "OpenSSH client with -c aes128-ctr -m hmac-sha1 against sshd with Ciphers aes128-ctr and MACs hmac-sha2-512 (a non-AEAD cipher, so the MAC lists matter)"
}

# asyncssh client that only accepts zlib compression against sshd with Compression no.
scn_compression_mismatch() {
  pair_with_sshd ed25519 "Compression no"
  capture_client_side
  set +e
  in_ns "$C" "$PY" "$PEERS" async-client "$SERVER_IP" --key "$D/id_ed25519" \
    --compression zlib@openssh.com,zlib >"$D/client.log" 2>&1
  local rc=$?; set -e
  finish_capture
  local said; said=$(grep -m1 'compression' "$D/client.log" || true)
  [[ $rc != 0 && -n $said ]] || { cat "$D/client.log" >&2; die "ssh-compression-mismatch: no compression failure"; }
  grep -q 'no matching compression method found' "$D/sshd.log" \
    || die "ssh-compression-mismatch: sshd did not fail on compression"
  expect_frames 'ssh.message_code == 20' == 2
  expect_frames 'ssh.compression_algorithms_server_to_client == "none"' == 1
  close_event; banners
  local how="both sides give up; first on the wire: $CUT_KIND from the $CUT_BY (frame $CUT_FRAME)"
  [[ $(count 'ssh.message_code == 1') == 0 ]] || how+="; the client's clear-text DISCONNECT: $(disconnect_info)"
  write_expect "asyncssh client with compression_algs zlib@openssh.com,zlib only against sshd with Compression no (offers only none): $how; the client says: ${said#asyncssh client: }; sshd logs 'no matching compression method found'" \
    "$(v_asyncssh) client, $(v_openssh) sshd" --conn "${ENDPOINTS[@]}" outcome=failed \
    stage=kexinit verdict.code=ssh.compression_mismatch verdict.confidence=certain \
    "${CLOSE_FIELDS[@]}" "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" \
    ssh.negotiated.compressionC2S=null ssh.negotiated.compressionS2C=null
}

# A clear-text DISCONNECT during the key exchange with nothing wrong in the lists:
# asyncssh refuses the host key (its known_hosts holds another key for the server).
scn_disconnect() {
  pair_with_sshd ed25519
  host_key ed25519 "$D/other_ed25519"
  echo "$SERVER_IP $(cut -d' ' -f1,2 "$D/other_ed25519.pub")" >"$D/known_hosts"
  capture_client_side
  set +e
  in_ns "$C" "$PY" "$PEERS" async-client "$SERVER_IP" --key "$D/id_ed25519" \
    --known-hosts "$D/known_hosts" >"$D/client.log" 2>&1
  local rc=$?; set -e
  finish_capture
  local said; said=$(grep -m1 'HostKeyNotVerifiable' "$D/client.log" || true)
  [[ $rc != 0 && -n $said ]] || { cat "$D/client.log" >&2; die "ssh-disconnect: no host key refusal"; }
  expect_frames 'ssh.message_code == 1' == 1
  expect_frames 'ssh.message_code == 21' == 1
  local info; info=$(disconnect_info)
  [[ $info == "reason 9, "* ]] || die "ssh-disconnect: DISCONNECT $info (expected HOST_KEY_NOT_VERIFIABLE)"
  close_event; banners
  [[ $CUT_KIND == disconnect && $CUT_BY == client ]] || die "ssh-disconnect: first close is $CUT_KIND by $CUT_BY"
  write_expect "asyncssh client whose known_hosts holds another key for the server refuses sshd's host key after the ECDH reply and sends SSH_MSG_DISCONNECT in clear: $info = SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE (${said#asyncssh client: })" \
    "$(v_asyncssh) client, $(v_openssh) sshd" --conn "${ENDPOINTS[@]}" outcome=failed \
    verdict.code=ssh.disconnect verdict.confidence=certain "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" \
    ssh.hostKey.type=ssh-ed25519 "ssh.hostKey.fingerprint=$(fingerprint "$D/host_ed25519.pub")"
}

# Two connections to the same server; sshd restarted with a new host key in between.
scn_hostkey_changed() {
  pair_topology; host_key ed25519 "$D/host_a"; host_key ed25519 "$D/host_b"; client_key
  HOSTKEYS=("$D/host_a"); sshd_start
  capture_client_side
  ssh_client "$C" "root@$SERVER_IP" echo hi
  [[ $SSH_RC == 0 ]] || die "ssh-hostkey-changed: first login failed"
  [[ $(server_key_seen) == "$(fingerprint "$D/host_a.pub")" ]] || die "ssh-hostkey-changed: first key"
  cp "$D/ssh.log" "$D/ssh-first.log"
  sshd_stop
  HOSTKEYS=("$D/host_b"); sshd_start
  ssh_client "$C" "root@$SERVER_IP" echo hi
  finish_capture
  local said; said=$(ssh_says 'REMOTE HOST IDENTIFICATION HAS CHANGED' | sed 's/^[@ ]*//; s/[@ ]*$//')
  ssh_says 'Host key verification failed' >/dev/null
  [[ $(server_key_seen) == "$(fingerprint "$D/host_b.pub")" ]] || die "ssh-hostkey-changed: second key"
  expect_frames 'tcp.flags.syn == 1 && tcp.flags.ack == 0' == 2
  expect_frames 'ssh.message_code == 21' == 3
  local first port2 cut
  mapfile -t first < <(ok_fields "$D/ssh-first.log")
  port2=$(tsh -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.srcport | sed -n 2p)
  cut=$(first_frame "tcp.port == $port2 && (tcp.flags.fin == 1 || tcp.flags.reset == 1)")
  [[ $(tsh -Y "frame.number == $cut" -T fields -e tcp.srcport) == "$port2" ]] \
    || die "ssh-hostkey-changed: the server closed the second connection first"
  [[ $(tsh -Y "frame.number == $cut" -T fields -e tcp.flags.reset) == 0 ]] \
    || die "ssh-hostkey-changed: the client reset the second connection"
  write_expect "Two logins to the same sshd; between them sshd restarts with a new ed25519 host key. The first completes; on the second the OpenSSH client says '$said' and 'Host key verification failed.', then closes before its NEWKEYS" \
    "$(v_openssh) ssh and sshd" \
    --conn "${ENDPOINTS[@]}" "${first[@]}" \
    --conn "${ENDPOINTS[@]}" outcome=failed closedBy=client closeKind=fin \
    "cutFrame=#$cut" verdict.code=ssh.hostkey_changed verdict.confidence=certain \
    ssh.hostKey.type=ssh-ed25519 "ssh.hostKey.fingerprint=$(fingerprint "$D/host_b.pub")"
}

# One connection whose host key differs from the hashed entry in captures/ssh-known_hosts.
scn_hostkey_changed_known_hosts() {
  pair_topology; host_key ed25519 "$D/host_old"; host_key ed25519 "$D/host_new"
  host_key ed25519 "$D/host_other"; client_key
  local kh=$D/known_hosts
  {
    echo "$SERVER_IP $(cut -d' ' -f1,2 "$D/host_old.pub")"
    echo "[$SERVER_IP]:2222 $(cut -d' ' -f1,2 "$D/host_new.pub")"
  } >"$kh"
  ssh-keygen -q -H -f "$kh" >/dev/null 2>&1; rm -f "$kh.old"
  echo "build.example,10.78.0.9 $(cut -d' ' -f1,2 "$D/host_other.pub")" >>"$kh"
  grep -q '^|1|' "$kh" || die "ssh-hostkey-changed-known-hosts: ssh-keygen -H hashed nothing"
  HOSTKEYS=("$D/host_new"); sshd_start
  SSH_EXTRA=(-o StrictHostKeyChecking=yes)
  login_captured echo hi
  local said; said=$(ssh_says 'REMOTE HOST IDENTIFICATION HAS CHANGED' | sed 's/^[@ ]*//; s/[@ ]*$//')
  ssh_says 'Host key verification failed' >/dev/null
  ssh_says "Offending ED25519 key in $kh:1" >/dev/null
  expect_frames 'ssh.message_code == 21' == 1
  close_event; banners
  [[ $CUT_BY == client ]] || die "ssh-hostkey-changed-known-hosts: closed by $CUT_BY"
  { echo "# Test-only known_hosts for captures/ssh-hostkey-changed-known-hosts.pcap (scripts/captures/ssh.sh)."
    echo "# Entries: hashed $SERVER_IP (port 22) with an OLD ed25519 key; hashed [$SERVER_IP]:2222 with the key"
    echo "# the server presents in the capture (another port: no match); a plain entry for another host."
    cat "$kh"; } >"$CAPTURES/ssh-known_hosts"
  write_expect "OpenSSH client with StrictHostKeyChecking=yes and captures/ssh-known_hosts, whose hashed entry for $SERVER_IP holds another ed25519 key (the presented key is only listed for port 2222): it says '$said' and 'Host key verification failed.' and closes before its NEWKEYS" \
    "$(v_openssh) ssh and sshd" --option --known-hosts --option captures/ssh-known_hosts \
    --conn "${ENDPOINTS[@]}" outcome=failed "${CLOSE_FIELDS[@]}" \
    verdict.code=ssh.hostkey_changed verdict.confidence=certain \
    ssh.hostKey.type=ssh-ed25519 "ssh.hostKey.fingerprint=$(fingerprint "$D/host_new.pub")"
}

# auth_failed_expect DESCRIPTION: the common checks and record of a refused login.
auth_failed_expect() {
  local said; said=$(ssh_says 'Permission denied \(')
  [[ $SSH_RC == 255 ]] || die "ssh-$NAME: ssh exit status $SSH_RC"
  expect_frames 'ssh.message_code == 21' == 2
  close_event; banners
  local fields; mapfile -t fields < <(negotiated_fields)
  write_expect "$1; the client says: $said" "$(v_openssh) ssh and sshd" \
    --conn "${ENDPOINTS[@]}" stage=authentication verdict.code=ssh.auth_failed \
    verdict.confidence=likely "closedBy=$CUT_BY" "closeKind=$CUT_KIND" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" "${fields[@]}"
}

scn_auth_failed() {
  CLIENT_KEY=unknown; pair_with_sshd ed25519
  login_captured
  grep -q 'Failed publickey for root' "$D/sshd.log" || die "ssh-auth-failed: sshd saw no publickey failure"
  auth_failed_expect "OpenSSH client offers an ed25519 key that is not in sshd's authorized_keys (publickey only)"
}

# Password login with a wrong password (root's shadow entry holds no usable password, so no
# password can succeed), typed by an SSH_ASKPASS helper, two prompts.
scn_auth_failed_password() {
  CLIENT_KEY=unknown; pair_with_sshd ed25519 "PasswordAuthentication yes" "PermitRootLogin yes"
  printf '#!/bin/sh\necho wrong-password\n' >"$D/askpass"; chmod 755 "$D/askpass"
  SSH_ENV=(SSH_ASKPASS="$D/askpass" SSH_ASKPASS_REQUIRE=force)
  SSH_EXTRA=(-o BatchMode=no -o PubkeyAuthentication=no -o PreferredAuthentications=password
             -o NumberOfPasswordPrompts=2)
  login_captured
  [[ $(grep -c 'Failed password for root' "$D/sshd.log") == 2 ]] \
    || die "ssh-auth-failed-password: sshd did not see two wrong passwords"
  auth_failed_expect "OpenSSH client with PreferredAuthentications=password types a wrong password twice (SSH_ASKPASS) to sshd with PasswordAuthentication yes"
}

# A listener that accepts, waits for the client's identification string and closes
# without sending anything.
scn_closed_before_banner() {
  pair_topology; client_key
  peer_start raw.log raw-server close-before-banner
  login_captured
  local said; said=$(ssh_says 'kex_exchange_identification: Connection closed by remote host')
  expect_frames 'tcp.srcport == 22 && tcp.len > 0' == 0
  close_event; banners
  [[ $CUT_BY == server && $CUT_KIND == fin ]] || die "ssh-$NAME: first close $CUT_KIND by $CUT_BY"
  write_expect "A listener on port 22 that accepts, reads the client's identification string and closes without a banner (as a TCP-wrappers refusal or a dying sshd); the client says: $said" \
    "$(v_openssh) ssh, peers.py raw-server" --conn "${ENDPOINTS[@]}" outcome=failed \
    verdict.code=ssh.closed_before_banner "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" ssh.serverBanner=null
}

# sshd past MaxStartups: it writes "Exceeded MaxStartups" and closes.
scn_maxstartups() {
  pair_with_sshd ed25519 "MaxStartups 1"
  # One unauthenticated connection from inside the server namespace (not captured)
  # holds the only startup slot.
  ip netns exec "$S" "$PY" -c 'import socket, time; s = socket.create_connection(("127.0.0.1", 22)); time.sleep(60)' &
  disown   # killed with the namespace; no "Terminated" job notice
  for _ in $(seq 1 100); do grep -q 'Connection from 127.0.0.1' "$D/sshd.log" && break; sleep 0.05; done
  grep -q 'Connection from 127.0.0.1' "$D/sshd.log" || die "ssh-maxstartups: the holding connection did not arrive"
  login_captured
  # sshd closes without reading: the client's identification string crossing that close
  # draws an RST, so the client reports either a close or a reset (a race).
  local said; said=$(ssh_says 'kex_exchange_identification: (Connection closed by remote host|read: Connection reset by peer)')
  grep -q 'past MaxStartups' "$D/sshd.log" || die "ssh-maxstartups: sshd did not drop the connection"
  expect_frames 'tcp.srcport == 22 && tcp.payload contains "Exceeded MaxStartups"' == 1
  expect_frames 'ssh.protocol && tcp.srcport == 22' == 0
  close_event tcp; banners
  [[ $CUT_BY == server ]] || die "ssh-maxstartups: closed by $CUT_BY"
  write_expect "sshd with MaxStartups 1 and one unauthenticated connection (not captured) holding the slot: it writes the line 'Exceeded MaxStartups' instead of a banner and closes without reading (the client's identification string crossing that close draws an RST); first close on the wire: $CUT_KIND from the $CUT_BY (frame $CUT_FRAME); the client says: $said" \
    "$(v_openssh) ssh and sshd" --conn "${ENDPOINTS[@]}" outcome=failed \
    verdict.code=ssh.closed_before_banner "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" ssh.serverBanner=null
}

# nginx (plain HTTP) on port 22: it answers the client's identification string with 400.
scn_http_on_ssh_port() {
  pair_topology; client_key
  sed "s#@DIR@#$D#g" "$HERE/ssh/nginx.conf.in" >"$D/nginx.conf"
  in_ns "$S" nginx -p "$D" -c "$D/nginx.conf" >"$D/nginx.log" 2>&1 &
  wait_port "$S" 22
  login_captured
  local said; said=$(ssh_says 'kex_exchange_identification|banner|Connection closed')
  expect_frames 'tcp.srcport == 22 && tcp.payload contains "HTTP/1.1 400"' == 1
  close_event tcp; banners
  write_expect "nginx serving plain HTTP on port 22: it answers the OpenSSH client's identification string with 'HTTP/1.1 400 Bad Request' and closes; the client says: $said" \
    "$(v_openssh) ssh, $(nginx -v 2>&1 | sed 's/^nginx version: //')" \
    --conn "${ENDPOINTS[@]}" outcome=failed verdict.code=ssh.protocol_mismatch \
    verdict.confidence=certain "${CLOSE_FIELDS[@]}" "ssh.clientBanner=$CLIENT_BANNER"
}

# A server that announces protocol 1.5.
scn_protocol_1() {
  pair_topology; client_key
  peer_start raw.log raw-server ssh1-banner
  login_captured
  local said; said=$(ssh_says 'Protocol major versions differ')
  close_event; banners
  [[ $SERVER_BANNER == SSH-1.5-OldServer ]] || die "ssh-protocol-1: server banner '$SERVER_BANNER'"
  write_expect "A server announcing SSH-1.5-OldServer (protocol 1 only); the OpenSSH client says: $said" \
    "$(v_openssh) ssh, peers.py raw-server" --conn "${ENDPOINTS[@]}" outcome=failed \
    stage=banner verdict.code=ssh.protocol_mismatch verdict.confidence=certain "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER"
}

# A server that sends its banner and KEXINIT, reads the client's KEXINIT and ECDH init,
# then closes without DISCONNECT (lists compatible: no mismatch to blame).
scn_closed_during_kex() {
  pair_topology; client_key
  peer_start raw.log raw-server kexinit-then-close
  login_captured
  local said; said=$(ssh_says "Connection closed by $SERVER_IP")
  grep -q 'client message 30' "$D/raw.log" || die "ssh-closed-during-kex: no ECDH init seen"
  expect_frames 'ssh.message_code == 20' == 2
  expect_frames 'ssh.message_code == 30' == 1
  expect_frames 'ssh.message_code == 31 || ssh.message_code == 1' == 0
  close_event; banners
  [[ $CUT_BY == server && $CUT_KIND == fin ]] || die "ssh-$NAME: first close $CUT_KIND by $CUT_BY"
  local fields; mapfile -t fields < <(negotiated_fields | grep -v '^ssh.hostKey')
  write_expect "A minimal server (peers.py) sends its banner and a KEXINIT the client accepts, reads the client's KEXINIT and ECDH init, then closes without DISCONNECT, as an sshd crashing in the key exchange would; the client says: $said" \
    "$(v_openssh) ssh, peers.py raw-server" --conn "${ENDPOINTS[@]}" outcome=failed \
    stage=key_exchange verdict.code=ssh.closed "${CLOSE_FIELDS[@]}" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" "${fields[@]}"
}

# client - router - server; the router drops forwarded server->client packets longer than
# 1400 bytes (a path MTU of 1400 with ICMP filtered), so the server's ECDH reply never
# arrives and is retransmitted; captured at the server. The client is stopped after 6 s.
scn_mtu_blackhole() {
  C=hsi-cs-$NAME-c; S=hsi-cs-$NAME-s; local R=hsi-cs-$NAME-r
  ns_new "$C"; ns_new "$R"; ns_new "$S"
  veth_link "$C" veth-c 10.78.1.1/24 "$R" veth-rc 10.78.1.254/24
  veth_link "$R" veth-rs 10.78.2.254/24 "$S" veth-s 10.78.2.2/24
  in_ns "$C" ip route add default via 10.78.1.254
  in_ns "$S" ip route add default via 10.78.2.254
  in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$R" iptables -A FORWARD -i veth-rs -m length --length 1401:65535 -j DROP
  # one wire-sized segment per packet on the server (no TSO/GSO super-packets)
  ip -n "$S" link set veth-s gso_max_segs 1
  client_key; host_key ed25519 "$D/host_ed25519"; HOSTKEYS=("$D/host_ed25519")
  sshd_start
  capture_start "$S" veth-s "$OUT" --immediate-mode tcp
  SSH_WRAP=(timeout 6)
  local t0=$SECONDS
  ssh_client "$C" root@10.78.2.2 true
  [[ $SSH_RC == 124 ]] || die "ssh-mtu-blackhole: ssh ended with $SSH_RC, not by the 6 s timeout"
  (( SECONDS - t0 >= 5 )) || die "ssh-mtu-blackhole: the client gave up early"
  finish_capture 1.5
  grep -q 'expecting SSH2_MSG_KEX_ECDH_REPLY' "$D/ssh.log" || die "ssh-mtu-blackhole: no kex started"
  grep -q 'SSH2_MSG_KEX_ECDH_REPLY received' "$D/ssh.log" && die "ssh-mtu-blackhole: the reply arrived"
  expect_frames 'tcp.srcport == 22 && ip.len > 1400' '>=' 3
  expect_frames 'tcp.srcport == 22 && tcp.analysis.retransmission && ip.len > 1400' '>=' 2
  expect_frames 'ssh.message_code == 31' '>=' 1
  in_ns "$R" iptables -L FORWARD -v -n -x | awk '$3 == "DROP" && $1 > 0 {f=1} END {exit !f}' \
    || die "ssh-mtu-blackhole: the router dropped nothing"
  close_event tcp; banners
  write_expect "Client - router - server; the router silently drops server-to-client packets longer than 1400 bytes (iptables -m length, no ICMP), so the 1500-byte segment of sshd's ECDH reply is retransmitted and never acknowledged (its short tail gets through and is SACKed); captured at the server; the OpenSSH client waits in 'expecting SSH2_MSG_KEX_ECDH_REPLY' until it is stopped after 6 s" \
    "$(v_openssh) ssh and sshd" \
    --conn client.ip=10.78.1.1 server.ip=10.78.2.2 server.port=#22 protocol=ssh \
    outcome=failed verdict.code=ssh.mtu_blackhole "closedBy=$CUT_BY" \
    "closeKind=$CUT_KIND" \
    "ssh.clientBanner=$CLIENT_BANNER" "ssh.serverBanner=$SERVER_BANNER" \
    ssh.hostKey.type=ssh-ed25519 "ssh.hostKey.fingerprint=$(fingerprint "$D/host_ed25519.pub")"
}

# Nothing listens on port 22: SYN answered by RST.
scn_refused() {
  pair_topology; client_key
  login_captured
  local said; said=$(ssh_says 'Connection refused')
  expect_frames 'tcp.flags.syn == 1 && tcp.flags.ack == 0' == 1
  expect_frames 'tcp.srcport == 22 && tcp.flags.reset == 1' == 1
  close_event tcp
  write_expect "Nothing listens on port 22 in the server namespace: the SYN is answered by RST; the client says: $said" \
    "$(v_openssh) ssh" --conn client.ip=$CLIENT_IP server.ip=$SERVER_IP server.port=#22 \
    protocol=unknown outcome=failed stage=tcp_connect verdict.code=tcp.refused \
    verdict.confidence=certain \
    "${CLOSE_FIELDS[@]}"
}

# The server namespace drops SYNs to port 22 (sshd listens behind the firewall); the
# client namespace gives up after two SYN retransmissions.
scn_timeout() {
  pair_with_sshd ed25519
  in_ns "$S" iptables -A INPUT -p tcp --dport 22 -j DROP
  in_ns "$C" sysctl -qw net.ipv4.tcp_syn_retries=2
  SSH_EXTRA=(-o ConnectTimeout=30)
  login_captured
  local said syns; said=$(ssh_says 'Connection timed out')
  # Linux 6.5+ spaces the first tcp_syn_linear_timeouts retries 1 s apart, so the count
  # of SYNs depends on the kernel: at least the first SYN and two retransmissions.
  expect_frames 'tcp.flags.syn == 1 && tcp.flags.ack == 0' '>=' 3
  expect_frames 'tcp.srcport == 22' == 0
  syns=$(count 'tcp.flags.syn == 1 && tcp.flags.ack == 0')
  write_expect "A firewall in the server namespace drops SYNs to port 22 (sshd listens behind it); the client (net.ipv4.tcp_syn_retries=2, kernel $(uname -r)) sends the SYN $syns times over $(tsh -T fields -e frame.time_relative | tail -1 | cut -d. -f1) s and gives up; the client says: $said" \
    "$(v_openssh) ssh" --conn client.ip=$CLIENT_IP server.ip=$SERVER_IP server.port=#22 \
    protocol=unknown outcome=failed stage=tcp_connect verdict.code=tcp.timeout \
    verdict.confidence=likely closeKind=timeout \
    "cutFrame=#$(tsh -Y 'tcp.flags.syn == 1' -T fields -e frame.number | tail -1)"
}

# ================================================================== main

run_scenario() {
  local name=$1 fn
  fn=scn_${name//-/_}
  scenario_init "$name"
  trap scenario_cleanup EXIT
  trap 'exit 130' INT TERM
  "$fn"
}

main() {
  local want=() s rc failed=() known
  for s in "$@"; do
    case $s in
      --list) printf 'ssh-%s\n' "${SCENARIOS[@]}"; return 0 ;;
      -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; return 0 ;;
    esac
    s=${s#ssh-}
    known=0
    for k in "${SCENARIOS[@]}"; do [[ $k == "$s" ]] && known=1; done
    ((known)) || die "unknown scenario: $s (try --list)"
    want+=("$s")
  done
  ((${#want[@]})) || want=("${SCENARIOS[@]}")
  [[ $EUID == 0 ]] || die "run as root (network namespaces, tcpdump, sshd)"
  need ip tcpdump tshark ssh ssh-keygen /usr/sbin/sshd dropbear dropbearkey nginx iptables \
    timeout "$PY"
  "$PY" -W ignore -c 'import asyncssh' || die "python3-asyncssh is missing"
  for s in "${want[@]}"; do
    log "scenario ssh-$s"
    set +e
    ( set -e; run_scenario "$s" )
    rc=$?
    set -e
    ((rc == 0)) || { failed+=("$s"); log "scenario ssh-$s FAILED"; }
  done
  if ((${#failed[@]})); then die "failed: ${failed[*]}"; fi
  log "all ${#want[@]} SSH scenario(s) written to $CAPTURES"
}

# HSI_KEEP_WORK=1 keeps the temp dir (logs, configs, keys) for debugging.
final_cleanup() {
  local ns
  if [[ -f $NS_FILE ]]; then
    while read -r ns; do [[ -e /run/netns/$ns ]] && ns_delete "$ns"; done <"$NS_FILE"
  fi
  if [[ -n ${HSI_KEEP_WORK:-} ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap final_cleanup EXIT
trap 'exit 130' INT TERM

main "$@"
