// Judging a server's certificate chain the way a client would, at the capture's time:
// decode every certificate, build the path leaf → ... → trust anchor from names and key
// identifiers (trust store first, as OpenSSL's trusted-first search does), verify each
// link's signature, then check dates, the host name, CA constraints, weak algorithms and a
// stapled OCSP response. Expensive work is cached: decoded certificates by fingerprint
// (cert.ts) and signature checks by (certificate, issuer key) pair (here).

import { type CertInfo, type ParsedCert, decodeCertificate } from './cert.js';
import { relativeTo } from './duration.js';
import { type HostnameCheck, checkHostname } from './hostname.js';
import { type InterceptionGuess, confirmCommand, looksReissued, recognizeProduct } from './interception.js';
import { MAX_CHAIN_CERTS, MAX_PATH_LENGTH, SIGNATURE_CACHE_SIZE } from './limits.js';
import { Lru } from './lru.js';
import { type OcspCheck, checkOcsp } from './ocsp.js';
import { EKU_ANY, EKU_SERVER_AUTH, OID_COMMON_NAME, OID_ORGANIZATION, OID_ORGANIZATIONAL_UNIT } from './oids.js';
import { type ChainProblem, problem, primaryProblem } from './problems.js';
import { type SignatureCheck, verifySignature } from './signature.js';
import type { TrustAnchor, TrustStore, TrustStoreKind } from './trust.js';

export interface JudgeInput {
  /** DER certificates in the order the server sent them (TLS ≤ 1.2 Certificate message). */
  chain: readonly Uint8Array[];
  /** SNI from the ClientHello, or null when none was sent. */
  serverName: string | null;
  /** The capture's time (packet timestamp), never the wall clock. */
  time: Date;
  trust: TrustStore;
  /** Stapled OCSP response (CertificateStatus), if any. */
  ocsp?: Uint8Array | null;
  /** Server port, used in suggested commands (default 443). */
  port?: number;
}

/** One certificate as sent, decoded or not. */
export interface SentCertificate {
  index: number;
  sha256: string;
  length: number;
  /** Decoded certificate, or null when it does not decode (see error). */
  cert: CertInfo | null;
  error: string | null;
  /** Its place after path building. */
  role: 'leaf' | 'intermediate' | 'root' | 'extra' | 'unparsable';
}

export interface PathStep {
  /** Index in the sent chain, or null for a certificate only in the trust store. */
  certIndex: number | null;
  /** The certificate is a trust anchor of the store. */
  trustAnchor: boolean;
  subject: string;
  issuer: string;
  sha256: string;
  cert: CertInfo;
  /** This certificate's signature checked with the next step's key (or its own, for a self-signed end); null when not checked. */
  signature: SignatureCheck | null;
}

/**
 * How path building ended: reached an anchor; stopped at a self-signed certificate the store
 * does not hold; stopped because the last certificate's issuer is neither sent nor in the
 * store; stopped because the only issuer candidates failed the signature check; or no leaf.
 */
export type PathEnd = 'trusted' | 'untrusted_root' | 'incomplete' | 'bad_signature' | 'no_leaf';

export interface ChainReport {
  /** Capture time judged at (ISO-8601). */
  time: string;
  serverName: string | null;
  /** Every certificate in sent order. */
  certificates: SentCertificate[];
  /** The path found, leaf first. */
  path: PathStep[];
  pathEnd: PathEnd;
  /** The trust anchor reached, and whether the server also sent it. */
  anchor: { subject: string; sha256: string; sent: boolean } | null;
  /** When the chain stops short: the issuer that is missing and where it may be fetched. */
  missingIssuer: { name: string; afterIndex: number | null; caIssuersUrls: string[]; probablyRoot: boolean } | null;
  /** Host name check (null when there is no decodable leaf). */
  hostname: HostnameCheck | null;
  /** Stapled OCSP, when one was given. */
  ocsp: OcspCheck | null;
  /** When the chain is untrusted and looks re-issued by an inspecting proxy. */
  interception: InterceptionGuess | null;
  trustStore: { source: string; kind: TrustStoreKind; anchors: number };
  /** Everything found, errors first. */
  problems: ChainProblem[];
  /** The most specific reason a client would reject (problems.ts PRIMARY_PRECEDENCE), or null. */
  primary: ChainProblem | null;
  /** No error-level problem. */
  ok: boolean;
  /** Human-readable list of the checks performed (for "the chain is fine and the client still refused"). */
  checks: string[];
  /** What a client may check that this judgement did not. */
  notChecked: string[];
}

