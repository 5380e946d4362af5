// Certificates, judged the way a client would: the public surface of src/x509.
//
//   const trust = loadTrustStore(caFile);               // once; --ca-file or the system bundle
//   const report = await judgeChain({ chain, serverName, time, trust, ocsp, port });
//   record.tls.certificates = certificateJson(report);   // contract field, sent order
//   report.primary?.verdict                             // e.g. 'tls.cert_expired', or undefined
//
// Decoding is pure and never throws (parseCertificate / parseOcspResponse return ok:false);
// judgeChain resolves for any bytes. Decoded certificates and signature checks are cached
// (bounded LRU), so judging thousands of connections to one server costs one decode.

export { parseCertificate, decodeCertificate, clearCertCache, certCacheStats, sha256Hex } from './cert.js';
export type { CertInfo, CertParseResult, ParsedCert, PublicKeyInfo, SignatureAlgorithmInfo, ExtensionSummary } from './cert.js';
export { parseOcspResponse } from './ocsp.js';
export type { OcspInfo, OcspParseResult, OcspSingleResponse, OcspCertStatus, OcspCheck } from './ocsp.js';
export { judgeChain, judgeChainNow, NOT_CHECKED, clearSignatureCache, signatureCacheStats, MAX_VALIDITY_DAYS, MIN_RSA_BITS, MIN_EC_BITS } from './chain.js';
export type { ChainReport, JudgeInput, PathStep, PathEnd, SentCertificate } from './chain.js';
export { loadTrustStore, trustStoreFromPem, TrustStore, TrustAnchor, TrustStoreError, SYSTEM_TRUST_BUNDLES, NODE_BUNDLED_SOURCE } from './trust.js';
export type { TrustStoreKind } from './trust.js';
export { checkHostname, matchDnsPattern, normalizeHost, wildcardProblem } from './hostname.js';
export type { HostnameCheck } from './hostname.js';
export { INTERCEPTION_PRODUCTS, recognizeProduct, confirmCommand } from './interception.js';
export type { InterceptionGuess, InterceptionProduct } from './interception.js';
export { PROBLEM_KINDS, PRIMARY_PRECEDENCE, primaryProblem } from './problems.js';
export type { ChainProblem, ProblemCode, CertVerdict, Severity } from './problems.js';
export { certificateJson } from './json.js';
export type { CertificateJson } from './json.js';
export { formatIp, parseIp } from './ip.js';
export { formatDuration } from './duration.js';
