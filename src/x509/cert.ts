// X.509 certificate decoding (RFC 5280), by hand on the bounded DER reader: strict on
// structure (a certificate that does not parse is a finding, never a crash), permissive
// on meaning (odd extension contents become `anomalies`, the rest of the certificate is
// still reported). Decoding is pure; results are cached by SHA-256 fingerprint.

import { createHash } from 'node:crypto';
import { bitLength, Reader, DecodeError } from '../wire/reader.js';
import { latin1 } from '../wire/text.js';
import {
  TAG, ctx, colonHex, decodeOid, decodeTime, expectTlv, hexUpper, optionalTlv, readAll, readBitString,
  readBoolean, readIntegerBytes, readOctetString, readOid, readTlv, smallInteger, type Tlv,
} from './der.js';
import { formatIp } from './ip.js';
import {
  MAX_CERT_BYTES, MAX_EXTENSIONS, MAX_GENERAL_NAMES, MAX_KEY_PURPOSES, PARSED_CERT_CACHE_SIZE,
} from './limits.js';
import { Lru } from './lru.js';
import { type DistinguishedName, commonName, formatDn, nameKey, readName } from './name.js';
import {
  ACCESS_METHOD_CA_ISSUERS, ACCESS_METHOD_OCSP, CRITICAL_EXTENSIONS_UNDERSTOOD, EXT, EXTENDED_KEY_USAGES,
  EXTENSION_NAMES, FIXED_KEY_BITS, KEY_USAGE_BITS, type KeyType, NAMED_CURVES, PUBLIC_KEY_ALGORITHMS,
  SIGNATURE_ALGORITHMS, type HashName, oidName,
} from './oids.js';
import { type AlgorithmId, pssParams, readAlgorithmId, verifySignatureSync } from './signature.js';

export interface PublicKeyInfo {
  type: KeyType;
  /** Algorithm OID of the SubjectPublicKeyInfo. */
  oid: string;
  /** RSA/DSA modulus bits, EC curve bits, nominal size for EdDSA; null when unknown. */
  bits: number | null;
  /** EC curve ("P-256"), or null. */
  curve: string | null;
  curveOid: string | null;
  /** SHA-256 of the SubjectPublicKeyInfo DER (hex): the same key in two certificates. */
  spkiSha256: string;
}

export interface SignatureAlgorithmInfo {
  oid: string;
  /** OpenSSL's name ("sha256WithRSAEncryption"), or the OID when unknown. */
  name: string;
  /** Digest used ("sha256"), from the parameters for RSASSA-PSS; null for EdDSA/unknown. */
  hash: HashName | null;
}

export interface ExtensionSummary {
  oid: string;
  name: string;
  critical: boolean;
}

