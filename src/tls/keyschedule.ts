// Key derivation for reading protected records with logged secrets: HKDF (RFC 5869) and
// HKDF-Expand-Label (RFC 8446 §7.1) for TLS 1.3 and QUIC (RFC 9001 §5), the TLS 1.2 PRF
// P_hash (RFC 5246 §5), and the ciphers a suite's name maps to. Node's crypto only: no TLS
// library. Secrets stay inside these functions' callers.

import { createHmac } from 'node:crypto';
import { cipherSuiteInfo } from '../registry/tls-ciphers.js';

export type HashName = 'sha256' | 'sha384';

export const hashLength = (h: HashName): number => (h === 'sha256' ? 32 : 48);

export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return createHmac(hash, salt.length ? salt : new Uint8Array(hashLength(hash))).update(ikm).digest();
}

export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let prev: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Uint8Array.of(i)).digest();
    out.set(prev.subarray(0, Math.min(prev.length, length - off)), off);
    off += prev.length;
  }
  return out;
}

/** HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix. */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}

/** TLS 1.2 PRF: P_hash(secret, label + seed) (RFC 5246 §5). */
export function tls12Prf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const ls = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out = new Uint8Array(length);
  let a: Uint8Array = ls;
  for (let off = 0; off < length; ) {
    a = createHmac(hash, secret).update(a).digest();
    const chunk = createHmac(hash, secret).update(a).update(ls).digest();
    out.set(chunk.subarray(0, Math.min(chunk.length, length - off)), off);
    off += chunk.length;
  }
  return out;
}

/** How a suite protects records, for the ones this tool can read. */
export interface SuiteCipher {
  kind: 'aead' | 'cbc';
  /** Node cipher name: aes-128-gcm, aes-256-gcm, chacha20-poly1305, aes-128-ccm, aes-256-ccm, aes-128-cbc, aes-256-cbc. */
  cipher: string;
  keyLength: number;
  /** AEAD: the tag length; CBC: 0. */
  tagLength: number;
  /** TLS 1.2 AEAD: the implicit part of the nonce (GCM, CCM: 4; ChaCha20: 12); CBC: the block size. */
  fixedIvLength: number;
  /** CBC: the record MAC (sha1, sha256, sha384) and its length. */
  mac: string | null;
  macLength: number;
  /** PRF / HKDF hash. */
  hash: HashName;
}

const MACS: Readonly<Record<string, [string, number]>> = { SHA1: ['sha1', 20], SHA256: ['sha256', 32], SHA384: ['sha384', 48] };

/** The cipher behind a suite code, or null when it is not one this tool decrypts. */
export function suiteCipher(code: number): SuiteCipher | null {
  const info = cipherSuiteInfo(code);
  if (!info) return null;
  const hash: HashName | null = info.prfHash === 'SHA256' ? 'sha256' : info.prfHash === 'SHA384' ? 'sha384' : null;
  if (!hash) return null;
  const aead = (cipher: string, keyLength: number, tagLength: number, fixed: number): SuiteCipher => ({ kind: 'aead', cipher, keyLength, tagLength, fixedIvLength: fixed, mac: null, macLength: 0, hash });
  switch (info.cipher) {
    case 'AES_128_GCM':
      return aead('aes-128-gcm', 16, 16, 4);
    case 'AES_256_GCM':
      return aead('aes-256-gcm', 32, 16, 4);
    case 'CHACHA20_POLY1305':
      return aead('chacha20-poly1305', 32, 16, 12);
    case 'AES_128_CCM':
      return aead('aes-128-ccm', 16, 16, 4);
    case 'AES_256_CCM':
      return aead('aes-256-ccm', 32, 16, 4);
    case 'AES_128_CCM_8':
      return aead('aes-128-ccm', 16, 8, 4);
    case 'AES_256_CCM_8':
      return aead('aes-256-ccm', 32, 8, 4);
    case 'AES_128_CBC':
    case 'AES_256_CBC': {
      const mac = MACS[info.mac];
      if (!mac) return null;
      const keyLength = info.cipher === 'AES_128_CBC' ? 16 : 32;
      return { kind: 'cbc', cipher: keyLength === 16 ? 'aes-128-cbc' : 'aes-256-cbc', keyLength, tagLength: 0, fixedIvLength: 16, mac: mac[0], macLength: mac[1], hash };
    }
    default:
      return null;
  }
}
