// Server identity check (RFC 6125, as browsers and OpenSSL apply it):
// - DNS names compare case-insensitively (ASCII), a trailing dot ignored, IDNA A-labels as
//   plain ASCII (a U-label in the SNI is converted to its A-label first);
// - a wildcard is only the whole left-most label ("*.example.com"), matches exactly one
//   non-empty label, never across dots, never partial labels ("f*.example.com"), and
//   needs at least two labels after it ("*.com" matches nothing);
// - an IP literal is compared with the IP SANs only (never DNS names or wildcards);
// - the subject CN is used only when the certificate has no DNS SAN at all.

import { domainToASCII } from 'node:url';
import { formatIp, parseIp } from './ip.js';

export interface IdentitySource {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  subjectAttributes: readonly { oid: string; value: string }[];
}

export interface HostnameCheck {
  /** The name the client asked for, as given (null: no SNI). */
  serverName: string | null;
  /** What was compared: lowercased A-label form without trailing dot, or canonical IP. */
  reference: string | null;
  kind: 'dns' | 'ip' | 'none';
  matched: boolean;
  /** Which certificate entry matched. */
  matchedBy: { source: 'san-dns' | 'san-ip' | 'cn'; value: string } | null;
  /** Every name the certificate covers (SAN DNS + IP, or the CN when there is no SAN DNS). */
  covered: string[];
  /** Side remarks: IP in SNI, CN-only match, entries skipped as invalid patterns. */
  notes: string[];
}

const OID_CN = '2.5.4.3';

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const stripDot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);

/** A reference name in the form compared: A-labels, lowercase, no trailing dot. */
export function normalizeHost(name: string): string {
  let n = stripDot(name);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(n)) {
    const a = domainToASCII(n);
    if (a) n = a;
  }
  return asciiLower(n);
}

/** Why a certificate DNS pattern cannot be used as a wildcard, or null when it can (or is no wildcard). */
export function wildcardProblem(pattern: string): string | null {
  if (!pattern.includes('*')) return null;
  const labels = stripDot(pattern).split('.');
  if (labels[0] !== '*') {
    return labels[0]!.includes('*') ? 'partial-label wildcard' : 'wildcard not in the left-most label';
  }
  if (labels.slice(1).some((l) => l.includes('*'))) return 'more than one wildcard';
  if (labels.length < 3) return 'wildcard over a top-level domain';
  return null;
}

/** Does one certificate DNS entry match the (normalized) reference host? */
export function matchDnsPattern(pattern: string, host: string): boolean {
  const p = asciiLower(stripDot(pattern));
  const h = normalizeHost(host);
  if (p.length === 0 || h.length === 0) return false;
  if (!p.includes('*')) return p === h;
  if (wildcardProblem(p) !== null) return false;
  if (parseIp(h) !== null) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === p.slice(1);
}

/** Checks made, per certificate (decoded certificates are cached and shared) and name: read-only results. */
const CHECKED = new WeakMap<IdentitySource, Map<string | null, HostnameCheck>>();
// Bounded with the certificate cache (4,096 decoded certificates): at most 8 names each.
const MAX_NAMES_PER_CERT = 8;

/** Check the SNI against a certificate. The result is shared by identical checks: read-only. */
export function checkHostname(serverName: string | null, cert: IdentitySource): HostnameCheck {
  let byName = CHECKED.get(cert);
  const hit = byName?.get(serverName);
  if (hit) return hit;
  const h = checkHostnameAlone(serverName, cert);
  if (!byName) CHECKED.set(cert, (byName = new Map()));
  if (byName.size < MAX_NAMES_PER_CERT) byName.set(serverName, h);
  return h;
}

function checkHostnameAlone(serverName: string | null, cert: IdentitySource): HostnameCheck {
  const cns = cert.subjectAttributes.filter((a) => a.oid === OID_CN).map((a) => a.value);
  const useCn = cert.dnsNames.length === 0;
  const covered = [...(useCn ? cns : cert.dnsNames), ...cert.ipAddresses];
  const notes: string[] = [];
  for (const p of cert.dnsNames) {
    const why = wildcardProblem(p);
    if (why) notes.push(`certificate entry "${p}" is ignored: ${why}`);
  }
  if (serverName === null || serverName === '') {
    return { serverName, reference: null, kind: 'none', matched: false, matchedBy: null, covered, notes };
  }
  const ipBytes = parseIp(stripDot(serverName).replace(/^\[(.*)\]$/, '$1'));
  if (ipBytes) {
    const ip = formatIp(ipBytes)!;
    notes.push('the SNI holds an IP address, which RFC 6066 does not allow; compared with the IP SANs');
    const hit = cert.ipAddresses.find((a) => a === ip);
    return {
      serverName, reference: ip, kind: 'ip', matched: hit !== undefined,
      matchedBy: hit ? { source: 'san-ip', value: hit } : null, covered, notes,
    };
  }
  const reference = normalizeHost(serverName);
  const candidates = useCn ? cns.map((v) => ({ source: 'cn' as const, value: v })) : cert.dnsNames.map((v) => ({ source: 'san-dns' as const, value: v }));
  const hit = candidates.find((c) => matchDnsPattern(c.value, reference)) ?? null;
  if (hit?.source === 'cn') {
    notes.push('matched only through the subject CN: the certificate has no DNS SAN, and Chrome, Safari and Go ignore the CN');
  }
  if (!useCn && !hit && cns.some((cn) => matchDnsPattern(cn, reference))) {
    notes.push('the subject CN names the host, but the SAN list does not, and clients ignore the CN when SANs are present');
  }
  return { serverName, reference, kind: 'dns', matched: hit !== null, matchedBy: hit, covered, notes };
}
