// The human report: a summary table first, then one block per connection (client →
// server, protocol, stage reached, verdict, evidence, fixes). Every string that came from
// the wire is escaped before it reaches the terminal.

import { versionName } from '../registry/tls-versions.js';
import { escapeForTerminal, hostPort } from '../wire/text.js';
import type { FailureGroup } from './groups.js';
import type { ConnectionRecord } from './record.js';
import type { Style } from './style.js';
import { thousands } from './number.js';

/** The contract's nested fields the text report shows (all optional: older or partial records). */
interface TlsView {
  clientHello?: { serverName?: string | null; supportedVersions?: number[]; alpn?: string[] } | null;
  serverHello?: { version?: number | null; cipherSuite?: number | null; cipherSuiteName?: string | null } | null;
  versionName?: string | null;
}
interface SshView {
  clientBanner?: string | null;
  serverBanner?: string | null;
  negotiated?: Record<string, string | null> | null;
  hostKey?: { type?: string; fingerprint?: string } | null;
}

const ep = hostPort;

export function outcomeLabel(r: ConnectionRecord, st: Style): string {
  if (r.outcome === 'completed') return st.green('completed');
  if (r.outcome === 'failed') return st.red('FAILED');
  return st.yellow('incomplete');
}

/** One line of what the connection was about: SNI / versions, or SSH software. */
export function identityLine(r: ConnectionRecord): string {
  const parts: string[] = [];
  const tunnel = r.tunnel as { kind: string; target: string | null; status: string | null } | null;
  if (tunnel) parts.push(`${tunnel.kind}${tunnel.target ? ` to ${escapeForTerminal(tunnel.target)}` : ''}${tunnel.status !== null ? ` (${escapeForTerminal(tunnel.status)})` : ''}`);
  const t = (r.tls ?? {}) as TlsView;
  if ((r.protocol === 'tls' || r.tls) && (!tunnel || t.clientHello)) {
    const sni = t.clientHello?.serverName;
    parts.push(sni ? `SNI ${escapeForTerminal(sni)}` : 'no SNI');
    const v = t.serverHello?.version;
    if (v) parts.push(versionName(v));
    const suite = t.serverHello?.cipherSuiteName;
    if (suite) parts.push(escapeForTerminal(suite));
    const alpn = t.clientHello?.alpn;
    if (alpn && alpn.length > 0) parts.push(`ALPN ${alpn.map(escapeForTerminal).join(',')}`);
  }
  if (r.protocol === 'ssh' || r.ssh) {
    const s = (r.ssh ?? {}) as SshView;
    if (s.clientBanner) parts.push(`client ${escapeForTerminal(s.clientBanner)}`);
    if (s.serverBanner) parts.push(`server ${escapeForTerminal(s.serverBanner)}`);
    if (s.hostKey?.fingerprint) parts.push(`${escapeForTerminal(s.hostKey.type ?? '')} ${s.hostKey.fingerprint}`);
  }
  return parts.join(' · ');
}

export function renderRecord(r: ConnectionRecord, st: Style): string {
  const lines: string[] = [];
  const proto = r.protocol.toUpperCase();
  lines.push(
    `${st.bold(`#${r.id}`)}  ${proto.padEnd(7)} ${ep(r.client)} → ${ep(r.server)}  ${outcomeLabel(r, st)} at ${r.stage}  ${st.dim(`frames ${r.firstFrame}–${r.lastFrame}, ${r.startTime}`)}`,
  );
  const ident = identityLine(r);
  if (ident) lines.push(`    ${st.dim(ident)}`);
  const codeColour = r.outcome === 'completed' ? st.green : r.outcome === 'failed' ? st.red : st.yellow;
  lines.push(`    ${codeColour(r.verdict.code)} (${r.verdict.confidence}): ${escapeForTerminal(r.verdict.summary)}`);
  if (r.cutFrame !== null || r.closedBy !== null) {
    const bits: string[] = [];
    if (r.cutFrame !== null) bits.push(`cut at frame ${r.cutFrame}`);
    if (r.closedBy !== null) bits.push(`closed by the ${r.closedBy}${r.closeKind ? ` (${r.closeKind})` : ''}`);
    else if (r.closeKind) bits.push(`ended by ${r.closeKind}`);
    lines.push(`    ${st.dim(bits.join(', '))}`);
  }
  const nat = r.tcp?.translated;
  if (nat) lines.push(`    ${st.dim(`${nat.leg === 'before' ? 'after' : 'before'} address translation on the capturing host: ${ep(nat.other.client)} → ${ep(nat.other.server)}`)}`);
  if (r.verdict.evidence.length > 0) {
    lines.push('    evidence:');
    for (const e of r.verdict.evidence) lines.push(`      ${escapeForTerminal(e)}`);
  }
  if (r.verdict.fixes.length > 0) {
    lines.push('    fixes:');
    for (const f of r.verdict.fixes) lines.push(`      - ${escapeForTerminal(f)}`);
  }
  const notes = r.findings.filter((f) => f.severity !== 'info' || r.outcome !== 'completed');
  if (notes.length > 0) {
    lines.push('    findings:');
    for (const f of notes.slice(0, 12)) {
      const mark = f.severity === 'error' ? st.red('!') : f.severity === 'warning' ? st.yellow('!') : st.dim('·');
      lines.push(`      ${mark} ${escapeForTerminal(f.message)}`);
    }
    if (notes.length > 12) lines.push(`      … ${notes.length - 12} more (see --json)`);
  }
  return lines.join('\n');
}

