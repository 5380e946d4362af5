// The record's `tls.certificates` array (report contract): the chain in sent order with
// the contract fields { subject, issuer, notBefore, notAfter, sha256, dnsNames } and more.

import type { ChainReport, SentCertificate } from './chain.js';
import type { ProblemCode } from './problems.js';

export interface CertificateJson {
  index: number;
  /** RFC 2253 DNs; null when the certificate does not decode. */
  subject: string | null;
  issuer: string | null;
  /** ISO-8601. */
  notBefore: string | null;
  notAfter: string | null;
  /** Lowercase hex SHA-256 of the DER (always present). */
  sha256: string;
  dnsNames: string[];
  ipAddresses: string[];
  serial: string | null;
  keyType: string | null;
  keyBits: number | null;
  curve: string | null;
  signatureAlgorithm: string | null;
  isCA: boolean | null;
  selfSigned: boolean | null;
  role: SentCertificate['role'];
  length: number;
  /** Decoding error for a certificate that does not decode, else null. */
  error: string | null;
  /** Codes of the problems about this certificate. */
  problems: ProblemCode[];
}

export function certificateJson(report: ChainReport): CertificateJson[] {
  return report.certificates.map((s) => {
    const c = s.cert;
    return {
      index: s.index,
      subject: c?.subject ?? null,
      issuer: c?.issuer ?? null,
      notBefore: c?.notBefore ?? null,
      notAfter: c?.notAfter ?? null,
      sha256: s.sha256,
      dnsNames: c ? [...c.dnsNames] : [],
      ipAddresses: c ? [...c.ipAddresses] : [],
      serial: c?.serial ?? null,
      keyType: c?.publicKey.type ?? null,
      keyBits: c?.publicKey.bits ?? null,
      curve: c?.publicKey.curve ?? null,
      signatureAlgorithm: c?.signatureAlgorithm.name ?? null,
      isCA: c ? c.isCA : null,
      selfSigned: c ? c.selfSigned : null,
      role: s.role,
      length: s.length,
      error: s.error,
      problems: report.problems.filter((p) => p.certIndex === s.index).map((p) => p.code),
    };
  });
}
