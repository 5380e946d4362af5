// HTTP/1.x message heads (RFC 9112 §2-§6), as far as a proxy tunnel needs them: the
// CONNECT request (RFC 9110 §9.3.6, authority-form target "host:port"), the proxy's
// response, and how long a response body is so the next message can be found (a 407 with
// an HTML page, then the client's second CONNECT on the same connection).
//
// Pure: bytes in, a head or "incomplete" or "invalid" out. Credential headers
// (Proxy-Authorization, Authorization, Cookie) keep only their scheme: the value is never
// copied out of the wire buffer.

import { type Decoded, incomplete, invalid, ok } from '../wire/reader.js';
import { readLine } from './lines.js';

/** Largest head accepted (request or status line plus headers). */
export const MAX_HEAD = 32 * 1024;
/** Headers kept per message. */
export const MAX_HEADERS = 64;

export interface HttpHeader {
  /** As sent (case kept). */
  name: string;
  /** The value; for credential headers only the scheme and "(withheld)". */
  value: string;
}

export interface HttpRequestHead {
  kind: 'request';
  method: string;
  target: string;
  version: string;
  headers: HttpHeader[];
}

export interface HttpResponseHead {
  kind: 'response';
  version: string;
  status: number;
  reason: string;
  headers: HttpHeader[];
}

export type HttpHead = HttpRequestHead | HttpResponseHead;

const CREDENTIAL_HEADERS = new Set(['proxy-authorization', 'authorization', 'cookie', 'set-cookie']);

export const isCredentialHeader = (name: string): boolean => CREDENTIAL_HEADERS.has(name.toLowerCase());

/** "Basic dXNlcjpwYXNz" → "Basic (credentials withheld)". */
function withheld(name: string, value: string): string {
  if (name.toLowerCase().endsWith('cookie')) return '(withheld)';
  const scheme = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(value.trim())?.[0];
  return scheme ? `${scheme} (credentials withheld)` : '(credentials withheld)';
}

const REQUEST_LINE = /^([A-Z][A-Z0-9_-]{0,19}) (\S{1,4096}) (HTTP\/\d(?:\.\d)?)$/;
const STATUS_LINE = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One message head starting at `off`: request or status line, headers, the blank line. */
export function decodeHttpHead(buf: Uint8Array, off = 0, max = MAX_HEAD): Decoded<HttpHead> {
  const first = readLine(buf, off, Math.min(max, 8192));
  if (first.status === 'incomplete') return incomplete();
  if (first.status === 'invalid') return invalid({ kind: 'too-large', path: ['http', 'start-line'], offset: off, message: first.reason });
  let head: HttpHead;
  const req = REQUEST_LINE.exec(first.text);
  const res = req ? null : STATUS_LINE.exec(first.text);
  if (req) head = { kind: 'request', method: req[1]!, target: req[2]!, version: req[3]!, headers: [] };
  else if (res) head = { kind: 'response', version: res[1]!, status: Number(res[2]), reason: res[3] ?? '', headers: [] };
  else return invalid({ kind: 'bad-value', path: ['http', 'start-line'], offset: off, message: 'not an HTTP request or status line' });
  let pos = off + first.size;
  for (;;) {
    if (pos - off > max) return invalid({ kind: 'too-large', path: ['http', 'headers'], offset: pos, message: `a message head longer than ${max} bytes` });
    const line = readLine(buf, pos);
    if (line.status === 'incomplete') return incomplete();
    if (line.status === 'invalid') return invalid({ kind: 'too-large', path: ['http', 'headers'], offset: pos, message: line.reason });
    pos += line.size;
    if (line.text === '') break;
    if (/^[ \t]/.test(line.text)) {
      // obsolete line folding (RFC 9112 §5.2): part of the previous value
      const last = head.headers[head.headers.length - 1];
      if (last && !isCredentialHeader(last.name)) last.value += ' ' + line.text.trim();
      continue;
    }
    const colon = line.text.indexOf(':');
    const name = colon > 0 ? line.text.slice(0, colon) : '';
    if (!TOKEN.test(name)) return invalid({ kind: 'bad-value', path: ['http', 'headers'], offset: pos - line.size, message: 'a header line without a field name' });
    if (head.headers.length >= MAX_HEADERS) continue;
    const raw = line.text.slice(colon + 1).trim();
    head.headers.push({ name, value: isCredentialHeader(name) ? withheld(name, raw) : raw });
  }
  return ok(head, pos - off);
}

