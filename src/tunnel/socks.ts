// SOCKS messages: SOCKS4 and 4a (the NEC "SOCKS: A protocol for TCP proxy across firewalls"
// document and its 4A extension), SOCKS5 (RFC 1928) and its username/password
// sub-negotiation (RFC 1929).
//
// Each decoder frames one message at the start of the bytes: "incomplete" until the whole
// message is there, "invalid" when the bytes cannot be that message. Passwords are never
// copied out: the RFC 1929 request decodes to the lengths only, and the SOCKS4 user id to
// its length.

import { type Decoded, incomplete, invalid, ok } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';

/** Longest NUL-terminated field accepted in a SOCKS4 request (user id, 4a host name). */
export const MAX_SOCKS4_FIELD = 255;

const bad = <T>(path: string, offset: number, message: string): Decoded<T> => invalid({ kind: 'bad-value', path: ['socks', path], offset, message });

export interface Socks4Request {
  version: 4;
  command: number;
  port: number;
  /** Dotted IPv4 address, or for 4a the host name (the address is then 0.0.0.x). */
  host: string;
  socks4a: boolean;
  /** Length of the user id field (its bytes are not kept). */
  userIdLength: number;
}

function nulTerminated(b: Uint8Array, from: number): number {
  const end = Math.min(b.length, from + MAX_SOCKS4_FIELD + 1);
  for (let i = from; i < end; i++) if (b[i] === 0) return i;
  return b.length - from > MAX_SOCKS4_FIELD ? -2 : -1;
}

export function decodeSocks4Request(b: Uint8Array): Decoded<Socks4Request> {
  if (b.length < 9) return b.length > 0 && b[0] !== 4 ? bad('socks4-request', 0, 'version is not 4') : incomplete(9 - b.length);
  if (b[0] !== 4) return bad('socks4-request', 0, 'version is not 4');
  const command = b[1]!;
  if (command !== 1 && command !== 2) return bad('socks4-request', 1, `command ${command} is neither CONNECT (1) nor BIND (2)`);
  const port = (b[2]! << 8) | b[3]!;
  const ip = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
  const uid = nulTerminated(b, 8);
  if (uid === -1) return incomplete();
  if (uid === -2) return bad('socks4-request', 8, `user id longer than ${MAX_SOCKS4_FIELD} bytes`);
  const socks4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
  if (!socks4a) return ok({ version: 4, command, port, host: ip, socks4a, userIdLength: uid - 8 }, uid + 1);
  const hostEnd = nulTerminated(b, uid + 1);
  if (hostEnd === -1) return incomplete();
  if (hostEnd === -2 || hostEnd === uid + 1) return bad('socks4a-host', uid + 1, 'no host name');
  return ok({ version: 4, command, port, host: latin1(b.subarray(uid + 1, hostEnd)), socks4a, userIdLength: uid - 8 }, hostEnd + 1);
}

export interface Socks4Reply {
  /** 0 per the protocol (some servers send 4). */
  version: number;
  code: number;
  port: number;
  ip: string;
}

