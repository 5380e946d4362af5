// TLS rules: every tls.* verdict of the contract, in precedence order.
//
// What ended a handshake decides most verdicts (rules-cert.ts, tlsEnd): the first fatal,
// encrypted or inferred alert, or the first FIN/RST, whichever came first. A client alert
// sent after the server's FIN does not turn a server close into anything else.
//
//  TLS_RULES_WIRE (read off the wire):
//    tls.ok; tls.not_tls; tls.client_cert_required; the certificate verdicts (rules-cert.ts);
//    the negotiation verdicts (version, cipher, group, SNI, ALPN: from the alert, the
//    client's offer and what the server accepted from other clients); tls.protocol_error;
//    tls.alert (any other alert); tls.server_closed; tls.client_closed.
//  TLS_RULES_PATH: tls.mtu_blackhole (full-size segments lost, small ones pass).
//  TLS_RULES_INFERRED: tls.no_response (the ClientHello was acknowledged, nothing came back).
//
// Close-based verdicts stand back when segments were retransmitted and never acknowledged:
// that is a path problem (tls.mtu_blackhole, tcp.stalled), whoever then gave up.

import type { Connection } from '../engine/connection.js';
import type { Side } from '../engine/types.js';
import { alertCategory, alertLabel } from '../registry/tls-alerts.js';
import { cipherSuiteInfo, cipherSuiteName, isSignalSuite } from '../registry/tls-ciphers.js';
import { groupName } from '../registry/tls-groups.js';
import { isGrease } from '../registry/tls-names.js';
import { isTls13Family, SSL3, TLS12, versionName, versionRank } from '../registry/tls-versions.js';
import type { ClientHello } from '../tls/hello.js';
import type { AlertSeen, TlsStage, TlsState } from '../tls/state.js';
import { escapeForTerminal } from '../wire/text.js';
import {
  ALERT_ADVICE, fixesAlert, fixesAlpn, fixesCipher, fixesClientCert, fixesClientClosed, fixesGroup, fixesMtu,
  fixesNoResponse, fixesNotTls, fixesProtocolError, fixesServerClosed, fixesSni, fixesVersion, olderSide,
} from './fixes-tls.js';
import { handshakeServer, type DiagnosisInput } from './input.js';
import type { TlsSuccess } from './knowledge.js';
import {
  acceptedProblems, alertLine, at, CERT_RULES, certificateFixes, type Classified, classifierRules, endFields, endLine,
  failedTls, failure, fixTarget, isClientCertificateAlert, problemWords, type TlsEnd,
} from './rules-cert.js';
import { firstClose, lossCutFrame, lossEvidence, mtuBlackhole, pathLoss, peerReceived, who } from './tcp-facts.js';
import type { Confidence, Rule } from './types.js';

/** A client that waited this long after its acknowledged ClientHello without an answer met a silent server. */
export const NO_RESPONSE_MIN_SECONDS = 1;
/** Names listed in evidence before "… and N more". */
const MAX_LISTED = 8;
/** TLS_AES_128_GCM_SHA256: every TLS 1.3 server must implement it (RFC 8446 §9.1). */
const TLS13_MANDATORY_SUITE = 0x1301;
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV and TLS_FALLBACK_SCSV are signals, not suites. */
const isSignal = isSignalSuite;

// ---- facts about the client's offer and the server's record ------------------------------------

/** Versions the client accepts: supported_versions, else every version up to legacy_version. */
export function clientVersions(ch: ClientHello): number[] {
  const sv = (ch.ext.supportedVersions ?? []).filter((v) => !isGrease(v));
  if (sv.length) return sv;
  const out: number[] = [];
  for (let v = SSL3; v <= Math.min(ch.legacyVersion, 0x0303); v++) out.push(v);
  return out.length ? out : [ch.legacyVersion];
}

/** "TLS 1.3 and TLS 1.2 (supported_versions)" / "up to TLS 1.2 (legacy_version, no supported_versions extension)". */
export function versionOfferText(ch: ClientHello): string {
  const sv = (ch.ext.supportedVersions ?? []).filter((v) => !isGrease(v));
  if (sv.length) return `${sv.length === 1 ? 'only ' : ''}${listText(sv.map(versionName))} (supported_versions)`;
  return `up to ${versionName(ch.legacyVersion)} (legacy_version; no supported_versions extension, so not TLS 1.3)`;
}

function listText(names: readonly string[], max = MAX_LISTED): string {
  const shown = names.slice(0, max);
  const more = names.length - shown.length;
  const body = shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')}${more > 0 ? ', ' + shown[shown.length - 1] : ' and ' + shown[shown.length - 1]}`;
  return more > 0 ? `${body} … and ${more} more` : body;
}

function suitesText(suites: readonly number[]): string {
  const real = suites.filter((c) => !isSignal(c));
  return `${real.length} cipher suite${real.length === 1 ? '' : 's'}: ${listText(real.map(cipherSuiteName))}`;
}

const sniText = (ch: ClientHello): string => (ch.ext.serverName !== undefined ? `for "${escapeForTerminal(ch.ext.serverName)}"` : 'without a server name (no SNI)');

