// Certificate verdicts, and the facts about how a TLS handshake ended that they (and the
// other TLS rules, rules-tls.ts) rest on.
//
// A client that refuses the server's certificate either says so with an alert
// (bad_certificate, unknown_ca, certificate_expired, ...: `certain`), sends an encrypted
// alert right after the server's TLS 1.3 flight (the tracker's inference: `likely`), or
// closes without a word right after the server's certificate (`likely`, and only when the
// chain judged here has an error). The verdict then names the chain's problem that fits the
// client's alert (certificate_expired: a date; unknown_ca: the trust path; the generic
// alerts: the primary problem); when the chain passes every check made here, or cannot be
// seen (TLS 1.3), it is tls.cert_rejected, with what was and was not checked.

import type { Side } from '../engine/types.js';
import { alertCategory, alertLabel, alertLevelName, CERTIFICATE_REJECTION_ALERTS } from '../registry/tls-alerts.js';
import { type AlertSeen, STAGE_RANK, type TlsStage, type TlsState } from '../tls/state.js';
import { type ChainProblem, type ChainReport, type CertVerdict, PRIMARY_PRECEDENCE } from '../x509/index.js';
import {
  type FixTarget, fixesCertExpired, fixesCertRejected, fixesChainIncomplete, fixesHostname, fixesNoServerAuth, fixesNotYetValid, fixesWeakKey, fixesWeakSignature,
  fixesSelfSigned, fixesUntrusted,
} from './fixes-tls.js';
import type { DiagnosisInput } from './input.js';
import { formatDuration } from '../x509/duration.js';
import { firstClose, pathLoss, peerReceived, rel, who } from './tcp-facts.js';
import type { CloseKind, Confidence, Hit, Rule } from './types.js';
import { hostPort } from '../wire/text.js';

// ---- how the handshake ended -----------------------------------------------------------------

/** close_notify and user_canceled: a side hanging up politely, not a failure report. */
export const CLOSURE_ALERTS: ReadonlySet<number> = new Set([0, 90]);
const ALERT_LEVEL_WARNING = 1;

/** How a handshake that did not complete ended, as the wire shows it. */
export interface TlsEnd {
  /** alert: a fatal, encrypted or inferred alert; closure: close_notify / user_canceled; close: a FIN or RST. */
  kind: 'alert' | 'closure' | 'close';
  side: Side;
  frame: number;
  time: number;
  alert: AlertSeen | null;
  close: 'fin' | 'rst' | null;
}

/** The TLS facts of a handshake that started and neither completed nor began before the capture. */
export function failedTls(input: DiagnosisInput): TlsState | null {
  const t = input.tls;
  if (!t || t.completed || t.midstream) return null;
  if (t.clientHello || t.notTls.client || t.notTls.server) return t;
  // No ClientHello: only a connection seen from its SYN whose server still spoke TLS (a
  // capture that began mid-connection shows records that are no handshake).
  return !input.conn.midstream && t.records.server.length > 0 ? t : null;
}

/** A warning alert that the handshake went on after is no ending (e.g. a warning unrecognized_name). */
function followedByRecords(tls: TlsState, a: AlertSeen): boolean {
  return [...tls.records.client, ...tls.records.server].some((r) => r.frame > a.frame && r.contentType !== 21);
}

/** The alert that ended the handshake, if any: the first one that is not a passing warning. */
export function endingAlert(tls: TlsState): AlertSeen | null {
  const alerts = [...tls.alerts].sort((a, b) => a.frame - b.frame);
  for (const a of alerts) {
    const passing = a.level === ALERT_LEVEL_WARNING && a.description !== null && !CLOSURE_ALERTS.has(a.description) && followedByRecords(tls, a);
    if (!passing) return a;
  }
  return null;
}

/** The first ending event: an alert (ties with a close in the same frame go to the alert), else a FIN/RST. */
export function tlsEnd(input: DiagnosisInput): TlsEnd | null {
  const tls = input.tls;
  const a = tls ? endingAlert(tls) : null;
  const c = firstClose(input.conn);
  if (a && (!c || a.frame <= c.frame)) {
    const closure = a.description !== null && CLOSURE_ALERTS.has(a.description);
    return { kind: closure ? 'closure' : 'alert', side: a.from, frame: a.frame, time: a.time, alert: a, close: null };
  }
  if (c) return { kind: 'close', side: c.side, frame: c.frame, time: c.time, alert: null, close: c.kind };
  return null;
}