/** The first value of a header (case-insensitive name), or null. */
export function header(head: HttpHead, name: string): string | null {
  const n = name.toLowerCase();
  return head.headers.find((h) => h.name.toLowerCase() === n)?.value ?? null;
}

export const hasHeader = (head: HttpHead, name: string): boolean => header(head, name) !== null;

/** How the body after a response head is delimited (RFC 9112 §6.3). */
export type BodyLength = { kind: 'none' } | { kind: 'length'; bytes: number } | { kind: 'chunked' } | { kind: 'until-close' } | { kind: 'tunnel' };

export function responseBody(res: HttpResponseHead, requestMethod: string | null): BodyLength {
  const s = res.status;
  if (requestMethod === 'CONNECT' && s >= 200 && s < 300) return { kind: 'tunnel' };
  if ((s >= 100 && s < 200) || s === 204 || s === 304 || requestMethod === 'HEAD') return { kind: 'none' };
  const te = header(res, 'transfer-encoding');
  if (te && /\bchunked\s*$/i.test(te)) return { kind: 'chunked' };
  const cl = header(res, 'content-length');
  if (cl !== null && /^\d{1,12}$/.test(cl)) return Number(cl) === 0 ? { kind: 'none' } : { kind: 'length', bytes: Number(cl) };
  return { kind: 'until-close' };
}

export function requestBody(req: HttpRequestHead): BodyLength {
  const te = header(req, 'transfer-encoding');
  if (te && /\bchunked\s*$/i.test(te)) return { kind: 'chunked' };
  const cl = header(req, 'content-length');
  if (cl !== null && /^\d{1,12}$/.test(cl) && Number(cl) > 0) return { kind: 'length', bytes: Number(cl) };
  return { kind: 'none' };
}

/**
 * The size of a whole chunked body starting at `off` (chunks, last chunk, trailers), or
 * incomplete. RFC 9112 §7.1.
 */
export function chunkedBodySize(buf: Uint8Array, off = 0): Decoded<null> {
  let pos = off;
  for (;;) {
    const line = readLine(buf, pos, 1024);
    if (line.status === 'incomplete') return incomplete();
    if (line.status === 'invalid') return invalid({ kind: 'too-large', path: ['http', 'chunk-size'], offset: pos, message: line.reason });
    const m = /^([0-9A-Fa-f]{1,8})(?:;.*)?$/.exec(line.text.trim());
    if (!m) return invalid({ kind: 'bad-value', path: ['http', 'chunk-size'], offset: pos, message: 'not a chunk size' });
    pos += line.size;
    const n = parseInt(m[1]!, 16);
    if (n === 0) {
      for (;;) {
        const t = readLine(buf, pos);
        if (t.status === 'incomplete') return incomplete();
        if (t.status === 'invalid') return invalid({ kind: 'too-large', path: ['http', 'trailer'], offset: pos, message: t.reason });
        pos += t.size;
        if (t.text === '') return ok(null, pos - off);
      }
    }
    if (buf.length < pos + n + 2) return incomplete();
    pos += n + 2;
  }
}

/** "host:port" (authority form), "[v6]:port", or an absolute URI's authority; null when there is none. */
export function connectTarget(target: string): { host: string; port: number | null } | null {
  let t = target;
  const uri = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(t);
  if (uri) t = uri[1]!.replace(/^[^@]*@/, '');
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(t);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : null };
  const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m) return null;
  return { host: m[1]!, port: m[2] ? Number(m[2]) : null };
}
