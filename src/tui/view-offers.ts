// The offers pane: what each side wanted, side by side. TLS: the ClientHello's lists in
// the client column, the server's choices (or its alert) in the server column. SSH: the
// eight KEXINIT name-lists of both sides. Above the columns, one line says what was
// chosen (and what the server passed over) or why nothing matched. Only names already in
// the record are shown; registries are consulted for ratings (weak / insecure), not to decode.

import type { ConnectionRecord } from '../report/record.js';
import { isMarkerName, sshAlgorithm, type SshAlgorithmKind } from '../registry/ssh-algorithms.js';
import { cipherSuiteInfo, suiteWeaknesses, type CipherWeakness } from '../registry/tls-ciphers.js';
import { compressionName } from '../registry/tls-misc.js';
import { signatureSchemeName } from '../registry/tls-sigschemes.js';
import { versionName } from '../registry/tls-versions.js';
import type { SshJson, SshKexInitJson } from '../ssh/json.js';
import type { TunnelJson } from '../tunnel/json.js';
import type { quicJson } from '../quic/json.js';
import { quicVersionName } from '../registry/quic.js';
import type { NegotiatedField } from '../ssh/negotiate.js';
import { sshOf, tlsOf, type TlsRecord } from './records.js';
import type { Entry } from './model.js';
import { fit, lineWidth, pad, sp, wrap, type Line, type Span } from './text.js';

type QuicJson = ReturnType<typeof quicJson>;

/** How an offered entry is marked. */
export type Mark = 'chosen' | 'shared' | 'offered' | 'filler';

export interface Item {
  text: string;
  mark: Mark;
  /** Rating note shown after the name ("weak", "insecure"). */
  rating?: 'weak' | 'insecure';
}

/** One section of the side-by-side view: a title, a note, the two columns. */
export interface Section {
  title: string;
  note: Line;
  /** The section's list had no match: its title is red. */
  failed: boolean;
  client: Item[];
  server: Item[];
}

export interface Offers {
  /** The one line above the columns. */
  headline: Line;
  /** Column headers (and for SSH the banners). */
  heads: [Line, Line][];
  sections: Section[];
}

/** The offers of a connection as data (what the pane renders; tests read this). */
export function offersOf(e: Entry): Offers | null {
  const r = e.record;
  const tunnel = tunnelSection(r) ?? quicSection(r);
  const tls = tlsOf(r);
  const ssh = sshOf(r);
  let o: Offers | null = null;
  if (tls?.clientHello) o = tlsOffers(r, tls);
  else if (ssh && (ssh.clientBanner || ssh.serverBanner || ssh.clientKexinit || ssh.serverKexinit)) o = sshOffers(r, ssh);
  if (!tunnel) return o;
  // The preamble comes first: what the client asked the proxy (or server) for, and the answer.
  if (o) return { ...o, sections: [tunnel, ...o.sections] };
  return { headline: [sp(r.verdict.summary, { fg: r.outcome === 'failed' ? 'red' : 'yellow' })], heads: [], sections: [tunnel] };
}

/** The tunnel before TLS: the client's requests in its column, the answers in the server's. */
function tunnelSection(r: ConnectionRecord): Section | null {
  const t = r.tunnel as TunnelJson | null;
  if (!t) return null;
  const steps = (side: 'client' | 'server'): Item[] =>
    t.steps.filter((s) => s.from === side).map((s) => ({ text: `${s.text} (frame ${s.frame})`, mark: (side === 'server' && s.frame === t.answerFrame) || (side === 'client' && s.frame === t.frame) ? 'chosen' : 'offered' }));
  const note: Line = [sp(t.target ? `target ${t.target}` : t.kind, { fg: 'gray' })];
  if (t.status !== null) note.push(sp(` · status ${t.status}`, { fg: t.established ? 'green' : 'red' }));
  return { title: `Tunnel (${t.kind})`, note, failed: !t.established && t.result !== 'greeting', client: steps('client'), server: steps('server') };
}

