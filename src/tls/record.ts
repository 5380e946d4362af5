// TLS record framing: reads only record headers. "Not enough bytes yet" is the normal
// "incomplete, need n more" answer, not an error; a header that cannot belong to TLS
// (major version not 3, length over the ciphertext limit) is "invalid".
//
// The SSL 2.0 record form is accepted only where the caller allows it (the first bytes
// a client sends): a 2-byte header with the high bit set, whose first message is an
// SSLv2-compatible ClientHello (RFC 5246 Appendix E.2).

import { type Decoded, DecodeError, incomplete, invalid, ok } from '../wire/reader.js';

/** TLSCiphertext.length limit: 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_RECORD_LENGTH = 16384 + 2048;
/** Record header size for TLS records. */
export const RECORD_HEADER_LENGTH = 5;
/** The smallest plausible SSLv2 ClientHello body: type, version, 3 lengths (9 bytes) + one 3-byte spec + 16-byte challenge. */
export const MIN_SSLV2_CLIENT_HELLO = 9 + 3 + 16;

export interface TlsRecord {
  /** Content type (20-24 known; unknown values are kept). For the SSLv2 form: 22 (handshake). */
  contentType: number;
  /** Legacy record version (0x0301...), or 0x0002 for the SSLv2 form. */
  version: number;
  /** The record body (a view into the input: copy it if it must outlive the input). */
  fragment: Uint8Array;
  /** Header length: 5, or 2 for the SSLv2 form. */
  headerLength: number;
  /** The record used the SSL 2.0 form (an SSLv2-compatible ClientHello). */
  sslv2: boolean;
}

export interface FrameOptions {
  /** Accept the SSL 2.0 2-byte header form (first client record only). */
  allowSslv2?: boolean;
}

/** True when the bytes at `off` start like an SSLv2-form ClientHello (enough is there to tell). */
function sslv2HeaderAt(buf: Uint8Array, off: number): boolean {
  const b0 = buf[off]!;
  return (b0 & 0x80) !== 0 && (buf.length - off < 3 || buf[off + 2] === 1);
}

/**
 * Frame one record at `offset`. ok → the record and its total size (header + body);
 * incomplete → `needed` more bytes are required; invalid → not a TLS record header.
 */
export function frameRecord(buf: Uint8Array, offset = 0, opts: FrameOptions = {}): Decoded<TlsRecord> {
  const avail = buf.length - offset;
  if (avail <= 0) return incomplete(RECORD_HEADER_LENGTH);
  if (opts.allowSslv2 && sslv2HeaderAt(buf, offset)) return frameSslv2(buf, offset);
  const type = buf[offset]!;
  if (avail >= 2 && buf[offset + 1] !== 3) {
    return invalid(new DecodeError('bad-value', ['record', 'version'], offset + 1, `record version major byte 0x${buf[offset + 1]!.toString(16)} is not 3`).toInfo());
  }
  if (avail < RECORD_HEADER_LENGTH) return incomplete(RECORD_HEADER_LENGTH - avail);
  const version = (buf[offset + 1]! << 8) | buf[offset + 2]!;
  const length = (buf[offset + 3]! << 8) | buf[offset + 4]!;
  if (length > MAX_RECORD_LENGTH) {
    return invalid(new DecodeError('too-large', ['record', 'length'], offset + 3, `record length ${length} exceeds ${MAX_RECORD_LENGTH}`).toInfo());
  }
  const total = RECORD_HEADER_LENGTH + length;
  if (avail < total) return incomplete(total - avail);
  const fragment = buf.subarray(offset + RECORD_HEADER_LENGTH, offset + total);
  return ok({ contentType: type, version, fragment, headerLength: RECORD_HEADER_LENGTH, sslv2: false }, total);
}

function frameSslv2(buf: Uint8Array, offset: number): Decoded<TlsRecord> {
  const avail = buf.length - offset;
  if (avail < 3) return incomplete(3 - avail);
  const length = ((buf[offset]! & 0x7f) << 8) | buf[offset + 1]!;
  if (length < MIN_SSLV2_CLIENT_HELLO) {
    return invalid(new DecodeError('bad-value', ['sslv2_record', 'length'], offset, `SSLv2 record length ${length} is too short for a ClientHello`).toInfo());
  }
  const total = 2 + length;
  if (avail < total) return incomplete(total - avail);
  return ok({ contentType: 22, version: 0x0002, fragment: buf.subarray(offset + 2, offset + total), headerLength: 2, sslv2: true }, total);
}
