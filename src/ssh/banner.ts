// SSH identification lines (RFC 4253 §4.2) and what to make of a peer that sends something
// else. The framer works on the lines a side sends before its binary packets:
// "incomplete" until the LF arrives, "invalid" when a line outgrows its limit.

import { type Decoded, incomplete, invalid } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';
import { looksLikeHttpRequestLine } from '../registry/http.js';

/** RFC 4253 §4.2: the identification string is at most 255 bytes including CR LF. */
export const MAX_IDENT_LINE_BYTES = 255;
/** Longest line accepted before it is declared invalid (OpenSSH's SSH_MAX_BANNER_LEN). */
export const MAX_LINE_BYTES = 8192;
/** Lines a server may send before its identification (OpenSSH and Go both stop at 1024). */
export const MAX_PRE_BANNER_LINES = 1024;
/** Bytes of pre-banner text kept per side. */
export const MAX_PRE_BANNER_BYTES = 64 * 1024;
/** Bytes of a non-SSH peer's first data kept as a preview. */
export const PREVIEW_BYTES = 128;

export interface LineFrame {
  /** The line without its CR LF (or LF), as bytes. */
  bytes: Uint8Array;
  /** The same as Latin-1 text (one char per byte: exact for the ASCII the protocol uses). */
  text: string;
  /** The line ended in CR LF (RFC) rather than a bare LF. */
  crlf: boolean;
  /** Bytes consumed including the line end. */
  size: number;
}

/**
 * Frame one line from the start of `buf`: incomplete until a LF is present; invalid
 * (too-large) once maxBytes have arrived without one.
 */
export function frameLine(buf: Uint8Array, maxBytes = MAX_LINE_BYTES): Decoded<LineFrame> {
  const limit = Math.min(buf.length, maxBytes);
  const lf = buf.subarray(0, limit).indexOf(0x0a);
  if (lf < 0) {
    if (buf.length >= maxBytes) {
      return invalid({ kind: 'too-large', path: ['line'], offset: 0, message: `too-large at line (offset 0): no line end within ${maxBytes} bytes` });
    }
    return incomplete();
  }
  const crlf = lf > 0 && buf[lf - 1] === 0x0d;
  const bytes = buf.subarray(0, crlf ? lf - 1 : lf);
  return { status: 'ok', value: { bytes, text: latin1(bytes), crlf, size: lf + 1 }, size: lf + 1 };
}

/** What the protocol version field says about the peer. */
export type SshProtocol = '2.0' | '1.99' | '1.x' | 'other';

export interface Identification {
  /** The whole line without CR LF. */
  raw: string;
  protoVersion: string;
  softwareVersion: string;
  comments: string | null;
  /** 2.0; 1.99 (= 2.0 compatible, also speaks 1); 1.x (protocol 1 only); other. */
  protocol: SshProtocol;
  /** Oddities worth a finding: over 255 bytes, NUL bytes, no CR, missing fields. */
  anomalies: string[];
}

export const isIdentificationLine = (text: string): boolean => text.startsWith('SSH-');

/** Parse "SSH-protoversion-softwareversion SP comments" (the line must start with "SSH-"). */
export function parseIdentification(line: LineFrame): Identification {
  const raw = line.text;
  const anomalies: string[] = [];
  if (line.size > MAX_IDENT_LINE_BYTES) anomalies.push(`identification is ${line.size} bytes, over the 255 of RFC 4253`);
  if (!line.crlf) anomalies.push('identification ends in LF without CR');
  if (raw.includes('\0')) anomalies.push('identification contains a NUL byte');
  const rest = raw.slice(4);
  const dash = rest.indexOf('-');
  const protoVersion = dash < 0 ? rest : rest.slice(0, dash);
  const afterProto = dash < 0 ? '' : rest.slice(dash + 1);
  const sp = afterProto.indexOf(' ');
  const softwareVersion = sp < 0 ? afterProto : afterProto.slice(0, sp);
  const comments = sp < 0 ? null : afterProto.slice(sp + 1);
  if (dash < 0) anomalies.push('no "-" after the protocol version');
  if (softwareVersion === '' && dash >= 0) anomalies.push('empty software version');
  let protocol: SshProtocol = 'other';
  if (protoVersion === '2.0') protocol = '2.0';
  else if (protoVersion === '1.99') protocol = '1.99';
  else if (/^1\.\d+$/.test(protoVersion)) protocol = '1.x';
  return { raw, protoVersion, softwareVersion, comments, protocol, anomalies };
}

/** What the first bytes of a side look like when they are not an SSH identification. */
export type PeerKind = 'ssh' | 'tls' | 'http-request' | 'http-response' | 'html' | 'text' | 'binary' | 'empty';

export interface PeerPreview {
  kind: PeerKind;
  /** A plain description, e.g. "a TLS handshake record (ClientHello)". */
  description: string;
  /** The first bytes (at most PREVIEW_BYTES) as hex and as Latin-1 text. */
  hex: string;
  text: string;
  length: number;
}


function isMostlyText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let printable = 0;
  for (const c of b) if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  return printable / b.length >= 0.9;
}

/** Classify the first bytes a side sent (pure; looks at no more than PREVIEW_BYTES). */
export function classifyPeer(bytes: Uint8Array): PeerPreview {
  const b = bytes.subarray(0, PREVIEW_BYTES);
  const text = latin1(b);
  const base = { hex: Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'), text, length: b.length };
  if (b.length === 0) return { kind: 'empty', description: 'no data', ...base };
  if (text.startsWith('SSH-')) return { kind: 'ssh', description: 'an SSH identification string', ...base };
  if (b[0] === 0x16 && b.length >= 3 && b[1] === 0x03 && b[2]! <= 0x04) {
    const hs = b.length >= 6 ? b[5] : undefined;
    const what = hs === 1 ? ' (ClientHello)' : hs === 2 ? ' (ServerHello)' : '';
    return { kind: 'tls', description: `a TLS handshake record${what}`, ...base };
  }
  if (b[0] === 0x15 && b.length >= 3 && b[1] === 0x03 && b[2]! <= 0x04) {
    return { kind: 'tls', description: 'a TLS alert record', ...base };
  }
  if (looksLikeHttpRequestLine(text)) return { kind: 'http-request', description: `an HTTP request (${text.split(/\r?\n/)[0]!.slice(0, 60)})`, ...base };
  if (/^HTTP\/\d/.test(text)) return { kind: 'http-response', description: `an HTTP response (${text.split(/\r?\n/)[0]!.slice(0, 60)})`, ...base };
  if (/^\s*<(!doctype|html|head|body|\?xml)/i.test(text)) return { kind: 'html', description: `an HTML document (${text.trim().split(/\r?\n/)[0]!.slice(0, 60)})`, ...base };
  if (isMostlyText(b)) return { kind: 'text', description: `text (${text.split(/\r?\n/)[0]!.slice(0, 60)})`, ...base };
  return { kind: 'binary', description: 'binary data', ...base };
}