/** A failed handshake and how it ended (null: no TLS failure, or nothing ended it yet). */
export function failure(input: DiagnosisInput): { tls: TlsState; end: TlsEnd } | null {
  const tls = failedTls(input);
  const end = tls ? tlsEnd(input) : null;
  return tls && end ? { tls, end } : null;
}

/** closeKind of the record for an ending event. */
export const closeKindOf = (e: TlsEnd): CloseKind => (e.kind === 'close' ? e.close! : 'alert');

/**
 * The handshake stage reached by a frame. The tracker keeps the highest stage seen; when the
 * peer's messages arrived after the cut (a server answering a client that had already
 * closed), the stage at the cut is rebuilt from the frames of each step.
 */
export function stageAt(tls: TlsState, frame: number): TlsStage | null {
  if (tls.stageFrame === null || tls.stageFrame <= frame) return tls.stage;
  const steps: [TlsStage, number | null | undefined][] = [
    ['client_hello', tls.clientHello?.frame],
    ['server_hello', tls.helloRetryRequest?.frame ?? tls.serverHello?.frame],
    ['server_hello', tls.serverHello?.frame],
    ['server_certificate', tls.certificates?.frame],
    ['server_key_exchange', tls.serverKeyExchange?.frame],
    ['server_hello_done', tls.serverHelloDone?.frame],
    ['client_key_exchange', tls.clientKeyExchange?.frame],
    ['change_cipher_spec', tls.tls13 ? null : Math.min(...tls.ccs.client, ...tls.ccs.server)],
    ['encrypted_handshake', tls.encryptedRecords.server.find((r) => r.meaning === 'server_flight')?.frame],
    ['finished', Math.min(tls.finished.client?.frame ?? Infinity, tls.finished.server?.frame ?? Infinity)],
  ];
  let best: TlsStage | null = null;
  for (const [stage, at] of steps) {
    if (at === null || at === undefined || !Number.isFinite(at) || at > frame) continue;
    if (best === null || STAGE_RANK[stage] > STAGE_RANK[best]) best = stage;
  }
  return best;
}

/** The close fields of a Hit for an ending event (and the stage at the cut, when steps came after it). */
export function endFields(e: TlsEnd, tls: TlsState | null): Pick<Hit, 'cutFrame' | 'closedBy' | 'closeKind' | 'stage'> {
  const out: Pick<Hit, 'cutFrame' | 'closedBy' | 'closeKind' | 'stage'> = { cutFrame: e.frame, closedBy: e.side, closeKind: closeKindOf(e) };
  const stage = tls ? stageAt(tls, e.frame) : null;
  if (tls && stage !== tls.stage) out.stage = stage ?? 'tcp_connect';
  return out;
}

// ---- evidence wording --------------------------------------------------------------------------

/** "frame 7 (+0.512 s)". */
export const at = (input: DiagnosisInput, frame: number, time: number): string => `frame ${frame} (${rel(input.conn, time)})`;

/** An alert as an evidence line. */
export function alertLine(input: DiagnosisInput, a: AlertSeen): string {
  const where = at(input, a.frame, a.time);
  if (a.inferred) {
    return `${where}: the ${who(a.from)} sent a ${a.length}-byte encrypted record, the size of an encrypted alert, where ${a.from === 'client' ? 'its Finished was expected after the server\'s flight' : 'application data was expected after the client finished'} (${a.confidence}; its description is encrypted)`;
  }
  if (a.description === null) return `${where}: encrypted alert from the ${who(a.from)} (${a.length} bytes; its level and description are encrypted)`;
  return `${where}: ${who(a.from)} alert ${alertLabel(a.description)}, ${a.level === null ? 'level unknown' : alertLevelName(a.level)}`;
}

/** An ending event as an evidence line. */
export function endLine(input: DiagnosisInput, e: TlsEnd): string {
  if (e.alert) return alertLine(input, e.alert);
  return `${at(input, e.frame, e.time)}: the ${who(e.side)} closed the connection (${e.close === 'rst' ? 'RST' : 'FIN'}) without a TLS alert`;
}