export function decodeSocks4Reply(b: Uint8Array): Decoded<Socks4Reply> {
  if (b.length > 0 && b[0] !== 0 && b[0] !== 4) return bad('socks4-reply', 0, 'reply version is neither 0 nor 4');
  if (b.length > 1 && (b[1]! < 0x5a || b[1]! > 0x5d)) return bad('socks4-reply', 1, `reply code 0x${b[1]!.toString(16)} is not 0x5a-0x5d`);
  if (b.length < 8) return incomplete(8 - b.length);
  return ok({ version: b[0]!, code: b[1]!, port: (b[2]! << 8) | b[3]!, ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` }, 8);
}

export interface Socks5Greeting {
  methods: number[];
}

/** VER=5, NMETHODS, METHODS (RFC 1928 §3). */
export function decodeSocks5Greeting(b: Uint8Array): Decoded<Socks5Greeting> {
  if (b.length > 0 && b[0] !== 5) return bad('socks5-greeting', 0, 'version is not 5');
  if (b.length < 2) return incomplete(2 - b.length);
  const n = b[1]!;
  if (n === 0) return bad('socks5-greeting', 1, 'no authentication method offered');
  if (b.length < 2 + n) return incomplete(2 + n - b.length);
  return ok({ methods: Array.from(b.subarray(2, 2 + n)) }, 2 + n);
}

/** VER=5, METHOD. */
export function decodeSocks5MethodSelection(b: Uint8Array): Decoded<{ method: number }> {
  if (b.length > 0 && b[0] !== 5) return bad('socks5-method', 0, 'version is not 5');
  if (b.length < 2) return incomplete(2 - b.length);
  return ok({ method: b[1]! }, 2);
}

export interface Socks5AuthRequest {
  /** Lengths only: the user name and the password are never copied. */
  usernameLength: number;
  passwordLength: number;
}

/** RFC 1929 §2: VER=1, ULEN, UNAME, PLEN, PASSWD. */
export function decodeSocks5AuthRequest(b: Uint8Array): Decoded<Socks5AuthRequest> {
  if (b.length > 0 && b[0] !== 1) return bad('socks5-auth', 0, 'sub-negotiation version is not 1');
  if (b.length < 2) return incomplete(2 - b.length);
  const ulen = b[1]!;
  if (b.length < 3 + ulen) return incomplete(3 + ulen - b.length);
  const plen = b[2 + ulen]!;
  if (b.length < 3 + ulen + plen) return incomplete(3 + ulen + plen - b.length);
  return ok({ usernameLength: ulen, passwordLength: plen }, 3 + ulen + plen);
}

/** RFC 1929 §2: VER=1, STATUS (0 = success). */
export function decodeSocks5AuthReply(b: Uint8Array): Decoded<{ status: number }> {
  if (b.length > 0 && b[0] !== 1 && b[0] !== 5) return bad('socks5-auth-reply', 0, 'sub-negotiation version is not 1');
  if (b.length < 2) return incomplete(2 - b.length);
  return ok({ status: b[1]! }, 2);
}

export interface Socks5Address {
  /** 1 IPv4, 3 domain name, 4 IPv6. */
  type: number;
  host: string;
  port: number;
}

export interface Socks5Request extends Socks5Address {
  command: number;
}

export interface Socks5Reply extends Socks5Address {
  code: number;
}

function v6(b: Uint8Array, off: number): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[off + i]! << 8) | b[off + i + 1]!).toString(16));
  // the shortest form: the longest run of zero words becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** VER, CMD/REP, RSV, ATYP, DST.ADDR, DST.PORT (RFC 1928 §4, §6). */
function decodeSocks5Message(b: Uint8Array, what: string): Decoded<{ code: number; addr: Socks5Address }> {
  if (b.length > 0 && b[0] !== 5) return bad(what, 0, 'version is not 5');
  if (b.length < 5) return incomplete(5 - b.length);
  if (b[2] !== 0) return bad(what, 2, 'reserved byte is not 0');
  const type = b[3]!;
  let len: number;
  if (type === 1) len = 4;
  else if (type === 4) len = 16;
  else if (type === 3) len = 1 + b[4]!;
  else return bad(what, 3, `address type ${type} is not 1, 3 or 4`);
  const size = 4 + len + 2;
  if (b.length < size) return incomplete(size - b.length);
  const host = type === 1 ? `${b[4]}.${b[5]}.${b[6]}.${b[7]}` : type === 4 ? v6(b, 4) : latin1(b.subarray(5, 5 + b[4]!));
  const port = (b[4 + len]! << 8) | b[5 + len]!;
  return ok({ code: b[1]!, addr: { type, host, port } }, size);
}

export function decodeSocks5Request(b: Uint8Array): Decoded<Socks5Request> {
  const r = decodeSocks5Message(b, 'socks5-request');
  if (r.status !== 'ok') return r;
  if (r.value.code < 1 || r.value.code > 3) return bad('socks5-request', 1, `command ${r.value.code} is not CONNECT, BIND or UDP ASSOCIATE`);
  return ok({ command: r.value.code, ...r.value.addr }, r.size);
}

export function decodeSocks5Reply(b: Uint8Array): Decoded<Socks5Reply> {
  const r = decodeSocks5Message(b, 'socks5-reply');
  if (r.status !== 'ok') return r;
  return ok({ code: r.value.code, ...r.value.addr }, r.size);
}

/** "host:port", IPv6 in brackets. */
export const hostPort = (host: string, port: number | null): string => {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
};