/** QUIC before TLS: the versions and transport parameters of each side, the server's Version Negotiation, Retry or CONNECTION_CLOSE. */
function quicSection(r: ConnectionRecord): Section | null {
  const q = r.quic as QuicJson | null | undefined;
  if (!q) return null;
  const used = q.negotiatedVersion ?? null;
  const client: Item[] = q.clientVersions.map((v) => ({ text: `Initial in ${quicVersionName(v)}${q.clientInitialFrames[0] !== undefined ? ` (frame ${q.clientInitialFrames[0]})` : ''}`, mark: v === used ? 'chosen' : 'offered' }));
  if (q.packets.client.initial + q.packets.client.unknown > 1) client.push({ text: `${q.packets.client.initial + q.packets.client.unknown} Initials sent`, mark: 'offered' });
  const server: Item[] = [];
  if (q.versionNegotiation) server.push({ text: `Version Negotiation: ${q.versionNegotiation.versionNames.join(', ')} (frame ${q.versionNegotiation.frame})`, mark: 'offered' });
  if (used !== null) server.push({ text: `Initial in ${quicVersionName(used)}`, mark: 'chosen' });
  for (const t of q.retries) server.push({ text: `Retry (frame ${t.frame})${t.tagValid ? '' : ', integrity tag INVALID'}`, mark: 'offered' });
  for (const c of q.closes) (c.from === 'client' ? client : server).push({ text: `CONNECTION_CLOSE ${c.errorName} (frame ${c.frame})`, mark: 'offered' });
  if (Object.values(q.packets.server).every((n) => n === 0)) server.push({ text: 'nothing came back', mark: 'filler' });
  const param = (p: { name: string; value: number | string | null }): Item => ({ text: p.value === null ? p.name : `${p.name} ${p.value}`, mark: 'offered' });
  client.push(...q.transportParameters.client.map(param));
  server.push(...q.transportParameters.server.map(param));
  const failed = r.verdict.code === 'quic.version_mismatch' || r.verdict.code === 'quic.no_response' || r.verdict.code === 'quic.retry_loop';
  const note: Line = [sp(`${q.completed ? 'handshake completed' : `stage ${q.stage}`}${q.paths.length ? ` · ${q.paths.length} more path(s)` : ''}`, { fg: 'gray' })];
  return { title: `QUIC (${quicVersionName(used ?? q.version ?? 1)})`, note, failed, client, server };
}

export function offersLines(e: Entry, width: number): Line[] {
  const o = offersOf(e);
  if (!o) {
    const what = e.record.protocol === 'unknown' ? 'No TLS or SSH handshake on this connection.' : 'No hello or KEXINIT seen on this connection.';
    return [[sp(what, { fg: 'gray' })], ...wrap(e.record.verdict.summary, width)];
  }
  return renderOffers(o, width);
}

// ---------------------------------------------------------------- rendering

const MARK_TEXT: Record<Mark, string> = { chosen: '▶ ', shared: '= ', offered: '  ', filler: '  ' };

function itemLine(it: Item): Line {
  const style: Omit<Span, 'text'> = it.mark === 'chosen' ? { fg: 'green', bold: true } : it.mark === 'shared' ? { fg: 'cyan' } : it.mark === 'filler' ? { fg: 'gray' } : {};
  const l: Line = [sp(MARK_TEXT[it.mark], style), sp(it.text, style)];
  if (it.rating) l.push(sp(` (${it.rating})`, { fg: it.rating === 'insecure' ? 'red' : 'yellow' }));
  return l;
}

/** Two columns with a separator, the left one `lw` cells wide. */
function columns(left: Line, right: Line, width: number, lw: number): Line {
  const rw = Math.max(1, width - 3 - lw);
  return [...pad(left, lw), sp(' │ ', { fg: 'gray' }), ...fit(right, rw)];
}

/**
 * Width of the left column: what each side's entries need when both fit, else shared in
 * proportion to their needs (each side keeps at least a third). Column headers come last:
 * they are cut if need be (the headline and the ladder say the same).
 */
export function leftWidth(o: Offers, width: number): number {
  const room = width - 3;
  const need = (side: 'client' | 'server') => Math.max(1, ...o.sections.flatMap((s) => s[side].map((i) => lineWidth(itemLine(i)))));
  const l = need('client');
  const r = need('server');
  // Both fit: the slack goes to the server's header (an alert) as far as it needs.
  const headR = Math.max(0, ...o.heads.map(([, h]) => lineWidth(h)));
  if (l + r <= room) return Math.max(l, Math.min(room - r, room - headR));
  return Math.max(Math.ceil(room / 3), Math.min(room - Math.ceil(room / 3), Math.round((room * l) / (l + r))));
}

