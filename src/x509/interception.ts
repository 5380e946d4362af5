// TLS-inspecting proxies, firewalls and endpoint products re-issue the server's
// certificate from their own CA. Their CA names are recognisable; the list is data.
// Without a known name, a private CA that minted a short-lived certificate naming exactly
// the SNI, with no AIA/OCSP pointers, minutes or hours before the connection, is the other tell.

import type { CertInfo } from './cert.js';
import { formatDuration } from './duration.js';

export interface InterceptionProduct {
  product: string;
  /** Matched (case-insensitive) against the attribute values of issuer / CA names. */
  patterns: readonly RegExp[];
}

export const INTERCEPTION_PRODUCTS: readonly InterceptionProduct[] = [
  { product: 'Fortinet FortiGate', patterns: [/\bforti(gate|net|proxy|web|os)\b/i] },
  { product: 'Palo Alto Networks', patterns: [/\bpalo ?alto\b/i] },
  { product: 'Zscaler', patterns: [/\bzscaler\b/i] },
  { product: 'Blue Coat / Symantec ProxySG', patterns: [/\bblue ?coat\b/i, /\bproxysg\b/i, /\bssl ?visibility\b/i] },
  { product: 'Cisco Umbrella', patterns: [/\bcisco umbrella\b/i, /\bopendns\b/i] },
  { product: 'Cisco Firepower / Secure Web Appliance', patterns: [/\bfirepower\b/i, /\bironport\b/i, /\bcisco .*web security\b/i] },
  { product: 'Sophos', patterns: [/\bsophos\b/i, /\bastaro\b/i] },
  { product: 'Kaspersky', patterns: [/\bkaspersky\b/i] },
  { product: 'Avast', patterns: [/\bavast\b/i] },
  { product: 'AVG', patterns: [/\bAVG (technologies|web|mail|trusted)/i] },
  { product: 'ESET', patterns: [/\beset ssl filter\b/i, /\beset, spol\b/i] },
  { product: 'Bitdefender', patterns: [/\bbitdefender\b/i] },
  { product: 'Norton', patterns: [/\bnorton\b/i] },
  { product: 'Trend Micro', patterns: [/\btrend ?micro\b/i] },
  { product: 'Netskope', patterns: [/\bnetskope\b/i] },
  { product: 'Check Point', patterns: [/\bcheck ?point\b/i] },
  { product: 'Forcepoint / Websense', patterns: [/\bforcepoint\b/i, /\bwebsense\b/i] },
  { product: 'McAfee / Skyhigh Web Gateway', patterns: [/\bmcafee web gateway\b/i, /\bskyhigh\b/i] },
  { product: 'Barracuda', patterns: [/\bbarracuda\b/i] },
  { product: 'WatchGuard', patterns: [/\bwatchguard\b/i] },
  { product: 'SonicWall', patterns: [/\bsonicwall\b/i] },
  { product: 'Untangle', patterns: [/\buntangle\b/i] },
  { product: 'Smoothwall', patterns: [/\bsmoothwall\b/i] },
  { product: 'Kerio Control', patterns: [/\bkerio\b/i] },
  { product: 'F5 SSL Orchestrator', patterns: [/\bssl ?orchestrator\b/i] },
  { product: 'Cloudflare Gateway', patterns: [/\bcloudflare for teams\b/i, /\bgateway ca - cloudflare\b/i] },
  { product: 'iboss', patterns: [/\biboss\b/i] },
  { product: 'Menlo Security', patterns: [/\bmenlo security\b/i] },
  { product: 'Lightspeed Systems', patterns: [/\blightspeed systems\b/i] },
  { product: 'Securly', patterns: [/\bsecurly\b/i] },
  { product: 'GoGuardian', patterns: [/\bgoguardian\b/i] },
  { product: 'ContentKeeper', patterns: [/\bcontentkeeper\b/i] },
  { product: 'Squid', patterns: [/\bsquid\b/i] },
  { product: 'mitmproxy', patterns: [/\bmitmproxy\b/i] },
  { product: 'Charles Proxy', patterns: [/\bcharles proxy\b/i, /\bxk72\b/i] },
  { product: 'Fiddler', patterns: [/\bfiddler\b/i, /\bDO_NOT_TRUST\b/i] },
  { product: 'Burp Suite', patterns: [/\bportswigger\b/i, /\bburp\b/i] },
  { product: 'Proxyman', patterns: [/\bproxyman\b/i] },
  { product: 'HTTP Toolkit', patterns: [/\bhttp toolkit\b/i] },
];

export interface InterceptionGuess {
  /** The product recognised from a CA name, or null for the heuristic guess. */
  product: string | null;
  confidence: 'likely' | 'possible';
  /** The facts behind the guess. */
  evidence: string;
  /** How to confirm from elsewhere. */
  confirm: string;
}

/** The first product whose pattern matches one of these names' attribute values. */
export function recognizeProduct(names: readonly { label: string; values: readonly string[] }[]): { product: string; matched: string } | null {
  for (const p of INTERCEPTION_PRODUCTS) {
    for (const n of names) {
      const v = n.values.find((value) => p.patterns.some((re) => re.test(value)));
      if (v !== undefined) return { product: p.product, matched: `${n.label} "${v}"` };
    }
  }
  return null;
}

/** The command that shows the real server's chain, to compare from an uninspected network. */
export function confirmCommand(serverName: string | null, port = 443): string {
  const host = serverName ?? 'HOST';
  const sni = serverName ? ` -servername ${serverName}` : '';
  return `run \`openssl s_client -connect ${host}:${port}${sni} -showcerts </dev/null\` from a network without the proxy (or a phone hotspot) and compare the issuer and SHA-256 fingerprint with the ones captured here`;
}

/** Window in which a freshly minted certificate looks like on-the-fly re-issuing. */
export const FRESH_LEAF_WINDOW_MS = 7 * 86_400_000;
/** Validity up to which a certificate counts as short-lived. */
export const SHORT_LIVED_DAYS = 31;

/**
 * Heuristic for unknown products: a leaf from an untrusted private CA that names exactly
 * the SNI, has no AIA/OCSP pointers (public CAs always include them), and was minted shortly
 * before the connection.
 */
export function looksReissued(leaf: CertInfo, serverName: string | null, time: Date): string | null {
  if (!serverName || leaf.selfSigned) return null;
  const sni = serverName.toLowerCase().replace(/\.$/, '');
  const names = leaf.dnsNames.length ? leaf.dnsNames.map((n) => n.toLowerCase()) : leaf.subjectCN ? [leaf.subjectCN.toLowerCase()] : [];
  const age = time.getTime() - leaf.notBeforeDate.getTime();
  const exact = names.length === 1 && names[0] === sni;
  const noPointers = leaf.aia.caIssuers.length === 0 && leaf.aia.ocsp.length === 0;
  const fresh = Math.abs(age) <= FRESH_LEAF_WINDOW_MS;
  const shortLived = leaf.validityDays <= SHORT_LIVED_DAYS;
  if (!exact || !noPointers || !(fresh || shortLived)) return null;
  const when = fresh
    ? `was issued ${formatDuration(age)} ${age >= 0 ? 'before' : 'after'} the connection`
    : `is valid for only ${Math.round(leaf.validityDays)} days`;
  return `the server certificate names exactly "${serverName}", has no AIA/OCSP pointers and ${when}, from a CA the store does not know`;
}
