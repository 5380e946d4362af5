// The line protocols that upgrade to TLS in the middle: SMTP STARTTLS (RFC 3207 on RFC
// 5321's reply syntax), FTP AUTH TLS (RFC 4217 on RFC 959's), IMAP STARTTLS and POP3
// STLS (RFC 2595 on RFC 9051 / RFC 1939). Pure decoders of one server reply at the start
// of the bytes; the dialogues (dialogue-text.ts) decide what a reply answers.

import { type Decoded, incomplete, invalid, ok } from '../wire/reader.js';
import { readLine } from './lines.js';

/** Lines kept per reply (an EHLO answer lists ~10 extensions). */
export const MAX_REPLY_LINES = 32;
/** Lines read per reply before giving up (a runaway multi-line answer). */
const MAX_REPLY_READ = 256;

export interface CodedReply {
  /** The three-digit code (SMTP, FTP). */
  code: number;
  /** Text of each line, without the code and separator. */
  lines: string[];
}

/**
 * An SMTP or FTP reply: "250-first", "250 last" (SMTP: every line carries the code); FTP's
 * multi-line form "211-first", free text lines, "211 last". One decoder reads both.
 */
export function decodeCodedReply(buf: Uint8Array, off = 0): Decoded<CodedReply> {
  const first = readLine(buf, off);
  if (first.status === 'incomplete') return incomplete();
  if (first.status === 'invalid') return invalid({ kind: 'too-large', path: ['reply'], offset: off, message: first.reason });
  const m = /^([2-5]\d\d)([ -]|$)(.*)$/.exec(first.text);
  if (!m) return invalid({ kind: 'bad-value', path: ['reply'], offset: off, message: 'not a three-digit reply' });
  const code = Number(m[1]);
  const lines = [m[3]!];
  let pos = off + first.size;
  if (m[2] !== '-') return ok({ code, lines }, pos - off);
  for (let n = 0; n < MAX_REPLY_READ; n++) {
    const l = readLine(buf, pos);
    if (l.status === 'incomplete') return incomplete();
    if (l.status === 'invalid') return invalid({ kind: 'too-large', path: ['reply'], offset: pos, message: l.reason });
    pos += l.size;
    const c = /^(\d\d\d)([ -]|$)(.*)$/.exec(l.text);
    const text = c && Number(c[1]) === code ? c[3]! : l.text;
    if (lines.length < MAX_REPLY_LINES) lines.push(text);
    if (c && Number(c[1]) === code && c[2] !== '-') return ok({ code, lines }, pos - off);
  }
  return invalid({ kind: 'too-large', path: ['reply'], offset: off, message: `a reply of more than ${MAX_REPLY_READ} lines` });
}

export interface ImapLine {
  /** "*" untagged, "+" continuation, else the command tag. */
  tag: string;
  /** OK, NO, BAD, PREAUTH, BYE, CAPABILITY... (upper-cased), or "" for a continuation. */
  status: string;
  text: string;
}

/** One IMAP server line (RFC 9051 §7). */
export function decodeImapLine(buf: Uint8Array, off = 0): Decoded<ImapLine> {
  const l = readLine(buf, off);
  if (l.status === 'incomplete') return incomplete();
  if (l.status === 'invalid') return invalid({ kind: 'too-large', path: ['imap'], offset: off, message: l.reason });
  if (l.text.startsWith('+')) return ok({ tag: '+', status: '', text: l.text.slice(1).trim() }, l.size);
  const m = /^(\*|[^\s(){%*"\\\]]+) ([A-Za-z]+)(?: (.*))?$/.exec(l.text);
  if (!m) return invalid({ kind: 'bad-value', path: ['imap'], offset: off, message: 'not an IMAP response line' });
  return ok({ tag: m[1]!, status: m[2]!.toUpperCase(), text: m[3] ?? '' }, l.size);
}

export interface Pop3Reply {
  ok: boolean;
  text: string;
  /** Lines of a multi-line answer (CAPA), when one was expected. */
  lines: string[];
}

/** A POP3 status line, and when `multiline` the dot-terminated lines after it (RFC 1939 §3). */
export function decodePop3Reply(buf: Uint8Array, off = 0, multiline = false): Decoded<Pop3Reply> {
  const l = readLine(buf, off);
  if (l.status === 'incomplete') return incomplete();
  if (l.status === 'invalid') return invalid({ kind: 'too-large', path: ['pop3'], offset: off, message: l.reason });
  const m = /^(\+OK|-ERR)(?: (.*))?$/i.exec(l.text);
  if (!m) return invalid({ kind: 'bad-value', path: ['pop3'], offset: off, message: 'not a POP3 status line' });
  const good = m[1]!.toUpperCase() === '+OK';
  const reply: Pop3Reply = { ok: good, text: m[2] ?? '', lines: [] };
  let pos = off + l.size;
  if (!multiline || !good) return ok(reply, pos - off);
  for (let n = 0; n < MAX_REPLY_READ; n++) {
    const x = readLine(buf, pos);
    if (x.status === 'incomplete') return incomplete();
    if (x.status === 'invalid') return invalid({ kind: 'too-large', path: ['pop3'], offset: pos, message: x.reason });
    pos += x.size;
    if (x.text === '.') return ok(reply, pos - off);
    if (reply.lines.length < MAX_REPLY_LINES) reply.lines.push(x.text.startsWith('..') ? x.text.slice(1) : x.text);
  }
  return invalid({ kind: 'too-large', path: ['pop3'], offset: off, message: `a reply of more than ${MAX_REPLY_READ} lines` });
}

/** SMTP EHLO keywords ("250-STARTTLS", "250-AUTH PLAIN LOGIN") → upper-cased first words. */
export function ehloKeywords(reply: CodedReply): string[] {
  return reply.lines.slice(1).map((l) => l.trim().split(/\s+/)[0]!.toUpperCase()).filter((k) => k !== '');
}

/** IMAP capabilities from "[CAPABILITY IMAP4rev1 STARTTLS ...]" or a CAPABILITY response. */
export function imapCapabilities(text: string): string[] | null {
  const m = /^\[CAPABILITY ([^\]]*)\]/i.exec(text) ?? /^CAPABILITY (.*)$/i.exec(text);
  return m ? m[1]!.trim().split(/\s+/).map((c) => c.toUpperCase()) : null;
}