export function renderOffers(o: Offers, width: number): Line[] {
  const lw = leftWidth(o, width);
  const out: Line[] = [fit(o.headline, width)];
  for (const [l, r] of o.heads) out.push(columns(l, r, width, lw));
  for (const s of o.sections) {
    const title: Line = [sp(`── ${s.title} `, { fg: s.failed ? 'red' : 'cyan', bold: true }), ...s.note];
    out.push(fit(title, width));
    const n = Math.max(s.client.length, s.server.length, 1);
    for (let i = 0; i < n; i++) {
      const c = s.client[i];
      const v = s.server[i];
      out.push(columns(c ? itemLine(c) : [], v ? itemLine(v) : [], width, lw));
    }
  }
  return out;
}

// ---------------------------------------------------------------- TLS

/** Suite weaknesses worth a mark in an offer (CBC and SHA-1 MACs are everywhere: not marked). */
const SEVERE: ReadonlySet<CipherWeakness> = new Set(['null-cipher', 'export', 'rc4', 'des', 'rc2', 'anonymous', 'null-auth-integrity-only']);
const WEAK: ReadonlySet<CipherWeakness> = new Set(['3des', 'md5-mac']);

function suiteRating(code: number): Item['rating'] {
  const w = suiteWeaknesses(code);
  if (w.some((x) => SEVERE.has(x))) return 'insecure';
  if (w.some((x) => WEAK.has(x))) return 'weak';
  return undefined;
}

const isGreaseName = (n: string) => n.startsWith('GREASE');
const none = (what = '(none offered)'): Item[] => [{ text: what, mark: 'filler' }];
const dash: Item[] = [{ text: '—', mark: 'filler' }];

/** Client entries with the chosen one marked; names are the record's. */
function marked(names: readonly string[], codes: readonly (number | string)[], chosen: number | string | null | undefined, extra?: (i: number) => Partial<Item>): Item[] {
  if (names.length === 0) return none();
  return names.map((text, i) => ({
    text,
    mark: chosen !== null && chosen !== undefined && codes[i] === chosen ? 'chosen' : isGreaseName(text) ? 'filler' : 'offered',
    ...extra?.(i),
  }));
}

/**
 * Client suites listed before the chosen one that the server could have picked at the
 * negotiated version (TLS 1.3 suites only in 1.3 and the others only below it; signalling
 * values and GREASE never): null when the choice was the client's first usable one.
 */
export function passedOver(codes: readonly number[], names: readonly string[], chosen: number, version: number | null): string[] | null {
  const usable = (c: number, i: number) => {
    const info = cipherSuiteInfo(c);
    if (!info || info.scsv || isGreaseName(names[i]!)) return false;
    return version === null || (version === 0x0304) === info.tls13Only;
  };
  const idx = codes.indexOf(chosen);
  if (idx < 0) return [];
  const before = codes.map((c, i) => (i < idx && usable(c, i) ? names[i]! : null)).filter((x): x is string => x !== null);
  return before.length === 0 ? null : before;
}

function serverAnswer(r: ConnectionRecord, tls: TlsRecord): Line {
  const sh = tls.serverHello;
  if (sh) return [sp('SERVER ', { bold: true }), sp(`ServerHello, frame ${sh.frame}`, { fg: 'green' })];
  const hrr = tls.helloRetryRequest;
  const alert = tls.alerts.find((a) => a.from === 'server');
  if (alert) return [sp('SERVER ', { bold: true }), sp(`alert ${alertText(alert)}, frame ${alert.frame}`, { fg: 'red', bold: true })];
  if (hrr) return [sp('SERVER ', { bold: true }), sp(`HelloRetryRequest, frame ${hrr.frame}`, { fg: 'yellow' })];
  if (r.closedBy === 'server' && r.closeKind) return [sp('SERVER ', { bold: true }), sp(`closed (${r.closeKind.toUpperCase()})${r.cutFrame !== null ? `, frame ${r.cutFrame}` : ''}, no ServerHello`, { fg: 'red' })];
  return [sp('SERVER ', { bold: true }), sp('no ServerHello seen', { fg: 'yellow' })];
}

type TlsAlert = TlsRecord['alerts'][number];
const alertText = (a: TlsAlert): string =>
  a.description === null ? (a.encrypted ? 'encrypted' : 'unreadable') : `${a.descriptionName ?? 'alert'}(${a.description})`;

