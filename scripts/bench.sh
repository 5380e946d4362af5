#!/usr/bin/env bash
# Speed benchmark (a measurement, not a test): build a large capture from real traffic
# and time `hsi read --json` against tshark and ssldump on the same file, with peak memory.
#
#   sudo bash scripts/bench.sh [TARGET_MB]     (default 1100 MB)
#
# 1. In two network namespaces joined by a veth (offloads off, so packets are real
#    1500-byte frames), real clients talk to real servers: curl to nginx (TLS 1.3 and 1.2,
#    version mismatches, unverifiable certificates), OpenSSH logins, bulk downloads over
#    TLS and SSH. tcpdump captures it: the base capture.
# 2. scripts/bench/replicate.mjs writes the base capture again and again with the client
#    addresses moved to a new /24 per copy, up to the target size.
# 3. Each tool reads the big file; /usr/bin/time gives wall time and peak RSS.
# 4. A generated SYN flood (1,000,000 SYNs, scripts/bench/synflood.mjs) gives the hostile row.
# Needs (Debian): nginx openssh-server openssh-client curl tcpdump tshark ssldump ethtool time
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_MB=${1:-1100}
OUT=${BENCH_DIR:-$ROOT/bench-out}
mkdir -p "$OUT"
W=$(mktemp -d /tmp/hsi-bench.XXXXXX)
NS_C=hsi-bench-c NS_S=hsi-bench-s
cleanup() {
  for ns in $NS_C $NS_S; do ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "run as root (namespaces, tcpdump)"; exit 2; }
for t in nginx /usr/sbin/sshd ssh curl tcpdump ethtool /usr/bin/time node; do command -v $t >/dev/null || { echo "missing: $t"; exit 2; }; done

BASE=$OUT/base.pcap
BIG=$OUT/big.pcap
if [ ! -s "$BIG" ] || [ "${REBUILD:-0}" = 1 ]; then
  cleanup; mkdir -p "$W"; trap cleanup EXIT
  ip netns add $NS_C; ip netns add $NS_S
  ip link add veth-bc netns $NS_C type veth peer name veth-bs netns $NS_S
  ip -n $NS_C addr add 10.99.1.1/24 dev veth-bc; ip -n $NS_S addr add 10.99.1.2/24 dev veth-bs
  for ns in $NS_C $NS_S; do ip -n $ns link set lo up; done
  ip -n $NS_C link set veth-bc up; ip -n $NS_S link set veth-bs up
  for pair in "$NS_C veth-bc" "$NS_S veth-bs"; do set -- $pair; ip netns exec $1 ethtool -K $2 tso off gso off gro off >/dev/null 2>&1 || true; done

  # Server side: nginx with a throwaway certificate, sshd with its own keys and config.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test >/dev/null 2>&1
  head -c 2000000 /dev/urandom > "$W/bulk.bin"; echo ok > "$W/small.txt"
  cat > "$W/nginx.conf" <<NGINX
worker_processes 1; pid $W/nginx.pid; error_log $W/nginx.err; daemon on;
events { worker_connections 1024; }
http { access_log off;
  server { listen 443 ssl; server_name bench.test; ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
           ssl_protocols TLSv1.2 TLSv1.3; root $W; keepalive_timeout 0; } }
NGINX
  ip netns exec $NS_S nginx -c "$W/nginx.conf"
  mkdir -p /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$W/host_ed25519"; ssh-keygen -q -t ed25519 -N '' -f "$W/user_key"
  cp "$W/user_key.pub" "$W/authorized_keys"
  cat > "$W/sshd_config" <<SSHD
Port 22
ListenAddress 10.99.1.2
HostKey $W/host_ed25519
PidFile $W/sshd.pid
AuthorizedKeysFile $W/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
MaxStartups 100
SSHD
  ip netns exec $NS_S /usr/sbin/sshd -f "$W/sshd_config"
  sleep 0.5
  SSH="ssh -F /dev/null -i $W/user_key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@10.99.1.2"

  ip netns exec $NS_C tcpdump -i veth-bc -s 0 -U -w "$BASE" tcp >"$W/tcpdump.log" 2>&1 &
  TD=$!; sleep 1
  C() { ip netns exec $NS_C "$@"; }
  for i in $(seq 1 200); do C curl -sk --resolve bench.test:443:10.99.1.2 https://bench.test/small.txt -o /dev/null || true; done
  for i in $(seq 1 50); do C curl -sk --tlsv1.2 --tls-max 1.2 --resolve bench.test:443:10.99.1.2 https://bench.test/small.txt -o /dev/null || true; done
  for i in $(seq 1 20); do C curl -sk --tls-max 1.1 --resolve bench.test:443:10.99.1.2 https://bench.test/ -o /dev/null || true; done
  for i in $(seq 1 20); do C curl -s --resolve bench.test:443:10.99.1.2 https://bench.test/ -o /dev/null || true; done
  for i in $(seq 1 40); do C $SSH true || true; done
  for i in 1 2; do C curl -sk --resolve bench.test:443:10.99.1.2 https://bench.test/bulk.bin -o /dev/null; done
  C $SSH "cat $W/bulk.bin" > /dev/null
  sleep 1; kill -INT $TD; wait $TD || true
  node "$ROOT/scripts/bench/replicate.mjs" "$BASE" "$BIG" $((TARGET_MB * 1024 * 1024)) 10.99.1
fi