/** The ClientHello as an evidence line, with the parts of the offer a verdict rests on. */
function helloLine(input: DiagnosisInput, tls: TlsState, parts: ('versions' | 'suites' | 'groups' | 'alpn')[]): string {
  const seen = tls.clientHellos[tls.clientHellos.length - 1] ?? tls.clientHello!;
  const ch = seen.hello;
  const bits: string[] = [];
  if (parts.includes('versions')) bits.push(`versions ${versionOfferText(ch)}`);
  if (parts.includes('suites')) bits.push(suitesText(ch.cipherSuites));
  if (parts.includes('groups')) {
    const groups = (ch.ext.supportedGroups ?? []).filter((g) => !isGrease(g));
    const shares = (ch.ext.keyShares ?? []).map((k) => k.group).filter((g) => !isGrease(g));
    bits.push(`supported_groups ${groups.length ? listText(groups.map(groupName)) : '(none)'}; key_share ${shares.length ? listText(shares.map(groupName)) : '(none)'}`);
  }
  if (parts.includes('alpn')) bits.push(`ALPN ${ch.ext.alpn?.length ? ch.ext.alpn.map((p) => escapeForTerminal(p)).join(', ') : '(none)'}`);
  return `${at(input, seen.frame, seen.time)}: ClientHello ${sniText(ch)}${bits.length ? ' offering ' + bits.join('; ') : ''}`;
}

/** What other connections in the input negotiated with this server. */
type Success = TlsSuccess & { serverName?: string | null };

function successes(input: DiagnosisInput): Success[] {
  const { ip, port } = handshakeServer(input);
  return input.knowledge.get(ip, port)?.tlsSuccesses ?? [];
}

/** "TLS 1.3 / TLS_AES_256_GCM_SHA384 / secp384r1" (the group where TLS 1.3 makes it matter). */
function successText(s: Success): string {
  return [versionName(s.version), cipherSuiteName(s.cipherSuite), ...(s.group !== null && isTls13Family(s.version) ? [groupName(s.group)] : [])].join(' / ');
}

/** "other clients negotiated TLS 1.2 / TLS_RSA_WITH_AES_256_CBC_SHA with this server (connection #1)". */
function knowledgeLine(list: readonly Success[]): string | null {
  if (!list.length) return null;
  const shown = list.slice(0, 4);
  const conns = shown.map((s) => `#${s.id}${s.count > 1 ? ` and ${s.count - 1} more` : ''}`);
  return `other clients negotiated ${[...new Set(shown.map(successText))].join('; ')} with this server (connection${shown.length > 1 || shown[0]!.count > 1 ? 's' : ''} ${conns.join(', ')})`;
}

/** Frames of segments retransmitted and never acknowledged: a path problem, not a decision. */
const pathTrouble = (conn: Connection): boolean => pathLoss(conn);

/** "server_hello_done" → "ServerHelloDone". */
const messageName = (name: string): string => (name.startsWith('0x') ? `handshake message ${name}` : name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(''));

/** The last handshake step a side took before a frame, as words ("its ServerHello"). */
function lastStepOf(tls: TlsState, side: Side, before: number): string | null {
  const msgs = tls.messages.filter((m) => m.from === side && m.frame <= before);
  const last = msgs[msgs.length - 1];
  if (last) return last.encrypted ? `its encrypted ${last.type === 20 ? 'Finished' : 'handshake records'}` : `its ${messageName(last.name)}`;
  const enc = tls.encryptedRecords[side].filter((r) => r.frame <= before);
  if (enc.length) return `its encrypted ${side === 'server' && tls.tls13 ? 'TLS 1.3 flight' : 'records'}`;
  return null;
}

const lines = (...xs: (string | null | undefined | false)[]): string[] => xs.filter((x): x is string => typeof x === 'string');

// ---- tls.ok -----------------------------------------------------------------------------------

export const tlsOk: Rule<DiagnosisInput> = {
  code: 'tls.ok',
  description: 'the TLS handshake completed',
  outcome: 'completed',
  test(input) {
    const { tls } = input;
    if (!tls?.completed) return null;
    const v = tls.version !== null ? versionName(tls.version) : 'TLS';
    const suite = tls.cipherSuite !== null ? cipherSuiteName(tls.cipherSuite) : 'an unknown suite';
    const completion = tls.inferences.find((i) => i.code === 'tls.completed');
    const accepted = acceptedProblems(input.chain);
    return {
      confidence: completion?.confidence ?? 'certain',
      summary: `The TLS handshake completed: ${v} with ${suite}${tls.resumption ? ` (resumed by ${tls.resumption.kind})` : ''}${accepted.length ? `, although the server's certificate is not valid: ${problemWords(accepted[0]!, input.chain!, tls.clientHello?.hello.ext.serverName ?? null)} (the client did not verify it, or trusts differently)` : ''}.`,
      evidence: lines(
        tls.clientHello && `frame ${tls.clientHello.frame}: ClientHello ${sniText(tls.clientHello.hello)}`,
        tls.serverHello && `frame ${tls.serverHello.frame}: ServerHello selecting ${v}, ${suite}`,
        tls.completedFrame !== null && `frame ${tls.completedFrame}: handshake finished${completion ? ` (${completion.message.replace(/^handshake completed: /, '')})` : ''}`,
        ...accepted.map((p) => `certificate problem the client accepted: ${p.message}`),
      ),
      fixes: accepted.length ? certificateFixes(input, accepted[0]!, input.chain) : [],
      cutFrame: null,
    };
  },
};

// ---- tls.not_tls ------------------------------------------------------------------------------

const SPEECH: Readonly<Record<string, string>> = { 'http-request': 'plain HTTP', 'http-response': 'plain HTTP', ssh: 'SSH', text: 'plain text', binary: 'non-TLS binary data' };