function tlsHeadline(r: ConnectionRecord, tls: TlsRecord): Line {
  const ch = tls.clientHello!;
  const sh = tls.serverHello;
  if (sh && sh.cipherSuite !== null) {
    const l: Line = [sp('Server chose ', { fg: 'green' }), sp(`${sh.versionName} · ${sh.cipherSuiteName}`, { fg: 'green', bold: true })];
    const passed = passedOver(ch.cipherSuites, ch.cipherSuiteNames, sh.cipherSuite, sh.version);
    if (passed === null) l.push(sp(" (the client's first usable choice)", { fg: 'green' }));
    else if (passed.length > 0) l.push(sp(` · passed over ${passed.length} the client preferred: `, { fg: 'yellow' }), sp(passed.join(', '), { fg: 'yellow' }));
    const later = tls.alerts.find((a) => a.level === 2 || a.description !== 0);
    if (later) l.push(sp(` · then ${later.from} alert ${alertText(later)}`, { fg: 'red' }));
    return l;
  }
  const alert = tls.alerts.find((a) => a.from === 'server');
  const why = alert ? `server alert ${alertText(alert)} (frame ${alert.frame})` : r.closedBy === 'server' ? `server closed (${r.closeKind ?? 'close'}) without a ServerHello` : 'no ServerHello';
  const colour = r.outcome === 'failed' ? 'red' : 'yellow';
  return [sp('No match: ', { fg: colour, bold: true }), sp(`${why} — `, { fg: colour }), sp(r.verdict.summary, { fg: colour })];
}

function tlsOffers(r: ConnectionRecord, tls: TlsRecord): Offers {
  const ch = tls.clientHello!;
  const sh = tls.serverHello;
  const hrr = tls.helloRetryRequest;
  const ske = tls.serverKeyExchange;
  const chosenOne = (text: string | null | undefined): Item[] => (text ? [{ text, mark: 'chosen' }] : dash);

  // Versions: supported_versions when present, else the legacy field.
  const sv = ch.supportedVersions.length > 0;
  const clientVersions = sv ? marked(ch.supportedVersionNames, ch.supportedVersions, sh?.version) : marked([ch.legacyVersionName], [ch.legacyVersion], sh?.version);
  if (sv) clientVersions.push({ text: `legacy_version ${ch.legacyVersionName}`, mark: 'filler' });
  const serverVersions = chosenOne(sh?.versionName);
  if (sh && sh.legacyVersion !== sh.version) serverVersions.push({ text: `legacy_version ${versionName(sh.legacyVersion)}`, mark: 'filler' });

  const suite = sh?.cipherSuite ?? hrr?.cipherSuite ?? null;
  const group = sh?.keyShareGroup ?? hrr?.selectedGroup ?? (ske && 'namedGroup' in ske ? ske.namedGroup : null) ?? null;
  const shares = new Set(ch.keyShares.map((k) => k.group));
  const groupServer: Item[] = [];
  if (hrr?.selectedGroupName) groupServer.push({ text: `HelloRetryRequest: ${hrr.selectedGroupName}`, mark: sh ? 'offered' : 'chosen' });
  if (sh?.keyShareGroupName) groupServer.push({ text: `key share ${sh.keyShareGroupName}`, mark: 'chosen' });
  else if (ske && 'namedGroupName' in ske && ske.namedGroupName) groupServer.push({ text: `${ske.namedGroupName} (ServerKeyExchange)`, mark: 'chosen' });
  else if (ske && 'dhBits' in ske) groupServer.push({ text: `DHE ${ske.dhBits ?? '?'}-bit (ServerKeyExchange)`, mark: 'chosen' });
  else groupServer.push(...dash);

  const sig = ske && 'signatureScheme' in ske && ske.signatureScheme !== null && ske.signatureScheme !== undefined ? (ske.signatureScheme as number) : null;
  const alpnChosen = sh?.alpn ?? null;
  const sniAck = sh ? (sh.extensions.includes(0) ? 'acknowledged (empty server_name)' : '—') : null;

  const sections: Section[] = [
    { title: 'Versions', note: sv ? [sp('supported_versions', { fg: 'gray' })] : [sp('legacy field (no supported_versions)', { fg: 'gray' })], failed: false, client: clientVersions, server: serverVersions },
    {
      title: `Cipher suites (${ch.cipherSuites.length})`,
      note: [],
      failed: !sh && r.verdict.code === 'tls.cipher_mismatch',
      client: marked(ch.cipherSuiteNames, ch.cipherSuites, suite, (i) => {
        const rating = suiteRating(ch.cipherSuites[i]!);
        return rating ? { rating } : {};
      }),
      server: chosenOne(sh?.cipherSuiteName ?? (hrr ? hrr.cipherSuiteName : null)),
    },
    {
      title: 'Groups',
      note: ch.keyShares.length > 0 ? [sp(`key shares: ${ch.keyShares.map((k) => k.name).join(', ')}`, { fg: 'gray' })] : [],
      failed: !sh && r.verdict.code === 'tls.group_mismatch',
      client: marked(ch.supportedGroupNames, ch.supportedGroups, group, (i) => (shares.has(ch.supportedGroups[i]!) && !isGreaseName(ch.supportedGroupNames[i]!) ? { text: `${ch.supportedGroupNames[i]} +key share` } : {})),
      server: groupServer,
    },
    {
      title: 'Signature algorithms',
      note: [],
      failed: false,
      client: marked(ch.signatureAlgorithmNames, ch.signatureAlgorithms, sig),
      server: sig !== null ? [{ text: `${signatureSchemeName(sig)} (ServerKeyExchange)`, mark: 'chosen' }] : sh && tls.version === 0x0304 ? [{ text: '(encrypted in TLS 1.3)', mark: 'filler' }] : dash,
    },
    {
      title: 'ALPN',
      note: [],
      failed: !sh && r.verdict.code === 'tls.alpn_mismatch',
      client: marked(ch.alpn, ch.alpn, alpnChosen),
      server: alpnChosen ? [{ text: alpnChosen, mark: 'chosen' }] : dash,
    },
    {
      title: 'SNI',
      note: [],
      failed: !sh && r.verdict.code === 'tls.sni_rejected',
      client: ch.serverName !== null ? [{ text: ch.serverName, mark: sniAck?.startsWith('ack') ? 'shared' : 'offered' }] : none('(no server_name)'),
      server: sniAck ? [{ text: sniAck, mark: 'filler' }] : dash,
    },
    {
      title: 'Compression',
      note: [],
      failed: false,
      client: marked(ch.compressionMethodNames, ch.compressionMethods, sh?.compressionMethod),
      server: sh ? [{ text: compressionName(sh.compressionMethod), mark: 'chosen' }] : dash,
    },
  ];
  return {
    headline: tlsHeadline(r, tls),
    heads: [[[sp('CLIENT ', { bold: true }), sp(`ClientHello, frame ${ch.frame}`)], serverAnswer(r, tls)]],
    sections,
  };
}

