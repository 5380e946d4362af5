// Bytes that are not TLS: a short classified preview, for "plain HTTP on a TLS port",
// "SSH banner on 443", "a TLS client talking to a plain HTTP server" and the like.

import { latin1 } from '../wire/text.js';
import { looksLikeHttpRequestLine } from '../registry/http.js';

/** Bytes kept from a side that does not speak TLS. */
export const NON_TLS_PREVIEW = 128;

export type NonTlsKind = 'http-request' | 'http-response' | 'ssh' | 'text' | 'binary';

export interface NonTlsPreview {
  kind: NonTlsKind;
  /** The first bytes (≤ 128), copied. */
  bytes: Uint8Array;
  /** The first line as Latin-1 text (CR LF removed), when the bytes are text. */
  firstLine: string | null;
  /** Ladder label: "HTTP/1.1 400 Bad Request", "GET / HTTP/1.1", "SSH-2.0-OpenSSH_9.2p1", "non-TLS bytes (57)". */
  label: string;
}


function isTextByte(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f);
}

/** Classify and keep a preview of bytes that are not TLS. */
export function classifyNonTls(data: Uint8Array): NonTlsPreview {
  const bytes = data.slice(0, NON_TLS_PREVIEW);
  const textual = bytes.length > 0 && bytes.every(isTextByte);
  const nl = bytes.indexOf(0x0a);
  const lineBytes = nl >= 0 ? bytes.subarray(0, nl) : bytes;
  const firstLine = textual || lineBytes.every(isTextByte) ? latin1(lineBytes).replace(/\r$/, '') : null;
  let kind: NonTlsKind = textual ? 'text' : 'binary';
  if (firstLine !== null) {
    if (looksLikeHttpRequestLine(firstLine)) kind = 'http-request';
    else if (/^HTTP\/\d(\.\d)? \d{3}/.test(firstLine)) kind = 'http-response';
    else if (firstLine.startsWith('SSH-')) kind = 'ssh';
  }
  const label = kind === 'binary' || kind === 'text' || firstLine === null ? `non-TLS bytes (${data.length})` : firstLine.slice(0, 80);
  return { kind, bytes, firstLine, label };
}
