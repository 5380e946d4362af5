// Public host key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709, OpenSSH PROTOCOL.certkeys)
// and their fingerprints exactly as `ssh-keygen -l` prints them: "SHA256:" + unpadded base64
// of SHA-256 over the blob, and "MD5:" + colon-separated hex. For a certificate, ssh-keygen
// fingerprints the plain public key inside it; so do we.

import { createHash } from 'node:crypto';
import { type Decoded, Reader, decodeWith } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';

/** Largest host key blob decoded (an RSA 16384-bit certificate is well under this). */
export const MAX_HOST_KEY_BLOB = 16 * 1024;
const CERT_SUFFIX = '-cert-v01@openssh.com';

export interface HostCertificate {
  /** The certified key's plain type, e.g. "ssh-ed25519". */
  keyType: string;
  serial: string;
  /** 1 = user, 2 = host. */
  certType: number;
  keyId: string;
  principals: string[];
  /** Seconds since the epoch; "forever" is 2^64-1, kept as a decimal string. */
  validAfter: string;
  validBefore: string;
  /** The CA key that signed it (fingerprint and type), and its blob for known_hosts matching. */
  signatureKey: { type: string; fingerprint: string; blob: Uint8Array };
}

export interface HostKeyInfo {
  /** Type string in the blob: "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "...-cert-v01@openssh.com". */
  type: string;
  /** Key size as ssh-keygen reports it (RSA/DSA modulus bits, curve size). */
  bits: number | null;
  /** "SHA256:..." of the plain public key. */
  fingerprint: string;
  /** "MD5:aa:bb:..." of the plain public key. */
  md5: string;
  /** The plain public key blob (for a certificate: the key it certifies). */
  plainBlob: Uint8Array;
  certificate: HostCertificate | null;
}

export function fingerprintSha256(blob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function fingerprintMd5(blob: Uint8Array): string {
  const h = createHash('md5').update(blob).digest('hex');
  return 'MD5:' + h.match(/../g)!.join(':');
}

/** Bits of an mpint's magnitude (as BN_num_bits counts them). */
export function mpintBits(m: Uint8Array): number {
  let i = 0;
  while (i < m.length && m[i] === 0) i++;
  if (i === m.length) return 0;
  return (m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!));
}

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

const str = (r: Reader, what: string): string => latin1(r.vec32(what).rest());

/** Read the key-specific fields of a plain key type; returns its size in bits. */
function readKeyFields(r: Reader, type: string): number | null {
  switch (type) {
    case 'ssh-rsa': {
      r.vec32('e');
      return mpintBits(r.vec32('n').rest());
    }
    case 'ssh-dss': {
      const p = r.vec32('p').rest();
      r.vec32('q');
      r.vec32('g');
      r.vec32('y');
      return mpintBits(p);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = str(r, 'curve');
      r.vec32('Q');
      return CURVE_BITS[curve] ?? null;
    }
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      str(r, 'curve');
      r.vec32('Q');
      str(r, 'application');
      return 256;
    }
    case 'ssh-ed25519': {
      r.vec32('pk');
      return 256;
    }
    case 'sk-ssh-ed25519@openssh.com': {
      r.vec32('pk');
      str(r, 'application');
      return 256;
    }
    case 'ssh-ed448': {
      r.vec32('pk');
      return 456;
    }
    default:
      r.rest();
      return null;
  }
}

function writeString(s: string): Uint8Array {
  const b = Buffer.alloc(4 + s.length);
  b.writeUInt32BE(s.length, 0);
  b.write(s, 4, 'latin1');
  return b;
}

/** Host keys decoded before, by their bytes: a server shows the same key connection after connection. */
const PARSED = new Map<string, Decoded<HostKeyInfo>>();
const MAX_PARSED_HOST_KEYS = 256;

/**
 * Decode a public key blob (plain or OpenSSH certificate). Unknown types keep type and
 * fingerprint. A blob seen before gets the same, read-only, result.
 */
export function parseHostKey(blob: Uint8Array): Decoded<HostKeyInfo> {
  if (blob.length > MAX_HOST_KEY_BLOB) return parseHostKeyAlone(blob);
  const key = latin1(blob);
  let d = PARSED.get(key);
  if (d === undefined) {
    d = parseHostKeyAlone(blob.slice());
    if (PARSED.size >= MAX_PARSED_HOST_KEYS) PARSED.clear();
    PARSED.set(key, d);
  }
  return d;
}

function parseHostKeyAlone(blob: Uint8Array): Decoded<HostKeyInfo> {
  return decodeWith<HostKeyInfo>(() => {
    const r = new Reader(blob, 0, blob.length, ['hostkey']);
    if (blob.length > MAX_HOST_KEY_BLOB) r.fail('too-large', `host key blob of ${blob.length} bytes`);
    const type = str(r, 'type');
    if (!type.endsWith(CERT_SUFFIX)) {
      const bits = readKeyFields(r, type);
      r.done('host key');
      return {
        value: { type, bits, fingerprint: fingerprintSha256(blob), md5: fingerprintMd5(blob), plainBlob: blob, certificate: null },
        size: blob.length,
      };
    }
    // "sk-ssh-ed25519-cert-v01@openssh.com" certifies "sk-ssh-ed25519@openssh.com".
    const base = type.slice(0, -CERT_SUFFIX.length);
    const keyType = base.startsWith('sk-') ? `${base}@openssh.com` : base;
    r.vec32('nonce');
    const fieldsStart = r.absoluteOffset;
    const bits = readKeyFields(r, keyType);
    const fields = blob.subarray(fieldsStart, r.absoluteOffset);
    const serialHi = r.u32('serial');
    const serialLo = r.u32('serial');
    const serial = ((BigInt(serialHi) << 32n) | BigInt(serialLo)).toString();
    const certType = r.u32('cert type');
    const keyId = str(r, 'key id');
    const pr = r.vec32('valid principals');
    const principals: string[] = [];
    while (!pr.empty) principals.push(str(pr, 'principal'));
    const u64 = (what: string): string => ((BigInt(r.u32(what)) << 32n) | BigInt(r.u32(what))).toString();
    const validAfter = u64('valid after');
    const validBefore = u64('valid before');
    r.vec32('critical options');
    r.vec32('extensions');
    r.vec32('reserved');
    const caBlob = r.vec32('signature key').rest();
    r.vec32('signature');
    r.done('certificate');
    const caType = caBlob.length >= 4 ? str(new Reader(caBlob), 'ca type') : '';
    const head = writeString(keyType);
    const plainBlob = new Uint8Array(head.length + fields.length);
    plainBlob.set(head, 0);
    plainBlob.set(fields, head.length);
    return {
      value: {
        type,
        bits,
        fingerprint: fingerprintSha256(plainBlob),
        md5: fingerprintMd5(plainBlob),
        plainBlob,
        certificate: {
          keyType,
          serial,
          certType,
          keyId,
          principals,
          validAfter,
          validBefore,
          signatureKey: { type: caType, fingerprint: fingerprintSha256(caBlob), blob: caBlob },
        },
      },
      size: blob.length,
    };
  });
}
