// Supported groups (named curves, finite-field groups, post-quantum hybrids) and EC point
// formats: IANA "TLS Supported Groups" and "EC Point Format" registries (2025).

import { name16, name8 } from './tls-names.js';

export type GroupKind = 'ec' | 'ecdhe-montgomery' | 'ffdhe' | 'pq' | 'pq-hybrid' | 'explicit' | 'other';

export interface GroupInfo {
  name: string;
  kind: GroupKind;
  /** Registered with IANA (false: obsolete drafts still seen on the wire). */
  iana: boolean;
  /** Deprecated or not recommended for use (binary curves, small curves, drafts). */
  deprecated?: boolean;
}

const g = (name: string, kind: GroupKind, extra: Partial<GroupInfo> = {}): GroupInfo => ({ name, kind, iana: true, ...extra });
const old = { deprecated: true };

export const NAMED_GROUPS: Readonly<Record<number, GroupInfo>> = Object.freeze({
  1: g('sect163k1', 'ec', old), 2: g('sect163r1', 'ec', old), 3: g('sect163r2', 'ec', old),
  4: g('sect193r1', 'ec', old), 5: g('sect193r2', 'ec', old), 6: g('sect233k1', 'ec', old),
  7: g('sect233r1', 'ec', old), 8: g('sect239k1', 'ec', old), 9: g('sect283k1', 'ec', old),
  10: g('sect283r1', 'ec', old), 11: g('sect409k1', 'ec', old), 12: g('sect409r1', 'ec', old),
  13: g('sect571k1', 'ec', old), 14: g('sect571r1', 'ec', old), 15: g('secp160k1', 'ec', old),
  16: g('secp160r1', 'ec', old), 17: g('secp160r2', 'ec', old), 18: g('secp192k1', 'ec', old),
  19: g('secp192r1', 'ec', old), 20: g('secp224k1', 'ec', old), 21: g('secp224r1', 'ec', old),
  22: g('secp256k1', 'ec', old),
  23: g('secp256r1', 'ec'), 24: g('secp384r1', 'ec'), 25: g('secp521r1', 'ec'),
  26: g('brainpoolP256r1', 'ec'), 27: g('brainpoolP384r1', 'ec'), 28: g('brainpoolP512r1', 'ec'),
  29: g('x25519', 'ecdhe-montgomery'), 30: g('x448', 'ecdhe-montgomery'),
  31: g('brainpoolP256r1tls13', 'ec'), 32: g('brainpoolP384r1tls13', 'ec'), 33: g('brainpoolP512r1tls13', 'ec'),
  34: g('GC256A', 'ec'), 35: g('GC256B', 'ec'), 36: g('GC256C', 'ec'), 37: g('GC256D', 'ec'),
  38: g('GC512A', 'ec'), 39: g('GC512B', 'ec'), 40: g('GC512C', 'ec'),
  41: g('curveSM2', 'ec'),
  256: g('ffdhe2048', 'ffdhe'), 257: g('ffdhe3072', 'ffdhe'), 258: g('ffdhe4096', 'ffdhe'),
  259: g('ffdhe6144', 'ffdhe'), 260: g('ffdhe8192', 'ffdhe'),
  512: g('MLKEM512', 'pq'), 513: g('MLKEM768', 'pq'), 514: g('MLKEM1024', 'pq'),
  0x11eb: g('SecP256r1MLKEM768', 'pq-hybrid'),
  0x11ec: g('X25519MLKEM768', 'pq-hybrid'),
  0x11ed: g('SecP384r1MLKEM1024', 'pq-hybrid'),
  0x11ee: g('curveSM2MLKEM768', 'pq-hybrid'),
  0x6399: g('X25519Kyber768Draft00', 'pq-hybrid', { iana: true, deprecated: true }),
  0x639a: g('SecP256r1Kyber768Draft00', 'pq-hybrid', { iana: true, deprecated: true }),
  0xfe30: g('X25519Kyber512Draft00', 'pq-hybrid', { iana: false, deprecated: true }),
  0xfe31: g('X25519Kyber768Draft00(old)', 'pq-hybrid', { iana: false, deprecated: true }),
  0xff01: g('arbitrary_explicit_prime_curves', 'explicit', old),
  0xff02: g('arbitrary_explicit_char2_curves', 'explicit', old),
});

const GROUP_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(NAMED_GROUPS).map(([k, v]) => [k, v.name])),
);

export function groupName(code: number): string {
  return name16(GROUP_NAMES, code);
}

export function isPostQuantumGroup(code: number): boolean {
  const k = NAMED_GROUPS[code]?.kind;
  return k === 'pq' || k === 'pq-hybrid';
}

export const EC_POINT_FORMATS: Readonly<Record<number, string>> = Object.freeze({
  0: 'uncompressed',
  1: 'ansiX962_compressed_prime',
  2: 'ansiX962_compressed_char2',
});

export const ecPointFormatName = (v: number): string => name8(EC_POINT_FORMATS, v);

/** ECCurveType of ServerKeyExchange (RFC 8422 §5.4). */
export const EC_CURVE_TYPES: Readonly<Record<number, string>> = Object.freeze({
  1: 'explicit_prime',
  2: 'explicit_char2',
  3: 'named_curve',
});