/** The server as the client reached it, for fix commands. */
export function fixTarget(input: DiagnosisInput): FixTarget {
  const { ip, port } = input.conn.server.endpoint;
  const sni = input.tls?.clientHello?.hello.ext.serverName ?? null;
  const u = input.tunnel;
  if (u && u.result === 'established') {
    const via = hostPort({ ip, port });
    if (u.kind === 'http-connect' && u.targetHost && u.targetPort !== null) return { ip: u.targetHost, port: u.targetPort, sni, proxy: via };
    if ((u.kind === 'socks4' || u.kind === 'socks4a' || u.kind === 'socks5') && u.targetHost && u.targetPort !== null) return { ip: u.targetHost, port: u.targetPort, sni, socks: via };
    const starttls = STARTTLS_NAMES[u.kind];
    if (starttls) return { ip, port, sni, starttls };
  }
  return input.quic ? { ip, port, sni, quic: true } : { ip, port, sni };
}

/** openssl s_client -starttls names of the upgrade preambles. */
const STARTTLS_NAMES: Readonly<Record<string, string>> = {
  'starttls-smtp': 'smtp', 'starttls-imap': 'imap', 'starttls-pop3': 'pop3', 'ftp-auth-tls': 'ftp',
  'starttls-ldap': 'ldap', 'postgres-ssl': 'postgres', 'mysql-ssl': 'mysql',
};

// ---- one classifier, several rules -------------------------------------------------------------

/** A classifier result: which of several related codes applies, and its hit. */
export interface Classified {
  code: string;
  hit: Hit;
}

/**
 * Rules that share one classifier (e.g. the six certificate verdicts): each rule applies when
 * the classifier picks its code. The classifier runs once per input.
 */
export function classifierRules<C extends string>(
  classify: (input: DiagnosisInput) => Classified | null,
  codes: readonly { code: C; description: string }[],
): Rule<DiagnosisInput>[] {
  const memo = new WeakMap<DiagnosisInput, Classified | null>();
  const run = (input: DiagnosisInput): Classified | null => {
    if (!memo.has(input)) memo.set(input, classify(input));
    return memo.get(input)!;
  };
  return codes.map(({ code, description }) => ({
    code,
    description,
    outcome: 'failed' as const,
    test: (input: DiagnosisInput) => {
      const c = run(input);
      return c && c.code === code ? c.hit : null;
    },
  }));
}

// ---- the client refusing the server's certificate ----------------------------------------------

export interface CertRefusal {
  end: TlsEnd;
  /** The client's alert (clear, certificate family, or the inferred TLS 1.3 one); null for a silent close. */
  alert: AlertSeen | null;
  confidence: Confidence;
}

/** TLS 1.3: the tracker's inference that the client's record after the server's flight was an alert. */
export const INFERENCE_CLIENT_ALERT = 'tls13.client_alert_after_server_flight';

/** Did the client refuse the certificate the server sent (or sent encrypted)? */
export function certRefusal(input: DiagnosisInput): CertRefusal | null {
  const f = failure(input);
  if (!f || f.end.side !== 'client') return null;
  const { tls, end } = f;
  const a = end.alert;
  if (end.kind === 'alert' && a) {
    if (a.description !== null && CERTIFICATE_REJECTION_ALERTS.has(a.description)) return { end, alert: a, confidence: 'certain' };
    if (a.inferred && tls.inferences.some((i) => i.code === INFERENCE_CLIENT_ALERT && i.frames.includes(a.frame))) return { end, alert: a, confidence: a.confidence };
    return null;
  }
  // A silent close right after the server's certificate, before the client's key exchange,
  // counts only when the chain judged here has an error a client would refuse.
  // The client can only have judged a certificate that reached it (its ACK covers it).
  const certs = tls.certificates;
  if (end.kind === 'close' && certs && end.frame >= certs.frame && !tls.clientKeyExchange && input.chain && !input.chain.ok && peerReceived(input.conn, 'server', certs.frame) !== false && !pathLoss(input.conn)) {
    return { end, alert: null, confidence: 'likely' };
  }
  return null;
}

/** Chain problems a client's alert can stand for (null: any). */
function fitting(description: number | null): ReadonlySet<CertVerdict> | null {
  switch (description) {
    case 45: // certificate_expired
      return new Set(['tls.cert_expired', 'tls.cert_not_yet_valid']);
    case 48: // unknown_ca
      return new Set(['tls.cert_self_signed', 'tls.cert_untrusted', 'tls.cert_chain_incomplete']);
    case 44: // certificate_revoked
    case 113: // bad_certificate_status_response
      return new Set<CertVerdict>(['tls.cert_rejected']);
    default:
      return null;
  }
}