export interface SummaryCounts {
  total: number;
  completed: number;
  failed: number;
  incomplete: number;
  byVerdict: Map<string, number>;
  byProtocol: Map<string, number>;
}

export function emptyCounts(): SummaryCounts {
  return { total: 0, completed: 0, failed: 0, incomplete: 0, byVerdict: new Map(), byProtocol: new Map() };
}

export function count(c: SummaryCounts, r: Pick<ConnectionRecord, 'outcome' | 'protocol'> & { verdict: { code: string } }): void {
  c.total++;
  c[r.outcome]++;
  c.byVerdict.set(r.verdict.code, (c.byVerdict.get(r.verdict.code) ?? 0) + 1);
  c.byProtocol.set(r.protocol, (c.byProtocol.get(r.protocol) ?? 0) + 1);
}

export function renderSummary(c: SummaryCounts, st: Style, header: string, notes: string[], vantage: string | null = null): string {
  const lines: string[] = [st.bold(header)];
  if (vantage) lines.push(`  ${st.dim(escapeForTerminal(vantage))}`);
  const protos = [...c.byProtocol].map(([p, n]) => `${n} ${p.toUpperCase()}`).join(', ');
  lines.push(`  connections  ${String(c.total).padStart(6)}${protos ? `  (${protos})` : ''}`);
  lines.push(`  completed    ${st.green(String(c.completed).padStart(6))}`);
  lines.push(`  failed       ${(c.failed > 0 ? st.red : st.green)(String(c.failed).padStart(6))}`);
  const failedCodes = [...c.byVerdict].filter(([code]) => !code.endsWith('.ok') && code !== 'incomplete').sort((a, b) => b[1] - a[1]);
  for (const [code, n] of failedCodes) lines.push(`    ${code.padEnd(28)} ${String(n).padStart(5)}`);
  lines.push(`  incomplete   ${(c.incomplete > 0 ? st.yellow : st.dim)(String(c.incomplete).padStart(6))}`);
  for (const n of notes) lines.push(`  ${st.yellow('note:')} ${n}`);
  return lines.join('\n');
}

/** "09:14:02" when both ends fall on one day, else the full ISO times. */
function span(first: string, last: string): string {
  if (first.slice(0, 10) === last.slice(0, 10)) return `${first.slice(0, 10)} ${first.slice(11, 19)}–${last.slice(11, 19)}`;
  return `${first.slice(0, 19)}Z – ${last.slice(0, 19)}Z`;
}

/** What the same server did for other connections, in one phrase. */
function sameServerLine(g: FailureGroup): string | null {
  if (g.overflow || !g.server) return null;
  const s = g.sameServer;
  const n = thousands;
  if (s.completed === 0) return `no connection to this server completed in the capture${s.failedOtherGroups > 0 ? ` (${n(s.failedOtherGroups)} more failed for other causes)` : ''}`;
  if (s.completedSameName === 0 && s.otherNamesCompleted > 0) return `every other ${g.serverName ? 'SNI' : 'name'} on this server is fine: ${n(s.otherNamesCompleted)} connection${s.otherNamesCompleted === 1 ? '' : 's'} completed`;
  return `${n(s.completedSameName)} other connection${s.completedSameName === 1 ? '' : 's'} to this server${g.serverName ? ' with the same SNI' : ''} completed: it depends on the client`;
}

/** The failure groups at the end of the human report, biggest first. */
export function renderGroups(groups: readonly FailureGroup[], st: Style, limit = 20): string {
  if (groups.length === 0) return '';
  const n = thousands;
  const lines: string[] = [st.bold(`failure groups, biggest first (${groups.length}):`)];
  groups.slice(0, limit).forEach((g, i) => {
    const head = [st.red(g.code)];
    if (g.overflow) head.push('(other servers, names and clients: the group table was full)');
    if (g.serverName) head.push(`SNI ${escapeForTerminal(g.serverName)}`);
    if (g.server) head.push(ep(g.server));
    if (g.clientFingerprint) head.push(`client ${escapeForTerminal(g.clientFingerprint)}`);
    lines.push(`  ${i + 1}. ${head.join(' · ')}`);
    const top = g.topClients.map((c) => (c.count > 1 ? `${c.ip} ×${n(c.count)}` : c.ip)).join(', ');
    const clients = `${g.clientsCapped ? 'at least ' : ''}${n(g.clients)} client${g.clients === 1 ? '' : 's'}`;
    const ex = g.examples.map((id, j) => (j === 0 && g.exampleFrames[0] !== null ? `#${id} (cut at frame ${g.exampleFrames[0]})` : `#${id}`)).join(', ');
    lines.push(`     ${n(g.count)} connection${g.count === 1 ? '' : 's'} from ${clients}${top && g.clients > 1 ? ` (${top}${g.clients > g.topClients.length ? ', …' : ''})` : ''}, ${span(g.firstTime, g.lastTime)}; e.g. ${ex}`);
    const same = sameServerLine(g);
    if (same) lines.push(`     ${st.dim(same)}`);
    lines.push(`     ${st.dim(escapeForTerminal(g.summary))}`);
  });
  if (groups.length > limit) lines.push(`  … ${groups.length - limit} smaller groups (hsi read --json --groups lists them all)`);
  return lines.join('\n');
}
