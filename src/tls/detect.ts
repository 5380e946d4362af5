// Quick, pure predicates the TCP engine uses to recognise TLS on any port and to tell
// client from server when the capture has no SYN. They look at the first bytes of a
// direction only and never throw.

import { MAX_RECORD_LENGTH } from './record.js';

const HANDSHAKE = 22;
const KNOWN_CONTENT_TYPES = new Set([20, 21, 22, 23, 24]);

/** Record header plausible: known content type, major version 3, minor ≤ 4, length ≤ limit. */
function plausibleRecordHeader(b: Uint8Array): boolean {
  if (b.length < 1 || !KNOWN_CONTENT_TYPES.has(b[0]!)) return false;
  if (b.length >= 2 && b[1] !== 3) return false;
  if (b.length >= 3 && b[2]! > 4) return false;
  if (b.length >= 5 && ((b[3]! << 8) | b[4]!) > MAX_RECORD_LENGTH) return false;
  return true;
}

/** An SSLv2-form ClientHello: 0x80|len, len, msg type 1, version 0x0002 or 0x03xx. */
function looksLikeSslv2Hello(b: Uint8Array): boolean {
  if (b.length < 5 || (b[0]! & 0x80) === 0 || b[2] !== 1) return false;
  const len = ((b[0]! & 0x7f) << 8) | b[1]!;
  if (len < 9) return false;
  return (b[3] === 0x00 && b[4] === 0x02) || (b[3] === 0x03 && b[4]! <= 0x04);
}

/** The bytes start like TLS: a plausible record header (needs ≥ 3 bytes) or an SSLv2 ClientHello. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  if (bytes.length < 3) return false;
  return plausibleRecordHeader(bytes) || looksLikeSslv2Hello(bytes);
}

/** Handshake record whose first message type is `type` (within the first record's header). */
function firstHandshakeType(bytes: Uint8Array, type: number): boolean {
  if (bytes.length < 6 || bytes[0] !== HANDSHAKE || !plausibleRecordHeader(bytes)) return false;
  return bytes[5] === type;
}

/** A ClientHello starts here (TLS record carrying handshake type 1, or the SSLv2 form). */
export function looksLikeClientHello(bytes: Uint8Array): boolean {
  return firstHandshakeType(bytes, 1) || looksLikeSslv2Hello(bytes);
}

/** A ServerHello starts here (handshake record carrying type 2). */
export function looksLikeServerHello(bytes: Uint8Array): boolean {
  return firstHandshakeType(bytes, 2);
}
