// A strict DER reader on top of wire/reader.ts: one TLV at a time, each value handed
// back as a child Reader scoped to its content (so no offset arithmetic), plus the few
// primitive decoders X.509 needs (OID, INTEGER, BOOLEAN, BIT STRING, times, strings).
// Everything throws DecodeError on malformed input; public decoders wrap with decodeWith.

import { Reader, hex } from '../wire/reader.js';
import { latin1, wireString } from '../wire/text.js';
import { MAX_DER_LENGTH_OCTETS, MAX_DER_TAG_OCTETS, MAX_OID_ARCS } from './limits.js';

/** Identifier octets of the universal types used here (class universal, low tag form). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  GENERAL_STRING: 0x1b,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag octet: [n] primitive or constructed. */
export const ctx = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

export interface Tlv {
  /** First identifier octet (class, constructed bit, tag number when < 31). */
  tag: number;
  /** Tag number (decoded from the high-tag-number form when needed). */
  number: number;
  constructed: boolean;
  /** The content octets as a child reader. */
  body: Reader;
  /** The whole TLV (header + content), a view into the input. */
  raw: Uint8Array;
}

/** Read one TLV. Indefinite lengths and over-long length fields are rejected (DER). */
export function readTlv(r: Reader, what: string): Tlv {
  const start = r.absoluteOffset;
  const tag = r.u8(what);
  let number = tag & 0x1f;
  if (number === 0x1f) {
    number = 0;
    for (let i = 0; ; i++) {
      if (i >= MAX_DER_TAG_OCTETS) r.fail('too-large', `${what}: tag number too long`);
      const b = r.u8(what);
      number = number * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  const first = r.u8(what);
  let len = first;
  if (first === 0x80) r.fail('bad-value', `${what}: indefinite length is not DER`);
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > MAX_DER_LENGTH_OCTETS) r.fail('too-large', `${what}: ${n}-octet length field`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + r.u8(what);
  }
  const body = r.sub(len, what);
  return { tag, number, constructed: (tag & 0x20) !== 0, body, raw: r.buf.subarray(start, r.absoluteOffset) };
}

/** Read one TLV and insist on its identifier octet. */
export function expectTlv(r: Reader, tag: number, what: string): Tlv {
  const t = readTlv(r, what);
  if (t.tag !== tag) r.fail('bad-value', `${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** The next TLV if its identifier octet is `tag` (for OPTIONAL / DEFAULT fields). */
export function optionalTlv(r: Reader, tag: number, what: string): Tlv | null {
  return r.peekU8() === tag ? readTlv(r, what) : null;
}

/** Every TLV in a constructed value (SEQUENCE OF / SET OF), read to the end. */
export function readAll(r: Reader, what: string, max: number): Tlv[] {
  const out: Tlv[] = [];
  while (!r.empty) {
    if (out.length >= max) r.fail('too-large', `${what}: more than ${max} elements`);
    out.push(readTlv(r, what));
  }
  return out;
}

/** OBJECT IDENTIFIER content → dotted string (arcs of any size: BigInt past 2^53). */
export function decodeOid(r: Reader, what = 'oid'): string {
  const bytes = r.rest();
  if (bytes.length === 0) r.fail('empty', `${what}: empty OID`);
  const arcs: (number | bigint)[] = [];
  let acc: number | bigint = 0;
  let fresh = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (fresh && b === 0x80) r.fail('bad-value', `${what}: non-minimal OID arc`);
    if (typeof acc === 'number' && acc >= 2 ** 45) acc = BigInt(acc);
    acc = typeof acc === 'number' ? acc * 128 + (b & 0x7f) : (acc << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(acc);
      acc = 0;
      if (arcs.length > MAX_OID_ARCS) r.fail('too-large', `${what}: more than ${MAX_OID_ARCS} arcs`);
    }
  }
  if (!fresh) r.fail('truncated', `${what}: last OID arc unterminated`);
  const first = arcs[0]!;
  const top = first < 40 ? 0 : first < 80 ? 1 : 2;
  const second = typeof first === 'number' ? first - top * 40 : first - BigInt(top * 40);
  let out = `${top}.${second}`;
  for (let i = 1; i < arcs.length; i++) out += '.' + arcs[i]!.toString();
  return out;
}

export function readOid(r: Reader, what: string): string {
  return decodeOid(expectTlv(r, TAG.OID, what).body, what);
}

/** INTEGER content bytes (two's complement, as sent). Empty integers are invalid. */
export function readIntegerBytes(r: Reader, what: string): Uint8Array {
  const v = expectTlv(r, TAG.INTEGER, what).body.rest();
  if (v.length === 0) r.fail('empty', `${what}: empty INTEGER`);
  return v;
}

/** A small non-negative INTEGER as a number (version, pathLen, reason codes). */
export function smallInteger(bytes: Uint8Array, r: Reader, what: string): number {
  if (bytes.length > 6 || (bytes[0]! & 0x80) !== 0) r.fail('bad-value', `${what}: not a small non-negative integer`);
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

export function readBoolean(r: Reader, what: string): boolean {
  const t = expectTlv(r, TAG.BOOLEAN, what);
  const v = t.body.rest();
  if (v.length !== 1) r.fail('bad-value', `${what}: BOOLEAN of ${v.length} bytes`);
  return v[0] !== 0;
}

/** BIT STRING → its bytes and the number of unused bits in the last byte. */
export function readBitString(r: Reader, what: string): { bytes: Uint8Array; unusedBits: number } {
  const body = expectTlv(r, TAG.BIT_STRING, what).body;
  const unusedBits = body.u8(what);
  if (unusedBits > 7) body.fail('bad-value', `${what}: ${unusedBits} unused bits`);
  const bytes = body.rest();
  if (bytes.length === 0 && unusedBits !== 0) body.fail('bad-value', `${what}: unused bits in an empty BIT STRING`);
  return { bytes, unusedBits };
}

export function readOctetString(r: Reader, what: string): Uint8Array {
  return expectTlv(r, TAG.OCTET_STRING, what).body.rest();
}

const UTC_TIME_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?()(Z|[+-]\d{4})$/;
const GENERALIZED_TIME_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?(Z|[+-]\d{4})$/;

/** UTCTime / GeneralizedTime → Date. RFC 5280 forms, plus the older forms seen in the wild
 *  (no seconds, +hhmm offsets, fractional seconds). */
export function decodeTime(t: Tlv, what: string): Date {
  const s = latin1(t.body.rest());
  const pattern = t.tag === TAG.UTC_TIME ? UTC_TIME_RE : t.tag === TAG.GENERALIZED_TIME ? GENERALIZED_TIME_RE : null;
  if (!pattern) return t.body.fail('bad-value', `${what}: expected UTCTime or GeneralizedTime, found tag 0x${t.tag.toString(16)}`);
  const m = pattern.exec(s);
  if (!m) return t.body.fail('bad-value', `${what}: malformed time ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
  const ms = m[7] ? Math.floor(Number('0.' + m[7]) * 1000) : 0;
  const zone = m[8]!;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const [mon, day, hh, mi, ss] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number];
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60) {
    return t.body.fail('bad-value', `${what}: time out of range ${JSON.stringify(s)}`);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, mon - 1, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  d.setUTCHours(hh, mi, ss, ms);
  return new Date(d.getTime() - offsetMin * 60_000);
}

/**
 * A directory string value as text: UTF8String as UTF-8, BMPString as UTF-16BE,
 * UniversalString as UTF-32BE, the 8-bit types one char per byte (T61String as Latin-1,
 * as OpenSSL does). Null when the value is not a string type (callers then show hex).
 */
export function decodeDirectoryString(t: Tlv): string | null {
  const b = t.body.rest();
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return wireString(b);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.T61_STRING:
    case TAG.GENERAL_STRING:
      return latin1(b);
    case TAG.BMP_STRING: {
      if (b.length % 2 !== 0) return null;
      let s = '';
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      if (b.length % 4 !== 0) return null;
      let s = '';
      for (let i = 0; i < b.length; i += 4) {
        const cp = ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default:
      return null;
  }
}

/** Uppercase hex, as OpenSSL prints serials and unknown DN values. */
export const hexUpper = (b: Uint8Array): string => hex(b).toUpperCase();

/** "AB:CD:EF" form, as `openssl x509 -fingerprint` prints. */
export const colonHex = (hexString: string): string => (hexString.toUpperCase().match(/../g) ?? []).join(':');
