// Signature checks on signed X.509 objects (certificates, OCSP responses).
//
// Two verifiers: pkijs (WebCrypto) for RSA PKCS#1 v1.5 / RSASSA-PSS / ECDSA on the
// WebCrypto curves, and Node's crypto (OpenSSL) for what WebCrypto cannot do (Ed25519,
// Ed448, DSA, MD5, SHA-224, other curves) and for synchronous checks (self-signed flags
// while decoding). A check that cannot be made says so (valid: null) instead of guessing.

import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { Reader } from '../wire/reader.js';
import { TAG, ctx, expectTlv, optionalTlv, readIntegerBytes, readOid, readTlv, smallInteger } from './der.js';
import { HASH_ALGORITHMS, SIGNATURE_ALGORITHMS, type HashName } from './oids.js';

export interface AlgorithmId {
  oid: string;
  /** The parameters TLV, or null when absent. */
  params: Uint8Array | null;
  /** The whole AlgorithmIdentifier DER. */
  raw: Uint8Array;
}

export function readAlgorithmId(r: Reader, what: string): AlgorithmId {
  const seq = expectTlv(r, TAG.SEQUENCE, what);
  const oid = readOid(seq.body, `${what}.algorithm`);
  const params = seq.body.empty ? null : readTlv(seq.body, `${what}.parameters`).raw;
  seq.body.done(what);
  return { oid, params, raw: seq.raw };
}

/** What a signature covers and carries. */
export interface SignedData {
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
}

/** valid: null when the check could not be made (unknown algorithm, unusable key). */
export interface SignatureCheck {
  valid: boolean | null;
  /** Which verifier decided; null when none could. */
  by: 'webcrypto' | 'node' | null;
  reason?: string;
}

const unchecked = (reason: string): SignatureCheck => ({ valid: null, by: null, reason });

/** RSASSA-PSS parameters: hash and salt length (RFC 4055 defaults: SHA-1, 20). Throws DecodeError. */
export function pssParams(params: Uint8Array | null): { hash: HashName; saltLength: number } {
  const out = { hash: 'sha1' as HashName, saltLength: 20 };
  if (!params || params[0] !== TAG.SEQUENCE) return out;
  const r = new Reader(params, 0, params.length, ['RSASSA-PSS-params']);
  const seq = expectTlv(r, TAG.SEQUENCE, 'RSASSA-PSS-params');
  const h = optionalTlv(seq.body, ctx(0, true), 'hashAlgorithm');
  if (h) {
    const oid = readAlgorithmId(h.body, 'hashAlgorithm').oid;
    const name = HASH_ALGORITHMS[oid];
    if (!name) h.body.fail('bad-value', `unknown RSASSA-PSS hash ${oid}`);
    out.hash = name;
  }
  optionalTlv(seq.body, ctx(1, true), 'maskGenAlgorithm');
  const salt = optionalTlv(seq.body, ctx(2, true), 'saltLength');
  if (salt) out.saltLength = smallInteger(readIntegerBytes(salt.body, 'saltLength'), salt.body, 'saltLength');
  return out;
}

function publicKey(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
}

/** Verify with Node's crypto (OpenSSL). Synchronous; never throws. */
export function verifySignatureSync(obj: SignedData, issuerSpki: Uint8Array): SignatureCheck {
  const entry = SIGNATURE_ALGORITHMS[obj.signatureAlgorithm.oid];
  if (!entry) return unchecked(`unknown signature algorithm ${obj.signatureAlgorithm.oid}`);
  if (entry.hash === 'md2') return unchecked('MD2 signatures cannot be checked');
  let key: KeyObject;
  try {
    key = publicKey(issuerSpki);
  } catch (e) {
    return unchecked(`issuer key not usable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const expected = entry.key === 'RSA-PSS' ? ['rsa', 'rsa-pss'] : entry.key === 'EC' ? ['ec'] : entry.key === 'RSA' ? ['rsa'] : [entry.key.toLowerCase()];
  if (!expected.includes(key.asymmetricKeyType ?? '')) {
    return { valid: false, by: 'node', reason: `a ${entry.name} signature cannot come from a ${key.asymmetricKeyType} key` };
  }
  const data = obj.tbs;
  const sig = obj.signature;
  try {
    if (entry.key === 'Ed25519' || entry.key === 'Ed448') return { valid: nodeVerify(null, data, key, sig), by: 'node' };
    if (entry.key === 'RSA-PSS') {
      const { hash, saltLength } = pssParams(obj.signatureAlgorithm.params);
      return { valid: nodeVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig), by: 'node' };
    }
    if (entry.key === 'EC') return { valid: nodeVerify(entry.hash, data, { key, dsaEncoding: 'der' }, sig), by: 'node' };
    return { valid: nodeVerify(entry.hash, data, key, sig), by: 'node' };
  } catch (e) {
    // OpenSSL errors here mean a malformed signature value (bad DER in an ECDSA signature...).
    return { valid: false, by: 'node', reason: e instanceof Error ? e.message : String(e) };
  }
}

// pkijs costs ~80 ms to import: load it on the first signature check, not at startup.
let libs: Promise<[typeof import('asn1js'), typeof import('pkijs')]> | null = null;
export const loadPkijs = () => (libs ??= Promise.all([import('asn1js'), import('pkijs')]));

/** Signature algorithms handed to pkijs/WebCrypto (hashes WebCrypto has, keys it imports). */
const WEBCRYPTO_HASHES: ReadonlySet<HashName | null> = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/**
 * Verify a signature: pkijs (WebCrypto) for RSA and ECDSA, Node's crypto for the rest or
 * when WebCrypto cannot import the key (e.g. a curve it lacks). Never throws.
 */
export async function verifySignature(obj: SignedData, issuerSpki: Uint8Array): Promise<SignatureCheck> {
  const entry = SIGNATURE_ALGORITHMS[obj.signatureAlgorithm.oid];
  const viaWebCrypto =
    entry && (entry.key === 'RSA' || entry.key === 'EC' || entry.key === 'RSA-PSS') &&
    (entry.key === 'RSA-PSS' || WEBCRYPTO_HASHES.has(entry.hash));
  if (viaWebCrypto) {
    try {
      const [asn1js, pkijs] = await loadPkijs();
      const spki = pkijs.PublicKeyInfo.fromBER(issuerSpki);
      const alg = pkijs.AlgorithmIdentifier.fromBER(obj.signatureAlgorithm.raw);
      const sig = new asn1js.BitString({ valueHex: obj.signature });
      const valid = await pkijs.getCrypto(true).verifyWithPublicKey(obj.tbs, sig, spki, alg);
      return { valid, by: 'webcrypto' };
    } catch {
      // Unsupported by WebCrypto (curve, key/algorithm pairing, parameters): let OpenSSL decide.
    }
  }
  return verifySignatureSync(obj, issuerSpki);
}
