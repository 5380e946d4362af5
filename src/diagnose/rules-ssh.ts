// SSH rules: every ssh.* verdict of the contract, as data. Three tiers (see rules.ts):
//  - SSH_RULES_WIRE: read off the wire: a banner that is not SSH-2.0, a name-list with no
//    common algorithm, a host key that differs from a known one, a DISCONNECT, a close
//    before the banner, a completed key exchange;
//  - SSH_RULES_PATH: an MTU black hole under the key exchange;
//  - SSH_RULES_INFERRED: an authentication failure read from encrypted sizes, a silent
//    close during the key exchange.
// Evidence points at frames; fixes name the sshd_config / ssh option to change.

import type { Connection } from '../engine/connection.js';
import type { Side } from '../engine/types.js';
import { SSH_DISCONNECT_REASONS } from '../registry/ssh-messages.js';
import { sshAlgorithm } from '../registry/ssh-algorithms.js';
import { FIELD_LIST, type NegotiatedField, type NegotiationFailure } from '../ssh/negotiate.js';
import { inferAfterKex } from '../ssh/postauth.js';
import type { DisconnectFact, HostKeyFact, SshStage, SshState } from '../ssh/state.js';
import { escapeForTerminal } from '../wire/text.js';
import { fixMtu } from './fixes.js';
import {
  type Endpoints,
  type ListKind,
  LISTS,
  bestToEnable,
  clientEnableFix,
  direction,
  fixAeadInsteadOfMac,
  fixAuthFailed,
  fixClosedBeforeBanner,
  fixClosedDuringKex,
  fixDisconnect,
  fixEd25519HostKey,
  fixHostKeyChanged,
  fixNotSsh,
  fixProtocolVersion,
  fixUpgradeWeakSide,
  isWeak,
  listKind,
  preBannerCause,
  serverEnableFix,
  sshSoftware,
  type SshSoftware,
} from './fixes-ssh.js';
import { handshakeServer, type DiagnosisInput } from './input.js';
import { firstClose, lossCutFrame, lossEvidence, mtuBlackhole, peerReceived, rel, who } from './tcp-facts.js';
import type { Hit, Outcome, Rule } from './types.js';

/** Names shown per offer in a summary before "and N more". */
const SUMMARY_NAMES = 3;
/** A side that closed this long after its own last message was waiting for the peer (it gave up). */
export const GAVE_UP_SECONDS = 1;

// --- facts shared by the rules -----------------------------------------------------------------

type SshInput = DiagnosisInput & { ssh: SshState };
const hasSsh = (i: DiagnosisInput): i is SshInput => i.ssh !== null;

/** A rule over SSH connections only (the test sees the tracker's facts, never null). */
function sshRule(code: string, outcome: Outcome, description: string, test: (input: SshInput) => Hit | null): Rule<DiagnosisInput> {
  return { code, description, outcome, test: (input) => (hasSsh(input) ? test(input) : null) };
}

const endpoints = (c: Connection): Endpoints => ({ serverIp: c.server.endpoint.ip, serverPort: c.server.endpoint.port });
const software = (ssh: SshState, side: Side): SshSoftware => sshSoftware(ssh[side].banner?.softwareVersion);
const at = (c: Connection, frame: number, time: number): string => `frame ${frame} (${rel(c, time)})`;
const quote = (s: string): string => `"${escapeForTerminal(s)}"`;
const firstLine = (s: string): string => s.split(/\r?\n/)[0] ?? '';
const isoTime = (t: number): string => new Date(t * 1000).toISOString();

function closeEvidence(c: Connection, close: NonNullable<ReturnType<typeof firstClose>>, what: string): string {
  return `${at(c, close.frame, close.time)}: ${close.kind.toUpperCase()} from the ${who(close.side)}${what}`;
}

/** Lines starting "frame N" put in frame order among themselves; other lines keep their place. */
function inFrameOrder(lines: string[]): string[] {
  const frameOf = (l: string): number | null => {
    const m = /^frame (\d+)/.exec(l);
    return m ? Number(m[1]) : null;
  };
  const slots = lines.map((l, i) => (frameOf(l) !== null ? i : -1)).filter((i) => i >= 0);
  const sorted = slots.map((i) => lines[i]!).sort((a, b) => frameOf(a)! - frameOf(b)!);
  const out = [...lines];
  slots.forEach((slot, k) => (out[slot] = sorted[k]!));
  return out;
}

