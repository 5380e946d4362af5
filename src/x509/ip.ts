// IP addresses in certificates (SAN iPAddress: 4 or 16 octets) and in host names:
// canonical text (dotted quad; RFC 5952 for IPv6) and parsing back to octets.

import { isIPv4, isIPv6 } from 'node:net';
import { ipv6String } from '../net/decode.js';

/** Canonical text for 4 or 16 octets (RFC 5952 for IPv6, via the packet decoder's formatter); null otherwise. */
export function formatIp(b: Uint8Array): string | null {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  return b.length === 16 ? ipv6String(b) : null;
}

/** Octets of an IPv4 or IPv6 literal (no zone, no brackets); null when it is not one. */
export function parseIp(s: string): Uint8Array | null {
  if (isIPv4(s)) return Uint8Array.from(s.split('.').map(Number));
  if (!isIPv6(s) || s.includes('%')) return null;
  // An embedded dotted quad at the end becomes two hex words.
  const text = s.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [headText, restText] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const head = headText ? headText.split(':').map((w) => parseInt(w, 16)) : [];
  const rest = restText ? restText.split(':').map((w) => parseInt(w, 16)) : [];
  const fill = 8 - head.length - rest.length;
  const words = restText === null ? head : [...head, ...new Array<number>(Math.max(fill, 0)).fill(0), ...rest];
  if (words.length !== 8) return null;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** True when s is an IP literal (v4 or v6). */
export const isIpLiteral = (s: string): boolean => parseIp(s) !== null;
