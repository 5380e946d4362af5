#!/usr/bin/env bash
# Test PKI for the TLS / certificate capture scenarios (scripts/captures/tls.sh).
#
#   scripts/captures/tls/pki.sh OUTDIR [--force]
#
# Writes into OUTDIR (captures/certs/ by default), only what is missing unless --force:
#   test-root.pem/.key          "HSI Test Root CA": the trust anchor the expectations use (--ca-file)
#   test-intermediate.pem/.key  "HSI Test Intermediate CA", issued by the root
#   www.pem/.key                www.example.test (+ example.test), issued by the intermediate
#   www-expired.pem/.key        same names, valid 2020-01-01 .. 2021-01-01 (expired)
#   www-not-yet-valid.pem/.key  same names, valid 2090-01-01 .. 2099-12-31 (GeneralizedTime)
#   www-self-signed.pem/.key    www.example.test, self-signed (CA:false)
#   other-host.pem/.key         other.example.test only, issued by the intermediate
#   private-root.pem/.key       "HSI Private Root CA (untrusted)": a second root nobody trusts
#   www-private.pem/.key        www.example.test issued by the private root
# Dates are fixed (not relative to today) so the verdicts never drift: the good certificates
# are valid 2024-01-01 .. 2044-01-01 (CAs 2019 .. 2049). Private keys are test-only.
set -euo pipefail

OUT=${1:?usage: pki.sh OUTDIR [--force]}
FORCE=${2:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNF=$HERE/openssl-ca.cnf
mkdir -p "$OUT"

if [[ "$FORCE" != --force && -s "$OUT/test-root.pem" && -s "$OUT/www-private.pem" ]]; then
  exit 0
fi

TMP=$(mktemp -d /tmp/hsi-pki.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# ca_dir NAME: an empty CA database for `openssl ca`.
ca_dir() {
  local d=$TMP/$1
  mkdir -p "$d/issued"; : >"$d/index.txt"
  # serial: fixed per CA so reruns look alike, but distinct between CAs
  printf '%s\n' "$2" >"$d/serial"
  echo "$d"
}

newkey() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1" 2>/dev/null; }

# issue OUTNAME SUBJECT EXT START END CA_DIR ISSUER_CERT ISSUER_KEY [SAN] [BITS]
#   ISSUER_CERT "self" makes a self-signed certificate with OUTNAME's own key.
issue() {
  local name=$1 subj=$2 ext=$3 start=$4 end=$5 cadir=$6 icert=$7 ikey=$8 san=${9:-DNS:unused.invalid} bits=${10:-2048}
  newkey "$OUT/$name.key" "$bits"
  CA_DIR=$TMP SAN=$san openssl req -new -config "$CNF" -key "$OUT/$name.key" -subj "$subj" -out "$TMP/$name.csr"
  if [[ "$icert" == self ]]; then
    CA_DIR=$cadir SAN=$san openssl ca -batch -notext -config "$CNF" -selfsign \
      -keyfile "$OUT/$name.key" -extensions "$ext" -startdate "$start" -enddate "$end" \
      -in "$TMP/$name.csr" -out "$OUT/$name.pem" 2>"$TMP/$name.log" || { cat "$TMP/$name.log" >&2; exit 1; }
  else
    CA_DIR=$cadir SAN=$san openssl ca -batch -notext -config "$CNF" \
      -cert "$icert" -keyfile "$ikey" -extensions "$ext" -startdate "$start" -enddate "$end" \
      -in "$TMP/$name.csr" -out "$OUT/$name.pem" 2>"$TMP/$name.log" || { cat "$TMP/$name.log" >&2; exit 1; }
  fi
}

WWW_SAN="DNS:www.example.test,DNS:example.test"
ROOT=$(ca_dir root 1000)
INTER=$(ca_dir intermediate 2000)
PRIV=$(ca_dir private 3000)
SELF=$(ca_dir self 4000)

issue test-root "/O=Handshake Inspector Tests/CN=HSI Test Root CA" v3_root \
  20190101000000Z 20491231235959Z "$ROOT" self self "" 4096
issue test-intermediate "/O=Handshake Inspector Tests/CN=HSI Test Intermediate CA" v3_intermediate \
  20190101000000Z 20491231235959Z "$ROOT" "$OUT/test-root.pem" "$OUT/test-root.key" "" 4096
I=("$INTER" "$OUT/test-intermediate.pem" "$OUT/test-intermediate.key")
issue www "/CN=www.example.test" v3_leaf 20240101000000Z 20440101000000Z "${I[@]}" "$WWW_SAN"
issue www-expired "/CN=www.example.test" v3_leaf 20200101000000Z 20210101000000Z "${I[@]}" "$WWW_SAN"
issue www-not-yet-valid "/CN=www.example.test" v3_leaf 20900101000000Z 20991231235959Z "${I[@]}" "$WWW_SAN"
issue other-host "/CN=other.example.test" v3_leaf 20240101000000Z 20440101000000Z "${I[@]}" "DNS:other.example.test"
issue www-self-signed "/CN=www.example.test" v3_leaf 20240101000000Z 20440101000000Z "$SELF" self self "$WWW_SAN"
issue private-root "/O=Somebody Else/CN=HSI Private Root CA (untrusted)" v3_root \
  20190101000000Z 20491231235959Z "$PRIV" self self ""
issue www-private "/CN=www.example.test" v3_leaf 20240101000000Z 20440101000000Z \
  "$PRIV" "$OUT/private-root.pem" "$OUT/private-root.key" "$WWW_SAN"

cat >"$OUT/README.md" <<'EOF'
# Test PKI for the captures (test-only keys)

Made by `scripts/captures/tls/pki.sh` (run by `scripts/captures/tls.sh`). **Every private key
in this directory is a throw-away test key, published on purpose so the captures can be
regenerated; never use any of them for anything else.**

| file | what |
|---|---|
| `test-root.pem` | "HSI Test Root CA", the trust anchor the expectations pass with `--ca-file captures/certs/test-root.pem` |
| `test-intermediate.pem` | "HSI Test Intermediate CA", issued by the root; issues the `www*` and `other-host` leaves |
| `www.pem` | www.example.test + example.test, valid 2024-01-01 .. 2044-01-01 |
| `www-expired.pem` | same names, valid 2020-01-01 .. 2021-01-01 |
| `www-not-yet-valid.pem` | same names, valid 2090-01-01 .. 2099-12-31 (GeneralizedTime dates) |
| `www-self-signed.pem` | www.example.test, self-signed, not a CA |
| `other-host.pem` | other.example.test only (hostname-mismatch scenario) |
| `private-root.pem` | "HSI Private Root CA (untrusted)", a second root that the expectations do not trust |
| `www-private.pem` | www.example.test issued by the private root (untrusted-chain scenario) |

Each `X.pem` has its key in `X.key`. CAs are RSA 4096 (except the private root, RSA 2048),
leaves RSA 2048, all SHA-256. Dates are fixed, so verdicts do not change with time.
EOF
echo "$OUT"
