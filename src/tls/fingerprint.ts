// Client/server fingerprints computed from decoded hellos.
//
// - JA4 (TLS client fingerprint, FoxIO, BSD 3-Clause) and its raw form JA4_r, per
//   https://github.com/FoxIO-LLC/ja4 technical_details/JA4.md. Only JA4 itself: the
//   other JA4+ methods (JA4S, JA4X, JA4SSH, ...) are under a restrictive licence and
//   deliberately not implemented.
// - JA3 / JA3S (Salesforce, BSD 3-Clause): MD5 of decimal field lists, GREASE removed.

import { createHash } from 'node:crypto';
import type { ClientHello, ServerHello } from './hello.js';
import { isGrease } from '../registry/tls-names.js';
import { versionRank } from '../registry/tls-versions.js';
import { EXT } from '../registry/tls-extensions.js';

const JA4_VERSION: Readonly<Record<number, string>> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2',
  0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const two = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
/**
 * Digests by input string, bounded: the clients in a capture are a few kinds of software, so
 * the same cipher and extension lists come back connection after connection.
 */
const MAX_CACHED_DIGESTS = 4096;
const digests = new Map<string, string>();
function cached(kind: 'sha256' | 'md5', s: string): string {
  const key = kind + s;
  let d = digests.get(key);
  if (d === undefined) {
    d = createHash(kind).update(s).digest('hex');
    if (digests.size >= MAX_CACHED_DIGESTS) digests.clear();
    digests.set(key, d);
  }
  return d;
}
const sha12 = (s: string): string => cached('sha256', s).slice(0, 12);
const md5 = (s: string): string => cached('md5', s);

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** JA4 part a's ALPN characters: first and last of the first ALPN value, or of its hex form. */
export function ja4Alpn(first: Uint8Array | undefined): string {
  if (!first || first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a) + String.fromCharCode(z);
  const h = Buffer.from(first).toString('hex');
  return h[0]! + h[h.length - 1]!;
}

/** The highest non-GREASE supported_versions value, else the legacy version (JA4's rule). */
function ja4VersionCode(ch: ClientHello): string {
  const sv = (ch.ext.supportedVersions ?? []).filter((v) => !isGrease(v));
  let v = ch.legacyVersion;
  if (sv.length > 0) v = sv.reduce((a, b) => (versionRank(b) > versionRank(a) ? b : a));
  return JA4_VERSION[v] ?? '00';
}

export interface Ja4 {
  /** t13d1516h2_8daaf6152771_e5627efa2ab1 */
  ja4: string;
  /** The raw (sorted, unhashed) form: t13d1516h2_<ciphers>_<extensions>_<sigalgs>. */
  ja4_r: string;
}

export interface Ja4Options {
  /** 't' TLS over TCP (default), 'q' QUIC, 'd' DTLS. */
  transport?: 't' | 'q' | 'd';
}

export function ja4(ch: ClientHello, opts: Ja4Options = {}): Ja4 {
  const ciphers = ch.cipherSuites.filter((c) => !isGrease(c));
  const extTypes = ch.extensions.map((e) => e.type).filter((t) => !isGrease(t));
  const sni = extTypes.includes(EXT.server_name) ? 'd' : 'i';
  const alpnExt = ch.extensions.find((e) => e.type === EXT.alpn);
  const alpn = alpnExt && !alpnExt.error ? ja4Alpn(ch.ext.alpnRaw?.[0]) : '00';
  const a = `${opts.transport ?? 't'}${ja4VersionCode(ch)}${sni}${two(ciphers.length)}${two(extTypes.length)}${alpn}`;
  const sortedCiphers = ciphers.map(hex4).sort().join(',');
  const sortedExts = extTypes.filter((t) => t !== EXT.server_name && t !== EXT.alpn).map(hex4).sort().join(',');
  const sigs = (ch.ext.signatureAlgorithms ?? []).filter((s) => !isGrease(s)).map(hex4).join(',');
  const cRaw = sigs ? `${sortedExts}_${sigs}` : sortedExts;
  const b = ciphers.length ? sha12(sortedCiphers) : '000000000000';
  const c = sortedExts ? sha12(cRaw) : '000000000000';
  return { ja4: `${a}_${b}_${c}`, ja4_r: `${a}_${sortedCiphers}_${cRaw}` };
}

export interface Ja3 {
  /** The JA3 string: version,ciphers,extensions,groups,point formats (decimal, '-'-joined). */
  string: string;
  /** MD5 of the string, hex. */
  hash: string;
}

const dec = (vs: readonly number[]): string => vs.filter((v) => !isGrease(v)).join('-');

export function ja3(ch: ClientHello): Ja3 {
  const s = [
    String(ch.legacyVersion),
    dec(ch.cipherSuites),
    dec(ch.extensions.map((e) => e.type)),
    dec(ch.ext.supportedGroups ?? []),
    dec(ch.ext.ecPointFormats ?? []),
  ].join(',');
  return { string: s, hash: md5(s) };
}

export function ja3s(sh: ServerHello): Ja3 {
  const s = [String(sh.legacyVersion), String(sh.cipherSuite), dec(sh.extensions.map((e) => e.type))].join(',');
  return { string: s, hash: md5(s) };
}