/** Errors in the order a client meets them (PRIMARY_PRECEDENCE), then any other. */
function errorsInOrder(chain: ChainReport): ChainProblem[] {
  const errors = chain.problems.filter((p) => p.severity === 'error');
  const ranked = PRIMARY_PRECEDENCE.flatMap((code) => errors.filter((p) => p.code === code));
  return [...ranked, ...errors.filter((p) => !ranked.includes(p))];
}

/** Faults that hold only for the trust store hsi judged with, which need not be the client's. */
const STORE_RELATIVE: ReadonlySet<string> = new Set(['tls.cert_chain_incomplete', 'tls.cert_untrusted']);

/**
 * What the capture proves by itself, first: the dates against the packets' time, the name
 * against the SNI, a self-signed leaf, a weak signature or key, a missing serverAuth; then
 * the other errors; the store-relative faults last. For a generic alert (bad_certificate,
 * certificate_unknown, an encrypted alert, a silent close) this is the order of likelihood:
 * the client's trust store is not the one of the machine running hsi.
 */
const PROVABLE_FIRST: readonly string[] = [
  'tls.cert_expired', 'tls.cert_not_yet_valid', 'tls.cert_hostname_mismatch', 'tls.cert_self_signed',
  'cert.md5_signature', 'cert.sha1_signature', 'cert.weak_key', 'cert.no_server_auth',
];

function provableFirst(chain: ChainReport): ChainProblem[] {
  const ranked = PROVABLE_FIRST.flatMap((code) => chain.problems.filter((p) => p.code === code));
  const rest = errorsInOrder(chain).filter((p) => !ranked.includes(p));
  return [...ranked, ...rest.filter((p) => !STORE_RELATIVE.has(p.code)), ...rest.filter((p) => STORE_RELATIVE.has(p.code))];
}

const certLabel = (chain: ChainReport, i: number): string => {
  const c = chain.certificates[i]?.cert;
  return c ? (c.subjectCN !== null ? `CN=${c.subjectCN}` : c.subject || '(empty subject)') : `certificate #${i} (not decodable)`;
};

/** What a client's certificate alert says, for when the certificate itself cannot be judged. */
const CERT_ALERT_MEANING: Readonly<Record<number, string>> = Object.freeze({
  42: 'the certificate failed one of its checks',
  43: 'the certificate is of a type it does not support',
  44: 'the certificate was revoked',
  45: 'the certificate has expired or is not valid yet',
  46: 'something about the certificate made it unacceptable',
  48: 'it does not trust the certificate\'s issuer (no path to a root it trusts)',
  113: 'it refused the stapled OCSP response',
});

/** A chain problem in words, for summaries ("it has expired (notAfter ...)"). */
export function problemWords(p: ChainProblem, chain: ChainReport, sni: string | null): string {
  const cert = p.certIndex !== undefined ? chain.certificates[p.certIndex]?.cert ?? null : null;
  const whose = p.certIndex === 0 ? 'it' : p.certIndex !== undefined ? `its chain's "${certLabel(chain, p.certIndex)}"` : 'a certificate of its chain';
  switch (p.code) {
    case 'tls.cert_expired':
      return `${whose} has expired${cert ? ` (notAfter ${cert.notAfter})` : ''}`;
    case 'tls.cert_not_yet_valid': {
      const ahead = cert ? cert.notBeforeDate.getTime() - Date.parse(chain.time) : NaN;
      const soon = ahead > 0 && ahead <= 30 * 86_400_000;
      return `${whose} is not valid yet${cert ? ` (notBefore ${cert.notBefore}${soon ? `, ${formatDuration(ahead)} after the capture` : ''})` : ''}: ${soon ? "only that far in the future, it points to a clock: the client's is behind, or the server's (or its CA's) was ahead when the certificate was made" : 'a clock is wrong, or it was issued for a future date'}`;
    }
    case 'tls.cert_hostname_mismatch':
      return `it does not name "${sni ?? ''}", the name the client asked for (it covers ${chain.hostname?.covered.join(', ') || 'no names'})`;
    case 'tls.cert_self_signed':
      return 'it is self-signed and not trusted';
    case 'tls.cert_chain_incomplete': {
      const m = chain.missingIssuer;
      // The chain's last certificate is a CA: what is missing may as well be a private root.
      return m?.probablyRoot
        ? `its chain stops at a CA certificate whose issuer "${m.name}" was neither sent nor in the trust store: an intermediate the server did not send, or the root of a private CA the client does not hold`
        : `the server did not send the intermediate certificate "${m?.name ?? 'issuer'}" the chain needs`;
    }
    case 'tls.cert_untrusted': {
      const root = chain.path[chain.path.length - 1];
      return `its chain ends at a root the trust store does not hold${root ? ` ("${root.subject}")` : ''}${chain.interception ? `; an interception device${chain.interception.product ? ` (${chain.interception.product})` : ''} is ${chain.interception.confidence} re-signing it` : ''}`;
    }
    default:
      return p.message;
  }
}