/** Everything decoded from one certificate. Strings are decoded text, not escaped. */
export interface CertInfo {
  /** 1, 2 or 3. */
  version: number;
  /** Serial number, uppercase hex as OpenSSL prints it (sign octet dropped). */
  serial: string;
  /** Subject DN in RFC 2253 order (`openssl x509 -subject -nameopt RFC2253`). */
  subject: string;
  subjectCN: string | null;
  /** Every subject attribute in encoded order (RDN structure flattened). */
  subjectAttributes: { type: string; oid: string; value: string }[];
  issuer: string;
  issuerCN: string | null;
  issuerAttributes: { type: string; oid: string; value: string }[];
  /** ISO-8601 validity bounds, and the same as Dates. */
  notBefore: string;
  notAfter: string;
  notBeforeDate: Date;
  notAfterDate: Date;
  /** notAfter − notBefore, in days (fractional). */
  validityDays: number;
  /** SAN entries by kind, in certificate order; IPs canonical (dotted quad, RFC 5952). */
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** Other SAN entries as "kind:value" (directoryName, otherName, registeredID, bad IP lengths...). */
  otherNames: string[];
  /** A subjectAltName extension is present (even if empty). */
  hasSan: boolean;
  signatureAlgorithm: SignatureAlgorithmInfo;
  publicKey: PublicKeyInfo;
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null;
  /** basicConstraints cA=TRUE. */
  isCA: boolean;
  /** KeyUsage bit names; null when the extension is absent. */
  keyUsage: string[] | null;
  /** EKU names (unknown purposes as OIDs); null when the extension is absent. */
  extKeyUsage: string[] | null;
  extKeyUsageOids: string[] | null;
  /** Authority Information Access URLs. */
  aia: { caIssuers: string[]; ocsp: string[] };
  crlUrls: string[];
  /** Key identifiers as lowercase hex, or null. */
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** SHA-256 of the DER: lowercase hex, and the colon form OpenSSL prints. */
  sha256: string;
  sha256Colon: string;
  /** Subject and issuer are the same name. */
  selfIssued: boolean;
  /** Self-issued and the signature verifies with its own key; null when the algorithm could not be checked. */
  selfSigned: boolean | null;
  extensions: ExtensionSummary[];
  /** Critical extensions common clients do not process (they reject such a certificate). */
  unhandledCriticalExtensions: string[];
  /** Oddities found while decoding: malformed extensions, duplicates, mismatches. */
  anomalies: string[];
  /** DER length in bytes. */
  length: number;
}

export type CertParseResult = { ok: true; cert: CertInfo } | { ok: false; error: string; sha256: string };

/** A decoded certificate with the raw parts needed to verify signatures and chain names. */
export interface ParsedCert {
  info: CertInfo;
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
  /** SubjectPublicKeyInfo DER, and its subjectPublicKey BIT STRING contents (OCSP key hashes). */
  spki: Uint8Array;
  publicKeyBits: Uint8Array;
  subjectName: DistinguishedName;
  issuerName: DistinguishedName;
  /** Canonical name keys (name.ts nameKey) for issuer ↔ subject matching. */
  subjectKey: string;
  issuerKey: string;
}