function short(names: readonly string[]): string {
  if (names.length === 0) return 'nothing';
  const head = names.slice(0, SUMMARY_NAMES).join(', ');
  return names.length > SUMMARY_NAMES ? `${head} and ${names.length - SUMMARY_NAMES} more` : head;
}

/** "SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE (9)": the RFC 4253 name. */
function reasonText(code: number): string {
  const name = SSH_DISCONNECT_REASONS[code];
  return name ? `SSH_DISCONNECT_${name} (${code})` : `reason ${code} (not in RFC 4253)`;
}

/** Plain words for the RFC 4253 §11.1 reasons. */
const REASON_MEANING: Readonly<Record<number, string>> = {
  1: 'this host is not allowed to connect',
  2: 'a protocol error',
  3: 'the key exchange failed',
  5: 'a MAC error (a corrupted or forged packet)',
  6: 'a compression error',
  7: 'the requested service is not available',
  8: 'the protocol version is not supported',
  9: "the server's host key could not be verified",
  10: 'the connection was lost',
  11: 'the application ended the connection',
  12: 'too many connections',
  13: 'the user cancelled authentication',
  14: 'no more authentication methods are available',
  15: 'the user name is not accepted',
};

function disconnectEvidence(c: Connection, d: DisconnectFact): string {
  return `${at(c, d.frame, d.time)}: the ${d.from} sent DISCONNECT ${reasonText(d.reasonCode)}: ${quote(d.description)}`;
}

/** A DISCONNECT ends the connection when it comes before (or with) the first TCP close. */
function disconnectClose(input: SshInput): Pick<Hit, 'cutFrame' | 'closedBy' | 'closeKind'> {
  const d = input.ssh.disconnect;
  const close = firstClose(input.conn);
  if (d && (!close || d.frame <= close.frame)) return { cutFrame: d.frame, closedBy: d.from, closeKind: 'disconnect' };
  return {};
}

/** The SSH steps on the wire, in frame order (identification strings and cleartext messages). */
interface Step {
  from: Side;
  label: string;
  frame: number;
  time: number;
}

function steps(ssh: SshState): Step[] {
  const out: Step[] = [];
  for (const side of ['client', 'server'] as const) {
    const b = ssh[side].banner;
    if (b) out.push({ from: side, label: 'identification string', frame: b.frame, time: b.time });
  }
  // Stable sort: an identification and a KEXINIT in one segment keep that order.
  for (const m of ssh.messages) out.push({ from: m.from, label: m.name, frame: m.frame, time: m.time });
  return out.sort((a, b) => a.frame - b.frame);
}

/**
 * Did the peer acknowledge the segment that carried this frame's data? Untracked segments
 * count as delivered (the engine keeps a bounded list).
 */
/** The peer received what `from` sent in `frame` (unknown counts as received). */
const acknowledged = (c: Connection, from: Side, frame: number): boolean => peerReceived(c, from, frame) !== false;

// --- host keys -----------------------------------------------------------------------------------

export interface KeyChange {
  via: 'known_hosts' | 'earlier';
  revoked: boolean;
  /** What differs, in one sentence without its consequence. */
  statement: string;
  evidence: string[];
}

function presentedKey(c: Connection, hk: HostKeyFact): string {
  return `${at(c, hk.frame, hk.time)}: the server presented its ${hk.type} host key ${hk.fingerprint}${hk.bits ? ` (${hk.bits} bits)` : ''}`;
}

/**
 * The host key differs from the one in --known-hosts (or is @revoked there), or from every
 * key of the same type this server presented earlier in the input. Certificates are checked
 * against their CA, not pinned, so only the known_hosts check applies to them.
 */