function chainLines(input: DiagnosisInput, tls: TlsState, chain: ChainReport): string[] {
  const certs = tls.certificates!;
  const list = chain.certificates.map((c, i) => `#${i} ${certLabel(chain, i)}`).join(', ');
  return [`${at(input, certs.frame, certs.time)}: the server sent its certificate chain (${chain.certificates.length} certificate${chain.certificates.length === 1 ? '' : 's'}): ${list}`];
}

const storeLine = (chain: ChainReport): string =>
  `judged with the trust store ${chain.trustStore.source} (${chain.trustStore.kind}, ${chain.trustStore.anchors} anchor${chain.trustStore.anchors === 1 ? '' : 's'}) at the capture time ${chain.time}`;

export function certificateFixes(input: DiagnosisInput, p: ChainProblem | null, chain: ChainReport | null): string[] {
  const t = fixTarget(input);
  if (!p || !chain) return fixesCertRejected(t, chain !== null);
  // faults some clients refuse, with no verdict code of their own
  switch (p.code) {
    case 'cert.weak_key':
      return fixesWeakKey();
    case 'cert.md5_signature':
    case 'cert.sha1_signature':
      return fixesWeakSignature();
    case 'cert.no_server_auth':
      return fixesNoServerAuth();
  }
  switch (p.verdict) {
    case 'tls.cert_expired':
      return fixesCertExpired(t, p.certIndex === 0);
    case 'tls.cert_not_yet_valid':
      return fixesNotYetValid(t);
    case 'tls.cert_hostname_mismatch':
      return fixesHostname(t, chain.hostname?.covered ?? []);
    case 'tls.cert_self_signed':
      return fixesSelfSigned(t);
    case 'tls.cert_chain_incomplete':
      return fixesChainIncomplete(t, chain.missingIssuer?.name ?? null, chain.missingIssuer?.caIssuersUrls ?? [], chain.missingIssuer?.probablyRoot ?? false);
    case 'tls.cert_untrusted': {
      const root = chain.path[chain.path.length - 1]?.subject ?? null;
      return fixesUntrusted(t, root, chain.interception);
    }
    default:
      return fixesCertRejected(t, true);
  }
}

