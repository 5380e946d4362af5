// Signature schemes (TLS 1.3 SignatureScheme, and the TLS 1.2 {hash, signature} pairs
// that share the same 16-bit space): IANA "TLS SignatureScheme" registry (2025).

import { isGrease } from './tls-names.js';
import { hex16 } from '../wire/reader.js';

export const SIGNATURE_SCHEMES: Readonly<Record<number, string>> = Object.freeze({
  // TLS 1.2 legacy pairs (hash << 8 | signature), RFC 5246 §7.4.1.4.1
  0x0101: 'rsa_md5', 0x0102: 'dsa_md5', 0x0103: 'ecdsa_md5',
  0x0201: 'rsa_pkcs1_sha1', 0x0202: 'dsa_sha1', 0x0203: 'ecdsa_sha1',
  0x0301: 'rsa_sha224', 0x0302: 'dsa_sha224', 0x0303: 'ecdsa_sha224',
  0x0401: 'rsa_pkcs1_sha256', 0x0402: 'dsa_sha256', 0x0403: 'ecdsa_secp256r1_sha256',
  0x0420: 'rsa_pkcs1_sha256_legacy',
  0x0501: 'rsa_pkcs1_sha384', 0x0502: 'dsa_sha384', 0x0503: 'ecdsa_secp384r1_sha384',
  0x0520: 'rsa_pkcs1_sha384_legacy',
  0x0601: 'rsa_pkcs1_sha512', 0x0602: 'dsa_sha512', 0x0603: 'ecdsa_secp521r1_sha512',
  0x0620: 'rsa_pkcs1_sha512_legacy',
  0x0704: 'eccsi_sha256', 0x0705: 'iso_ibs1', 0x0706: 'iso_ibs2', 0x0707: 'iso_chinese_ibs',
  0x0708: 'sm2sig_sm3',
  0x0709: 'gostr34102012_256a', 0x070a: 'gostr34102012_256b', 0x070b: 'gostr34102012_256c',
  0x070c: 'gostr34102012_256d', 0x070d: 'gostr34102012_512a', 0x070e: 'gostr34102012_512b',
  0x070f: 'gostr34102012_512c',
  0x0804: 'rsa_pss_rsae_sha256', 0x0805: 'rsa_pss_rsae_sha384', 0x0806: 'rsa_pss_rsae_sha512',
  0x0807: 'ed25519', 0x0808: 'ed448',
  0x0809: 'rsa_pss_pss_sha256', 0x080a: 'rsa_pss_pss_sha384', 0x080b: 'rsa_pss_pss_sha512',
  0x081a: 'ecdsa_brainpoolP256r1tls13_sha256', 0x081b: 'ecdsa_brainpoolP384r1tls13_sha384',
  0x081c: 'ecdsa_brainpoolP512r1tls13_sha512',
  0x0904: 'mldsa44', 0x0905: 'mldsa65', 0x0906: 'mldsa87',
  // TLS 1.2 GOST pairs (RFC 9189): hash 0x08 "intrinsic" with signature 64/65
  0x0840: 'gostr34102012_256', 0x0841: 'gostr34102012_512',
});

export function signatureSchemeName(code: number): string {
  const n = SIGNATURE_SCHEMES[code];
  if (n !== undefined) return n;
  if (isGrease(code)) return `GREASE(${hex16(code)})`;
  return hex16(code);
}

/** Schemes using SHA-1 or MD5: accepted by old peers, refused by modern ones. */
export function isWeakSignatureScheme(code: number): boolean {
  return code >> 8 === 0x01 || code >> 8 === 0x02;
}
