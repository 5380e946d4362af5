// QUIC packet protection, read side (RFC 9001 §5, RFC 9369 §3.3): Initial keys from the
// client's Destination Connection ID and the version's salt (no secret needed), packet keys
// from logged TLS secrets for Handshake and 1-RTT packets, header protection removal, AEAD
// open, and the Retry integrity tag. Node's crypto only.

import { createCipheriv } from 'node:crypto';
import { QUIC_VERSIONS } from '../registry/quic.js';
import { aeadOpen } from '../tls/decrypt.js';
import { hkdfExpandLabel, hkdfExtract, suiteCipher, type SuiteCipher } from '../tls/keyschedule.js';
import { decodePacketNumber, type LongHeader } from './packet.js';

export interface PacketKeys {
  cipher: SuiteCipher;
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const AES_128_GCM = suiteCipher(0x1301)!;

/** Packet keys from a secret (§5.1): "quic key", "quic iv", "quic hp" (v2: "quicv2 ..."). */
export function packetKeys(cipher: SuiteCipher, secret: Uint8Array, version: number): PacketKeys {
  const prefix = QUIC_VERSIONS[version]?.labelPrefix ?? 'quic ';
  return {
    cipher,
    key: hkdfExpandLabel(cipher.hash, secret, prefix + 'key', EMPTY, cipher.keyLength),
    iv: hkdfExpandLabel(cipher.hash, secret, prefix + 'iv', EMPTY, 12),
    hp: hkdfExpandLabel(cipher.hash, secret, prefix + 'hp', EMPTY, cipher.keyLength),
  };
}

/** Initial keys of both sides for a version and the client's first Destination Connection ID (§5.2). */
export function initialKeys(version: number, dcid: Uint8Array): { client: PacketKeys; server: PacketKeys } | null {
  const info = QUIC_VERSIONS[version];
  if (!info) return null;
  const initial = hkdfExtract('sha256', Buffer.from(info.salt, 'hex'), dcid);
  const client = hkdfExpandLabel('sha256', initial, 'client in', EMPTY, 32);
  const server = hkdfExpandLabel('sha256', initial, 'server in', EMPTY, 32);
  return { client: packetKeys(AES_128_GCM, client, version), server: packetKeys(AES_128_GCM, server, version) };
}

/** The 5-byte header protection mask from a 16-byte sample (§5.4.3, §5.4.4). */
function hpMask(k: PacketKeys, sample: Uint8Array): Uint8Array {
  if (k.cipher.cipher === 'chacha20-poly1305') {
    // ChaCha20 with the sample's first 4 bytes as the (little-endian) block counter, the rest as nonce
    const c = createCipheriv('chacha20', k.hp, sample);
    return c.update(new Uint8Array(5));
  }
  const c = createCipheriv(k.hp.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', k.hp, null);
  c.setAutoPadding(false);
  return c.update(sample).subarray(0, 5);
}

export interface OpenedPacket {
  packetNumber: number;
  payload: Uint8Array;
  /** The header's first byte without protection (short headers: key phase bit). */
  firstByte: number;
}

/**
 * Remove header protection and open a packet's payload. `pnOffset` is where the packet
 * number starts; `end` where the packet ends. null when the packet does not open.
 */
export function openPacket(datagram: Uint8Array, start: number, pnOffset: number, end: number, long: boolean, keys: PacketKeys, largestPn: number): OpenedPacket | null {
  if (pnOffset + 4 + 16 > end) return null;
  const mask = hpMask(keys, datagram.subarray(pnOffset + 4, pnOffset + 20));
  const first = datagram[start]! ^ (mask[0]! & (long ? 0x0f : 0x1f));
  const pnLen = (first & 0x03) + 1;
  const header = Uint8Array.from(datagram.subarray(start, pnOffset + pnLen));
  header[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const b = datagram[pnOffset + i]! ^ mask[1 + i]!;
    header[pnOffset - start + i] = b;
    truncated = truncated * 256 + b;
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  const nonce = Uint8Array.from(keys.iv);
  let x = pn;
  for (let i = 0; i < 8 && x > 0; i++) {
    nonce[11 - i]! ^= x % 256;
    x = Math.floor(x / 256);
  }
  const payload = aeadOpen(keys.cipher, keys.key, nonce, header, datagram.subarray(pnOffset + pnLen, end));
  return payload ? { packetNumber: pn, payload, firstByte: first } : null;
}

/** Whether a Retry packet's integrity tag matches the client's original DCID (§5.8). */
export function retryTagValid(datagram: Uint8Array, h: LongHeader, originalDcid: Uint8Array): boolean {
  const info = QUIC_VERSIONS[h.version];
  if (!info || !h.retryTag) return false;
  const body = datagram.subarray(h.start, h.end - 16);
  const pseudo = new Uint8Array(1 + originalDcid.length + body.length);
  pseudo[0] = originalDcid.length;
  pseudo.set(originalDcid, 1);
  pseudo.set(body, 1 + originalDcid.length);
  const c = createCipheriv('aes-128-gcm', Buffer.from(info.retryKey, 'hex'), Buffer.from(info.retryNonce, 'hex'));
  c.setAAD(pseudo);
  c.final();
  const tag = c.getAuthTag();
  return Buffer.compare(tag, Buffer.from(h.retryTag)) === 0;
}
