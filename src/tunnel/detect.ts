// What the first bytes of a connection say about a plain-text preamble before TLS: a
// proxy request (HTTP CONNECT, SOCKS4/4a, SOCKS5), a database's TLS request (PostgreSQL
// SSLRequest, a MySQL greeting), an LDAP StartTLS, or a mail / FTP server's greeting.
// Pure; answers 'too-short' while more bytes could change the answer.
//
// A guess is `strong` when the bytes can hardly be anything else (reported on any port),
// `weak` when only the port makes it plausible (a "220 ..." greeting is SMTP or FTP on
// their ports, but also many other line protocols).

import type { Side } from '../engine/types.js';
import { decodeMysqlGreeting, decodePgStartup } from './database.js';
import { decodeLdapMessage, START_TLS_OID } from './ldap.js';
import { isTextBytes } from './lines.js';
import { decodeSocks4Request, decodeSocks5Greeting } from './socks.js';

export type PreambleKind = 'http-connect' | 'socks4' | 'socks5' | 'smtp' | 'ftp' | 'imap' | 'pop3' | 'ldap' | 'postgres' | 'mysql';

export interface PreambleGuess {
  kind: PreambleKind;
  strong: boolean;
}

/** Bytes of a side looked at, at most. */
export const PREAMBLE_DETECT_BYTES = 512;

/** The usual server ports of each preamble (the default watch list is made of them). */
export const PREAMBLE_PORTS: Readonly<Record<number, PreambleKind>> = Object.freeze({
  3128: 'http-connect', 8080: 'http-connect', 8118: 'http-connect', 8888: 'http-connect', 1080: 'socks5',
  25: 'smtp', 587: 'smtp', 2525: 'smtp', 143: 'imap', 110: 'pop3', 21: 'ftp', 389: 'ldap', 5432: 'postgres', 3306: 'mysql',
});

/** Ports where a proxy listens by convention (TLS sent straight to them is a client misconfiguration). */
export const PROXY_PORTS: ReadonlySet<number> = new Set(
  Object.entries(PREAMBLE_PORTS).filter(([, k]) => k === 'http-connect' || k === 'socks4' || k === 'socks5').map(([p]) => Number(p)),
);

const ascii = (b: Uint8Array, s: string, at = 0): boolean => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};
/** `b` is a (possibly empty) prefix of `s`. */
const prefixOf = (b: Uint8Array, s: string): boolean => b.length < s.length && ascii(b, s.slice(0, b.length));

/** What the client's first bytes are. */
function clientPreamble(b: Uint8Array, port: number): PreambleGuess | 'too-short' | null {
  if (ascii(b, 'CONNECT ')) return { kind: 'http-connect', strong: true };
  if (prefixOf(b, 'CONNECT ')) return 'too-short';
  const t = b[0]!;
  if (t === 4) {
    const r = decodeSocks4Request(b);
    if (r.status === 'ok') return r.size === b.length || port === 1080 ? { kind: 'socks4', strong: true } : null;
    return r.status === 'incomplete' ? 'too-short' : null;
  }
  if (t === 5) {
    const r = decodeSocks5Greeting(b);
    if (r.status === 'incomplete') return 'too-short';
    if (r.status !== 'ok' || r.size !== b.length) return null;
    const plausible = r.value.methods.every((m) => m <= 0x09 || (m >= 0x80 && m <= 0xfe));
    return plausible ? { kind: 'socks5', strong: r.value.methods.length <= 8 } : null;
  }
  if (t === 0) {
    const r = decodePgStartup(b);
    if (r.status === 'incomplete') return b.length < 8 ? 'too-short' : null;
    if (r.status !== 'ok') return null;
    const k = r.value.kind;
    return k === 'ssl-request' || k === 'gssenc-request' ? { kind: 'postgres', strong: true } : { kind: 'postgres', strong: false };
  }
  if (t === 0x30) {
    const r = decodeLdapMessage(b);
    if (r.status === 'incomplete') return b.length < PREAMBLE_DETECT_BYTES ? 'too-short' : null;
    if (r.status !== 'ok') return null;
    return { kind: 'ldap', strong: r.value.op === 23 && r.value.requestName === START_TLS_OID };
  }
  return null;
}

/** What the server's first bytes (a greeting, when the server speaks first) are. */
function serverPreamble(b: Uint8Array, port: number): PreambleGuess | 'too-short' | null {
  if (b.length < 5) return 'too-short';
  // MySQL: a HandshakeV10 (or ERR) packet: 3-byte length, sequence id 0, protocol version 10
  if (b[3] === 0 && (b[4] === 0x0a || b[4] === 0xff)) {
    const r = decodeMysqlGreeting(b);
    if (r.status === 'ok') return { kind: 'mysql', strong: true };
    if (r.status === 'incomplete') return 'too-short';
  }
  const nl = b.indexOf(0x0a);
  const line = nl < 0 ? b : b.subarray(0, nl);
  if (!isTextBytes(line)) return null;
  if (nl < 0 && b.length < 8) return 'too-short';
  const text = Buffer.from(line).toString('latin1');
  if (/^(220|421|554)[ -]/.test(text)) {
    const ftp = port === 21 || (port !== 25 && port !== 587 && port !== 2525 && /FTP/i.test(text));
    return { kind: ftp ? 'ftp' : 'smtp', strong: false };
  }
  if (/^\* (OK|PREAUTH|BYE)\b/i.test(text)) return { kind: 'imap', strong: false };
  if (/^\+OK\b/.test(text)) return { kind: 'pop3', strong: false };
  return null;
}

/** The preamble the first bytes of `side` start, 'too-short' while undecided, or null. */
export function recognisePreamble(side: Side, bytes: Uint8Array, serverPort: number): PreambleGuess | 'too-short' | null {
  if (bytes.length === 0) return 'too-short';
  return side === 'client' ? clientPreamble(bytes, serverPort) : serverPreamble(bytes, serverPort);
}
