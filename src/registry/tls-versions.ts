// Protocol versions (the 16-bit ProtocolVersion of records, hellos and
// supported_versions), including the TLS 1.3 drafts some old clients still send.

import { hex16 } from '../wire/reader.js';
import { isGrease } from './tls-names.js';

export const SSL2 = 0x0002;
export const SSL3 = 0x0300;
export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

export const VERSION_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x0002: 'SSL 2.0',
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
  0xfeff: 'DTLS 1.0',
  0xfefd: 'DTLS 1.2',
  0xfefc: 'DTLS 1.3',
  0x0100: 'DTLS 1.0 (OpenSSL pre-0.9.8f)',
});

/** Display name of a version: "TLS 1.2", "TLS 1.3 draft 23", "GREASE(0x1a1a)", or hex. */
export function versionName(v: number): string {
  const n = VERSION_NAMES[v];
  if (n !== undefined) return n;
  if (v >> 8 === 0x7f) return `TLS 1.3 draft ${v & 0xff}`;
  if (v >> 8 === 0x7e) return `TLS 1.3 draft ${v & 0xff} (Google experiment)`;
  if (v === 0xfb17 || v === 0xfb1a) return `TLS 1.3 draft (Facebook ${hex16(v)})`;
  if (isGrease(v)) return `GREASE(${hex16(v)})`;
  return hex16(v);
}

/** TLS 1.3 or one of its drafts (the record layer behaves as 1.3 once it is selected). */
export function isTls13Family(v: number): boolean {
  return v === TLS13 || v >> 8 === 0x7f || v >> 8 === 0x7e || v === 0xfb17 || v === 0xfb1a;
}

/** Versions ordered for "highest": treat drafts as just below TLS 1.3 and GREASE as absent. */
export function versionRank(v: number): number {
  if (isGrease(v)) return -1;
  if (v === TLS13) return 0x0304_00;
  if (isTls13Family(v)) return 0x0303_ff;
  if (v === SSL2) return 0x0002_00;
  if (v >> 8 === 3) return v * 0x100;
  return -1;
}

/** Versions that are considered obsolete and weak today (SSL 2/3, TLS 1.0/1.1: RFC 8996). */
export function isDeprecatedVersion(v: number): boolean {
  return v === SSL2 || v === SSL3 || v === TLS10 || v === TLS11;
}