export function hostKeyChange(input: DiagnosisInput): KeyChange | null {
  const hk = input.ssh?.hostKey;
  if (!hk) return null;
  const c = input.conn;
  const evidence = [presentedKey(c, hk)];
  const kh = input.knownHosts;
  let via: KeyChange['via'] | null = null;
  let statement = '';
  if (kh && (kh.status === 'mismatch' || kh.status === 'revoked')) {
    const file = input.knownHostsPath ?? 'known_hosts';
    via = 'known_hosts';
    for (const k of kh.knownKeys) evidence.push(`${file} line ${k.line}${k.marker === 'revoked' ? ' (@revoked)' : ''}: ${k.type} ${k.fingerprint} for ${kh.name}`);
    statement =
      kh.status === 'revoked'
        ? `The server's ${hk.type} host key ${hk.fingerprint} is marked @revoked in ${file} (line ${kh.lines.join(', ')})`
        : `The server's ${hk.type} host key ${hk.fingerprint} is not the one stored for ${kh.name} in ${file} (line ${kh.lines.join(', ')}: ${kh.knownKeys[0]?.fingerprint ?? '?'})`;
  }
  const { ip, port } = handshakeServer(input);
  const earlier = hk.certificate ? [] : (input.knowledge.get(ip, port)?.sshHostKeys ?? []).filter((k) => k.type === hk.type && k.id !== c.id);
  if (earlier.length > 0 && !earlier.some((k) => k.fingerprint === hk.fingerprint)) {
    for (const k of earlier) evidence.push(`connection #${k.id}, frame ${k.frame} (${isoTime(k.time)}): the same server presented ${k.type} ${k.fingerprint}`);
    if (!via) {
      via = 'earlier';
      const first = earlier[0]!;
      statement = `The server's ${hk.type} host key changed: it is now ${hk.fingerprint}, earlier in this capture (connection #${first.id}) it was ${first.fingerprint}`;
    }
  }
  return via ? { via, revoked: kh?.status === 'revoked', statement, evidence } : null;
}

/** The client went on with a session after the key exchange: it accepted the key. */
const sessionWentOn = (ssh: SshState): boolean => ssh.completed && inferAfterKex(ssh).outcome === 'session';

export const sshHostkeyChanged = sshRule('ssh.hostkey_changed', 'failed', 'the host key differs from the one in --known-hosts, or from the one this server presented earlier in the input', (input) => {
  if (sessionWentOn(input.ssh)) return null;
  const change = hostKeyChange(input);
  if (!change) return null;
  const { ssh, conn } = input;
  const hk = ssh.hostKey!;
  const close = firstClose(conn);
  const evidence = [...change.evidence];
  if (ssh.disconnect) evidence.push(disconnectEvidence(conn, ssh.disconnect));
  else if (close) {
    const before = close.side === 'client' && !ssh.client.newkeys ? ' before sending its NEWKEYS, as OpenSSH does when host key verification fails' : '';
    evidence.push(closeEvidence(conn, close, before));
  }
  return {
    confidence: 'certain',
    summary:
      change.statement +
      (change.revoked ? ': the client refuses it.' : `: ${change.via === 'earlier' ? 'a client that stored the old key' : 'an OpenSSH client'} stops with "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!" and "Host key verification failed."`),
    evidence,
    fixes: fixHostKeyChanged(endpoints(conn), hk, input.knownHostsPath),
    ...disconnectClose(input),
  };
});

// --- banners -------------------------------------------------------------------------------------

export const sshProtocolMismatch = sshRule('ssh.protocol_mismatch', 'failed', 'a banner that is not SSH-2.0 (or 1.99), or a peer that is not SSH at all', (input) => {
  const { ssh, conn } = input;
  if (!ssh.client.banner && !ssh.server.banner) return null; // neither side spoke SSH: not an SSH connection
  for (const side of ['server', 'client'] as const) {
    const s = ssh[side];
    const peer = side === 'server' ? 'client' : 'server';
    const p = ssh[peer];
    const bad = s.banner && (s.protocol === '1.x' || s.protocol === 'other') ? s.banner : null;
    // Without the connection's start, a side's first bytes may be the middle of its stream.
    const notSsh = !s.banner && !conn.midstream ? s.notSsh : null;
    if (!bad && !notSsh) continue;
    const evidence: string[] = [];
    if (p.banner) evidence.push(`${at(conn, p.banner.frame, p.banner.time)}: ${peer} identification ${quote(p.banner.raw)} (protocol ${p.banner.protoVersion})`);
    let summary: string;
    let fixes: string[];
    if (bad) {
      evidence.push(`${at(conn, bad.frame, bad.time)}: ${side} identification ${quote(bad.raw)}: protocol version ${bad.protoVersion}, not 2.0`);
      const major = bad.protoVersion.split('.')[0];
      const opensshSays = p.protocol === '2.0' ? ` (OpenSSH says: "Protocol major versions differ: ${side === 'server' ? `2 vs. ${major}` : `${major} vs. 2`}")` : '';
      if (bad.protocol !== '1.x') summary = `The ${side} announces SSH protocol version ${quote(bad.protoVersion)}, which is neither 2.0 nor 1.99.`;
      else if (p.protocol === '2.0') summary = `The ${side} speaks only SSH protocol 1 (${quote(bad.raw)}) and the ${peer} only protocol 2: they have no protocol in common${opensshSays}.`;
      else summary = `The ${side} speaks only SSH protocol 1 (${quote(bad.raw)})${p.protocol ? ` and the ${peer} accepts it, so they use protocol 1, which is obsolete and insecure` : ''}; only SSH-2 handshakes are analysed.`;
      fixes = fixProtocolVersion(side, bad.protoVersion);
    } else {
      const n = notSsh!;
      evidence.push(`${at(conn, n.frame, n.time)}: the ${side} sent ${n.description} instead of an SSH identification: ${quote(firstLine(n.text).slice(0, 120))}`);
      summary = `The ${side} is not speaking SSH: it sent ${n.description}${side === 'server' ? ` on port ${conn.server.endpoint.port}` : ''}.`;
      fixes = fixNotSsh(side, n.kind, endpoints(conn));
    }
    for (const l of p.postBannerLines) evidence.push(`${at(conn, l.frame, l.time)}: the ${peer} answered ${quote(l.text)}`);
    const close = firstClose(conn);
    if (close) evidence.push(closeEvidence(conn, close, ''));
    return { confidence: 'certain', summary, evidence: inFrameOrder(evidence), fixes };
  }
  return null;
});

