// What the first bytes of a side look like: enough to pick a protocol tracker and, when
// the capture has no SYN, to tell the client from the server. Pure functions over a
// prefix of the stream; they never throw and never need more than a few bytes.

import { HTTP_REQUEST_PREFIXES } from '../registry/http.js';

export type Speech =
  | 'tls-client-hello'
  | 'tls-server-hello'
  | 'tls-other'
  | 'sslv2-client-hello'
  | 'ssh-banner'
  | 'http-request'
  | 'http-response'
  | 'text'
  | 'binary'
  | 'too-short';


/** Bytes needed before classify() stops answering 'too-short'. */
export const DETECT_BYTES = 6;

function startsWith(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

export function classify(b: Uint8Array): Speech {
  if (b.length === 0) return 'too-short';
  const t = b[0]!;
  // The first byte of a TLS record header, or of an SSLv2 hello: wait for the rest.
  if (b.length === 1 && ((t >= 20 && t <= 24) || (t & 0x80) !== 0)) return 'too-short';
  if ((t & 0x80) !== 0 && b.length < 4 && !(t >= 20 && t <= 24)) return 'too-short';
  // TLS record: type 20-24, version 3.x.
  if (t >= 20 && t <= 24 && b.length >= 2 && b[1] === 3) {
    if (b.length < 6) return b.length >= 3 && b[2]! <= 4 ? (t === 22 ? 'too-short' : 'tls-other') : 'too-short';
    if (b[2]! <= 4 && t === 22) {
      if (b[5] === 1) return 'tls-client-hello';
      if (b[5] === 2) return 'tls-server-hello';
      return 'tls-other';
    }
    if (b[2]! <= 4) return 'tls-other';
  }
  // SSLv2-compatible ClientHello: 2-byte header with the high bit, msg type 1, version 2/3.x.
  if ((t & 0x80) !== 0 && b.length >= 4) {
    if (b[2] === 1 && (b[3] === 3 || b[3] === 2 || b[3] === 0)) return 'sslv2-client-hello';
  }
  if (startsWith(b, 'SSH-')) return 'ssh-banner';
  if (b.length < 4 && 'SSH-'.startsWith(String.fromCharCode(...b))) return 'too-short';
  if (startsWith(b, 'HTTP/')) return 'http-response';
  for (const m of HTTP_REQUEST_PREFIXES) if (startsWith(b, m)) return 'http-request';
  if (b.length < DETECT_BYTES) {
    for (const m of HTTP_REQUEST_PREFIXES) if (m.startsWith(String.fromCharCode(...b))) return 'too-short';
    if ('HTTP/'.startsWith(String.fromCharCode(...b))) return 'too-short';
  }
  let printable = 0;
  const n = Math.min(b.length, 64);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  return printable === n ? 'text' : 'binary';
}

export const isTls = (s: Speech): boolean =>
  s === 'tls-client-hello' || s === 'tls-server-hello' || s === 'tls-other' || s === 'sslv2-client-hello';

/** Whether these first bytes mark their sender as the client (true), the server (false), or neither (null). */
export function senderIsClient(s: Speech): boolean | null {
  switch (s) {
    case 'tls-client-hello':
    case 'sslv2-client-hello':
    case 'http-request':
      return true;
    case 'tls-server-hello':
    case 'http-response':
      return false;
    default:
      return null;
  }
}

/** Short human description of what a side spoke, for evidence lines. */
export function describeSpeech(s: Speech): string {
  switch (s) {
    case 'tls-client-hello':
      return 'a TLS ClientHello';
    case 'tls-server-hello':
      return 'a TLS ServerHello';
    case 'tls-other':
      return 'TLS records';
    case 'sslv2-client-hello':
      return 'an SSLv2-format ClientHello';
    case 'ssh-banner':
      return 'an SSH banner';
    case 'http-request':
      return 'an HTTP request';
    case 'http-response':
      return 'an HTTP response';
    case 'text':
      return 'plain text';
    case 'binary':
      return 'binary data';
    case 'too-short':
      return 'a few bytes';
  }
}

/** Ports whose servers speak SSH by convention (others in the watch list are taken as TLS). */
export const SSH_PORTS = new Set([22, 2222, 830]);