export const tlsNotTls: Rule<DiagnosisInput> = {
  code: 'tls.not_tls',
  description: 'one side spoke something other than TLS (plain HTTP to a TLS port, a TLS client to a plain port...)',
  outcome: 'failed',
  test(input) {
    const tls = input.tls;
    if (!tls || tls.completed) return null;
    const wrong: Side | null = tls.notTls.client ? 'client' : tls.notTls.server ? 'server' : null;
    if (!wrong) return null;
    const n = tls.notTls[wrong]!;
    const what = SPEECH[n.kind] ?? 'something else';
    const quote = n.firstLine !== null ? `"${escapeForTerminal(n.firstLine.slice(0, 120))}"` : `${n.preview.length} bytes that are not TLS`;
    const t = fixTarget(input);
    const evidence = lines(
      tls.clientHello && helloLine(input, tls, []),
      `${at(input, n.frame, n.time)}: the ${who(wrong)} sent ${what} instead of TLS: ${quote}`,
      wrong === 'client' && tls.notTls.server && `${at(input, tls.notTls.server.frame, tls.notTls.server.time)}: the server answered in ${SPEECH[tls.notTls.server.kind] ?? 'something else'}: "${escapeForTerminal(tls.notTls.server.firstLine ?? tls.notTls.server.label)}"`,
      wrong === 'client' && !tls.notTls.server && tls.records.server.length > 0 && `the server answered with TLS records (port ${t.port} does speak TLS)`,
    );
    const close = firstClose(input.conn);
    if (close) evidence.push(`${at(input, close.frame, close.time)}: the ${who(close.side)} closed the connection (${close.kind.toUpperCase()})`);
    return {
      confidence: 'certain',
      summary: wrong === 'client'
        ? `Not TLS: the client sent ${what} to port ${t.port}, which expects TLS${tls.notTls.server ? ` (the server answered in ${SPEECH[tls.notTls.server.kind] ?? 'kind'})` : ''}.`
        : `Not TLS: the client sent a TLS ClientHello, but the server on port ${t.port} answered in ${what} (${quote}): it does not speak TLS there.`,
      evidence,
      fixes: fixesNotTls(t, wrong, what),
    };
  },
};

// ---- tls.client_cert_required -----------------------------------------------------------------

const INFERENCE_SERVER_ALERT = 'tls13.server_alert_after_client_finished';

export const tlsClientCertRequired: Rule<DiagnosisInput> = {
  code: 'tls.client_cert_required',
  description: 'the server asked for a client certificate and the client sent none, or one the server refused',
  outcome: 'failed',
  test(input) {
    const f = failure(input);
    if (!f || f.end.side !== 'server' || (f.end.kind === 'close' && pathTrouble(input.conn))) return null;
    const { tls, end } = f;
    const a = end.alert;
    const req = tls.certificateRequest;
    const cc = tls.clientCertificate;
    const evidence: string[] = [];
    let refused = false;
    let confidence: Confidence = end.kind === 'alert' ? 'certain' : 'likely';
    if (req && (cc ? end.frame >= cc.frame : tls.clientKeyExchange !== null && end.frame >= tls.clientKeyExchange.frame)) {
      evidence.push(`${at(input, req.frame, req.time)}: the server asked for a client certificate (CertificateRequest, ${req.value.caNames} acceptable CA name${req.value.caNames === 1 ? '' : 's'})`);
      if (!cc || cc.empty) {
        evidence.push(cc ? `${at(input, cc.frame, cc.time)}: the client answered with an empty Certificate message: it has no certificate to send` : 'the client sent no Certificate message at all');
      } else if (a && isClientCertificateAlert(a)) {
        refused = true;
        evidence.push(`${at(input, cc.frame, cc.time)}: the client sent ${cc.count} certificate${cc.count === 1 ? '' : 's'}`);
      } else {
        return null;
      }
    } else if (a && a.description !== null && alertCategory(a.description) === 'client-certificate') {
      // certificate_required (TLS 1.3) or no_certificate in clear: the request itself was not visible
    } else if (a?.inferred && tls.inferences.some((i) => i.code === INFERENCE_SERVER_ALERT && i.frames.includes(a.frame))) {
      confidence = a.confidence;
      const sent = tls.inferences.find((i) => i.code === 'tls13.client_certificate_sent');
      const empty = tls.inferences.find((i) => i.code === 'tls13.client_certificate_empty');
      refused = sent !== undefined;
      for (const i of [empty, sent]) if (i) evidence.push(`frame ${i.frames.join(', ')}: ${i.message} (${i.confidence})`);
      if (!empty && !sent) evidence.push('TLS 1.3: a CertificateRequest would be inside the server\'s encrypted flight, so it is not visible');
    } else {
      return null;
    }
    evidence.push(endLine(input, end));
    const after = a ? firstClose(input.conn) : null;
    if (after && after.side === 'server' && after.frame > end.frame) evidence.push(`${at(input, after.frame, after.time)}: the server then closed the connection (${after.kind.toUpperCase()})`);
    return {
      confidence,
      summary: refused
        ? `The server refused the client's certificate${a?.description != null ? ` (alert ${alertLabel(a.description)})` : ''}: it requires a client certificate it accepts.`
        : `The server requires a client certificate and the client had none to send${a?.description != null ? `: the server ended the handshake with ${alertLabel(a.description)}` : a ? ': the server then ended the handshake with an alert' : ': the server then closed the connection'}.`,
      evidence,
      fixes: fixesClientCert(fixTarget(input), refused),
      ...endFields(end, tls),
    };
  },
};