export const sshClosedBeforeBanner = sshRule('ssh.closed_before_banner', 'failed', 'the server accepted TCP and closed before sending its banner (TCP wrappers, MaxStartups, a crashed sshd)', (input) => {
  const { ssh, conn } = input;
  if (ssh.server.banner || ssh.server.notSsh || ssh.client.notSsh || !conn.established) return null;
  const closes = [conn.server.fin && { kind: 'fin' as const, ...conn.server.fin }, conn.server.rst && { kind: 'rst' as const, ...conn.server.rst }]
    .filter((x): x is NonNullable<typeof x> => !!x)
    .sort((a, b) => a.frame - b.frame);
  const sclose = closes[0];
  const first = firstClose(conn);
  if (!sclose || !first || first.side !== 'server') return null;
  const lines = ssh.server.preBannerLines.map((l) => l.text);
  const cause = preBannerCause(lines);
  const evidence = [`frame ${conn.establishedFrame}: the server accepted the TCP connection`];
  for (const l of ssh.server.preBannerLines) evidence.push(`${at(conn, l.frame, l.time)}: the server sent ${quote(l.text)} instead of its SSH identification`);
  if (ssh.client.banner) evidence.push(`${at(conn, ssh.client.banner.frame, ssh.client.banner.time)}: client identification ${quote(ssh.client.banner.raw)}`);
  evidence.push(`${closeEvidence(conn, { side: 'server', ...sclose }, `, ${(sclose.time - conn.startTime).toFixed(3)} s after the SYN, without any SSH identification string`)}`);
  const said = sclose.kind === 'rst' ? 'kex_exchange_identification: read: Connection reset by peer' : 'kex_exchange_identification: Connection closed by remote host';
  return {
    confidence: 'certain',
    summary: `The server accepted the TCP connection and ${sclose.kind === 'rst' ? 'reset' : 'closed'} it before sending its SSH banner${cause ? `: ${cause.cause} (it said ${quote(lines[0] ?? '')})` : ''}; an OpenSSH client reports "${said}".`,
    evidence: inFrameOrder(evidence),
    fixes: fixClosedBeforeBanner(conn.server.endpoint.port, lines),
    cutFrame: sclose.frame,
    closedBy: 'server',
    closeKind: sclose.kind,
  };
});

// --- algorithm negotiation -------------------------------------------------------------------------

/** The name-list as the side sent it (marker names included), as OpenSSH quotes it in "Their offer". */
function rawList(ssh: SshState, side: Side, f: NegotiationFailure): string {
  return ((ssh[side].kexinit?.value[FIELD_LIST[f.list]] as string[] | undefined) ?? []).join(',');
}