/** Things clients may verify that are out of reach from a capture. */
export const NOT_CHECKED: readonly string[] = [
  'revocation by CRL or live OCSP (only a stapled OCSP response is read)',
  'Certificate Transparency (SCTs) required by Chrome and Safari',
  'name constraints and certificate policies',
  "the client's own trust store, pins and distrust lists (judged with this tool's store)",
];

// ---- signature cache -------------------------------------------------------------------

const signatureCache = new Lru<string, Promise<SignatureCheck>>(SIGNATURE_CACHE_SIZE);
/**
 * The same checks once settled: a chain whose every signature was checked before is judged
 * at once, without a promise (judgeChainNow), so most connections of a busy server are
 * diagnosed as they end instead of queueing behind an asynchronous check.
 */
const settled = new Lru<string, SignatureCheck>(SIGNATURE_CACHE_SIZE);

/** A signature the judgement needs: `child`'s, checked with `issuer`'s key. */
interface LinkCheck {
  key: string;
  child: ParsedCert;
  issuer: ParsedCert;
}
/** What a judgement waits for: a signature link, or another promise (a stapled OCSP response's check). */
type Wait = LinkCheck | Promise<unknown>;
/** A judgement in steps: it yields what it waits for and is resumed with the answer. */
type Judging<T> = Generator<Wait, T, unknown>;

const link = (child: ParsedCert, issuer: ParsedCert): LinkCheck => ({ key: `${child.info.sha256}>${issuer.info.publicKey.spkiSha256}`, child, issuer });

/** Signature of `child` checked with `issuer`'s key, cached per (certificate, key) pair. */
function checkLink(l: LinkCheck): Promise<SignatureCheck> {
  let p = signatureCache.get(l.key);
  if (!p) {
    p = verifySignature(l.child, l.issuer.spki); // never rejects
    signatureCache.set(l.key, p);
    void p.then((v) => settled.set(l.key, v));
  }
  return p;
}

/** Run a judgement: synchronously while every signature it asks for is settled, then asynchronously. */
function run<T>(g: Judging<T>): T | Promise<T> {
  let r = g.next();
  while (!r.done) {
    const w = r.value;
    const known = w instanceof Promise ? undefined : settled.get(w.key);
    if (known === undefined) return resume(g, w);
    r = g.next(known);
  }
  return r.value;
}

async function resume<T>(g: Judging<T>, w: Wait): Promise<T> {
  for (;;) {
    const answer = w instanceof Promise ? await w : await checkLink(w);
    const r = g.next(answer);
    if (r.done) return r.value;
    w = r.value;
  }
}

export const signatureCacheStats = () => ({ size: signatureCache.size, capacity: signatureCache.capacity });
export const clearSignatureCache = () => {
  signatureCache.clear();
  settled.clear();
};

// ---- path building ---------------------------------------------------------------------

interface Node {
  cert: ParsedCert;
  /** Index in the sent chain, or null. */
  index: number | null;
  anchor: TrustAnchor | null;
}

interface Built {
  steps: { node: Node; signature: SignatureCheck | null }[];
  end: PathEnd;
  /** Sent candidates by name that failed the signature check at the stopping point. */
  rejected: Node[];
}

const validAt = (c: CertInfo, t: Date) => c.notBeforeDate.getTime() <= t.getTime() && t.getTime() <= c.notAfterDate.getTime();

/** Order issuer candidates: key identifier match first, then currently valid, then sent order. */
function rank(child: ParsedCert, nodes: Node[], time: Date): Node[] {
  const akiScore = (n: Node) => {
    const aki = child.info.authorityKeyId;
    const ski = n.cert.info.subjectKeyId;
    return aki && ski ? (aki === ski ? 0 : 2) : 1;
  };
  const score = (n: Node) => akiScore(n) * 2 + (validAt(n.cert.info, time) ? 0 : 1);
  return [...nodes].sort((a, b) => score(a) - score(b));
}

