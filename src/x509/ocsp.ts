// Stapled OCSP responses (RFC 6960): decoding by hand on the DER reader, then a check
// against the chain at the capture's time: is it about the server's certificate, what
// status, is it current, and does its signature verify (issuer or delegated responder).

import { createHash } from 'node:crypto';
import { Reader, DecodeError } from '../wire/reader.js';
import { type ParsedCert, type SignatureAlgorithmInfo, decodeCertificate, isoSeconds, serialHex, signatureAlgorithmInfo } from './cert.js';
import {
  TAG, ctx, decodeTime, expectTlv, optionalTlv, readAll, readBitString, readIntegerBytes, readOctetString,
  readOid, readTlv, smallInteger,
} from './der.js';
import { relativeTo } from './duration.js';
import { MAX_CHAIN_CERTS, MAX_OCSP_BYTES, MAX_OCSP_RESPONSES } from './limits.js';
import { formatDn, nameKey, readName } from './name.js';
import { CRL_REASONS, EKU_OCSP_SIGNING, HASH_ALGORITHMS, OCSP_BASIC_RESPONSE, OCSP_RESPONSE_STATUS } from './oids.js';
import { type ChainProblem, problem } from './problems.js';
import { type AlgorithmId, type SignatureCheck, readAlgorithmId, verifySignature } from './signature.js';

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspSingleResponse {
  /** CertID: serial (uppercase hex, as CertInfo.serial), hash algorithm and issuer hashes (hex). */
  serial: string;
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  status: OcspCertStatus;
  revocationTime: string | null;
  revocationReason: string | null;
  revocationReasonCode: number | null;
  thisUpdate: string;
  nextUpdate: string | null;
  thisUpdateDate: Date;
  nextUpdateDate: Date | null;
}

export interface OcspInfo {
  /** "successful", "tryLater"...; the rest is null/empty unless successful. */
  responseStatus: string;
  responseStatusCode: number;
  producedAt: string | null;
  producedAtDate: Date | null;
  /** "byName: CN=..." or "byKey: <sha1 hex>". */
  responder: string | null;
  responderName: string | null;
  responderKeyHash: string | null;
  responses: OcspSingleResponse[];
  /** The first single response's status and times (stapled responses carry one). */
  status: OcspCertStatus | null;
  revocationTime: string | null;
  revocationReason: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  signatureAlgorithm: SignatureAlgorithmInfo | null;
  /** Certificates embedded in the response (a delegated responder's). */
  certificateCount: number;
}

export type OcspParseResult = { ok: true; ocsp: OcspInfo } | { ok: false; error: string };

