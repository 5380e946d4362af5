// The problems a chain judgement can report, as data: code → severity, the contract verdict
// an error supports, and a title. `PRIMARY_PRECEDENCE` decides which error is the primary
// cause, in the order common clients hit them: OpenSSL builds the path first (trust), then
// checks CA flags and purposes, then the host name, then signatures and dates; Chrome ranks
// authority-invalid before name-invalid before date-invalid. A revocation only matters
// once everything else passed.

export type Severity = 'error' | 'warning' | 'info';

/** Verdict codes of the report contract that certificate problems support. */
export type CertVerdict =
  | 'tls.cert_expired'
  | 'tls.cert_not_yet_valid'
  | 'tls.cert_hostname_mismatch'
  | 'tls.cert_self_signed'
  | 'tls.cert_chain_incomplete'
  | 'tls.cert_untrusted'
  | 'tls.cert_rejected';

export interface ProblemKind {
  severity: Severity;
  /** For errors: the verdict a client rejecting for this reason earns. */
  verdict?: CertVerdict;
  title: string;
}

export const PROBLEM_KINDS = {
  // errors: a client following RFC 5280 / the CA/B rules rejects the chain
  'cert.empty_chain': { severity: 'error', verdict: 'tls.cert_rejected', title: 'the server sent no certificate' },
  'cert.unparsable': { severity: 'error', verdict: 'tls.cert_rejected', title: 'a certificate does not decode' },
  'tls.cert_self_signed': { severity: 'error', verdict: 'tls.cert_self_signed', title: 'self-signed certificate' },
  'tls.cert_untrusted': { severity: 'error', verdict: 'tls.cert_untrusted', title: 'root not in the trust store' },
  'tls.cert_chain_incomplete': { severity: 'error', verdict: 'tls.cert_chain_incomplete', title: 'missing intermediate certificate' },
  'cert.not_ca': { severity: 'error', verdict: 'tls.cert_rejected', title: 'an issuing certificate is not a CA' },
  'cert.path_length': { severity: 'error', verdict: 'tls.cert_rejected', title: 'path length constraint exceeded' },
  'cert.ca_key_usage': { severity: 'error', verdict: 'tls.cert_rejected', title: 'issuing CA lacks keyCertSign' },
  'cert.unhandled_critical': { severity: 'error', verdict: 'tls.cert_rejected', title: 'unknown critical extension' },
  'tls.cert_hostname_mismatch': { severity: 'error', verdict: 'tls.cert_hostname_mismatch', title: 'host name not in the certificate' },
  'cert.bad_signature': { severity: 'error', verdict: 'tls.cert_rejected', title: 'a signature does not verify' },
  'tls.cert_expired': { severity: 'error', verdict: 'tls.cert_expired', title: 'certificate expired' },
  'tls.cert_not_yet_valid': { severity: 'error', verdict: 'tls.cert_not_yet_valid', title: 'certificate not yet valid' },
  'cert.ocsp_revoked': { severity: 'error', verdict: 'tls.cert_rejected', title: 'stapled OCSP says revoked' },
  // warnings: accepted by many clients, refused by some or soon
  'cert.weak_key': { severity: 'warning', title: 'weak key' },
  'cert.sha1_signature': { severity: 'warning', title: 'SHA-1 signature' },
  'cert.md5_signature': { severity: 'warning', title: 'MD5/MD2 signature' },
  'cert.long_validity': { severity: 'warning', title: 'validity longer than 398 days' },
  'cert.ca_leaf': { severity: 'warning', title: 'the server certificate is a CA' },
  'cert.no_server_auth': { severity: 'warning', title: 'EKU without serverAuth' },
  'cert.leaf_key_usage': { severity: 'warning', title: 'key usage unfit for TLS' },
  'cert.cn_only': { severity: 'warning', title: 'host name only in the CN' },
  'cert.misordered': { severity: 'warning', title: 'chain sent out of order' },
  'cert.extra': { severity: 'warning', title: 'certificate not on the path' },
  'cert.interception_likely': { severity: 'warning', title: 'TLS interception likely' },
  'cert.malformed': { severity: 'warning', title: 'certificate oddity' },
  'cert.ocsp_invalid': { severity: 'warning', title: 'stapled OCSP response unusable' },
  'cert.ocsp_unknown': { severity: 'warning', title: 'stapled OCSP status unknown' },
  'cert.ocsp_stale': { severity: 'warning', title: 'stapled OCSP response out of date' },
  'cert.ocsp_mismatch': { severity: 'warning', title: 'stapled OCSP response is for another certificate' },
  'cert.ocsp_bad_signature': { severity: 'warning', title: 'stapled OCSP signature does not verify' },
  // information
  'cert.root_sent': { severity: 'info', title: 'root certificate sent' },
  'cert.cross_signed': { severity: 'info', title: 'cross-signed copy of a trusted root sent' },
  'cert.no_sni': { severity: 'info', title: 'no SNI: host name not checked' },
  'cert.signature_unchecked': { severity: 'info', title: 'a signature could not be checked' },
  'cert.anchor_in_chain': { severity: 'info', title: 'the server certificate itself is a trust anchor' },
  'cert.chain_truncated': { severity: 'info', title: 'chain longer than judged' },
  'cert.inspection_trusted': { severity: 'info', title: 'issued by a TLS-inspection product the store trusts' },
} as const satisfies Record<string, ProblemKind>;

export type ProblemCode = keyof typeof PROBLEM_KINDS;

export interface ChainProblem {
  code: ProblemCode;
  severity: Severity;
  /** One sentence with the facts (names, dates, durations). */
  message: string;
  /** Index in the chain as sent (0 = the server's certificate), when about one sent certificate. */
  certIndex?: number;
  /** For errors: the contract verdict this supports. */
  verdict?: CertVerdict;
}

export function problem(code: ProblemCode, message: string, certIndex?: number): ChainProblem {
  const kind: ProblemKind = PROBLEM_KINDS[code];
  const p: ChainProblem = { code, severity: kind.severity, message };
  if (certIndex !== undefined) p.certIndex = certIndex;
  if (kind.verdict) p.verdict = kind.verdict;
  return p;
}

/** Error codes from the most to the least decisive; the first present is the primary problem. */
export const PRIMARY_PRECEDENCE: readonly ProblemCode[] = [
  'cert.empty_chain',
  'cert.unparsable',
  'tls.cert_self_signed',
  'tls.cert_untrusted',
  'tls.cert_chain_incomplete',
  'cert.unhandled_critical',
  'cert.not_ca',
  'cert.path_length',
  'cert.ca_key_usage',
  'tls.cert_hostname_mismatch',
  'cert.bad_signature',
  'tls.cert_expired',
  'tls.cert_not_yet_valid',
  'cert.ocsp_revoked',
];

/** The primary problem: the first error in precedence order (lowest certIndex on ties). */
export function primaryProblem(problems: readonly ChainProblem[]): ChainProblem | null {
  for (const code of PRIMARY_PRECEDENCE) {
    const hits = problems.filter((p) => p.code === code);
    if (hits.length) return hits.reduce((a, b) => ((b.certIndex ?? 99) < (a.certIndex ?? 99) ? b : a));
  }
  return problems.find((p) => p.severity === 'error') ?? null;
}
