// QUIC packets as a UDP datagram carries them (RFC 9000 §17, RFC 9369 for v2): long headers
// (Initial, 0-RTT, Handshake, Retry), Version Negotiation, short headers (1-RTT); several
// long-header packets may be coalesced in one datagram (§12.2). Pure: the headers up to
// the protected packet number; protection is removed in protection.ts.

import { QUIC_VERSIONS } from '../registry/quic.js';
import { u32be as u32 } from '../wire/reader.js';

/** Connection IDs longer than this are not QUIC v1/v2 (§17.2). */
export const MAX_CID = 20;

export type LongType = 'initial' | 'zero_rtt' | 'handshake' | 'retry';

export interface LongHeader {
  form: 'long';
  type: LongType | 'unknown';
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  /** Initial: the token (empty when none); Retry: the retry token. */
  token: Uint8Array;
  /** Offset of the (protected) packet number in the datagram; -1 for Retry. */
  pnOffset: number;
  /** End of this packet in the datagram (the next coalesced packet starts here). */
  end: number;
  start: number;
  /** Retry: the 16-byte integrity tag. */
  retryTag: Uint8Array | null;
}

export interface VersionNegotiation {
  form: 'vn';
  dcid: Uint8Array;
  scid: Uint8Array;
  versions: number[];
  start: number;
  end: number;
}

export interface ShortHeader {
  form: 'short';
  start: number;
  end: number;
}

export type QuicHeader = LongHeader | VersionNegotiation | ShortHeader;

/** A variable-length integer (§16) at `off`: its value and size, or null past the end. */
export function varint(b: Uint8Array, off: number): { value: number; size: number } | null {
  if (off >= b.length) return null;
  const first = b[off]!;
  const size = 1 << (first >> 6);
  if (off + size > b.length) return null;
  let v = first & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + b[off + i]!;
  return { value: v, size };
}


/**
 * The packet starting at `off`. Short headers run to the datagram's end (they are last in
 * a datagram). null: not a QUIC packet (or cut).
 */
export function parseHeader(b: Uint8Array, off: number, assume?: number): QuicHeader | null {
  if (off >= b.length) return null;
  const first = b[off]!;
  // The fixed bit (0x40) is not checked: RFC 9287 lets a peer that saw grease_quic_bit clear
  // it in any packet but Version Negotiation (ngtcp2 does, from the server's first Initial).
  if ((first & 0x80) === 0) return { form: 'short', start: off, end: b.length };
  if (off + 7 > b.length) return null;
  const version = u32(b, off + 1);
  let p = off + 5;
  const dl = b[p++]!;
  if (dl > MAX_CID && version !== 0) return null;
  if (p + dl + 1 > b.length) return null;
  const dcid = b.subarray(p, p + dl);
  p += dl;
  const sl = b[p++]!;
  if (sl > MAX_CID && version !== 0) return null;
  if (p + sl > b.length) return null;
  const scid = b.subarray(p, p + sl);
  p += sl;
  if (version === 0) {
    const versions: number[] = [];
    for (; p + 4 <= b.length; p += 4) versions.push(u32(b, p));
    return { form: 'vn', dcid, scid, versions, start: off, end: b.length };
  }
  // `assume`: read an unknown version's packet with a known version's layout (a client
  // greasing negotiation may protect its Initial like v1: ngtcp2 does).
  const info = QUIC_VERSIONS[version] ?? (assume !== undefined ? QUIC_VERSIONS[assume] : undefined);
  const type: LongType | 'unknown' = info ? info.types[(first >> 4) & 3]! : 'unknown';
  let token: Uint8Array = new Uint8Array(0);
  if (type === 'retry') {
    if (b.length - p < 16) return null;
    return { form: 'long', type, version, dcid, scid, token: b.subarray(p, b.length - 16), pnOffset: -1, end: b.length, start: off, retryTag: b.subarray(b.length - 16) };
  }
  if (type === 'unknown') return { form: 'long', type, version, dcid, scid, token, pnOffset: -1, end: b.length, start: off, retryTag: null };
  if (type === 'initial') {
    const tl = varint(b, p);
    if (!tl || p + tl.size + tl.value > b.length) return null;
    token = b.subarray(p + tl.size, p + tl.size + tl.value);
    p += tl.size + tl.value;
  }
  const len = varint(b, p);
  if (!len) return null;
  p += len.size;
  const end = p + len.value;
  if (end > b.length || len.value < 20) return null;
  return { form: 'long', type, version, dcid, scid, token, pnOffset: p, end, start: off, retryTag: null };
}

/** Every packet of a datagram, coalesced long headers first (§12.2). */
export function parseDatagram(b: Uint8Array): QuicHeader[] {
  const out: QuicHeader[] = [];
  let off = 0;
  while (off < b.length && out.length < 8) {
    const h = parseHeader(b, off);
    if (!h) break;
    out.push(h);
    if (h.form !== 'long' || h.end <= off) break;
    off = h.end;
    // trailing zero padding after the last packet of a datagram
    if (off < b.length && b[off] === 0) break;
  }
  return out;
}

/**
 * Whether a datagram starts like a QUIC client's first flight: a long-header Initial of a
 * known version, or of a version QUIC would negotiate in a datagram of 1200 bytes or more
 * (RFC 9000 §14.1). The fixed bit must be set unless the datagram has that size too (a
 * client clears it only with a NEW_TOKEN token, RFC 9287 §3.1).
 */
export function looksLikeQuicInitial(b: Uint8Array): boolean {
  if (b.length < 64 || ((b[0]! & 0x40) === 0 && b.length < 1200)) return false;
  const h = parseHeader(b, 0);
  return h !== null && h.form === 'long' && (h.type === 'initial' || (h.type === 'unknown' && b.length >= 1200));
}

/** Any long-header packet but Version Negotiation (which only a server sends): the check on a watched UDP port. */
export function looksLikeQuicLongHeader(b: Uint8Array): boolean {
  if (b.length < 20) return false;
  const h = parseHeader(b, 0);
  return h !== null && h.form === 'long' && h.type !== 'retry';
}

/** Full packet number from its truncated form (RFC 9000 Appendix A.3). */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const mask = win - 1;
  const candidate = (expected - (expected % win)) + (truncated & mask);
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}