function mismatchHit(input: SshInput, f: NegotiationFailure): Hit {
  const { ssh, conn } = input;
  const kind = listKind(f.list);
  const L = LISTS[kind];
  // Name the direction only when the other one found a match (OpenSSH uses one list for both).
  const n = ssh.negotiation!;
  const pair = f.list.endsWith('C2S') ? f.list.replace('C2S', 'S2C') : f.list.endsWith('S2C') ? f.list.replace('S2C', 'C2S') : null;
  const pairImplicit = pair === 'macC2S' ? n.macImplicit.c2s : pair === 'macS2C' ? n.macImplicit.s2c : false;
  const bothWays = pair !== null && n.negotiated[pair as NegotiatedField] === null && !pairImplicit;
  const dir = bothWays ? '' : direction(f.list);
  const dirText = dir ? ` (${dir})` : '';
  const ck = ssh.client.kexinit!;
  const sk = ssh.server.kexinit!;
  const e = endpoints(conn);
  const sw = { client: software(ssh, 'client'), server: software(ssh, 'server') };
  const evidence = [
    `frame ${ck.frame}: client ${L.keyword}${dirText}: ${f.clientOffer.join(',') || '(empty)'}`,
    `frame ${sk.frame}: server ${L.keyword}${dirText}: ${f.serverOffer.join(',') || '(empty)'}`,
  ];
  if (f.reason === 'no-common') evidence.push(`no name is in both lists: no ${L.one} in common${dirText}`);
  else {
    const common = f.clientOffer.filter((n) => f.serverOffer.includes(n));
    evidence.push(`key exchange methods in common (${common.join(', ')}), but none works with a host key algorithm both accept (RFC 4253 §7.1: RSA key exchange needs an encryption-capable host key, the others a signature-capable one)`);
  }
  const { ip: cip, port: cport } = conn.client.endpoint;
  const clientSays = `Unable to negotiate with ${e.serverIp} port ${e.serverPort}: ${L.opensshError}. Their offer: ${rawList(ssh, 'server', f)}`;
  evidence.push(sw.client.product === 'OpenSSH' ? `the client (${sw.client.raw}) reports: ${clientSays}` : `an OpenSSH client would report: ${clientSays}`);
  if (sw.server.product === 'OpenSSH') evidence.push(`sshd (${sw.server.raw}) logs: Unable to negotiate with ${cip} port ${cport}: ${L.opensshError}. Their offer: ${rawList(ssh, 'client', f)} [preauth]`);
  const close = firstClose(conn);
  if (ssh.disconnect) evidence.push(disconnectEvidence(conn, ssh.disconnect));
  else if (close) evidence.push(closeEvidence(conn, close, ' without a DISCONNECT, as OpenSSH does when negotiation fails'));

  // Which side could accept which of the other's algorithms, best-rated first.
  const serverKeyTypes = kind === 'hostKey' ? f.serverOffer.map((n) => sshAlgorithm('hostkey', n).keyType ?? n) : [];
  const sPick = bestToEnable(kind, f.clientOffer.filter((n) => !f.serverOffer.includes(n)), sw.server, 'server', serverKeyTypes);
  const cPick = bestToEnable(kind, f.serverOffer.filter((n) => !f.clientOffer.includes(n)), sw.client, 'client');
  const good: string[] = [];
  const workaround: string[] = [];
  const better: string[] = [];
  if (sPick) (isWeak(sPick) ? workaround : good).push(serverEnableFix(kind, sPick, sw.server, serverKeyTypes));
  if (cPick) (isWeak(cPick) ? workaround : good).push(clientEnableFix(kind, cPick, sw.client, e));
  for (const side of ['client', 'server'] as const) {
    const offer = side === 'client' ? f.clientOffer : f.serverOffer;
    if (offer.length > 0 && offer.every((n) => isWeak(sshAlgorithm(L.registry, n)))) better.push(fixUpgradeWeakSide(kind, side, sw[side], offer));
  }
  if (kind === 'hostKey' && (better.length > 0 || !sPick || !serverKeyTypes.includes(sPick.keyType ?? sPick.name)) && (sw.server.product === 'OpenSSH' || sw.server.product === 'other')) better.push(fixEd25519HostKey);
  if (kind === 'mac') better.push(fixAeadInsteadOfMac);
  const fixes = [...good, ...better, ...workaround];
  if (!sPick && !cPick) fixes.unshift(`Neither side's software is known to support any of the other side's ${L.noun}: upgrade the older side (${sw.client.raw ?? 'client'} / ${sw.server.raw ?? 'server'})`);

  const giver = ssh.disconnect?.from ?? close?.side ?? null;
  return {
    confidence: 'certain',
    summary: `No ${L.one} in common${dirText}: the client offers ${short(f.clientOffer)}, the server ${short(f.serverOffer)}${giver ? `, so the ${giver} gave up` : ''} (OpenSSH: "${L.opensshError}").`,
    evidence,
    fixes,
    ...disconnectClose(input),
  };
}

