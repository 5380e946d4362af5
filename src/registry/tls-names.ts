// Shared helpers for the TLS registries: GREASE (RFC 8701) as a predicate, and name
// lookups that keep unknown code points visible as hex instead of dropping them.

import { hex16 } from '../wire/reader.js';

/**
 * RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa. They appear in cipher suites,
 * extension types, named groups, signature algorithms, versions, ALPN-less lists...
 * A predicate, never a table entry.
 */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** GREASE values for 1-byte code points (psk_key_exchange_modes, ec_point_formats): 0x0b, 0x2a, ... (RFC 8701 §2: 0x0B, 0x2A, 0x49, 0x68, 0x87, 0xA6, 0xC5, 0xE4). */
export function isGrease8(v: number): boolean {
  return v >= 0 && v <= 0xff && (v - 0x0b) % 0x1f === 0;
}

/** A 16-bit code point as a display name: the table's name, "GREASE" or 0x1a2b. */
export function name16(table: Readonly<Record<number, string>>, v: number): string {
  const n = table[v];
  if (n !== undefined) return n;
  if (isGrease(v)) return `GREASE(${hex16(v)})`;
  return hex16(v);
}

/** An 8-bit code point as a display name, or 0x1a. */
export function name8(table: Readonly<Record<number, string>>, v: number): string {
  return table[v] ?? '0x' + v.toString(16).padStart(2, '0');
}

/** Build a code → name record from [code, name] pairs (data tables are written as pairs). */
export function tableOf(pairs: readonly (readonly [number, string])[]): Readonly<Record<number, string>> {
  const t: Record<number, string> = {};
  for (const [c, n] of pairs) t[c] = n;
  return Object.freeze(t);
}