// ---- negotiation: version, cipher suite, group, server name, application protocol --------------

interface NegotiationFacts {
  input: DiagnosisInput;
  tls: TlsState;
  ch: ClientHello;
  end: TlsEnd;
  known: Success[];
  /** The verdict rests on the alert (true) or on a silent close and other connections (false). */
  byAlert: boolean;
}

/** internal_error(80): the alert OpenSSL 3 servers answer with when no offered version is allowed (below). */
const ALERT_INTERNAL_ERROR = 80;

function versionVerdict(f: NegotiationFacts, confidence: Confidence, why: string | null = null): Classified {
  const { input, tls, ch, end } = f;
  const offered = clientVersions(ch);
  const selected = tls.serverHello?.hello.version ?? null;
  const serverVersions = [...new Set([...f.known.map((s) => s.version), ...(selected !== null ? [selected] : [])])];
  const older = olderSide({ clientVersions: offered, serverVersions });
  const known = serverVersions.length ? ` (it negotiated ${serverVersions.map(versionName).join('/')} with other clients)` : '';
  const offerWords = versionOfferText(ch);
  const direction =
    selected !== null && end.side === 'client'
      ? `the server selected ${versionName(selected)}, which the client does not accept (it offers ${offerWords})`
      : older?.side === 'server'
        ? `the client offers ${offerWords}, which the server does not support${known}`
        : older?.side === 'client' && older.sure
          ? `the client offers ${offerWords}, and the server no longer accepts ${offered.length === 1 ? 'it' : 'them'}${known}`
          : older?.side === 'client'
            ? `the client offers ${offerWords}, and the server accepts none of them: most likely it requires ${offered.some((v) => versionRank(v) >= versionRank(TLS12)) ? 'TLS 1.3' : 'TLS 1.2 or newer'}`
            : `the client offers ${offerWords}, and the server accepts none of them${known}`;
  const how = f.byAlert && end.alert?.description != null ? ` (${who(end.side)} alert ${alertLabel(end.alert.description)})` : f.byAlert ? '' : ' (the server hung up without an alert)';
  return {
    code: 'tls.version_mismatch',
    hit: {
      confidence,
      summary: `No TLS version both sides accept${how}: ${direction}.`,
      evidence: lines(
        helloLine(input, tls, ['versions']),
        tls.serverHello && selected !== null && `${at(input, tls.serverHello.frame, tls.serverHello.time)}: ServerHello selecting ${versionName(selected)}`,
        endLine(input, end),
        why,
        knowledgeLine(f.known),
      ),
      fixes: fixesVersion(fixTarget(input), { clientVersions: offered, serverVersions }),
      ...endFields(end, tls),
    },
  };
}

function cipherVerdict(f: NegotiationFacts, confidence: Confidence, otherCauses: string | null): Classified {
  const { input, tls, ch, end, known } = f;
  const serverSuites = [...new Set(known.map((s) => s.cipherSuite))];
  const offered = ch.cipherSuites.filter((c) => !isSignal(c)).length;
  const how = f.byAlert && end.alert?.description != null ? `the server answered the ClientHello with ${alertLabel(end.alert.description)}` : 'the server hung up right after the ClientHello';
  return {
    code: 'tls.cipher_mismatch',
    hit: {
      confidence,
      summary: `No cipher suite in common: ${how}, refusing ${offered === 1 ? 'the only suite' : `all ${offered} suites`} the client offered${serverSuites.length ? `; with other clients it used ${serverSuites.map(cipherSuiteName).join(', ')}, which this client does not offer` : ''}.`,
      evidence: lines(helloLine(input, tls, ['versions', 'suites']), endLine(input, end), knowledgeLine(known), otherCauses),
      fixes: fixesCipher(fixTarget(input), { offered: ch.cipherSuites, serverSuites }),
      ...endFields(end, tls),
    },
  };
}

function groupVerdict(f: NegotiationFacts, confidence: Confidence): Classified {
  const { input, tls, ch, end, known } = f;
  const groups = (ch.ext.supportedGroups ?? []).filter((g) => !isGrease(g));
  const serverGroups = [...new Set(known.map((s) => s.group).filter((g): g is number => g !== null))];
  const hrr = tls.helloRetryRequest;
  const hrrGroup = hrr?.hello.ext.hrrSelectedGroup;
  const how = f.byAlert && end.alert?.description != null ? `${who(end.side)} alert ${alertLabel(end.alert.description)}` : 'the server hung up without an alert';
  return {
    code: 'tls.group_mismatch',
    hit: {
      confidence,
      summary: hrrGroup !== undefined
        ? `TLS 1.3 with no key-exchange group in common: the server asked for ${groupName(hrrGroup)} (HelloRetryRequest), which the client does not support (${how}).`
        : `TLS 1.3 with no key-exchange group in common: the client offers ${groups.length === 1 ? `only ${groupName(groups[0]!)}, which the server does not accept` : groups.length ? `${listText(groups.map(groupName))}, and the server accepts none of them` : 'no groups'} (${how}, and no HelloRetryRequest asking for another group).`,
      evidence: lines(
        helloLine(input, tls, ['versions', 'groups']),
        hrr && `${at(input, hrr.frame, hrr.time)}: HelloRetryRequest asking for ${hrrGroup !== undefined ? groupName(hrrGroup) : 'another key share'}`,
        !hrr && f.byAlert && 'no HelloRetryRequest: the server found no group in the client\'s supported_groups it accepts (a HelloRetryRequest would have asked for another key share)',
        endLine(input, end),
        knowledgeLine(known),
      ),
      fixes: fixesGroup(fixTarget(input), { offered: groups, serverGroups: hrrGroup !== undefined ? [hrrGroup, ...serverGroups] : serverGroups }),
      ...endFields(end, tls),
    },
  };
}