function mismatchRule(code: string, kind: ListKind): Rule<DiagnosisInput> {
  return sshRule(code, 'failed', `no ${LISTS[kind].noun} in common (the ${LISTS[kind].keyword} lists of the two KEXINITs)`, (input) => {
    const f = input.ssh.negotiation?.failure;
    if (!f || listKind(f.list) !== kind || !input.ssh.client.kexinit || !input.ssh.server.kexinit) return null;
    return mismatchHit(input, f);
  });
}

export const sshKexMismatch = mismatchRule('ssh.kex_mismatch', 'kex');
export const sshHostkeyMismatch = mismatchRule('ssh.hostkey_mismatch', 'hostKey');
export const sshCipherMismatch = mismatchRule('ssh.cipher_mismatch', 'cipher');
export const sshMacMismatch = mismatchRule('ssh.mac_mismatch', 'mac');
export const sshCompressionMismatch = mismatchRule('ssh.compression_mismatch', 'compression');

// --- DISCONNECT ---------------------------------------------------------------------------------------

export const sshDisconnect = sshRule('ssh.disconnect', 'failed', 'a peer sent SSH_MSG_DISCONNECT in clear; its reason code and text are in the evidence', (input) => {
  if (!input.ssh.disconnect) return null;
  const { ssh, conn } = input;
  const d = ssh.disconnect!;
  const evidence: string[] = [];
  const before = steps(ssh).filter((s) => s.frame < d.frame || (s.frame === d.frame && s.from !== d.from)).pop();
  if (before) evidence.push(`${at(conn, before.frame, before.time)}: the ${before.from}'s ${before.label}, the last step before the DISCONNECT`);
  if (d.reasonCode === 9 && ssh.hostKey) evidence.push(presentedKey(conn, ssh.hostKey));
  evidence.push(disconnectEvidence(conn, d));
  const meaning = REASON_MEANING[d.reasonCode];
  const close = firstClose(conn);
  return {
    confidence: 'certain',
    summary: `The ${d.from} ended the connection with DISCONNECT ${reasonText(d.reasonCode)}${meaning ? ` (${meaning})` : ''}: ${quote(d.description)}.`,
    evidence,
    fixes: fixDisconnect(d.reasonCode, endpoints(conn), d.from, ssh.hostKey, input.knownHostsPath, software(ssh, 'client'), software(ssh, 'server'), isoTime(close?.time ?? d.time)),
    ...disconnectClose(input),
  };
});

// --- completed --------------------------------------------------------------------------------------------

function newkeysEvidence(ssh: SshState): string[] {
  const nk = (['client', 'server'] as const).flatMap((side) => (ssh[side].newkeys ? [{ side, frame: ssh[side].newkeys!.frame }] : [])).sort((a, b) => a.frame - b.frame);
  return nk.map((x) => `frame ${x.frame}: NEWKEYS from the ${x.side}`);
}

export const sshOk = sshRule('ssh.ok', 'completed', 'the SSH key exchange completed (NEWKEYS both ways)', ({ ssh, conn }) => {
  // A completed key exchange followed by an authentication failure is ssh.auth_failed.
  if (!ssh.completed) return null;
  const after = inferAfterKex(ssh);
  if (after.outcome === 'auth_failed') return null;
  const n = ssh.negotiation?.negotiated;
  const hk = ssh.hostKey;
  return {
    confidence: 'certain',
    summary: `The SSH key exchange completed${n?.kex ? ` (${n.kex}, ${n.cipherC2S})` : ''}.`,
    evidence: [
      ...(n ? [`negotiated: kex ${n.kex}, host key ${n.hostKey}, cipher ${n.cipherC2S} / ${n.cipherS2C}, MAC ${n.macC2S ?? 'implicit'} / ${n.macS2C ?? 'implicit'}, compression ${n.compressionC2S} / ${n.compressionS2C}`] : []),
      ...(hk ? [presentedKey(conn, hk)] : []),
      ...newkeysEvidence(ssh),
      ...(after.outcome === 'session' ? after.reasons : []),
    ],
    fixes: [],
    cutFrame: null,
  };
});

