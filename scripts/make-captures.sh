#!/usr/bin/env bash
# Regenerates every capture in captures/ with real clients and servers, in network
# namespaces of their own (never touching the host's network, sshd or nginx).
#
#   sudo scripts/make-captures.sh            all scenarios of both areas
#   sudo scripts/make-captures.sh --packages the Debian 12 packages to install first
#
# Runs scripts/captures/tls.sh (TCP-level, TLS, certificate scenarios and the demo) and
# scripts/captures/ssh.sh (SSH scenarios) when it exists. Installs nothing: on a fresh
# Debian 12, install the packages listed by --packages, plus Node.js >= 19 (the project's
# Node 20: the ALPN scenario needs its no_application_protocol alert).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AREAS=("$ROOT/scripts/captures/tls.sh" "$ROOT/scripts/captures/ssh.sh" "$ROOT/scripts/captures/tunnel.sh" "$ROOT/scripts/captures/vantage.sh" "$ROOT/scripts/captures/keylog.sh" "$ROOT/scripts/captures/quic.sh")

# Debian 12 packages for both areas (each area script can list its own with --packages)
# (tshark brings wireshark-common: dumpcap, capinfos)
PACKAGES="iproute2 iptables procps coreutils gzip python3 tcpdump tshark openssl nginx-light curl \
gnutls-bin openjdk-17-jdk-headless openssh-server openssh-client dropbear-bin python3-asyncssh \
squid-openssl tinyproxy dante-server microsocks postfix swaks libnet-ssleay-perl dovecot-imapd dovecot-pop3d vsftpd slapd \
ldap-utils postgresql mariadb-server mariadb-client nftables faketime ethtool ngtcp2-client ngtcp2-server"

if [[ "${1:-}" == --packages ]]; then
  echo "$PACKAGES"
  exit 0
fi
if [[ $EUID -ne 0 ]]; then
  echo "make-captures: run as root (network namespaces, iptables, packet capture)" >&2
  echo "make-captures: Debian packages needed: apt-get install $PACKAGES" >&2
  exit 1
fi

for area in "${AREAS[@]}"; do
  if [[ -x "$area" || -f "$area" ]]; then
    echo "== $(basename "$area")" >&2
    bash "$area"
  else
    echo "== $(basename "$area"): not present, skipped" >&2
  fi
done
