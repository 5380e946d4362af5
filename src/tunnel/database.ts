// Database protocols that switch to TLS on request.
//
// PostgreSQL (protocol 3.0, "Message Flow: SSL Session Encryption"): the client sends an
// 8-byte SSLRequest (length 8, code 80877103) — or first a GSSENCRequest (80877104) —
// and the server answers one byte: 'S' (go ahead with TLS) or 'N' (no TLS here).
//
// MySQL / MariaDB ("Connection Phase"): the server speaks first with a HandshakeV10
// packet whose capability flags say whether it can do TLS (CLIENT_SSL, 0x800); a client
// that wants TLS answers with the 32-byte SSLRequest packet (its capability flags with
// CLIENT_SSL) and starts the TLS handshake. A client that sends the full
// HandshakeResponse instead logs in in plain text. The server may also greet with an ERR
// packet (host not allowed, too many connections).
//
// Nothing of a login (user name, auth response) is copied out.

import { type Decoded, incomplete, invalid, ok, u32be as u32 } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';

export const PG_SSL_REQUEST = 80877103;
export const PG_GSSENC_REQUEST = 80877104;
export const PG_CANCEL_REQUEST = 80877102;
export const PG_PROTOCOL_3 = 196608;

export type PgStartup = { kind: 'ssl-request' | 'gssenc-request' | 'cancel-request' | 'startup'; length: number; protocol: number };


/** The client's first message: SSLRequest, GSSENCRequest, CancelRequest or StartupMessage. */
export function decodePgStartup(b: Uint8Array): Decoded<PgStartup> {
  if (b.length < 8) return b.length >= 4 && u32(b, 0) < 8 ? invalid({ kind: 'bad-value', path: ['postgres'], offset: 0, message: 'length below 8' }) : incomplete(8 - b.length);
  const length = u32(b, 0);
  const code = u32(b, 4);
  if (length < 8 || length > 10_000) return invalid({ kind: 'bad-value', path: ['postgres'], offset: 0, message: `startup length ${length}` });
  let kind: PgStartup['kind'];
  if (code === PG_SSL_REQUEST && length === 8) kind = 'ssl-request';
  else if (code === PG_GSSENC_REQUEST && length === 8) kind = 'gssenc-request';
  else if (code === PG_CANCEL_REQUEST && length === 16) kind = 'cancel-request';
  else if (code >>> 16 === 3) kind = 'startup';
  else return invalid({ kind: 'bad-value', path: ['postgres'], offset: 4, message: `unknown startup code ${code}` });
  if (b.length < length) return incomplete(length - b.length);
  return ok({ kind, length, protocol: code }, length);
}

/** The server's one-byte answer to SSLRequest / GSSENCRequest: 'S', 'G' or 'N'; 'E' starts an ErrorResponse. */
export function decodePgSslAnswer(b: Uint8Array): Decoded<{ answer: string; error: string | null }> {
  if (b.length === 0) return incomplete(1);
  const a = String.fromCharCode(b[0]!);
  if (a === 'S' || a === 'N' || a === 'G') return ok({ answer: a, error: null }, 1);
  if (a !== 'E') return invalid({ kind: 'bad-value', path: ['postgres', 'ssl-answer'], offset: 0, message: `answer byte 0x${b[0]!.toString(16)}` });
  if (b.length < 5) return incomplete(5 - b.length);
  const len = u32(b, 1);
  if (len < 4 || len > 8192) return invalid({ kind: 'bad-value', path: ['postgres', 'error'], offset: 1, message: `error length ${len}` });
  if (b.length < 1 + len) return incomplete(1 + len - b.length);
  // fields: type byte + NUL-terminated string; M is the message
  let msg: string | null = null;
  for (let p = 5; p < 1 + len && b[p] !== 0; ) {
    const t = b[p]!;
    const end = b.indexOf(0, p + 1);
    if (end < 0 || end > len) break;
    if (t === 0x4d) msg = latin1(b.subarray(p + 1, Math.min(end, p + 201)));
    p = end + 1;
  }
  return ok({ answer: 'E', error: msg }, 1 + len);
}

export const CLIENT_SSL = 0x0800;
export const CLIENT_PROTOCOL_41 = 0x0200;

export type MysqlGreeting =
  | { kind: 'handshake'; serverVersion: string; capabilities: number; ssl: boolean }
  | { kind: 'error'; code: number; message: string };

/** A MySQL packet header: 3-byte little-endian length, sequence id. */
function packet(b: Uint8Array): { len: number; seq: number } | null {
  if (b.length < 4) return null;
  return { len: b[0]! | (b[1]! << 8) | (b[2]! << 16), seq: b[3]! };
}

/** The server's first packet: HandshakeV10, or ERR. */
export function decodeMysqlGreeting(b: Uint8Array): Decoded<MysqlGreeting> {
  const h = packet(b);
  if (!h) return incomplete(4 - b.length);
  const fail = (message: string) => invalid<MysqlGreeting>({ kind: 'bad-value', path: ['mysql', 'greeting'], offset: 0, message });
  if (h.seq !== 0) return fail('sequence id is not 0');
  if (h.len < 1 || h.len > 1024) return fail(`packet length ${h.len}`);
  if (b.length > 4 && b[4] !== 0x0a && b[4] !== 0xff) return fail(`protocol version ${b[4]}`);
  if (b.length < 4 + h.len) return incomplete(4 + h.len - b.length);
  const p = b.subarray(4, 4 + h.len);
  if (p[0] === 0xff) {
    if (p.length < 3) return fail('short ERR packet');
    const code = p[1]! | (p[2]! << 8);
    let text = p.subarray(3);
    if (text[0] === 0x23) text = text.subarray(6); // '#' + 5-char SQL state
    return ok({ kind: 'error', code, message: latin1(text.subarray(0, 200)) }, 4 + h.len);
  }
  const nul = p.indexOf(0, 1);
  if (nul < 0 || nul > 64) return fail('no server version string');
  const serverVersion = latin1(p.subarray(1, nul));
  if (!/^[\x20-\x7e]+$/.test(serverVersion)) return fail('server version is not text');
  const capsAt = nul + 1 + 4 + 8 + 1;
  if (p.length < capsAt + 2) return fail('no capability flags');
  let capabilities = p[capsAt]! | (p[capsAt + 1]! << 8);
  if (p.length >= capsAt + 2 + 1 + 2 + 2) capabilities |= (p[capsAt + 5]! | (p[capsAt + 6]! << 8)) << 16;
  capabilities >>>= 0;
  return ok({ kind: 'handshake', serverVersion, capabilities, ssl: (capabilities & CLIENT_SSL) !== 0 }, 4 + h.len);
}

/** The client's answer: the 32-byte SSLRequest, or a HandshakeResponse (plain-text login). */
export function decodeMysqlClientHello(b: Uint8Array): Decoded<{ kind: 'ssl-request' | 'login'; capabilities: number }> {
  const h = packet(b);
  if (!h) return incomplete(4 - b.length);
  if (h.seq !== 1) return invalid({ kind: 'bad-value', path: ['mysql', 'client'], offset: 3, message: `sequence id ${h.seq}` });
  if (h.len < 4 || h.len > 65536) return invalid({ kind: 'bad-value', path: ['mysql', 'client'], offset: 0, message: `packet length ${h.len}` });
  if (b.length < 4 + h.len) return incomplete(4 + h.len - b.length);
  const caps = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
  const ssl = h.len === 32 && (caps & CLIENT_SSL) !== 0;
  return ok({ kind: ssl ? 'ssl-request' : 'login', capabilities: caps }, 4 + h.len);
}