function anchorNodes(store: TrustStore, anchors: readonly TrustAnchor[]): Node[] {
  const out: Node[] = [];
  for (const a of anchors) {
    const cert = store.parsed(a);
    if (cert) out.push({ cert, index: null, anchor: a });
  }
  return out;
}

/** The store's anchor that is this very certificate (same DER, or same name and key). */
function anchorFor(store: TrustStore, c: ParsedCert): TrustAnchor | null {
  return store.byFingerprint(c.info.sha256) ?? store.bySpki(c.info.publicKey.spkiSha256).find((a) => a.subjectKey === c.subjectKey) ?? null;
}

/** First candidate whose signature over `child` does not fail (valid, or uncheckable). */
function* firstIssuer(child: ParsedCert, candidates: Node[], rejected: Node[]): Judging<{ node: Node; signature: SignatureCheck } | null> {
  for (const node of candidates) {
    const signature = (yield link(child, node.cert)) as SignatureCheck;
    if (signature.valid !== false) return { node, signature };
    rejected.push(node);
  }
  return null;
}

function* buildPath(sent: (ParsedCert | null)[], store: TrustStore, time: Date): Judging<Built> {
  const leaf = sent[0];
  if (!leaf) return { steps: [], end: 'no_leaf', rejected: [] };
  const steps: Built['steps'] = [{ node: { cert: leaf, index: 0, anchor: anchorFor(store, leaf) }, signature: null }];
  const used = new Set<number>([0]);
  for (;;) {
    const last = steps[steps.length - 1]!;
    const cur = last.node.cert;
    const rejected: Node[] = [];
    if (last.node.anchor) return { steps, end: 'trusted', rejected };
    if (steps.length >= MAX_PATH_LENGTH) return { steps, end: 'incomplete', rejected };
    // Trusted first: an anchor in the store that issued this certificate ends the path.
    // (A same-named anchor with another key is no issuer: that is a missing issuer, not a bad signature.)
    const fromStore = yield* firstIssuer(cur, rank(cur, anchorNodes(store, store.byName(cur.issuerName)), time), []);
    if (fromStore) {
      last.signature = fromStore.signature;
      const sentIndex = sent.findIndex((c, i) => c !== null && !used.has(i) && c.info.sha256 === fromStore.node.cert.info.sha256);
      steps.push({ node: { ...fromStore.node, index: sentIndex >= 0 ? sentIndex : null }, signature: null });
      if (sentIndex >= 0) used.add(sentIndex);
      return { steps, end: 'trusted', rejected };
    }
    if (cur.info.selfIssued && cur.info.selfSigned !== false) {
      last.signature = { valid: cur.info.selfSigned, by: cur.info.selfSigned === null ? null : 'node' };
      return { steps, end: 'untrusted_root', rejected };
    }
    const candidates: Node[] = [];
    sent.forEach((c, i) => {
      if (c && !used.has(i) && c.subjectKey === cur.issuerKey) candidates.push({ cert: c, index: i, anchor: anchorFor(store, c) });
    });
    const fromSent = yield* firstIssuer(cur, rank(cur, candidates, time), rejected);
    if (!fromSent) return { steps, end: rejected.length ? 'bad_signature' : 'incomplete', rejected };
    last.signature = fromSent.signature;
    used.add(fromSent.node.index!);
    steps.push({ node: fromSent.node, signature: null });
  }
}

// ---- judgement -------------------------------------------------------------------------

const label = (c: CertInfo, index: number | null): string => {
  const name = c.subjectCN !== null ? `CN=${c.subjectCN}` : c.subject || '(empty subject)';
  return index === null ? `"${name}" (trust store)` : `#${index} "${name}"`;
};

const orgValues = (attrs: CertInfo['issuerAttributes']) =>
  attrs.filter((a) => a.oid === OID_COMMON_NAME || a.oid === OID_ORGANIZATION || a.oid === OID_ORGANIZATIONAL_UNIT).map((a) => a.value);