// --- path ---------------------------------------------------------------------------------------------------

const MESSAGE_STAGE = (type: number): SshStage | null => (type === 20 ? 'kexinit' : type === 21 ? 'newkeys' : type >= 30 && type <= 49 ? 'key_exchange' : null);
const STAGE_ORDER: readonly SshStage[] = ['banner', 'kexinit', 'key_exchange', 'newkeys', 'authentication', 'session'];

export const sshMtuBlackhole = sshRule('ssh.mtu_blackhole', 'failed', 'a large SSH packet (usually the server KEXINIT or key-exchange reply) was retransmitted and never acknowledged while small ones passed', (input) => {
  if (input.ssh.completed || (!input.ssh.client.banner && !input.ssh.server.banner)) return null;
  const { ssh, conn } = input;
  const mtu = mtuBlackhole(conn);
  if (!mtu) return null;
  // TCP delivers in order: nothing the side sent from the first lost segment on arrived
  // (seen from the receiver, the lost messages were never captured at all).
  const firstLost = mtu.view === 'sender' ? Math.min(...mtu.segments.map((s) => s.frames[0]!)) : Infinity;
  const lost = ssh.messages.filter((m) => m.from === mtu.side && m.frame >= firstLost);
  const delivered = ssh.messages.filter((m) => !(m.from === mtu.side && m.frame >= firstLost));
  let stage: SshStage = 'banner';
  for (const m of delivered) {
    const s = MESSAGE_STAGE(m.type);
    if (s && STAGE_ORDER.indexOf(s) > STAGE_ORDER.indexOf(stage)) stage = s;
  }
  const lostWhat = lost.length > 0 ? lost.map((m) => `${m.name} (${m.size} byte${m.size === 1 ? '' : 's'})`).join(', ') : 'encrypted packets';
  const peer = mtu.side === 'server' ? 'client' : 'server';
  const evidence = [
    ...lossEvidence(conn, mtu.side, mtu.segments, mtu.hole ? [mtu.hole] : []),
    `the lost data holds the ${who(mtu.side)}'s ${lostWhat}: the ${peer} never received it`,
    `smaller packets from the ${who(mtu.side)} got through${mtu.largestAcked > 0 ? ` (largest acknowledged segment: ${mtu.largestAcked} bytes)` : ''}${mtu.view === 'sender' ? `; the lost IP packets are ${mtu.smallest} bytes or more` : ''}`,
  ];
  const close = firstClose(conn);
  if (close) evidence.push(closeEvidence(conn, close, ''));
  const fixes = fixMtu(conn.server.endpoint.ip);
  const kex = ssh.negotiation?.negotiated.kex;
  if (kex && sshAlgorithm('kex', kex).postQuantum && lost.some((m) => m.type === 31)) {
    fixes.push(`Until the path is fixed, a classic key exchange keeps the server's reply small: \`ssh -o KexAlgorithms=curve25519-sha256 ${conn.server.endpoint.ip}\` (the ${kex} reply carries about 1 KB more)`);
  }
  const sent = mtu.segments[0]?.frames ?? [];
  const last = sent.filter((f) => !close || f <= close.frame).pop() ?? sent[sent.length - 1] ?? lossCutFrame(conn, mtu.side, mtu.segments);
  return {
    confidence: 'likely',
    summary: mtu.view === 'sender'
      ? `The ${who(mtu.side)}'s full-size packets never reached the ${peer}: its ${lost[0]?.name ?? 'data'} was retransmitted and never acknowledged while small packets passed — a path-MTU black hole; the ${peer} waits in the key exchange until it gives up.`
      : `The ${who(mtu.side)}'s full-size packets never reached the ${peer}: ${mtu.hole!.len} bytes of its key exchange are missing before a short tail that did arrive, while small packets passed — a path-MTU black hole; the ${peer} waits in the key exchange until it gives up.`,
    evidence,
    fixes,
    cutFrame: last,
    stage,
  };
});

// --- inferred ------------------------------------------------------------------------------------------------