function sniVerdict(f: NegotiationFacts, confidence: Confidence): Classified {
  const { input, tls, ch, end, known } = f;
  const name = ch.ext.serverName;
  const named = known.filter((s) => s.serverName);
  const how = f.byAlert && end.alert?.description != null ? ` (alert ${alertLabel(end.alert.description)})` : f.byAlert ? '' : ' (it hung up without an alert)';
  return {
    code: 'tls.sni_rejected',
    hit: {
      confidence,
      summary: name !== undefined
        ? `The server does not serve the name "${escapeForTerminal(name)}" the client asked for${how}.`
        : `The server needs a server name (SNI) and the client sent none${how}${named.length > 0 ? '; other clients that sent one succeeded' : ''}.`,
      evidence: lines(
        helloLine(input, tls, []),
        endLine(input, end),
        named.length > 0 && `other clients succeeded with this server asking for ${[...new Set(named.map((s) => `"${escapeForTerminal(s.serverName!)}"`))].slice(0, 4).join(', ')} (connection #${named[0]!.id})`,
      ),
      fixes: fixesSni(fixTarget(input), name === undefined),
      ...endFields(end, tls),
    },
  };
}

function alpnVerdict(f: NegotiationFacts): Classified {
  const { input, tls, ch, end } = f;
  const offered = ch.ext.alpn ?? [];
  return {
    code: 'tls.alpn_mismatch',
    hit: {
      confidence: 'certain',
      summary: `No application protocol in common: the client offered ${offered.length ? offered.map((p) => escapeForTerminal(p)).join(', ') : 'no ALPN protocol'}, and the ${who(end.side)} accepts none of them (${alertLabel(120)}).`,
      evidence: lines(helloLine(input, tls, ['alpn']), endLine(input, end)),
      fixes: fixesAlpn(fixTarget(input), offered),
      ...endFields(end, tls),
    },
  };
}

/** handshake_failure / insufficient_security (or a silent close) right after the ClientHello: why? */
function mismatchVerdict(f: NegotiationFacts): Classified | null {
  const { ch, known, byAlert } = f;
  const versions = clientVersions(ch);
  const groups = ch.ext.supportedGroups ?? [];
  const sure: Confidence = byAlert ? 'certain' : 'likely';
  if (known.length) {
    const versionOk = known.filter((s) => versions.includes(s.version));
    if (versionOk.length === 0) return versionVerdict(f, 'likely');
    const suiteOk = versionOk.filter((s) => ch.cipherSuites.includes(s.cipherSuite));
    if (suiteOk.length === 0) return cipherVerdict(f, sure, null);
    const groupOk = suiteOk.filter((s) => s.group === null || !isTls13Family(s.version) || groups.includes(s.group));
    if (groupOk.length === 0) return groupVerdict(f, sure);
    const sni = ch.ext.serverName;
    if (groupOk.every((s) => s.serverName !== undefined && s.serverName !== null && s.serverName !== (sni ?? null))) return sniVerdict(f, 'likely');
    // Someone with the same parameters succeeded: the cause is elsewhere.
    if (!byAlert) return null;
  } else if (!byAlert) {
    return null;
  }
  const only13 = versions.every(isTls13Family);
  if (only13) {
    return ch.cipherSuites.includes(TLS13_MANDATORY_SUITE) ? groupVerdict(f, 'certain') : cipherVerdict(f, 'likely', 'the client does not even offer TLS_AES_128_GCM_SHA256, the suite every TLS 1.3 server implements; a key-exchange group mismatch gives the same alert');
  }
  if (!versions.some(isTls13Family)) return cipherVerdict(f, known.length ? 'likely' : 'certain', null);
  return cipherVerdict(f, 'likely', 'the client also offers TLS 1.3: no key-exchange group or signature algorithm in common gives the same alert');
}

function classifyNegotiation(input: DiagnosisInput): Classified | null {
  const fail = failure(input);
  const ch = fail?.tls.clientHellos[fail.tls.clientHellos.length - 1]?.hello;
  if (!fail || !ch) return null;
  const { tls, end } = fail;
  const f: NegotiationFacts = { input, tls, ch, end, known: successes(input), byAlert: end.kind === 'alert' };
  const a = end.alert;
  if (end.kind === 'alert' && a && a.description !== null) {
    const cat = alertCategory(a.description);
    if (cat === 'version') return versionVerdict(f, 'certain');
    if (cat === 'sni') return sniVerdict(f, 'certain');
    if (cat === 'alpn') return alpnVerdict(f);
    const hrrGroup = tls.helloRetryRequest?.hello.ext.hrrSelectedGroup;
    if (end.side === 'client' && !tls.serverHello && hrrGroup !== undefined && !(ch.ext.supportedGroups ?? []).includes(hrrGroup)) return groupVerdict(f, 'certain');
    if (cat === 'negotiation' && end.side === 'server' && !tls.serverHello) return mismatchVerdict(f);
    if (cat === 'negotiation' && end.side === 'client' && tls.serverHello && !clientVersions(ch).includes(tls.serverHello.hello.version)) return versionVerdict(f, 'certain');
    // OpenSSL 3 (nginx, Apache, HAProxy, s_server on it) answers a ClientHello whose every
    // version its security level forbids (TLS 1.0 and 1.1 below SECLEVEL=0) with
    // internal_error, not protocol_version: Java's "Received fatal alert: internal_error".
    if (a.description === ALERT_INTERNAL_ERROR && end.side === 'server' && !tls.serverHello && clientVersions(ch).every((v) => versionRank(v) < versionRank(TLS12))) {
      return versionVerdict(f, 'likely', 'internal_error right after a ClientHello offering nothing newer than TLS 1.1 is how OpenSSL 3 servers refuse versions their security level disables (TLS 1.0 and 1.1 need SECLEVEL=0); the server\'s own log says "unsupported protocol" or "no protocols available"');
    }
    return null;
  }
  // A server that hung up right after the ClientHello: other connections may show why.
  if (end.kind === 'close' && end.side === 'server' && !tls.serverHello && tls.records.server.length === 0 && !pathTrouble(input.conn)) return mismatchVerdict(f);
  return null;
}

