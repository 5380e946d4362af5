#!/usr/bin/env bash
# Shared helpers for the scripts that regenerate captures/ with real clients and servers.
# Every scenario runs in network namespaces of its own (each has its own loopback and
# port space), so scenarios never see each other's packets and never touch the host's
# network. Source this file; run as root.
set -euo pipefail

HSI_ROOT=${HSI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CAPTURES=${CAPTURES:-$HSI_ROOT/captures}
WORK=${WORK:-$(mktemp -d /tmp/hsi-captures.XXXXXX)}
mkdir -p "$CAPTURES"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"; done; }

# ns_create NAME: a namespace with loopback up.
ns_create() {
  ip netns del "$1" 2>/dev/null || true
  ip netns add "$1"
  ip -n "$1" link set lo up
}
ns_delete() { ip netns pids "$1" 2>/dev/null | xargs -r kill 2>/dev/null || true; sleep 0.2; ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del "$1" 2>/dev/null || true; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# veth_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two namespaces
# (ADDR with prefix, e.g. 10.77.0.1/24; IPv6 addresses work too).
veth_link() {
  local na=$1 ia=$2 aa=$3 nb=$4 ib=$5 ab=$6
  ip link add "$ia" netns "$na" type veth peer name "$ib" netns "$nb"
  ip -n "$na" addr add "$aa" dev "$ia"; ip -n "$nb" addr add "$ab" dev "$ib"
  ip -n "$na" link set "$ia" up; ip -n "$nb" link set "$ib" up
}

# capture_start NS IFACE OUTFILE [extra tcpdump args...]: tcpdump in NS, waits until it listens.
# Sets CAPTURE_PID. Packets are written at once (-U, --immediate-mode), full snaplen; pass a filter (e.g. tcp) as extra args.
capture_start() {
  local ns=$1 iface=$2 out=$3; shift 3
  local errlog="$WORK/tcpdump.$$.$RANDOM.log"
  rm -f "$out"
  ip netns exec "$ns" tcpdump -i "$iface" -s 0 -U --immediate-mode -Z root -w "$out" "$@" >"$errlog" 2>&1 &
  CAPTURE_PID=$!
  for _ in $(seq 1 100); do grep -q 'listening on' "$errlog" 2>/dev/null && return 0; sleep 0.05; done
  cat "$errlog" >&2; die "tcpdump did not start"
}
# capture_stop: let the last packets land, then stop tcpdump cleanly.
capture_stop() {
  sleep "${1:-0.5}"
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  wait "$CAPTURE_PID" 2>/dev/null || true
}

# wait_port NS PORT [ADDR]: wait until something listens on PORT in NS.
wait_port() {
  local ns=$1 port=$2
  for _ in $(seq 1 200); do
    ip netns exec "$ns" ss -ltnH "sport = :$port" | grep -q . && return 0
    sleep 0.05
  done
  die "nothing listens on port $port in $ns"
}

# ns_session NS: create NS for the whole run of a script, and delete it (and $WORK) on exit.
ns_session() {
  NS_SESSION=$1
  trap 'set +e; ns_delete "$NS_SESSION"; rm -rf "$WORK"' EXIT
  ns_create "$NS_SESSION"
}