/** Decoded certificates, validity, and date problems for every certificate on the path. */
function dateProblems(steps: PathStep[], time: Date, problems: ChainProblem[]): void {
  const when = time.toISOString();
  for (const s of steps) {
    const c = s.cert;
    const who = s.certIndex === 0 ? `the server certificate ${label(c, 0)}` : s.trustAnchor && s.certIndex === null ? `the trust anchor ${label(c, null)}` : label(c, s.certIndex);
    const at = s.certIndex ?? undefined;
    if (c.notAfterDate.getTime() < time.getTime()) {
      problems.push(problem('tls.cert_expired', `${who} expired: notAfter ${c.notAfter} is ${relativeTo(c.notAfterDate, time)} the capture time ${when}`, at));
    }
    if (c.notBeforeDate.getTime() > time.getTime()) {
      problems.push(problem('tls.cert_not_yet_valid',
        `${who} is not valid yet: notBefore ${c.notBefore} is ${relativeTo(c.notBeforeDate, time)} the capture time ${when} ` +
        '(a clock is wrong: the client\'s is behind, or the certificate was issued with a future start date)', at));
    }
  }
}

/** CA flags, path length, key usage and critical extensions along the path. */
function constraintProblems(steps: PathStep[], problems: ChainProblem[]): void {
  let intermediates = 0; // non-self-issued CA certificates below the current one
  steps.forEach((s, i) => {
    const c = s.cert;
    const at = s.certIndex ?? undefined;
    if (c.unhandledCriticalExtensions.length && !s.trustAnchor) {
      problems.push(problem('cert.unhandled_critical', `${label(c, s.certIndex)} has critical extension(s) clients do not process: ${c.unhandledCriticalExtensions.join(', ')}`, at));
    }
    if (i === 0 || s.trustAnchor) {
      if (i > 0 && c.basicConstraints?.pathLen != null && intermediates > c.basicConstraints.pathLen) {
        problems.push(problem('cert.path_length', `${label(c, s.certIndex)} allows ${c.basicConstraints.pathLen} intermediate(s) below it (pathlen), the path has ${intermediates}`, at));
      }
      return;
    }
    if (!c.isCA) {
      problems.push(problem('cert.not_ca', `${label(c, s.certIndex)} issued ${label(steps[i - 1]!.cert, steps[i - 1]!.certIndex)} but is not a CA (basicConstraints ${c.basicConstraints ? 'CA:FALSE' : 'absent'})`, at));
    } else if (c.basicConstraints?.pathLen != null && intermediates > c.basicConstraints.pathLen) {
      problems.push(problem('cert.path_length', `${label(c, s.certIndex)} allows ${c.basicConstraints.pathLen} intermediate(s) below it (pathlen), the path has ${intermediates}`, at));
    }
    if (c.keyUsage && !c.keyUsage.includes('keyCertSign')) {
      problems.push(problem('cert.ca_key_usage', `${label(c, s.certIndex)} signs certificates but its key usage (${c.keyUsage.join(', ') || 'none'}) lacks keyCertSign`, at));
    }
    if (c.extKeyUsageOids && !c.extKeyUsageOids.includes(EKU_SERVER_AUTH) && !c.extKeyUsageOids.includes(EKU_ANY)) {
      problems.push(problem('cert.no_server_auth', `${label(c, s.certIndex)} restricts its extended key usage to ${c.extKeyUsage!.join(', ')}, without serverAuth (OpenSSL, Go and Chrome refuse server certificates below it)`, at));
    }
    if (!c.selfIssued) intermediates++;
  });
}

const SHA1_MD5: Record<string, 'cert.sha1_signature' | 'cert.md5_signature'> = { sha1: 'cert.sha1_signature', md5: 'cert.md5_signature', md2: 'cert.md5_signature' };
/** CA/Browser Forum ballot SC31: at most 398 days for certificates issued from this date. */
export const MAX_VALIDITY_DAYS = 398;
export const MAX_VALIDITY_FROM = new Date('2020-09-01T00:00:00Z');
export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 224;