// ---------------------------------------------------------------- SSH

interface SshList {
  title: string;
  key: keyof SshKexInitJson & string;
  field: NegotiatedField;
  kind: SshAlgorithmKind;
}

/** The eight lists in KEXINIT order, with the negotiated field each gives. */
export const SSH_LISTS: readonly SshList[] = [
  { title: 'Key exchange', key: 'kexAlgorithms', field: 'kex', kind: 'kex' },
  { title: 'Host key', key: 'serverHostKeyAlgorithms', field: 'hostKey', kind: 'hostkey' },
  { title: 'Cipher client→server', key: 'encryptionC2S', field: 'cipherC2S', kind: 'cipher' },
  { title: 'Cipher server→client', key: 'encryptionS2C', field: 'cipherS2C', kind: 'cipher' },
  { title: 'MAC client→server', key: 'macC2S', field: 'macC2S', kind: 'mac' },
  { title: 'MAC server→client', key: 'macS2C', field: 'macS2C', kind: 'mac' },
  { title: 'Compression client→server', key: 'compressionC2S', field: 'compressionC2S', kind: 'compression' },
  { title: 'Compression server→client', key: 'compressionS2C', field: 'compressionS2C', kind: 'compression' },
];

const LIST_WORDS: Record<NegotiatedField, string> = {
  kex: 'key exchange algorithm',
  hostKey: 'host key algorithm',
  cipherC2S: 'cipher client→server',
  cipherS2C: 'cipher server→client',
  macC2S: 'MAC client→server',
  macS2C: 'MAC server→client',
  compressionC2S: 'compression client→server',
  compressionS2C: 'compression server→client',
};