export const sshAuthFailed = sshRule('ssh.auth_failed', 'failed', 'key exchange completed, then a few small encrypted exchanges and a close without session traffic: most likely an authentication failure', (input) => {
  if (!input.ssh.completed) return null;
  const { ssh, conn } = input;
  const inf = inferAfterKex(ssh);
  if (inf.outcome !== 'auth_failed') return null;
  const close = firstClose(conn);
  return {
    confidence: inf.confidence,
    summary: `The key exchange completed, then the connection ended after a few small encrypted exchanges and no session: most likely the server refused authentication (the client says "Permission denied (publickey,...)").`,
    evidence: [
      ...newkeysEvidence(ssh),
      ...inf.reasons,
      'authentication is encrypted: its outcome is inferred from the sizes of the packets, not read',
    ],
    fixes: fixAuthFailed(endpoints(conn), software(ssh, 'client'), software(ssh, 'server'), isoTime(close?.time ?? conn.lastTime)),
  };
});

export const sshClosed = sshRule('ssh.closed', 'failed', 'a side closed during the key exchange without a DISCONNECT and without a list mismatch', (input) => {
  const { ssh, conn } = input;
  if (ssh.completed || ssh.disconnect || ssh.negotiation?.failure || (!ssh.client.banner && !ssh.server.banner)) return null;
  const close = firstClose(conn);
  if (!close) return null;
  const closer = close.side;
  const before = steps(ssh).filter((s) => s.frame <= close.frame);
  // Steps of the peer the closer never acknowledged did not reach it.
  const lostSteps = before.filter((s) => s.from !== closer && !acknowledged(conn, s.from, s.frame));
  const step = before.filter((s) => !lostSteps.includes(s)).pop() ?? null;
  const hostKeyRejected = closer === 'client' && ssh.hostKey !== null && ssh.client.newkeys === null && acknowledged(conn, 'server', ssh.hostKey.frame);
  const waited = step && step.from === closer ? close.time - step.time : 0;
  const gaveUp = waited >= GAVE_UP_SECONDS;
  const stepText = step ? `after the ${step.from}'s ${step.label} (frame ${step.frame})` : 'before any SSH data';
  let summary = `The ${closer} ${close.kind === 'rst' ? 'reset' : 'closed'} the connection during the key exchange, ${stepText}, without a DISCONNECT`;
  if (hostKeyRejected) summary += `: it did not send its NEWKEYS after the server's host key, which is how the OpenSSH client refuses a host key ("Host key verification failed.")`;
  else if (gaveUp) summary += `: it waited ${waited.toFixed(1)} s for the ${closer === 'client' ? 'server' : 'client'} and gave up`;
  const evidence: string[] = [];
  if (step) evidence.push(`${at(conn, step.frame, step.time)}: the ${step.from}'s ${step.label}, the last SSH step before the close`);
  for (const frame of new Set(lostSteps.map((l) => l.frame))) {
    const here = lostSteps.filter((l) => l.frame === frame);
    evidence.push(`${at(conn, frame, here[0]!.time)}: the ${here[0]!.from}'s ${here.map((l) => l.label).join(' and ')} never acknowledged by the ${closer}: it did not arrive`);
  }
  if (ssh.hostKey && !lostSteps.some((l) => l.frame === ssh.hostKey!.frame)) evidence.push(presentedKey(conn, ssh.hostKey));
  evidence.push(closeEvidence(conn, close, `${gaveUp ? `, ${waited.toFixed(3)} s after its own last message` : ''}, no DISCONNECT`));
  if (ssh.negotiation?.ok) evidence.push('the algorithm lists had a match for every category: this is not a negotiation failure');
  return {
    confidence: gaveUp ? 'likely' : 'certain',
    summary: summary + '.',
    evidence,
    fixes: fixClosedDuringKex(closer, hostKeyRejected, endpoints(conn), isoTime(close.time)),
  };
});

/** Read off the wire, in precedence order (before the path and inferred tiers). */
export const SSH_RULES_WIRE: Rule<DiagnosisInput>[] = [
  sshProtocolMismatch,
  sshKexMismatch,
  sshHostkeyMismatch,
  sshCipherMismatch,
  sshMacMismatch,
  sshCompressionMismatch,
  sshHostkeyChanged,
  sshDisconnect,
  sshClosedBeforeBanner,
  sshOk,
];
export const SSH_RULES_PATH: Rule<DiagnosisInput>[] = [sshMtuBlackhole];
export const SSH_RULES_INFERRED: Rule<DiagnosisInput>[] = [sshAuthFailed, sshClosed];