/** Weak keys and signatures, and server-certificate fitness (warnings). */
function weaknessProblems(steps: PathStep[], problems: ChainProblem[]): void {
  steps.forEach((s, i) => {
    const c = s.cert;
    const at = s.certIndex ?? undefined;
    const k = c.publicKey;
    const weakBits = (k.type === 'RSA' || k.type === 'RSA-PSS' || k.type === 'DSA') ? MIN_RSA_BITS : k.type === 'EC' ? MIN_EC_BITS : 0;
    if (k.bits !== null && k.bits < weakBits) {
      problems.push(problem('cert.weak_key', `${label(c, s.certIndex)} has a ${k.bits}-bit ${k.type} key (at least ${weakBits} expected; OpenSSL 3 at its default security level refuses it)`, at));
    }
    const weakSig = c.signatureAlgorithm.hash ? SHA1_MD5[c.signatureAlgorithm.hash] : undefined;
    if (weakSig && c.selfSigned !== true) {
      problems.push(problem(weakSig, `${label(c, s.certIndex)} is signed with ${c.signatureAlgorithm.name} (browsers and OpenSSL 3 at security level 1+ reject it)`, at));
    }
    if (i !== 0) return;
    if (c.notBeforeDate >= MAX_VALIDITY_FROM && c.validityDays > MAX_VALIDITY_DAYS) {
      problems.push(problem('cert.long_validity', `${label(c, 0)} is valid for ${Math.round(c.validityDays)} days (more than ${MAX_VALIDITY_DAYS}; Apple platforms and Chrome refuse such publicly-trusted certificates)`, 0));
    }
    if (c.isCA) problems.push(problem('cert.ca_leaf', `${label(c, 0)} is a CA certificate (CA:TRUE) used as a server certificate (Firefox refuses it)`, 0));
    if (c.extKeyUsageOids && !c.extKeyUsageOids.includes(EKU_SERVER_AUTH) && !c.extKeyUsageOids.includes(EKU_ANY)) {
      problems.push(problem('cert.no_server_auth', `${label(c, 0)} has extended key usage ${c.extKeyUsage!.join(', ')} without serverAuth (OpenSSL-based clients say "unsupported certificate purpose")`, 0));
    }
    if (c.keyUsage && !c.keyUsage.includes('digitalSignature') && !(k.type === 'RSA' && c.keyUsage.includes('keyEncipherment'))) {
      problems.push(problem('cert.leaf_key_usage', `${label(c, 0)} has key usage ${c.keyUsage.join(', ') || 'none'}, without digitalSignature${k.type === 'RSA' ? ' or keyEncipherment' : ''}`, 0));
    }
  });
}

function trustProblems(b: Built, steps: PathStep[], report: ChainReport, store: TrustStore, problems: ChainProblem[]): void {
  const last = steps[steps.length - 1]!;
  const storeName = store.source;
  if (b.end === 'untrusted_root') {
    if (steps.length === 1) {
      problems.push(problem('tls.cert_self_signed', `the server certificate ${label(last.cert, 0)} is self-signed and not in the trust store ${storeName}`, 0));
    } else {
      problems.push(problem('tls.cert_untrusted', `the chain ends at the self-signed root ${label(last.cert, last.certIndex)}, which is not in the trust store ${storeName} (a private CA, or an interception proxy)`, last.certIndex ?? undefined));
    }
    return;
  }
  if (b.end === 'bad_signature') {
    const names = b.rejected.map((n) => label(n.cert.info, n.index)).join(', ');
    problems.push(problem('cert.bad_signature', `the signature on ${label(last.cert, last.certIndex)} does not verify with the key of its named issuer ${names}`, last.certIndex ?? undefined));
    return;
  }
  if (b.end !== 'incomplete') return;
  const c = last.cert;
  const sameName = store.byName(b.steps[b.steps.length - 1]!.node.cert.issuerName).length;
  report.missingIssuer = { name: c.issuer, afterIndex: last.certIndex, caIssuersUrls: c.aia.caIssuers, probablyRoot: c.isCA };
  const where = c.aia.caIssuers.length ? ` Its issuer's certificate is published at ${c.aia.caIssuers.join(', ')}.` : '';
  const hint = sameName
    ? ' The store holds a root with that name but a different key (an older or newer generation of that CA).'
    : c.isCA
      ? ' The missing certificate is likely the root of a private CA (not in the store), or an intermediate the server did not send.'
      : '';
  const tooLong = steps.length >= MAX_PATH_LENGTH ? ` (path building stopped after ${MAX_PATH_LENGTH} certificates)` : '';
  problems.push(problem('tls.cert_chain_incomplete',
    `the chain stops at ${label(c, last.certIndex)}: its issuer "${c.issuer}" was not sent and is not in the trust store ${storeName}${tooLong}.${where}${hint}`,
    last.certIndex ?? undefined));
}