/** The certificate verdict for a refusal: the fitting chain problem, or tls.cert_rejected. */
export function classifyCertificate(input: DiagnosisInput): Classified | null {
  const r = certRefusal(input);
  if (!r) return null;
  const tls = input.tls!;
  const chain = input.chain;
  const sni = tls.clientHello?.hello.ext.serverName ?? null;
  const fit = fitting(r.alert?.description ?? null);
  // A specific alert names its reason; a generic one is weighed by what the capture proves.
  const errors = chain ? (fit === null ? provableFirst(chain) : errorsInOrder(chain)) : [];
  const matched = errors.find((p) => fit === null || (p.verdict !== undefined && fit.has(p.verdict))) ?? null;
  // The client's alert names another reason than the errors found here: keep the first error, but only as likely.
  const chosen = matched ?? errors[0] ?? null;
  // A fault of this machine's trust store is not necessarily the client's.
  const storeRelative = chosen !== null && STORE_RELATIVE.has(chosen.code) && chain !== null && chain.trustStore.kind !== 'file';
  // Behind a generic alert, another fault the capture proves (not one of this machine's
  // store) is as good a reason as the one ranked first: the alert does not say which the
  // client objected to (a self-signed leaf with a weak key: OpenSSL 3 sends bad_certificate
  // for the key even when it trusts the certificate, unknown_ca for one it does not trust).
  const rivals = fit === null && chosen ? errors.filter((p) => p.code !== chosen.code && !STORE_RELATIVE.has(p.code)) : [];
  const confidence: Confidence = (chosen && !matched) || storeRelative || rivals.length > 0 ? (r.confidence === 'certain' ? 'likely' : r.confidence) : r.confidence;
  const how = r.alert
    ? r.alert.description !== null
      ? `with the alert ${alertLabel(r.alert.description)}`
      : 'with an encrypted alert right after the server\'s TLS 1.3 flight'
    : 'by closing the connection right after the server\'s certificate, without an alert';
  const evidence: string[] = [];
  if (chain && tls.certificates) evidence.push(...chainLines(input, tls, chain));
  if (chosen) evidence.push(`${tls.certificates ? `frame ${tls.certificates.frame}: ` : ''}${chosen.message}`);
  evidence.push(endLine(input, r.end));
  if (chosen && !matched && r.alert?.description != null) {
    evidence.push(`the client's alert ${alertLabel(r.alert.description)} points to another reason than the problem found here: the client may judge with a different trust store or clock`);
  }
  for (const p of errors.filter((e) => e !== chosen).slice(0, 3)) evidence.push(`also: ${p.message}`);
  if (rivals.length > 0) evidence.push(`the client's refusal does not say which of these it objected to: each is a reason to refuse (OpenSSL 3 clients, for one, send bad_certificate for a key or signature under their security level even when they trust the certificate)`);
  if (chain?.interception) evidence.push(`interception: ${chain.interception.evidence}; to confirm, ${chain.interception.confirm}`);
  if (chain) {
    evidence.push(storeLine(chain));
    if (storeRelative) evidence.push(`that trust store is this machine's (${chain.trustStore.source}), not necessarily the client's: give the client's CA bundle with --ca-file to judge with it`);
    if (!chosen) {
      evidence.push(...chain.checks.map((c) => `checked: ${c}`));
      evidence.push(...chain.notChecked.map((c) => `not checked: ${c}`));
    }
  } else if (tls.tls13) {
    evidence.push(`TLS 1.3: the server's certificate travelled encrypted, so it could not be judged here`);
  } else if (!tls.certificates) {
    evidence.push('no server certificate was visible in the capture, so it could not be judged here');
  }
  const code = chosen?.verdict ?? 'tls.cert_rejected';
  const summary = chosen
    ? `The client refused the server's certificate ${how}: ${problemWords(chosen, chain!, sni)}.`
    : chain
      ? `The client refused the server's certificate ${how}, although the chain passes every check made here with ${chain.trustStore.source}: the client judges with another trust store or checks more.`
      : r.alert?.description != null && CERT_ALERT_MEANING[r.alert.description]
        ? `The client refused the server's certificate ${how}: ${CERT_ALERT_MEANING[r.alert.description]}; the certificate itself could not be seen here${tls.tls13 ? ' (it is encrypted in TLS 1.3)' : ''}.`
        : `The client refused the server ${how}: most likely its certificate, which could not be seen${tls.tls13 ? ' (it is encrypted in TLS 1.3)' : ''}.`;
  const fixes = certificateFixes(input, chosen, chain);
  for (const p of rivals.slice(0, 2)) for (const f of certificateFixes(input, p, chain)) if (!fixes.includes(f)) fixes.push(f);
  return { code, hit: { confidence, summary, evidence, fixes, ...endFields(r.end, tls) } };
}

export const CERT_RULES: Rule<DiagnosisInput>[] = classifierRules(classifyCertificate, [
  { code: 'tls.cert_expired', description: 'the client refused the server certificate, which was past notAfter at the capture time' },
  { code: 'tls.cert_not_yet_valid', description: 'the client refused the server certificate, whose notBefore is after the capture time (a wrong clock)' },
  { code: 'tls.cert_hostname_mismatch', description: 'the client refused the server certificate, which does not name the SNI' },
  { code: 'tls.cert_self_signed', description: 'the client refused a self-signed server certificate' },
  { code: 'tls.cert_chain_incomplete', description: 'the client refused a chain that misses an intermediate certificate' },
  { code: 'tls.cert_untrusted', description: 'the client refused a chain ending at a root the trust store does not hold (private CA, interception proxy)' },
  { code: 'tls.cert_rejected', description: 'the client refused the certificate and no more specific cause is visible' },
]);

/** Certificate problems of a chain a completed handshake carried anyway (the client did not verify). */
export function acceptedProblems(chain: ChainReport | null): ChainProblem[] {
  return chain ? errorsInOrder(chain) : [];
}

/** Is this alert one a server sends about the client's certificate? */
export const isClientCertificateAlert = (a: AlertSeen): boolean =>
  a.description !== null && (CERTIFICATE_REJECTION_ALERTS.has(a.description) || alertCategory(a.description) === 'client-certificate');