export const NEGOTIATION_RULES: Rule<DiagnosisInput>[] = classifierRules(classifyNegotiation, [
  { code: 'tls.version_mismatch', description: 'no TLS version both sides accept (protocol_version alert, or the offered and accepted ranges)' },
  { code: 'tls.cipher_mismatch', description: 'no cipher suite in common (handshake_failure / insufficient_security after the ClientHello)' },
  { code: 'tls.group_mismatch', description: 'TLS 1.3: no key-exchange group in common' },
  { code: 'tls.sni_rejected', description: 'the server rejected or needed the server name (unrecognized_name, or no SNI where others sent one)' },
  { code: 'tls.alpn_mismatch', description: 'no application protocol in common (no_application_protocol alert)' },
]);

// ---- tls.protocol_error, tls.alert --------------------------------------------------------------

export const tlsProtocolError: Rule<DiagnosisInput> = {
  code: 'tls.protocol_error',
  description: 'a malformed or unexpected message (decode_error, illegal_parameter, unexpected_message...), or one the peer hung up on',
  outcome: 'failed',
  test(input) {
    const f = failure(input);
    if (!f) return null;
    const { tls, end } = f;
    const a = end.alert;
    const byAlert = end.kind === 'alert' && a !== null && a.description !== null && alertCategory(a.description) === 'protocol';
    const peer: Side = end.side === 'client' ? 'server' : 'client';
    const bad = tls.malformed.filter((m) => m.from === peer && m.frame <= end.frame);
    // Without an alert, a malformed message followed by the peer hanging up is a likely cause.
    if (!byAlert && !(end.kind !== 'alert' && bad.length > 0 && !pathTrouble(input.conn))) return null;
    const issues = tls.findings.filter((x) => x.code === 'tls.unexpected_message' && x.frames?.some((fr) => fr <= end.frame));
    return {
      confidence: byAlert ? 'certain' : 'likely',
      summary: byAlert
        ? `The ${who(end.side)} rejected a ${a!.description === 10 ? 'message it did not expect' : 'malformed or invalid message'} from the ${who(peer)} (${alertLabel(a!.description!)}).`
        : `The ${who(end.side)} hung up after a malformed message from the ${who(peer)}.`,
      evidence: lines(
        tls.clientHello && helloLine(input, tls, []),
        ...bad.slice(0, 4).map((m) => `frame ${m.frame}: the ${who(m.from)}'s ${m.what} is malformed: ${m.error.message}${m.error.path.length ? ` [${m.error.path.join('/')}]` : ''}`),
        ...issues.slice(0, 2).map((x) => `frame ${x.frames!.join(', ')}: ${x.message}`),
        endLine(input, end),
        byAlert && bad.length === 0 && `hsi decoded the ${who(peer)}'s messages without error: the ${who(end.side)} objects to something valid on the wire, or to a value it does not support`,
      ),
      fixes: fixesProtocolError(fixTarget(input), end.side),
      ...endFields(end, tls),
    };
  },
};

function alertMeaning(tls: TlsState, a: AlertSeen): string {
  if (a.description === null) return 'its description is encrypted, so the reason cannot be read from the capture';
  const advice = ALERT_ADVICE[a.description];
  if (advice) return advice.meaning;
  const cat = alertCategory(a.description);
  if (cat === 'negotiation' && a.from === 'client' && tls.serverHello) {
    const weakDh = tls.findings.find((x) => x.code === 'tls.weak_dh');
    return `the client refused the parameters the server chose (${cipherSuiteName(tls.serverHello.hello.cipherSuite)}${weakDh ? `; ${weakDh.message}` : ''})`;
  }
  if (cat === 'certificate' && a.from === 'server') return 'the server refused a certificate the client sent without having asked for one';
  return `the ${who(a.from)} gave no more specific reason`;
}