/** Sent certificates that are not on the path, duplicates, and order. */
function chainShapeProblems(sent: (ParsedCert | null)[], steps: PathStep[], problems: ChainProblem[], time: Date): SentCertificate['role'][] {
  const roles: SentCertificate['role'][] = sent.map((c) => (c ? 'extra' : 'unparsable'));
  steps.forEach((s, i) => {
    if (s.certIndex === null) return;
    roles[s.certIndex] = i === 0 ? 'leaf' : s.cert.selfIssued ? 'root' : 'intermediate';
    if (i > 0 && s.cert.selfSigned) problems.push(problem('cert.root_sent', `the server sent the root ${label(s.cert, s.certIndex)}; clients ignore it (harmless, a few bytes more)`, s.certIndex));
  });
  if (steps[0]?.trustAnchor) problems.push(problem('cert.anchor_in_chain', `the server certificate ${label(steps[0].cert, 0)} is itself a trust anchor of the store`, 0));
  const onPath = steps.map((s) => s.cert);
  sent.forEach((c, i) => {
    if (!c || roles[i] !== 'extra') return;
    const info = c.info;
    const expired = info.notAfterDate.getTime() < time.getTime() ? ` (it expired ${relativeTo(info.notAfterDate, time)} the capture time)` : '';
    if (onPath.some((p) => p.sha256 === info.sha256)) {
      problems.push(problem('cert.extra', `${label(info, i)} is sent more than once`, i));
      return;
    }
    const twin = steps.find((p) => p.cert.subject === info.subject && p.cert.publicKey.spkiSha256 === info.publicKey.spkiSha256);
    if (twin) {
      problems.push(problem('cert.cross_signed', `${label(info, i)} is another issue (cross-signed by "${info.issuer}") of ${label(twin.cert, twin.certIndex)} on the path, for older clients; unused here${expired}`, i));
    } else {
      problems.push(problem('cert.extra', `${label(info, i)} (issued by "${info.issuer}") is not on the path built from the server certificate; clients ignore it${expired}`, i));
    }
  });
  const first = sent[0];
  const intended = first?.info.isCA ? sent.findIndex((c, i) => i > 0 && c !== null && !c.info.isCA && c.issuerKey === first.subjectKey) : -1;
  if (first && intended > 0) {
    problems.push(problem('cert.misordered', `the chain starts with the CA certificate ${label(first.info, 0)}, and clients take the first certificate as the server's; #${intended} "${sent[intended]!.info.subject}", which it issued, looks like the intended server certificate`, 0));
  }
  const order = steps.map((s) => s.certIndex).filter((i): i is number => i !== null);
  if (order.some((v, k) => k > 0 && v < order[k - 1]!)) {
    problems.push(problem('cert.misordered', `the chain is sent out of order: the path uses the certificates in the order #${order.join(', #')} (TLS 1.2 requires each certificate to be followed by its issuer; most clients cope)`));
  }
  return roles;
}

/** The inspection product a sent chain names, per chain (decoded certificates are cached and shared). */
const PRODUCTS = new WeakMap<ParsedCert, { sent: readonly (ParsedCert | null)[]; product: ReturnType<typeof recognizeProduct> }>();

function productOf(sent: (ParsedCert | null)[]): ReturnType<typeof recognizeProduct> {
  const first = sent[0];
  const seen = first ? PRODUCTS.get(first) : undefined;
  if (seen && seen.sent.length === sent.length && seen.sent.every((c, i) => c === sent[i])) return seen.product;
  const names: { label: string; values: string[] }[] = [];
  sent.forEach((c, i) => {
    if (!c) return;
    names.push({ label: `issuer of #${i}`, values: orgValues(c.info.issuerAttributes) });
    if (c.info.isCA) names.push({ label: `subject of #${i}`, values: orgValues(c.info.subjectAttributes) });
  });
  const product = recognizeProduct(names);
  if (first) PRODUCTS.set(first, { sent: [...sent], product });
  return product;
}

