// Pure predicates for the engine's protocol detection: is this stream SSH, and which side
// is the client when the capture has no SYN.

import { SSH_MSG } from '../registry/ssh-messages.js';
import { MAX_PRE_BANNER_LINES, frameLine, isIdentificationLine } from './banner.js';
import { framePacket } from './packet.js';

/** How far into a stream the detection looks for "SSH-" at the start of a line. */
export const DETECT_WINDOW = 4096;
const SSH_PREFIX = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"

function prefixAt(bytes: Uint8Array, at: number): 'yes' | 'no' | 'partial' {
  for (let i = 0; i < SSH_PREFIX.length; i++) {
    if (at + i >= bytes.length) return 'partial';
    if (bytes[at + i] !== SSH_PREFIX[i]) return 'no';
  }
  return 'yes';
}

const isControl = (c: number): boolean => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;

/**
 * 'ssh' when "SSH-" starts a line within the first DETECT_WINDOW bytes; 'need-more' when
 * the bytes so far could still become that; 'not-ssh' otherwise (lines before the
 * identification are text, so a control byte before it settles the question).
 */
export function sshDetect(bytes: Uint8Array): 'ssh' | 'not-ssh' | 'need-more' {
  let lineStart = 0;
  for (;;) {
    if (lineStart >= DETECT_WINDOW) return 'not-ssh';
    const at = prefixAt(bytes, lineStart);
    if (at === 'yes') return 'ssh';
    if (at === 'partial') return 'need-more';
    const lf = bytes.indexOf(0x0a, lineStart);
    const lineEnd = lf < 0 ? Math.min(bytes.length, DETECT_WINDOW) : lf;
    for (let i = lineStart; i < lineEnd; i++) if (isControl(bytes[i]!)) return 'not-ssh';
    if (lf < 0) return bytes.length >= DETECT_WINDOW ? 'not-ssh' : 'need-more';
    lineStart = lf + 1;
  }
}

/** "SSH-" at the start of a line in the first bytes of a stream. */
export const looksLikeSshBanner = (bytes: Uint8Array): boolean => sshDetect(bytes) === 'ssh';

/**
 * Which role the sender of this stream plays, from its first bytes (banner lines, then
 * cleartext packets): lines before the identification → server (only servers may send
 * them); the first key-exchange message after KEXINIT: 30 (KEXDH_INIT / KEX_ECDH_INIT /
 * GEX_REQUEST_OLD), 32 (GEX_INIT) or 34 (GEX_REQUEST) → client; 31 or 33 (the replies) →
 * server. null when the bytes do not tell. (RFC 4432 RSA key exchange, where the server sends
 * 30, is rare enough to be read as the DH layout.)
 */
export function sshRoleHint(stream: Uint8Array): 'client' | 'server' | null {
  let pos = 0;
  for (let lines = 0; ; lines++) {
    if (lines > MAX_PRE_BANNER_LINES) return null;
    const line = frameLine(stream.subarray(pos));
    if (line.status !== 'ok') return null;
    pos += line.size;
    if (isIdentificationLine(line.value.text)) break;
    return 'server';
  }
  for (;;) {
    const p = framePacket(stream.subarray(pos));
    if (p.status !== 'ok') return null;
    pos += p.size;
    const type = p.value.payload[0]!;
    if (type === 30 || type === 32 || type === 34) return 'client';
    if (type === 31 || type === 33) return 'server';
    if (type === SSH_MSG.NEWKEYS) return null;
  }
}