interface ParsedOcsp {
  info: OcspInfo;
  responderKey: string | null;
  tbs: Uint8Array | null;
  signatureAlgorithm: AlgorithmId | null;
  signature: Uint8Array | null;
  certs: Uint8Array[];
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

function readSingleResponse(t: ReturnType<typeof readTlv>): OcspSingleResponse {
  const r = t.body;
  const certId = expectTlv(r, TAG.SEQUENCE, 'certID');
  const hashAlg = readAlgorithmId(certId.body, 'hashAlgorithm');
  const issuerNameHash = hexOf(readOctetString(certId.body, 'issuerNameHash'));
  const issuerKeyHash = hexOf(readOctetString(certId.body, 'issuerKeyHash'));
  const serial = serialHex(readIntegerBytes(certId.body, 'serialNumber'));
  certId.body.done('certID');
  const st = readTlv(r, 'certStatus');
  let status: OcspCertStatus;
  let revocationTime: Date | null = null;
  let reasonCode: number | null = null;
  if (st.tag === ctx(0, false)) status = 'good';
  else if (st.tag === ctx(2, false)) status = 'unknown';
  else if (st.tag === ctx(1, true)) {
    status = 'revoked';
    revocationTime = decodeTime(readTlv(st.body, 'revocationTime'), 'revocationTime');
    const reason = optionalTlv(st.body, ctx(0, true), 'revocationReason');
    if (reason) reasonCode = smallInteger(expectTlv(reason.body, TAG.ENUMERATED, 'CRLReason').body.rest(), reason.body, 'CRLReason');
    st.body.done('revokedInfo');
  } else return st.body.fail('bad-value', `certStatus with tag 0x${st.tag.toString(16)}`);
  const thisUpdate = decodeTime(expectTlv(r, TAG.GENERALIZED_TIME, 'thisUpdate'), 'thisUpdate');
  const next = optionalTlv(r, ctx(0, true), 'nextUpdate');
  const nextUpdate = next ? decodeTime(readTlv(next.body, 'nextUpdate'), 'nextUpdate') : null;
  optionalTlv(r, ctx(1, true), 'singleExtensions');
  r.done('singleResponse');
  return {
    serial, hashAlgorithm: HASH_ALGORITHMS[hashAlg.oid] ?? hashAlg.oid, issuerNameHash, issuerKeyHash, status,
    revocationTime: revocationTime ? isoSeconds(revocationTime) : null,
    revocationReason: reasonCode === null ? null : (CRL_REASONS[reasonCode] ?? `reason ${reasonCode}`),
    revocationReasonCode: reasonCode,
    thisUpdate: isoSeconds(thisUpdate), nextUpdate: nextUpdate ? isoSeconds(nextUpdate) : null,
    thisUpdateDate: thisUpdate, nextUpdateDate: nextUpdate,
  };
}

function readOcsp(der: Uint8Array): ParsedOcsp {
  const top = new Reader(der, 0, der.length, ['OCSPResponse']);
  if (der.length > MAX_OCSP_BYTES) top.fail('too-large', `OCSP response of ${der.length} bytes (limit ${MAX_OCSP_BYTES})`);
  const resp = expectTlv(top, TAG.SEQUENCE, 'OCSPResponse');
  top.done('OCSPResponse');
  const code = smallInteger(expectTlv(resp.body, TAG.ENUMERATED, 'responseStatus').body.rest(), resp.body, 'responseStatus');
  const info: OcspInfo = {
    responseStatus: OCSP_RESPONSE_STATUS[code] ?? `status ${code}`, responseStatusCode: code,
    producedAt: null, producedAtDate: null, responder: null, responderName: null, responderKeyHash: null,
    responses: [], status: null, revocationTime: null, revocationReason: null, thisUpdate: null, nextUpdate: null,
    signatureAlgorithm: null, certificateCount: 0,
  };
  const out: ParsedOcsp = { info, responderKey: null, tbs: null, signatureAlgorithm: null, signature: null, certs: [] };
  const bytesWrapper = optionalTlv(resp.body, ctx(0, true), 'responseBytes');
  resp.body.done('OCSPResponse');
  if (!bytesWrapper) {
    if (code === 0) resp.body.fail('bad-value', 'successful response without responseBytes');
    return out;
  }
  const rb = expectTlv(bytesWrapper.body, TAG.SEQUENCE, 'ResponseBytes');
  const type = readOid(rb.body, 'responseType');
  if (type !== OCSP_BASIC_RESPONSE) rb.body.fail('bad-value', `response type ${type} is not id-pkix-ocsp-basic`);
  const basicBytes = readOctetString(rb.body, 'response');
  rb.body.done('ResponseBytes');
  const br = new Reader(basicBytes, 0, basicBytes.length, ['BasicOCSPResponse']);
  const basic = expectTlv(br, TAG.SEQUENCE, 'BasicOCSPResponse');
  br.done('BasicOCSPResponse');
  const tbs = expectTlv(basic.body, TAG.SEQUENCE, 'tbsResponseData');
  const t = tbs.body;
  optionalTlv(t, ctx(0, true), 'version');
  const rid = readTlv(t, 'responderID');
  if (rid.tag === ctx(1, true)) {
    const name = readName(rid.body, 'responderID.byName');
    info.responderName = formatDn(name);
    info.responder = `byName: ${info.responderName}`;
    out.responderKey = nameKey(name);
  } else if (rid.tag === ctx(2, true)) {
    info.responderKeyHash = hexOf(readOctetString(rid.body, 'responderID.byKey'));
    info.responder = `byKey: ${info.responderKeyHash}`;
  } else rid.body.fail('bad-value', `responderID with tag 0x${rid.tag.toString(16)}`);
  rid.body.done('responderID');
  info.producedAtDate = decodeTime(expectTlv(t, TAG.GENERALIZED_TIME, 'producedAt'), 'producedAt');
  info.producedAt = isoSeconds(info.producedAtDate);
  const responses = expectTlv(t, TAG.SEQUENCE, 'responses');
  info.responses = readAll(responses.body, 'singleResponse', MAX_OCSP_RESPONSES).map(readSingleResponse);
  optionalTlv(t, ctx(1, true), 'responseExtensions');
  t.done('tbsResponseData');
  out.tbs = tbs.raw;
  out.signatureAlgorithm = readAlgorithmId(basic.body, 'signatureAlgorithm');
  info.signatureAlgorithm = signatureAlgorithmInfo(out.signatureAlgorithm);
  out.signature = readBitString(basic.body, 'signature').bytes;
  const certs = optionalTlv(basic.body, ctx(0, true), 'certs');
  if (certs) {
    const seq = expectTlv(certs.body, TAG.SEQUENCE, 'certs');
    out.certs = readAll(seq.body, 'certificate', MAX_CHAIN_CERTS).map((c) => c.raw);
  }
  basic.body.done('BasicOCSPResponse');
  info.certificateCount = out.certs.length;
  const first = info.responses[0];
  if (first) {
    Object.assign(info, {
      status: first.status, revocationTime: first.revocationTime, revocationReason: first.revocationReason,
      thisUpdate: first.thisUpdate, nextUpdate: first.nextUpdate,
    });
  }
  return out;
}

function decodeOcsp(der: Uint8Array): { ok: true; ocsp: ParsedOcsp } | { ok: false; error: string } {
  try {
    return { ok: true, ocsp: readOcsp(der) };
  } catch (e) {
    return { ok: false, error: e instanceof DecodeError ? e.message : `decoder fault: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Decode an OCSPResponse DER. Never throws; a response that does not parse gives `ok: false`. */
export function parseOcspResponse(der: Uint8Array): OcspParseResult {
  const d = decodeOcsp(der);
  return d.ok ? { ok: true, ocsp: d.ocsp.info } : d;
}

/** The stapled response judged against the chain. */
export interface OcspCheck {
  /** Decoded response, or null when it did not decode (see error). */
  info: OcspInfo | null;
  error: string | null;
  /** The single response about the server's certificate, if any. */
  matched: OcspSingleResponse | null;
  /** Signature over the response: by the issuer, or a delegated responder the issuer certified. */
  signature: SignatureCheck | null;
  signer: 'issuer' | 'delegated' | null;
}

const keyHash = (alg: string, bits: Uint8Array): string | null =>
  ['sha1', 'sha256', 'sha384', 'sha512'].includes(alg) ? createHash(alg).update(bits).digest('hex') : null;

/** Is this single response about `leaf` as issued by `issuer` (when known)? */
function aboutLeaf(s: OcspSingleResponse, leaf: ParsedCert, issuer: ParsedCert | null): boolean {
  if (s.serial !== leaf.info.serial) return false;
  if (!issuer) return true;
  const h = keyHash(s.hashAlgorithm, issuer.publicKeyBits);
  return h === null || h === s.issuerKeyHash;
}

async function checkOcspSignature(p: ParsedOcsp, issuer: ParsedCert | null): Promise<Pick<OcspCheck, 'signature' | 'signer'>> {
  if (!p.tbs || !p.signatureAlgorithm || !p.signature || !issuer) return { signature: null, signer: null };
  const signed = { tbs: p.tbs, signatureAlgorithm: p.signatureAlgorithm, signature: p.signature };
  const byIssuer =
    (p.responderKey !== null && p.responderKey === issuer.subjectKey) ||
    (p.info.responderKeyHash !== null && p.info.responderKeyHash === keyHash('sha1', issuer.publicKeyBits));
  if (byIssuer) return { signature: await verifySignature(signed, issuer.spki), signer: 'issuer' };
  for (const der of p.certs) {
    const d = decodeCertificate(der);
    if (!d.ok) continue;
    const c = d.cert;
    const named = p.responderKey !== null ? c.subjectKey === p.responderKey : p.info.responderKeyHash === keyHash('sha1', c.publicKeyBits);
    if (!named || c.issuerKey !== issuer.subjectKey || !c.info.extKeyUsageOids?.includes(EKU_OCSP_SIGNING)) continue;
    const certified = await verifySignature(c, issuer.spki);
    if (certified.valid === false) continue;
    return { signature: await verifySignature(signed, c.spki), signer: 'delegated' };
  }
  return { signature: { valid: false, by: null, reason: 'the responder is neither the issuer nor a responder it certified' }, signer: null };
}

/** Judge a stapled OCSP response for the chain's leaf at `time`; problems are appended to `problems`. */
export async function checkOcsp(
  der: Uint8Array, leaf: ParsedCert, issuer: ParsedCert | null, time: Date, problems: ChainProblem[],
): Promise<OcspCheck> {
  const d = decodeOcsp(der);
  if (!d.ok) {
    problems.push(problem('cert.ocsp_invalid', `the stapled OCSP response does not decode: ${d.error}`, 0));
    return { info: null, error: d.error, matched: null, signature: null, signer: null };
  }
  const info = d.ocsp.info;
  const result: OcspCheck = { info, error: null, matched: null, signature: null, signer: null };
  if (info.responseStatusCode !== 0) {
    problems.push(problem('cert.ocsp_invalid', `the stapled OCSP response carries status ${info.responseStatus}, no certificate status`, 0));
    return result;
  }
  result.matched = info.responses.find((s) => aboutLeaf(s, leaf, issuer)) ?? null;
  const m = result.matched;
  if (!m) {
    const serials = info.responses.map((s) => s.serial).join(', ') || 'none';
    problems.push(problem('cert.ocsp_mismatch', `the stapled OCSP response is about serial ${serials}, not the server certificate's ${leaf.info.serial}`, 0));
  } else if (m.status === 'revoked') {
    const reason = m.revocationReason ? ` (${m.revocationReason})` : '';
    problems.push(problem('cert.ocsp_revoked', `the stapled OCSP response says the server certificate was revoked at ${m.revocationTime}${reason}`, 0));
  } else if (m.status === 'unknown') {
    problems.push(problem('cert.ocsp_unknown', 'the stapled OCSP response says the responder does not know the server certificate', 0));
  }
  if (m?.nextUpdateDate && m.nextUpdateDate.getTime() < time.getTime()) {
    problems.push(problem('cert.ocsp_stale', `the stapled OCSP response expired: nextUpdate ${m.nextUpdate} is ${relativeTo(m.nextUpdateDate, time)} the capture time`, 0));
  } else if (m && m.thisUpdateDate.getTime() > time.getTime()) {
    problems.push(problem('cert.ocsp_stale', `the stapled OCSP response is from the future: thisUpdate ${m.thisUpdate} is ${relativeTo(m.thisUpdateDate, time)} the capture time`, 0));
  }
  Object.assign(result, await checkOcspSignature(d.ocsp, issuer));
  if (result.signature?.valid === false) {
    problems.push(problem('cert.ocsp_bad_signature', `the stapled OCSP response's signature does not verify${result.signature.reason ? `: ${result.signature.reason}` : ''}`, 0));
  }
  return result;
}