function interceptionGuess(sent: (ParsedCert | null)[], report: ChainReport, input: JudgeInput, problems: ChainProblem[]): void {
  const product = productOf(sent);
  const confirm = confirmCommand(input.serverName, input.port);
  if (report.pathEnd === 'trusted') {
    if (product) problems.push(problem('cert.inspection_trusted', `the chain is issued by ${product.product} (${product.matched}), a TLS-inspection product, and the trust store accepts it`));
    return;
  }
  const leaf = sent[0];
  const reissued = !product && leaf ? looksReissued(leaf.info, input.serverName, input.time) : null;
  if (!product && !reissued) return;
  report.interception = product
    ? { product: product.product, confidence: 'likely', evidence: `${product.matched} names ${product.product}, a TLS-inspecting product`, confirm }
    : { product: null, confidence: 'possible', evidence: reissued!, confirm };
  const what = product ? `a ${product.product} device or agent is likely re-signing TLS: ${product.matched}` : `an interception device may be re-signing TLS: ${reissued}`;
  problems.push(problem('cert.interception_likely', `${what}. To confirm, ${confirm}`));
}

function stepsOf(b: Built): PathStep[] {
  return b.steps.map(({ node, signature }) => ({
    certIndex: node.index, trustAnchor: node.anchor !== null, subject: node.cert.info.subject, issuer: node.cert.info.issuer,
    sha256: node.cert.info.sha256, cert: node.cert.info, signature,
  }));
}

function checksPerformed(report: ChainReport, store: TrustStore, input: JudgeInput): string[] {
  const n = report.certificates.length;
  const checks = [`decoded ${n} certificate${n === 1 ? '' : 's'} in sent order (${report.certificates.filter((c) => c.cert).length} readable)`];
  if (report.path.length) {
    const checked = report.path.filter((s) => s.signature !== null);
    const sigs = checked.filter((s) => s.signature?.valid === true).length;
    const by = [...new Set(checked.map((s) => s.signature?.by).filter(Boolean))].join(' and ');
    checks.push(`built the path ${report.path.map((s) => label(s.cert, s.certIndex)).join(' → ')} using names and key identifiers, trust store first`);
    checks.push(checked.length
      ? `verified ${sigs} of ${checked.length} signature${checked.length === 1 ? '' : 's'} along the path (${by || 'not checkable'})`
      : 'signatures: none to verify, no issuer certificate is available');
    checks.push(`validity dates of the ${report.path.length} certificate(s) on the path at the capture time ${input.time.toISOString()}`);
    checks.push('CA flags, path length, key usage, extended key usage and critical extensions');
    checks.push(`key sizes (RSA ≥ ${MIN_RSA_BITS}, EC ≥ ${MIN_EC_BITS}) and signature digests (no MD5/SHA-1); server certificate validity ≤ ${MAX_VALIDITY_DAYS} days`);
  }
  if (report.hostname) {
    checks.push(report.hostname.kind === 'none'
      ? 'host name: not checked, the client sent no SNI'
      : `host name "${report.hostname.serverName}" against ${report.hostname.covered.length} name(s) in the certificate (RFC 6125 rules)`);
  }
  checks.push(`trust anchors: ${store.describe()}`);
  if (report.ocsp) checks.push(`stapled OCSP response: ${report.ocsp.matched?.status ?? report.ocsp.error ?? 'not about this certificate'}`);
  return checks;
}

/**
 * Judge a server's chain at the capture's time. Never throws on certificate or OCSP bytes;
 * rejects only a caller error (a `time` that is not a valid Date).
 */
export async function judgeChain(input: JudgeInput): Promise<ChainReport> {
  return judgeChainNow(input);
}

/**
 * The same judgement, returned at once when every signature it needs was checked before
 * (the same chain, another connection), else as a promise. Throws a caller error.
 */
export function judgeChainNow(input: JudgeInput): ChainReport | Promise<ChainReport> {
  if (!(input.time instanceof Date) || !Number.isFinite(input.time.getTime())) throw new TypeError('judgeChain: time must be a valid Date');
  return run(judging(input));
}

