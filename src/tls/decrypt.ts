// Record protection, read side: the layer under the record decoder that turns a protected
// TLS record back into its plaintext with logged keys.
//
//  - TLS 1.3 (RFC 8446 §5.2-5.3): AEAD with key/iv from the traffic secret, nonce = iv XOR
//    the record's sequence number, additional data = the record header; the plaintext ends
//    with the real content type and zero padding.
//  - TLS 1.2 AEAD (RFC 5288 GCM, RFC 6655 CCM): nonce = 4-byte implicit salt + the record's
//    8-byte explicit nonce; ChaCha20-Poly1305 (RFC 7905): nonce = iv XOR sequence; additional
//    data = seq || type || version || plaintext length.
//  - TLS 1.2 CBC (RFC 5246 §6.2.3.2) with HMAC, MAC-then-encrypt, or encrypt-then-MAC
//    (RFC 7366) when both hellos carried the extension.
//
// A failed tag or MAC is a result, never an exception: the caller reports it.

import { createDecipheriv, createHmac } from 'node:crypto';
import { hkdfExpandLabel, type SuiteCipher } from './keyschedule.js';

export type Opened = { ok: true; type: number; data: Uint8Array } | { ok: false; reason: string };

export interface RecordProtection {
  /** Open one record (type and version from its header, fragment = ciphertext). Advances the sequence number. */
  open(type: number, version: number, fragment: Uint8Array): Opened;
}

function nonceXor(iv: Uint8Array, seq: bigint): Uint8Array {
  const n = Uint8Array.from(iv);
  for (let i = 0; i < 8; i++) n[n.length - 1 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
  return n;
}

function seqBytes(seq: bigint): Uint8Array {
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) b[7 - i] = Number((seq >> BigInt(8 * i)) & 0xffn);
  return b;
}

/** AEAD open; null when the tag does not verify. */
export function aeadOpen(c: SuiteCipher, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < c.tagLength) return null;
  const ct = sealed.subarray(0, sealed.length - c.tagLength);
  const tag = sealed.subarray(sealed.length - c.tagLength);
  try {
    if (c.cipher.endsWith('-ccm')) {
      const d = createDecipheriv(c.cipher as 'aes-128-ccm', key, nonce, { authTagLength: c.tagLength });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: ct.length });
      return d.update(ct);
    }
    const d = createDecipheriv(c.cipher as 'aes-128-gcm', key, nonce, { authTagLength: c.tagLength });
    d.setAAD(aad);
    d.setAuthTag(tag);
    const out = d.update(ct);
    d.final();
    return out;
  } catch {
    return null;
  }
}

/** TLS 1.3 traffic keys from a traffic secret (RFC 8446 §7.3). */
export function tls13Keys(c: SuiteCipher, secret: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  return { key: hkdfExpandLabel(c.hash, secret, 'key', new Uint8Array(0), c.keyLength), iv: hkdfExpandLabel(c.hash, secret, 'iv', new Uint8Array(0), 12) };
}

export function tls13Protection(c: SuiteCipher, secret: Uint8Array): RecordProtection {
  const { key, iv } = tls13Keys(c, secret);
  let seq = 0n;
  return {
    open(type, version, fragment) {
      const aad = Uint8Array.of(type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff);
      const plain = aeadOpen(c, key, nonceXor(iv, seq), aad, fragment);
      seq++;
      if (!plain) return { ok: false, reason: 'the record does not decrypt with the logged key (AEAD tag mismatch)' };
      let end = plain.length;
      while (end > 0 && plain[end - 1] === 0) end--;
      if (end === 0) return { ok: false, reason: 'decrypted record without a content type' };
      return { ok: true, type: plain[end - 1]!, data: plain.subarray(0, end - 1) };
    },
  };
}

/** One direction's TLS 1.2 keys out of the key block. */
export interface Tls12DirectionKeys {
  macKey: Uint8Array;
  key: Uint8Array;
  iv: Uint8Array;
}

export function tls12Protection(c: SuiteCipher, k: Tls12DirectionKeys, encryptThenMac: boolean): RecordProtection {
  let seq = 0n;
  return {
    open(type, version, fragment) {
      const s = seq++;
      const head = (len: number) => Buffer.concat([seqBytes(s), Uint8Array.of(type, version >> 8, version & 0xff, len >> 8, len & 0xff)]);
      if (c.kind === 'aead') {
        const chacha = c.cipher === 'chacha20-poly1305';
        const explicit = chacha ? 0 : 8;
        if (fragment.length < explicit + c.tagLength) return { ok: false, reason: 'record shorter than its nonce and tag' };
        const nonce = chacha ? nonceXor(k.iv, s) : Buffer.concat([k.iv, fragment.subarray(0, 8)]);
        const sealed = fragment.subarray(explicit);
        const plain = aeadOpen(c, k.key, nonce, head(sealed.length - c.tagLength), sealed);
        return plain ? { ok: true, type, data: plain } : { ok: false, reason: 'the record does not decrypt with the logged master secret (AEAD tag mismatch)' };
      }
      // CBC: IV || ciphertext, MAC before (MtE) or after (EtM) the encryption.
      const block = 16;
      const macLen = c.macLength;
      let body = fragment;
      if (encryptThenMac) {
        if (fragment.length < block + macLen) return { ok: false, reason: 'record shorter than its IV and MAC' };
        body = fragment.subarray(0, fragment.length - macLen);
        const mac = createHmac(c.mac!, k.macKey).update(head(body.length)).update(body).digest();
        if (!timingFreeEqual(mac, fragment.subarray(fragment.length - macLen))) return { ok: false, reason: 'the record MAC (encrypt-then-MAC) does not verify with the logged master secret' };
      }
      if (body.length < 2 * block || body.length % block !== 0) return { ok: false, reason: 'CBC record of a length that is not whole blocks' };
      let plain: Uint8Array;
      try {
        const d = createDecipheriv(c.cipher, k.key, body.subarray(0, block));
        d.setAutoPadding(false);
        plain = Buffer.concat([d.update(body.subarray(block)), d.final()]);
      } catch {
        return { ok: false, reason: 'CBC decryption failed' };
      }
      const pad = plain[plain.length - 1]!;
      if (pad + 1 > plain.length) return { ok: false, reason: 'bad CBC padding' };
      const unpadded = plain.subarray(0, plain.length - pad - 1);
      if (encryptThenMac) return { ok: true, type, data: unpadded };
      if (unpadded.length < macLen) return { ok: false, reason: 'record shorter than its MAC' };
      const data = unpadded.subarray(0, unpadded.length - macLen);
      const mac = createHmac(c.mac!, k.macKey).update(head(data.length)).update(data).digest();
      if (!timingFreeEqual(mac, unpadded.subarray(data.length))) return { ok: false, reason: 'the record MAC does not verify with the logged master secret' };
      return { ok: true, type, data };
    },
  };
}

function timingFreeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
