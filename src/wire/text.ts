// Strings taken from the wire (SNI, banners, certificate names, HTTP lines) may carry
// control characters and terminal escape sequences. Records keep them as decoded text;
// everything that prints them to a terminal goes through escapeForTerminal().

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes from the wire as a JS string: UTF-8 where valid, U+FFFD where not. */
export function wireString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Bytes as Latin-1 (one char per byte): for protocol lines that are ASCII by contract. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * Make a wire string safe to print: C0/C1 controls, DEL, and the bidi/format characters
 * that can hide text become visible escapes (\n, \x1b, \u202e). Backslash is doubled so
 * the escape form is unambiguous.
 */
export function escapeForTerminal(s: string): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const unsafe =
      c < 0x20 || c === 0x7f || c === 0x5c || (c >= 0x80 && c <= 0x9f) ||
      (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
      c === 0xfeff;
    if (!unsafe) continue;
    out += s.slice(plainFrom, i);
    plainFrom = i + 1;
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return plainFrom === 0 ? s : out + s.slice(plainFrom);
}

/** "ip:port", IPv6 addresses in brackets ("[2001:db8::1]:443"), as URLs and ssh write them. */
export const hostPort = (e: { readonly ip: string; readonly port: number }): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