export const tlsAlert: Rule<DiagnosisInput> = {
  code: 'tls.alert',
  description: 'another fatal alert ended the handshake; its name is in the evidence',
  outcome: 'failed',
  test(input) {
    const f = failure(input);
    if (!f || f.end.kind !== 'alert' || !f.end.alert) return null;
    const { tls, end } = f;
    const a = f.end.alert;
    const name = a.description !== null ? `the fatal alert ${alertLabel(a.description)}` : 'an encrypted alert';
    return {
      confidence: a.confidence,
      summary: `The ${who(end.side)} ended the handshake with ${name}: ${alertMeaning(tls, a)}.`,
      evidence: lines(
        tls.clientHello && helloLine(input, tls, []),
        tls.serverHello && `${at(input, tls.serverHello.frame, tls.serverHello.time)}: ServerHello selecting ${versionName(tls.serverHello.hello.version)}, ${cipherSuiteName(tls.serverHello.hello.cipherSuite)}`,
        `the ${who(end.side)}'s last step before the alert: ${lastStepOf(tls, end.side, end.frame) ?? 'none'}; the ${who(end.side === 'client' ? 'server' : 'client')}'s: ${lastStepOf(tls, end.side === 'client' ? 'server' : 'client', end.frame) ?? 'none'}`,
        alertLine(input, a),
      ),
      fixes: fixesAlert(fixTarget(input), a.description, end.side),
      ...endFields(end, tls),
    };
  },
};

// ---- closes without an alert ------------------------------------------------------------------

/** A handshake the side ended by closing (FIN/RST or close_notify), not by an alert, with no path problem. */
function closedWithoutAlert(input: DiagnosisInput, side: Side): { tls: TlsState; end: TlsEnd } | null {
  const f = failure(input);
  return f && f.end.side === side && f.end.kind !== 'alert' && !pathTrouble(input.conn) ? f : null;
}

/** Alerts a side sent after the other had already closed (Java's answer to a FIN, for one). */
function alertsAfter(input: DiagnosisInput, tls: TlsState, end: TlsEnd): string[] {
  return tls.alerts.filter((a) => a.frame > end.frame).slice(0, 2).map((a) => `${alertLine(input, a)}, after the ${who(end.side)} had closed: a reaction to the close, not its cause`);
}

const isoAt = (time: number): string => new Date(time * 1000).toISOString();

export const tlsServerClosed: Rule<DiagnosisInput> = {
  code: 'tls.server_closed',
  description: 'the server closed (FIN/RST) during the handshake without any alert ("Remote host terminated the handshake")',
  outcome: 'failed',
  test(input) {
    const f = closedWithoutAlert(input, 'server');
    if (!f) return null;
    const { tls, end } = f;
    const step = lastStepOf(tls, 'server', end.frame);
    const client = lastStepOf(tls, 'client', end.frame);
    const how = end.kind === 'closure' ? `sent ${alertLabel(end.alert!.description!)} and closed` : end.close === 'rst' ? 'reset the connection' : 'closed the connection';
    return {
      confidence: 'certain',
      summary: `The server ${how} ${step ? `during the handshake, after ${step},` : tls.clientHello ? 'right after the ClientHello, without answering it and' : 'before the client sent its ClientHello,'} without any alert saying why (Java reports this as "Remote host terminated the handshake").`,
      evidence: lines(
        tls.clientHello && helloLine(input, tls, ['versions']),
        client && `the client's last step: ${client}; the server's: ${step ?? 'nothing (no ServerHello)'}`,
        endLine(input, end),
        ...alertsAfter(input, tls, end),
      ),
      fixes: fixesServerClosed(fixTarget(input), isoAt(end.time), end.close === 'rst' ? 'rst' : 'fin'),
      ...endFields(end, tls),
    };
  },
};

/** The server stayed silent after an acknowledged ClientHello for this long (null: it answered, or it was not acknowledged). */
function serverSilence(input: DiagnosisInput, tls: TlsState): { seconds: number; ackFrame: number } | null {
  const ch = tls.clientHello;
  const conn = input.conn;
  if (!ch || conn.server.payloadBytes > 0 || tls.records.server.length > 0 || tls.notTls.server) return null;
  const segs = conn.client.sent.filter((s) => s.frames[0]! >= ch.firstFrame && s.frames[0]! <= ch.frame);
  if (segs.length === 0 || segs.some((s) => s.ackedBy === 0)) return null;
  const close = firstClose(conn);
  const until = close ? close.time : conn.lastTime;
  return { seconds: until - ch.time, ackFrame: Math.max(...segs.map((s) => s.ackedBy)) };
}

export const tlsClientClosed: Rule<DiagnosisInput> = {
  code: 'tls.client_closed',
  description: 'the client closed during the handshake without an alert',
  outcome: 'failed',
  test(input) {
    const f = closedWithoutAlert(input, 'client');
    if (!f) return null;
    const { tls, end } = f;
    const silence = serverSilence(input, tls);
    if (silence && silence.seconds >= NO_RESPONSE_MIN_SECONDS) return null; // tls.no_response
    const step = lastStepOf(tls, 'server', end.frame);
    const lastServer = [...tls.records.server].filter((r) => r.frame <= end.frame).pop();
    const waited = lastServer ? end.time - lastServer.time : tls.clientHello ? end.time - tls.clientHello.time : null;
    const t13Flight = tls.tls13 && tls.encryptedRecords.server.some((r) => r.meaning === 'server_flight' && r.frame <= end.frame);
    return {
      confidence: 'certain',
      summary: `The client ${end.close === 'rst' ? 'reset' : 'closed'} the connection during the handshake${step ? `, after the server's ${step.replace(/^its /, '')}` : ' before the server answered'}, without an alert${t13Flight ? '; after a TLS 1.3 server flight this often means it refused the (encrypted) certificate without saying so' : ''}.`,
      evidence: lines(
        tls.clientHello && helloLine(input, tls, []),
        lastServer ? `${at(input, lastServer.frame, lastServer.time)}: the server's last record before the close (${step ?? 'TLS record'})` : 'the server had sent nothing yet',
        endLine(input, end),
        waited !== null && `the client closed ${waited.toFixed(3)} s after ${lastServer ? 'the server\'s last record' : 'its ClientHello'}`,
        ...tls.records.server.filter((r) => r.frame > end.frame).slice(0, 1).map((r) => `${at(input, r.frame, r.time)}: the server's answer came only after the client had closed`),
      ),
      fixes: fixesClientClosed(fixTarget(input)),
      ...endFields(end, tls),
    };
  },
};