if [ ! -e "$ROOT/dist/src/cli/main.js" ]; then (cd "$ROOT" && npm run build >/dev/null); fi
# The hostile row: a SYN flood (generated: adversarial load, not a scenario).
FLOOD=$OUT/flood.pcap
[ -s "$FLOOD" ] || node "$ROOT/scripts/bench/synflood.mjs" "$FLOOD" 1000000 1 2>/dev/null
capinfos -c -s "$BIG" 2>/dev/null | sed -n '2,3p' || ls -l "$BIG"

# measure NAME FILE CMD...: one line "NAME FILE seconds peak_MiB"
measure() {
  local name=$1 file=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$W/time" "$@" > "$W/$name.out" 2>"$W/$name.err" || true
  read -r secs kb < <(tail -n 1 "$W/time")
  printf '%s %s %s %s\n' "$name" "$file" "$secs" "$((kb / 1024))"
}
# as users run it: bin/hsi.js through its shebang (node --max-semi-space-size=4)
HSI=("$ROOT/bin/hsi.js" read)
{
  measure floor-walk big node "$ROOT/scripts/bench/floor.mjs" walk "$BIG"
  measure floor-flows big node "$ROOT/scripts/bench/floor.mjs" flows "$BIG"
  measure tcp-engine big node "$ROOT/scripts/bench/engine.mjs" "$BIG" --tcp-only
  measure engine big node "$ROOT/scripts/bench/engine.mjs" "$BIG"
  measure hsi-json big "${HSI[@]}" --json --jobs 1 "$BIG"
  for n in $(seq 2 "$(nproc)"); do measure "hsi-jobs-$n" big "${HSI[@]}" --json --jobs "$n" "$BIG"; done
  measure hsi-report big "${HSI[@]}" --jobs 1 "$BIG"
  command -v ssldump >/dev/null && measure ssldump big ssldump -n -r "$BIG"
  command -v tshark >/dev/null && measure tshark big tshark -n -r "$BIG" -Y 'tls.handshake or ssh.protocol or ssh.message_code' -T fields -e frame.number -e tcp.stream -e tls.handshake.type -e tls.handshake.extensions_server_name -e ssh.protocol
  measure flood-floor flood node "$ROOT/scripts/bench/floor.mjs" flows "$FLOOD"
  measure flood-hsi flood "${HSI[@]}" --json "$FLOOD"
} | tee "$W/results"
CONNS=$(wc -l < "$W/hsi-json.out")
echo "connections reported by hsi read --json: $CONNS"
for f in "$W"/hsi-jobs-*.out; do [ -e "$f" ] && { cmp -s "$W/hsi-json.out" "$f" && echo "$(basename "$f" .out): NDJSON identical to --jobs 1" || echo "$(basename "$f" .out): NDJSON DIFFERS from --jobs 1"; }; done
awk -v f="$W/results" -v conns="$CONNS" '
  BEGIN {
    label["floor-walk"] = "bare loop over the pcap records (floor)"
    label["floor-flows"] = "+ IP/TCP parsing and a flow table (the floor)"
    label["tcp-engine"] = "hsi TCP engine alone (flows, reassembly, detection)"
    label["engine"] = "hsi engine with the TLS and SSH trackers"
    label["hsi-json"] = "hsi read --json (one core)"
    label["hsi-report"] = "hsi read (human report)"
    for (j = 2; j <= 64; j++) label["hsi-jobs-" j] = "hsi read --json --jobs " j
    label["ssldump"] = "ssldump -n -r (TLS records only)"
    label["tshark"] = "tshark -r -Y tls/ssh -T fields"
    label["flood-floor"] = "SYN flood: the flow-table floor"
    label["flood-hsi"] = "SYN flood: hsi read --json"
    n = 0
    while ((getline l < f) > 0) { split(l, a, " "); order[++n] = a[1]; file[a[1]] = a[2]; t[a[1]] = a[3]; m[a[1]] = a[4] }
    printf "\n| %-52s | %8s | %9s | %9s |\n", "same file (" n " runs)", "seconds", "× floor", "peak MiB"
    printf "|%s|%s|%s|%s|\n", "------------------------------------------------------", "---------:", "----------:", "----------:"
    for (i = 1; i <= n; i++) {
      k = order[i]; fl = (file[k] == "flood") ? t["flood-floor"] : t["floor-flows"]
      printf "| %-52s | %8.2f | %8.1f× | %9d |\n", label[k], t[k], (fl > 0 ? t[k] / fl : 0), m[k]
    }
    if (t["hsi-json"] > 0 && conns > 0) {
      us = (t["hsi-json"] - t["floor-flows"]) / conns * 1e6
      printf "\nhsi read --json: %d connections, %.0f µs per connection beyond the floor, %.0f connections/s end to end on one core\n", conns, us, conns / t["hsi-json"]
    }
    best = ""; for (k in t) if (k ~ /^hsi-jobs-/ && (best == "" || t[k] < t[best])) best = k
    if (best != "") printf "hsi read --jobs: best %s at %.2f s = %.1f× the floor (target <= 2.5×), %d MiB\n", substr(best, 10), t[best], t[best] / t["floor-flows"], m[best]
    printf "targets: hsi read --json <= 4× the floor (%.1f×), faster than ssldump (%s); peak <= 150 MiB in every mode (json %d, report %d, flood %d, jobs %s); flood <= 5× its floor (%.1f×)\n",
      t["hsi-json"] / t["floor-flows"], (t["ssldump"] > 0 ? (t["hsi-json"] < t["ssldump"] ? "yes" : "no") : "n/a"), m["hsi-json"], m["hsi-report"], m["flood-hsi"], (best != "" ? m[best] : "n/a"), t["flood-hsi"] / t["flood-floor"]
  }'