function sshItems(names: readonly string[], other: ReadonlySet<string> | null, chosen: string | null, kind: SshAlgorithmKind): Item[] {
  if (names.length === 0) return none('(empty list)');
  return names.map((text) => {
    if (isMarkerName(text)) return { text, mark: 'filler' as const };
    const rating = sshAlgorithm(kind, text).rating;
    return {
      text,
      mark: text === chosen ? 'chosen' : other?.has(text) ? 'shared' : 'offered',
      ...(rating === 'weak' || rating === 'insecure' ? { rating } : {}),
    };
  });
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

function sshHeadline(r: ConnectionRecord, ssh: SshJson): Line {
  const f = ssh.failure;
  if (f) {
    const words = LIST_WORDS[f.list as NegotiatedField] ?? f.list;
    const why = f.reason === 'hostkey-incompatible' ? `no ${words} in common that works with a common host key type` : `no ${words} in common`;
    return [sp(`No match: ${why}`, { fg: 'red', bold: true }), sp(` — client offers ${f.clientOffer.join(', ')}`, { fg: 'red' })];
  }
  if (ssh.clientKexinit && ssh.serverKexinit && ssh.negotiated.kex) {
    const n = ssh.negotiated;
    const parts = [n.kex, n.hostKey, n.cipherC2S === n.cipherS2C ? n.cipherC2S : `${n.cipherC2S}/${n.cipherS2C}`];
    if (!ssh.macImplicit?.c2s && n.macC2S) parts.push(n.macC2S);
    return [sp('Negotiated ', { fg: 'green' }), sp(parts.filter(Boolean).join(' · '), { fg: 'green', bold: true })];
  }
  const colour = r.outcome === 'failed' ? 'red' : 'yellow';
  const missing = !ssh.clientKexinit && !ssh.serverKexinit ? 'no KEXINIT seen' : !ssh.serverKexinit ? "the server's KEXINIT was not seen" : "the client's KEXINIT was not seen";
  return [sp(`No negotiation: ${missing} — `, { fg: colour, bold: true }), sp(r.verdict.summary, { fg: colour })];
}

function sshOffers(r: ConnectionRecord, ssh: SshJson): Offers {
  const c = ssh.clientKexinit;
  const s = ssh.serverKexinit;
  const sections: Section[] = [];
  for (let i = 0; i < SSH_LISTS.length; i++) {
    const list = SSH_LISTS[i]!;
    const pair = i >= 2 && i % 2 === 0 ? SSH_LISTS[i + 1]! : null;
    // The two directions of a list, identical on both sides, are shown once.
    const merge = !!pair && sameList(c?.[list.key] as string[] | undefined, c?.[pair.key] as string[] | undefined) && sameList(s?.[list.key] as string[] | undefined, s?.[pair.key] as string[] | undefined) && ssh.negotiated[list.field] === ssh.negotiated[pair.field] && ssh.failedList !== pair.field;
    const cl = (c?.[list.key] as string[] | undefined) ?? null;
    const sl = (s?.[list.key] as string[] | undefined) ?? null;
    const chosen = ssh.negotiated[list.field];
    const failed = ssh.failedList === list.field || (merge && ssh.failedList === pair!.field);
    const implicit = list.kind === 'mac' && (list.field === 'macC2S' ? ssh.macImplicit?.c2s : ssh.macImplicit?.s2c);
    const note: Line = [];
    if (failed) note.push(sp('NO MATCH', { fg: 'red', bold: true }));
    else if (chosen) note.push(sp('negotiated: ', { fg: 'gray' }), sp(chosen, { fg: 'green' }));
    else if (implicit && cl && sl) note.push(sp('not used: the cipher is AEAD', { fg: 'gray' }));
    sections.push({
      title: merge ? list.title.replace(/ client→server$/, ' (both directions)') : list.title,
      note,
      failed,
      client: cl ? sshItems(cl, sl ? new Set(sl) : null, chosen, list.kind) : none('(KEXINIT not seen)'),
      server: sl ? sshItems(sl, cl ? new Set(cl) : null, chosen, list.kind) : none('(KEXINIT not seen)'),
    });
    if (merge) i++;
  }
  const banner = (b: string | null) => (b ? [sp(b)] : [sp('(no banner)', { fg: 'gray' })]);
  const kexHead = (who: string, k: SshKexInitJson | null): Line => [sp(`${who} `, { bold: true }), sp(k ? `KEXINIT, frame ${k.frame}` : 'no KEXINIT', k ? {} : { fg: 'gray' })];
  return {
    headline: sshHeadline(r, ssh),
    heads: [
      [banner(ssh.clientBanner), banner(ssh.serverBanner)],
      [kexHead('CLIENT', c), kexHead('SERVER', s)],
    ],
    sections,
  };
}
