// Text protocols before TLS (SMTP, IMAP, POP3, FTP, HTTP heads) are CRLF lines. The framer
// answers "a line of n bytes", "not enough yet" or "too long"; it never throws and never
// copies. A bare LF ends a line too (lenient servers and hand-typed clients send it).

import { latin1 } from '../wire/text.js';

/** Longest line accepted (RFC 5321 allows 512 for commands, 1000 for text; headers get more). */
export const MAX_LINE = 8192;

export type LineResult =
  | { status: 'ok'; text: string; size: number }
  | { status: 'incomplete' }
  | { status: 'invalid'; reason: string };

/** The line starting at `off`: its text without the line end, and its size with it. */
export function readLine(buf: Uint8Array, off: number, max = MAX_LINE): LineResult {
  const end = Math.min(buf.length, off + max + 2);
  for (let i = off; i < end; i++) {
    if (buf[i] === 0x0a) {
      const stop = i > off && buf[i - 1] === 0x0d ? i - 1 : i;
      return { status: 'ok', text: latin1(buf.subarray(off, stop)), size: i + 1 - off };
    }
  }
  if (buf.length - off > max + 1) return { status: 'invalid', reason: `a line longer than ${max} bytes` };
  return { status: 'incomplete' };
}

/** Whether every byte is printable ASCII, tab, CR or LF (a text protocol line). */
export function isTextBytes(b: Uint8Array, from = 0, to = b.length): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (!((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d)) return false;
  }
  return true;
}

/** "AUTH PLAIN dXNlcg==" → "AUTH": the verb of a command line, upper-cased. */
export function verbOf(line: string): string {
  const sp = line.indexOf(' ');
  return (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
}