interface RawExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** The structure of a certificate, without interpreting extensions (cheap: trust store indexing). */
export interface CertSkeleton {
  der: Uint8Array;
  tbs: Uint8Array;
  version: number;
  serial: Uint8Array;
  tbsSignatureAlgorithm: AlgorithmId;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  spkiAlgorithm: AlgorithmId;
  /** The subjectPublicKey BIT STRING contents. */
  publicKey: Uint8Array;
  extensions: RawExtension[];
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Decode the certificate structure. Throws DecodeError (callers wrap). */
export function readCertSkeleton(der: Uint8Array): CertSkeleton {
  const top = new Reader(der, 0, der.length, ['certificate']);
  if (der.length > MAX_CERT_BYTES) top.fail('too-large', `certificate of ${der.length} bytes (limit ${MAX_CERT_BYTES})`);
  const cert = expectTlv(top, TAG.SEQUENCE, 'certificate');
  top.done('certificate');
  const tbsTlv = expectTlv(cert.body, TAG.SEQUENCE, 'tbsCertificate');
  const t = tbsTlv.body;
  const versionTlv = optionalTlv(t, ctx(0, true), 'version');
  let version = 1;
  if (versionTlv) {
    version = smallInteger(readIntegerBytes(versionTlv.body, 'version'), versionTlv.body, 'version') + 1;
    versionTlv.body.done('version');
  }
  const serial = readIntegerBytes(t, 'serialNumber');
  const tbsSignatureAlgorithm = readAlgorithmId(t, 'signature');
  const issuer = readName(t, 'issuer');
  const validity = expectTlv(t, TAG.SEQUENCE, 'validity');
  const notBefore = decodeTime(readTlv(validity.body, 'notBefore'), 'notBefore');
  const notAfter = decodeTime(readTlv(validity.body, 'notAfter'), 'notAfter');
  validity.body.done('validity');
  const subject = readName(t, 'subject');
  const spkiTlv = expectTlv(t, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const spkiAlgorithm = readAlgorithmId(spkiTlv.body, 'subjectPublicKeyInfo.algorithm');
  const publicKey = readBitString(spkiTlv.body, 'subjectPublicKey').bytes;
  spkiTlv.body.done('subjectPublicKeyInfo');
  optionalTlv(t, ctx(1, false), 'issuerUniqueID');
  optionalTlv(t, ctx(2, false), 'subjectUniqueID');
  const extensions: RawExtension[] = [];
  const extWrapper = optionalTlv(t, ctx(3, true), 'extensions');
  if (extWrapper) {
    const list = expectTlv(extWrapper.body, TAG.SEQUENCE, 'extensions');
    extWrapper.body.done('extensions');
    for (const e of readAll(list.body, 'extension', MAX_EXTENSIONS)) {
      if (e.tag !== TAG.SEQUENCE) e.body.fail('bad-value', 'extension is not a SEQUENCE');
      const oid = readOid(e.body, 'extnID');
      const critical = e.body.peekU8() === TAG.BOOLEAN ? readBoolean(e.body, 'critical') : false;
      const value = readOctetString(e.body, 'extnValue');
      e.body.done('extension');
      extensions.push({ oid, critical, value });
    }
  }
  t.done('tbsCertificate');
  const signatureAlgorithm = readAlgorithmId(cert.body, 'signatureAlgorithm');
  const signature = readBitString(cert.body, 'signatureValue').bytes;
  cert.body.done('certificate');
  return {
    der, tbs: tbsTlv.raw, version, serial, tbsSignatureAlgorithm, issuer, subject, notBefore, notAfter,
    spki: spkiTlv.raw, spkiAlgorithm, publicKey, extensions, signatureAlgorithm, signature,
  };
}

const SKI_OID_TLV = Uint8Array.from([0x06, 0x03, 0x55, 0x1d, 0x0e]);

/**
 * The little a trust store indexes, read without decoding the rest (fast bundle loading):
 * the subject Name DER (not decoded), SubjectPublicKeyInfo DER, subject key identifier.
 * Throws DecodeError.
 */
export function readAnchorFields(der: Uint8Array): { subject: Uint8Array; spki: Uint8Array; ski: string | null } {
  const top = new Reader(der, 0, der.length, ['certificate']);
  const t = expectTlv(expectTlv(top, TAG.SEQUENCE, 'certificate').body, TAG.SEQUENCE, 'tbsCertificate').body;
  optionalTlv(t, ctx(0, true), 'version');
  for (const field of ['serialNumber', 'signature', 'issuer', 'validity']) readTlv(t, field);
  const subject = expectTlv(t, TAG.SEQUENCE, 'subject').raw;
  const spki = expectTlv(t, TAG.SEQUENCE, 'subjectPublicKeyInfo').raw;
  optionalTlv(t, ctx(1, false), 'issuerUniqueID');
  optionalTlv(t, ctx(2, false), 'subjectUniqueID');
  const wrapper = optionalTlv(t, ctx(3, true), 'extensions');
  let ski: string | null = null;
  if (wrapper) {
    for (const e of readAll(expectTlv(wrapper.body, TAG.SEQUENCE, 'extensions').body, 'extension', MAX_EXTENSIONS)) {
      if (!bytesEqual(readTlv(e.body, 'extnID').raw, SKI_OID_TLV)) continue;
      if (e.body.peekU8() === TAG.BOOLEAN) readTlv(e.body, 'critical');
      const v = readOctetString(e.body, 'extnValue');
      try {
        ski = decodeExtension(v, 'subjectKeyIdentifier', subjectKeyId);
      } catch {
        ski = null; // a malformed SKI only loses the index entry
      }
    }
  }
  return { subject, spki, ski };
}

// ---- extension values ----------------------------------------------------------------

/** Run an extension decoder on its value; the value must be consumed exactly. */
function decodeExtension<T>(value: Uint8Array, name: string, fn: (r: Reader) => T): T {
  const r = new Reader(value, 0, value.length, [name]);
  const out = fn(r);
  r.done(name);
  return out;
}

interface GeneralName {
  kind: 'dns' | 'ip' | 'email' | 'uri' | 'dirName' | 'otherName' | 'registeredID' | 'x400' | 'ediParty';
  text: string;
  /** False for an IP entry of neither 4 nor 16 octets (then text is its #hex). */
  valid: boolean;
}

function readGeneralName(g: Tlv): GeneralName {
  switch (g.tag) {
    case ctx(1, false):
      return { kind: 'email', text: latin1(g.body.rest()), valid: true };
    case ctx(2, false):
      return { kind: 'dns', text: latin1(g.body.rest()), valid: true };
    case ctx(6, false):
      return { kind: 'uri', text: latin1(g.body.rest()), valid: true };
    case ctx(7, false): {
      const octets = g.body.rest();
      const ip = formatIp(octets);
      return ip ? { kind: 'ip', text: ip, valid: true } : { kind: 'ip', text: `#${hexUpper(octets)}`, valid: false };
    }
    case ctx(4, true): {
      const n = readName(g.body, 'directoryName');
      g.body.done('directoryName');
      return { kind: 'dirName', text: formatDn(n), valid: true };
    }
    case ctx(0, true):
      return { kind: 'otherName', text: readOid(g.body, 'otherName.type-id'), valid: true };
    case ctx(8, false):
      return { kind: 'registeredID', text: decodeOid(g.body, 'registeredID'), valid: true };
    case ctx(3, true):
      return { kind: 'x400', text: `#${hexUpper(g.raw)}`, valid: true };
    case ctx(5, true):
      return { kind: 'ediParty', text: `#${hexUpper(g.raw)}`, valid: true };
    default:
      return g.body.fail('bad-value', `GeneralName with tag 0x${g.tag.toString(16)}`);
  }
}

function readGeneralNames(r: Reader, what: string): GeneralName[] {
  const seq = expectTlv(r, TAG.SEQUENCE, what);
  return readAll(seq.body, what, MAX_GENERAL_NAMES).map(readGeneralName);
}

const subjectAltName = (r: Reader) => readGeneralNames(r, 'subjectAltName');

function basicConstraints(r: Reader): { ca: boolean; pathLen: number | null } {
  const seq = expectTlv(r, TAG.SEQUENCE, 'basicConstraints');
  const ca = seq.body.peekU8() === TAG.BOOLEAN ? readBoolean(seq.body, 'cA') : false;
  const pathLen = seq.body.empty ? null : smallInteger(readIntegerBytes(seq.body, 'pathLenConstraint'), seq.body, 'pathLenConstraint');
  seq.body.done('basicConstraints');
  return { ca, pathLen };
}

function keyUsage(r: Reader): string[] {
  const { bytes, unusedBits } = readBitString(r, 'keyUsage');
  const names: string[] = [];
  const totalBits = bytes.length * 8 - unusedBits;
  for (let bit = 0; bit < totalBits; bit++) {
    if ((bytes[bit >> 3]! & (0x80 >> (bit & 7))) === 0) continue;
    names.push(KEY_USAGE_BITS[bit] ?? `bit${bit}`);
  }
  return names;
}

function extKeyUsage(r: Reader): string[] {
  const seq = expectTlv(r, TAG.SEQUENCE, 'extKeyUsage');
  return readAll(seq.body, 'keyPurpose', MAX_KEY_PURPOSES).map((t) => {
    if (t.tag !== TAG.OID) t.body.fail('bad-value', 'key purpose is not an OID');
    return decodeOid(t.body, 'keyPurpose');
  });
}

function authorityInfoAccess(r: Reader): { caIssuers: string[]; ocsp: string[] } {
  const seq = expectTlv(r, TAG.SEQUENCE, 'authorityInfoAccess');
  const out = { caIssuers: [] as string[], ocsp: [] as string[] };
  for (const ad of readAll(seq.body, 'accessDescription', MAX_GENERAL_NAMES)) {
    if (ad.tag !== TAG.SEQUENCE) ad.body.fail('bad-value', 'AccessDescription is not a SEQUENCE');
    const method = readOid(ad.body, 'accessMethod');
    const location = readGeneralName(readTlv(ad.body, 'accessLocation'));
    ad.body.done('accessDescription');
    if (location.kind !== 'uri') continue;
    if (method === ACCESS_METHOD_CA_ISSUERS) out.caIssuers.push(location.text);
    else if (method === ACCESS_METHOD_OCSP) out.ocsp.push(location.text);
  }
  return out;
}

function crlDistributionPoints(r: Reader): string[] {
  const seq = expectTlv(r, TAG.SEQUENCE, 'crlDistributionPoints');
  const urls: string[] = [];
  for (const dp of readAll(seq.body, 'distributionPoint', MAX_GENERAL_NAMES)) {
    const name = optionalTlv(dp.body, ctx(0, true), 'distributionPointName');
    const full = name ? optionalTlv(name.body, ctx(0, true), 'fullName') : null;
    if (!full) continue;
    for (const g of readAll(full.body, 'fullName', MAX_GENERAL_NAMES).map(readGeneralName)) {
      if (g.kind === 'uri') urls.push(g.text);
    }
  }
  return urls;
}

function authorityKeyId(r: Reader): string | null {
  const seq = expectTlv(r, TAG.SEQUENCE, 'authorityKeyIdentifier');
  const kid = optionalTlv(seq.body, ctx(0, false), 'keyIdentifier');
  return kid ? Buffer.from(kid.body.rest()).toString('hex') : null;
}

const subjectKeyId = (r: Reader): string => Buffer.from(readOctetString(r, 'subjectKeyIdentifier')).toString('hex');

// ---- public key ----------------------------------------------------------------------

function publicKeyInfo(s: CertSkeleton, anomalies: string[]): PublicKeyInfo {
  const oid = s.spkiAlgorithm.oid;
  const type = PUBLIC_KEY_ALGORITHMS[oid] ?? 'unknown';
  const info: PublicKeyInfo = { type, oid, bits: FIXED_KEY_BITS[type] ?? null, curve: null, curveOid: null, spkiSha256: sha256Hex(s.spki) };
  try {
    if (type === 'RSA' || type === 'RSA-PSS') {
      const r = new Reader(s.publicKey, 0, s.publicKey.length, ['RSAPublicKey']);
      const seq = expectTlv(r, TAG.SEQUENCE, 'RSAPublicKey');
      info.bits = bitLength(readIntegerBytes(seq.body, 'modulus'));
    } else if (type === 'EC') {
      const params = s.spkiAlgorithm.params;
      if (params && params[0] === TAG.OID) {
        const r = new Reader(params, 0, params.length, ['namedCurve']);
        info.curveOid = readOid(r, 'namedCurve');
        const curve = NAMED_CURVES[info.curveOid];
        info.curve = curve?.name ?? info.curveOid;
        info.bits = curve?.bits ?? null;
      } else {
        info.curve = 'explicit parameters';
        anomalies.push('EC key with explicit curve parameters (RFC 5480 requires a named curve)');
      }
    } else if (type === 'DSA' && s.spkiAlgorithm.params) {
      const r = new Reader(s.spkiAlgorithm.params, 0, s.spkiAlgorithm.params.length, ['Dss-Parms']);
      info.bits = bitLength(readIntegerBytes(expectTlv(r, TAG.SEQUENCE, 'Dss-Parms').body, 'p'));
    }
  } catch (e) {
    anomalies.push(`public key does not decode: ${e instanceof Error ? e.message : String(e)}`);
  }
  return info;
}

export function signatureAlgorithmInfo(alg: AlgorithmId): SignatureAlgorithmInfo {
  const entry = SIGNATURE_ALGORITHMS[alg.oid];
  let hash = entry?.hash ?? null;
  if (entry?.key === 'RSA-PSS') {
    try {
      hash = pssParams(alg.params).hash;
    } catch {
      hash = null;
    }
  }
  return { oid: alg.oid, name: entry?.name ?? alg.oid, hash };
}

// ---- assembling CertInfo -------------------------------------------------------------

const flatAttributes = (n: DistinguishedName) => n.rdns.flat().map(({ type, oid, value }) => ({ type, oid, value }));

/** Strip the sign octet(s) of a positive INTEGER for display, as OpenSSL does. */
export function serialHex(serial: Uint8Array): string {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return hexUpper(serial.subarray(i));
}

function buildParsed(s: CertSkeleton, sha256: string): ParsedCert {
  const anomalies: string[] = [];
  const seen = new Set<string>();
  const extensions: ExtensionSummary[] = [];
  const unhandledCriticalExtensions: string[] = [];
  for (const e of s.extensions) {
    const name = oidName(EXTENSION_NAMES, e.oid);
    if (seen.has(e.oid)) anomalies.push(`duplicate extension ${name} (RFC 5280 4.2 forbids it; OpenSSL rejects the certificate)`);
    seen.add(e.oid);
    extensions.push({ oid: e.oid, name, critical: e.critical });
    if (e.critical && !CRITICAL_EXTENSIONS_UNDERSTOOD.has(e.oid)) unhandledCriticalExtensions.push(name);
  }
  if (s.version < 3 && s.extensions.length > 0) anomalies.push(`version ${s.version} certificate carries extensions`);
  if (s.serial[0]! & 0x80) anomalies.push('negative serial number');
  if (s.serial.length > 21) anomalies.push(`serial number of ${s.serial.length} octets (RFC 5280 allows 20)`);
  if (!bytesEqual(s.tbsSignatureAlgorithm.raw, s.signatureAlgorithm.raw)) {
    anomalies.push('the signature algorithm inside the signed part differs from the outer one (clients reject this)');
  }
  if (s.notBefore.getTime() > s.notAfter.getTime()) anomalies.push('notBefore is after notAfter');

  /** Decode one extension by OID with its decoder; a malformed value becomes an anomaly. */
  function ext<T>(oid: string, fn: (r: Reader) => T): { value: T; critical: boolean } | null {
    const raw = s.extensions.find((e) => e.oid === oid);
    if (!raw) return null;
    const name = oidName(EXTENSION_NAMES, oid);
    try {
      return { value: decodeExtension(raw.value, name, fn), critical: raw.critical };
    } catch (e) {
      anomalies.push(`extension ${name} is malformed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  const san = ext(EXT.SUBJECT_ALT_NAME, subjectAltName);
  const bc = ext(EXT.BASIC_CONSTRAINTS, basicConstraints);
  const ku = ext(EXT.KEY_USAGE, keyUsage);
  const eku = ext(EXT.EXT_KEY_USAGE, extKeyUsage);
  const aia = ext(EXT.AUTHORITY_INFO_ACCESS, authorityInfoAccess);
  const crl = ext(EXT.CRL_DISTRIBUTION_POINTS, crlDistributionPoints);
  const aki = ext(EXT.AUTHORITY_KEY_ID, authorityKeyId);
  const ski = ext(EXT.SUBJECT_KEY_ID, subjectKeyId);

  const names = san?.value ?? [];
  const of = (kind: GeneralName['kind']) => names.filter((g) => g.kind === kind && g.valid).map((g) => g.text);
  const otherNames = names.filter((g) => !['dns', 'email', 'uri'].includes(g.kind) && !(g.kind === 'ip' && g.valid)).map((g) => `${g.kind}:${g.text}`);
  if (san && names.length === 0) anomalies.push('empty subjectAltName extension');

  const subjectKey = nameKey(s.subject);
  const issuerKey = nameKey(s.issuer);
  const selfIssued = subjectKey === issuerKey;
  const signed = { tbs: s.tbs, signatureAlgorithm: s.signatureAlgorithm, signature: s.signature };
  const selfSigned = selfIssued ? verifySignatureSync(signed, s.spki).valid : false;

  const info: CertInfo = {
    version: s.version,
    serial: serialHex(s.serial),
    subject: formatDn(s.subject),
    subjectCN: commonName(s.subject),
    subjectAttributes: flatAttributes(s.subject),
    issuer: formatDn(s.issuer),
    issuerCN: commonName(s.issuer),
    issuerAttributes: flatAttributes(s.issuer),
    notBefore: isoSeconds(s.notBefore),
    notAfter: isoSeconds(s.notAfter),
    notBeforeDate: s.notBefore,
    notAfterDate: s.notAfter,
    validityDays: (s.notAfter.getTime() - s.notBefore.getTime()) / 86_400_000,
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    emailAddresses: of('email'),
    uris: of('uri'),
    otherNames,
    hasSan: san !== null,
    signatureAlgorithm: signatureAlgorithmInfo(s.signatureAlgorithm),
    publicKey: publicKeyInfo(s, anomalies),
    basicConstraints: bc ? { ...bc.value, critical: bc.critical } : null,
    isCA: bc?.value.ca ?? false,
    keyUsage: ku?.value ?? null,
    extKeyUsage: eku ? eku.value.map((o) => oidName(EXTENDED_KEY_USAGES, o)) : null,
    extKeyUsageOids: eku?.value ?? null,
    aia: aia?.value ?? { caIssuers: [], ocsp: [] },
    crlUrls: crl?.value ?? [],
    subjectKeyId: ski?.value ?? null,
    authorityKeyId: aki?.value ?? null,
    sha256,
    sha256Colon: colonHex(sha256),
    selfIssued,
    selfSigned,
    extensions,
    unhandledCriticalExtensions,
    anomalies,
    length: s.der.length,
  };
  return {
    info, der: s.der, tbs: s.tbs, signatureAlgorithm: s.signatureAlgorithm, signature: s.signature,
    spki: s.spki, publicKeyBits: s.publicKey, subjectName: s.subject, issuerName: s.issuer, subjectKey, issuerKey,
  };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** ISO-8601 without milliseconds when they are zero (certificate times are whole seconds). */
export function isoSeconds(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

type Decoded = { ok: true; cert: ParsedCert } | { ok: false; error: string; sha256: string };

const cache = new Lru<string, Decoded>(PARSED_CERT_CACHE_SIZE);

/**
 * Decode a certificate with its raw parts, cached by SHA-256 of the DER (the cache keeps
 * its own copy of the bytes: callers' buffers may be reused).
 */
export function decodeCertificate(der: Uint8Array): Decoded {
  const sha256 = sha256Hex(der);
  const hit = cache.get(sha256);
  if (hit) return hit;
  let result: Decoded;
  try {
    if (der.length > MAX_CERT_BYTES) throw new DecodeError('too-large', ['certificate'], 0, `${der.length} bytes (limit ${MAX_CERT_BYTES})`);
    result = { ok: true, cert: buildParsed(readCertSkeleton(Uint8Array.from(der)), sha256) };
  } catch (e) {
    const message = e instanceof DecodeError ? e.message : `decoder fault: ${e instanceof Error ? e.message : String(e)}`;
    result = { ok: false, error: message, sha256 };
  }
  cache.set(sha256, result);
  return result;
}

/** Decode one DER certificate. Never throws; a certificate that does not parse gives `ok: false`. */
export function parseCertificate(der: Uint8Array): CertParseResult {
  const d = decodeCertificate(der);
  return d.ok ? { ok: true, cert: d.cert.info } : d;
}

export const certCacheStats = () => ({ size: cache.size, capacity: cache.capacity });
export const clearCertCache = () => cache.clear();