function* judging(input: JudgeInput): Judging<ChainReport> {
  const problems: ChainProblem[] = [];
  const given = input.chain.slice(0, MAX_CHAIN_CERTS);
  if (input.chain.length > MAX_CHAIN_CERTS) {
    problems.push(problem('cert.chain_truncated', `the server sent ${input.chain.length} certificates; only the first ${MAX_CHAIN_CERTS} were judged`));
  }
  const decoded = given.map((der) => decodeCertificate(der));
  const sent = decoded.map((d) => (d.ok ? d.cert : null));
  const report: ChainReport = {
    time: input.time.toISOString(), serverName: input.serverName,
    certificates: decoded.map((d, index) => ({
      index, sha256: d.ok ? d.cert.info.sha256 : d.sha256, length: given[index]!.length,
      cert: d.ok ? d.cert.info : null, error: d.ok ? null : d.error, role: d.ok ? 'extra' : 'unparsable',
    })),
    path: [], pathEnd: 'no_leaf', anchor: null, missingIssuer: null, hostname: null, ocsp: null, interception: null,
    trustStore: { source: input.trust.source, kind: input.trust.kind, anchors: input.trust.size },
    problems, primary: null, ok: false, checks: [], notChecked: [...NOT_CHECKED],
  };
  decoded.forEach((d, i) => {
    if (!d.ok) problems.push(problem('cert.unparsable', `certificate #${i} (${given[i]!.length} bytes) does not decode: ${d.error}`, i));
    else if (d.cert.info.anomalies.length) problems.push(problem('cert.malformed', `${label(d.cert.info, i)}: ${d.cert.info.anomalies.join('; ')}`, i));
  });
  if (given.length === 0) problems.push(problem('cert.empty_chain', 'the server sent an empty certificate list'));

  const built = yield* buildPath(sent, input.trust, input.time);
  const steps = stepsOf(built);
  report.path = steps;
  report.pathEnd = built.end;
  const last = steps[steps.length - 1];
  if (built.end === 'trusted' && last) report.anchor = { subject: last.subject, sha256: last.sha256, sent: last.certIndex !== null };
  steps.forEach((s) => {
    if (s.signature?.valid === null) {
      problems.push(problem('cert.signature_unchecked', `the signature on ${label(s.cert, s.certIndex)} (${s.cert.signatureAlgorithm.name}) could not be checked: ${s.signature.reason ?? 'unsupported'}`, s.certIndex ?? undefined));
    }
  });

  const leaf = sent[0];
  if (leaf && steps.length) {
    trustProblems(built, steps, report, input.trust, problems);
    constraintProblems(steps, problems);
    dateProblems(steps, input.time, problems);
    const roles = chainShapeProblems(sent, steps, problems, input.time);
    roles.forEach((r, i) => (report.certificates[i]!.role = r));
    weaknessProblems(steps, problems);
    report.hostname = checkHostname(input.serverName, leaf.info);
    const h = report.hostname;
    if (h.kind === 'none') {
      problems.push(problem('cert.no_sni', `the client sent no SNI, so the host name it wanted is unknown; the certificate covers: ${h.covered.join(', ') || '(no names)'}`, 0));
    } else if (!h.matched) {
      problems.push(problem('tls.cert_hostname_mismatch', `the client asked for "${h.serverName}" but the certificate covers only: ${h.covered.join(', ') || '(no names)'}${h.notes.length ? ` (${h.notes.join('; ')})` : ''}`, 0));
    } else if (h.matchedBy?.source === 'cn') {
      problems.push(problem('cert.cn_only', `"${h.serverName}" is only in the subject CN; the certificate has no DNS SAN, and Chrome, Safari and Go require one`, 0));
    }
    if (input.ocsp && input.ocsp.length) {
      const issuer = built.steps[1]?.node.cert ?? null;
      report.ocsp = (yield checkOcsp(input.ocsp, leaf, issuer, input.time, problems)) as OcspCheck;
    }
    interceptionGuess(sent, report, input, problems);
  }

  const order = { error: 0, warning: 1, info: 2 } as const;
  problems.sort((a, b) => order[a.severity] - order[b.severity]);
  report.primary = primaryProblem(problems);
  report.ok = !problems.some((p) => p.severity === 'error');
  report.checks = checksPerformed(report, input.trust, input);
  return report;
}