// ---- path and silence -------------------------------------------------------------------------

export const tlsMtuBlackhole: Rule<DiagnosisInput> = {
  code: 'tls.mtu_blackhole',
  description: 'a large server flight was sent, never acknowledged, and retransmitted: full-size segments are lost on the path',
  outcome: 'failed',
  test(input) {
    const tls = input.tls;
    if (!tls || tls.completed || tls.midstream || !tls.clientHello) return null;
    const m = mtuBlackhole(input.conn);
    if (!m) return null;
    const close = firstClose(input.conn);
    const t = fixTarget(input);
    const peer = m.side === 'server' ? 'client' : 'server';
    const what = m.side === 'server' ? "the server's TLS flight" : "the client's large TLS messages";
    const summary =
      m.view === 'sender'
        ? `Path-MTU black hole: the ${who(m.side)}'s full-size packets (IP packets of ${m.smallest} bytes${m.segments.some((x) => x.ipLen > m.smallest) ? ' and more' : ''}) were retransmitted and never acknowledged, while small packets got through: the ${peer} never received ${what}.`
        : `Path-MTU black hole: only the short tail of ${what} reached the ${peer}; ${m.hole!.len} bytes sent before it in full-size packets never arrived, while small packets got through.`;
    return {
      confidence: 'likely',
      summary,
      evidence: lines(
        helloLine(input, tls, []),
        ...lossEvidence(input.conn, m.side, m.segments, m.hole ? [m.hole] : []),
        `small packets passed: the TCP handshake${m.largestAcked > 0 ? `, and ${who(m.side)} segments of up to ${m.largestAcked} bytes were acknowledged` : ''}`,
        close && `${at(input, close.frame, close.time)}: the ${who(close.side)} gave up (${close.kind.toUpperCase()})`,
      ),
      fixes: fixesMtu(t),
      cutFrame: lossCutFrame(input.conn, m.side, m.segments),
      closedBy: close?.side ?? m.side,
      closeKind: close?.kind ?? 'timeout',
      stage: reachedStage(input, tls),
    };
  },
};

/**
 * The last handshake step the client could have seen: a server message counts only if its
 * bytes reached the client (acknowledged), whatever the capture saw leave the server.
 */
export function reachedStage(input: DiagnosisInput, tls: TlsState): TlsStage {
  const sh = tls.serverHello;
  if (sh && peerReceived(input.conn, 'server', sh.frame) === false) return 'client_hello';
  if (!sh && !tls.stage) return 'client_hello';
  const certs = tls.certificates;
  if (certs && peerReceived(input.conn, 'server', certs.frame) === false) return 'server_hello';
  return tls.stage ?? 'client_hello';
}

export const tlsNoResponse: Rule<DiagnosisInput> = {
  code: 'tls.no_response',
  description: 'the ClientHello was acknowledged but the server never answered',
  outcome: 'failed',
  test(input) {
    const tls = failedTls(input);
    if (!tls?.clientHello) return null;
    const silence = serverSilence(input, tls);
    const close = firstClose(input.conn);
    if (!silence || silence.seconds < NO_RESPONSE_MIN_SECONDS || (close && close.side === 'server')) return null;
    const ch = tls.clientHello;
    return {
      confidence: 'likely',
      summary: `The server never answered: its TCP stack acknowledged the ClientHello, but no ServerHello (nor anything else) came back in ${silence.seconds.toFixed(1)} s${close ? ', then the client gave up' : ''}.`,
      evidence: lines(
        helloLine(input, tls, ['versions']),
        `frame ${silence.ackFrame}: the server's TCP acknowledged the ClientHello (the host and port are up)`,
        close
          ? `${at(input, close.frame, close.time)}: the client gave up and closed the connection (${close.kind.toUpperCase()}) ${silence.seconds.toFixed(3)} s after its ClientHello, with no byte from the server`
          : `the capture ends ${silence.seconds.toFixed(3)} s after the ClientHello (frame ${input.conn.lastFrame}) with no byte from the server`,
      ),
      fixes: fixesNoResponse(fixTarget(input)),
      cutFrame: close?.frame ?? ch.frame,
      // the client waited for an answer, then gave up (unless the capture just stopped first)
      closedBy: close?.side ?? (input.openAtEnd ? null : 'client'),
      closeKind: close?.kind ?? (input.openAtEnd ? null : 'timeout'),
    };
  },
};

export const TLS_RULES_WIRE: Rule<DiagnosisInput>[] = [
  tlsOk,
  tlsNotTls,
  tlsClientCertRequired,
  ...CERT_RULES,
  ...NEGOTIATION_RULES,
  tlsProtocolError,
  tlsAlert,
  tlsServerClosed,
  tlsClientClosed,
];
export const TLS_RULES_PATH: Rule<DiagnosisInput>[] = [tlsMtuBlackhole];
export const TLS_RULES_INFERRED: Rule<DiagnosisInput>[] = [tlsNoResponse];

