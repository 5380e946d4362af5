// SSH_MSG_KEXINIT (RFC 4253 §7.1): byte 20, 16-byte cookie, ten name-lists, boolean
// first_kex_packet_follows, uint32 reserved. Name-lists keep wire order and every name as
// sent (empty names included), so HASSH and the negotiation see exactly what was offered.

import { type Decoded, Reader, decodeWith, hex, ok } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';
import { SSH_MSG } from '../registry/ssh-messages.js';

/** Longest name-list accepted (bytes); longer is invalid. */
export const MAX_NAME_LIST_BYTES = 64 * 1024;
/** RFC 4251 §6: algorithm names are at most 64 characters (longer ones become a warning). */
export const MAX_NAME_LENGTH = 64;

export interface KexInit {
  /** 16 random bytes, hex. */
  cookie: string;
  kexAlgorithms: string[];
  serverHostKeyAlgorithms: string[];
  encryptionC2S: string[];
  encryptionS2C: string[];
  macC2S: string[];
  macS2C: string[];
  compressionC2S: string[];
  compressionS2C: string[];
  languagesC2S: string[];
  languagesS2C: string[];
  firstKexPacketFollows: boolean;
  reserved: number;
  /** Oddities that do not stop decoding: empty names, over-long names, trailing bytes... */
  warnings: string[];
}

/** The ten lists in wire order, with the names used in records. */
export const KEXINIT_LISTS = [
  'kexAlgorithms',
  'serverHostKeyAlgorithms',
  'encryptionC2S',
  'encryptionS2C',
  'macC2S',
  'macS2C',
  'compressionC2S',
  'compressionS2C',
  'languagesC2S',
  'languagesS2C',
] as const;
export type KexInitList = (typeof KEXINIT_LISTS)[number];

function nameList(r: Reader, field: string, warnings: string[]): string[] {
  const len = r.u32(field);
  if (len > MAX_NAME_LIST_BYTES) r.fail('too-large', `${field}: name-list of ${len} bytes exceeds ${MAX_NAME_LIST_BYTES}`);
  const body = r.bytes(len, field);
  if (len === 0) return [];
  const names = latin1(body).split(',');
  if (names.some((n) => n === '')) warnings.push(`${field}: empty name in the list`);
  const long = names.find((n) => n.length > MAX_NAME_LENGTH);
  if (long !== undefined) warnings.push(`${field}: name longer than ${MAX_NAME_LENGTH} characters`);
  if (body.some((c) => c < 0x21 || c > 0x7e)) warnings.push(`${field}: non-printable or non-ASCII bytes in names`);
  return names;
}

/** Distinct KEXINITs (all but the cookie) kept decoded; the table is cleared when full. */
export const MAX_CACHED_KEXINITS = 256;
/** Longer KEXINITs are decoded every time (real ones are 1-2 KB). */
const MAX_CACHED_KEXINIT_BYTES = 16 * 1024;
const BODIES = new Map<string, Omit<KexInit, 'cookie'>>();

/** The shared decoding behind each KEXINIT decoded from bytes seen before (or kept for later). */
const IDENTITY = new WeakMap<KexInit, object>();

/**
 * One object for all KEXINITs equal but for their cookie (decoded once), the KEXINIT itself
 * for any other: the memo key of what depends only on the lists (HASSH, negotiation).
 */
export function kexInitIdentity(k: KexInit): object {
  return IDENTITY.get(k) ?? k;
}

/**
 * Decode a KEXINIT payload (starting with the message type byte 20). A client or server
 * sends the same KEXINIT connection after connection but for its random cookie: identical
 * ones are decoded once and share their (read-only) lists.
 */
export function decodeKexInit(payload: Uint8Array): Decoded<KexInit> {
  const key = payload.length > 17 && payload.length <= MAX_CACHED_KEXINIT_BYTES && payload[0] === SSH_MSG.KEXINIT ? latin1(payload.subarray(17)) : null;
  if (key !== null) {
    const body = BODIES.get(key);
    if (body) {
      const k: KexInit = { cookie: hex(payload.subarray(1, 17)), ...body };
      IDENTITY.set(k, body);
      return ok(k, payload.length);
    }
  }
  const d = decodeKexInitFresh(payload);
  if (d.status === 'ok' && key !== null) {
    const { cookie: _cookie, ...body } = d.value;
    if (BODIES.size >= MAX_CACHED_KEXINITS) BODIES.clear();
    BODIES.set(key, body);
    IDENTITY.set(d.value, body);
  }
  return d;
}

function decodeKexInitFresh(payload: Uint8Array): Decoded<KexInit> {
  return decodeWith(() => {
    const r = new Reader(payload, 0, payload.length, ['kexinit']);
    const type = r.u8('type');
    if (type !== SSH_MSG.KEXINIT) r.fail('bad-value', `message type ${type} is not KEXINIT`);
    const cookie = hex(r.bytes(16, 'cookie'));
    const warnings: string[] = [];
    const lists = {} as Record<KexInitList, string[]>;
    for (const field of KEXINIT_LISTS) lists[field] = nameList(r, field, warnings);
    const firstKexPacketFollows = r.u8('first_kex_packet_follows') !== 0;
    const reserved = r.u32('reserved');
    if (reserved !== 0) warnings.push(`reserved field is ${reserved}, not 0`);
    if (!r.empty) warnings.push(`${r.remaining} bytes after the reserved field`);
    return { value: { cookie, ...lists, firstKexPacketFollows, reserved, warnings }, size: payload.length };
  });
}
