// The view model: a pure function of the state. It says, for each pane of the layout,
// its rectangle, its title and the styled lines to show (already scrolled and cut to
// size), plus the status line and the help overlay. Widgets only paint this; tests read
// it without a terminal.

import type { ConnectionRecord } from '../report/record.js';
import { helpRows, hints, modeOf } from './keymap.js';
import { innerSize, layoutFor, type LayoutName, type Rect } from './layout.js';
import { ladderLines } from './view-ladder.js';
import { offersLines } from './view-offers.js';
import { verdictLines } from './view-verdict.js';
import { counters, failureGroups, selectedEntry, visibleEntries } from './select.js';
import type { FailureGroup } from '../report/groups.js';
import { displayText } from './sanitize.js';
import type { DetailPane, Entry, PaneId, State } from './model.js';
import { fit, lineWidth, pad, sp, type Color, type Line } from './text.js';
import { endpoint as ep, OUTCOME_COLOR, software, sshOf, tlsOf } from './records.js';
import { thousands } from '../report/number.js';

export interface PaneView {
  id: PaneId;
  rect: Rect;
  title: Line;
  focused: boolean;
  /** The visible lines (scrolled, cut to the inner width). */
  lines: Line[];
  /** First content line shown, and how many there are. */
  scroll: number;
  total: number;
  /** List pane: the selected row's index in `lines`, or -1. */
  selectedRow: number;
}

export interface ScreenView {
  layout: LayoutName;
  panes: PaneView[];
  status: Line;
  help: { rect: Rect; title: string; lines: Line[] } | null;
}

/** The colour a connection is shown in: green completed, red failed, yellow incomplete or still open. */
export const entryColor = (e: Entry): Color => (e.open ? 'yellow' : OUTCOME_COLOR[e.record.outcome] ?? 'yellow');

/** SNI, or the SSH software of both sides. */
export function identity(r: ConnectionRecord): string {
  const tls = tlsOf(r);
  if (tls) return tls.clientHello?.serverName ?? (tls.clientHello ? 'no SNI' : '');
  const ssh = sshOf(r);
  if (ssh) {
    const c = software(ssh.clientBanner);
    const s = software(ssh.serverBanner);
    return [c, s].filter((x) => x !== null).join(' / ');
  }
  return '';
}

/** One row of the connection list: time, protocol, client → server, SNI or software, verdict. */
export function rowLine(e: Entry, width: number): Line {
  const r = e.record;
  const time = r.startTime.slice(11, 19);
  const proto = r.protocol === 'unknown' ? 'TCP' : r.protocol.toUpperCase();
  const verdict = e.open ? `open: ${r.stage}` : r.verdict.code;
  const fixed = time.length + 1 + 4 + 1 + 1 + verdict.length;
  // The endpoints first (without the client's port when short of room), then the identity.
  const full = `${ep(r.client)} → ${ep(r.server)}`;
  const ends = full.length + fixed + 12 <= width ? full : `${r.client.ip} → ${ep(r.server)}`;
  const ident = identity(r);
  const endsRoom = Math.max(0, Math.min(ends.length, width - fixed - 1));
  const identRoom = Math.max(0, width - fixed - endsRoom - 2);
  const cut = (s: string, n: number) => (s.length <= n ? s.padEnd(n) : n > 1 ? s.slice(0, n - 1) + '…' : ''.padEnd(n));
  const identCol = identRoom > 0 ? ' ' + cut(ident, identRoom) : '';
  return [sp(`${time} ${proto.padEnd(4)} ${cut(ends, endsRoom)}${identCol} `), sp(verdict, { bold: !e.open && r.outcome === 'failed' })];
}

function listTitle(s: State): Line {
  const c = counters(s);
  const parts: Line = [sp(' Connections '), sp(`${c.total}`, { bold: true }), sp(' · '), sp(`${c.failed} failed`, c.failed > 0 ? { fg: 'red' } : {})];
  if (c.open > 0 || s.source.kind !== 'file') parts.push(sp(' · '), sp(`${c.open} open`, c.open > 0 ? { fg: 'yellow' } : {}));
  if (s.source.kind === 'live') {
    parts.push(sp(` · ${thousands(s.stats.packets)} pkts · `), sp(`${s.stats.dropped ?? 0} dropped`, (s.stats.dropped ?? 0) > 0 ? { fg: 'red' } : {}));
  }
  const f: string[] = [];
  if (s.filter.outcome !== 'all') f.push(s.filter.outcome === 'failed' ? 'failed only' : 'not completed');
  if (s.filter.protocol !== 'all') f.push(s.filter.protocol === 'unknown' ? 'other' : s.filter.protocol.toUpperCase());
  if (s.filter.text) f.push(`/${s.filter.text}`);
  if (s.filter.group) f.push(`group ${s.filter.group.code}${s.filter.group.serverName ? ` ${s.filter.group.serverName}` : ''}`);
  if (f.length > 0) parts.push(sp(` [${f.join(', ')}: ${c.shown} shown]`, { fg: 'cyan' }));
  if (s.sort !== 'time') parts.push(sp(` sort: ${s.sort === 'newest' ? 'newest first' : 'failed first'}`, { fg: 'cyan' }));
  parts.push(sp(' '));
  return parts;
}

/** One row of the groups view: count, code, SNI, server, clients. */
export function groupRow(g: FailureGroup, width: number): Line {
  const ident = [g.serverName ? `SNI ${g.serverName}` : null, g.server ? ep(g.server) : 'other servers', `${g.clientsCapped ? '≥' : ''}${g.clients} client${g.clients === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
  return fit([sp(`${String(g.count).padStart(6)} `, { bold: true }), sp(`${g.code} `, { fg: 'red' }), sp(displayText(ident))], width);
}

function groupsPane(s: State, rect: Rect): PaneView {
  const { width, height } = innerSize(rect);
  const groups = failureGroups(s);
  const sel = Math.min(s.groupSel, groups.length - 1);
  const top = sel < 0 ? 0 : Math.max(0, Math.min(sel - Math.floor(height / 2), groups.length - height));
  const lines: Line[] = groups.slice(top, top + height).map((g, i) => (top + i === sel ? pad(groupRow(g, width), width).map((x) => ({ ...x, inverse: true, bold: true })) : groupRow(g, width)));
  if (groups.length === 0) lines.push([sp(s.entries.size > 0 ? 'no failed connection: no group' : 'waiting for connections…', { fg: 'gray' })]);
  const failed = groups.reduce((n, g) => n + g.count, 0);
  const title: Line = [sp(' Failure groups '), sp(`${groups.length}`, { bold: true }), sp(` · ${failed} failed connections · Enter lists a group, c or Esc back `)];
  return { id: 'list', rect, title, focused: s.focus === 'list', lines, scroll: top, total: groups.length, selectedRow: sel < 0 ? -1 : sel - top };
}

function listPane(s: State, rect: Rect): PaneView {
  if (s.view === 'groups') return groupsPane(s, rect);
  const { width, height } = innerSize(rect);
  const rows = visibleEntries(s);
  const sel = s.selectedId === null ? -1 : rows.findIndex((e) => e.record.id === s.selectedId);
  const top = sel < 0 ? 0 : Math.max(0, Math.min(sel - s.selRow, rows.length - height));
  const lines: Line[] = rows.slice(top, top + height).map((e, i) => {
    const line = top + i === sel ? pad(rowLine(e, width), width).map((x) => ({ ...x, inverse: true, bold: true })) : rowLine(e, width);
    return line.map((x) => ({ ...x, fg: entryColor(e) }));
  });
  if (rows.length === 0) {
    const waiting = s.entries.size > 0 ? 'no connection matches the filter (f, p, / change it)' : s.inputDone ? 'no TLS or SSH connection in this input' : 'waiting for connections…';
    lines.push([sp(waiting, { fg: 'gray' })]);
  }
  return { id: 'list', rect, title: listTitle(s), focused: s.focus === 'list', lines, scroll: top, total: rows.length, selectedRow: sel < 0 ? -1 : sel - top };
}

const DETAIL_TITLES: Record<DetailPane, string> = { offers: 'Offers', ladder: 'Ladder', verdict: 'Verdict' };

/** All content lines of a detail pane for the selected connection at a given inner width. */
export function detailLines(s: State, pane: DetailPane, width: number): Line[] {
  const e = selectedEntry(s);
  if (!e) return [[sp(s.entries.size === 0 ? (s.inputDone ? 'nothing to show' : 'waiting for connections…') : 'no connection selected', { fg: 'gray' })]];
  switch (pane) {
    case 'offers':
      return offersLines(e, width);
    case 'ladder':
      return ladderLines(e, width);
    case 'verdict':
      return verdictLines(e, width);
  }
}

function detailRect(s: State, pane: DetailPane): Rect | null {
  return layoutFor(s.size, s.detail).panes[pane] ?? null;
}

/** Content length of a detail pane as laid out now (the reducer's scroll bound). */
export function detailLineCount(s: State, pane: DetailPane): number {
  const rect = detailRect(s, pane) ?? layoutFor(s.size, pane).panes[pane]!;
  return detailLines(s, pane, innerSize(rect).width).length;
}

function detailTitle(s: State, pane: DetailPane): Line {
  const e = selectedEntry(s);
  const t: Line = [sp(` ${DETAIL_TITLES[pane]}`, { bold: true })];
  if (e) {
    t.push(sp(` #${e.record.id}`));
    if (pane === 'offers') t.push(sp(e.record.protocol === 'ssh' ? ' SSH KEXINIT' : e.record.protocol === 'tls' ? ' TLS hellos' : ''));
    if (e.open) t.push(sp(' (in progress)', { fg: 'yellow' }));
  }
  return [...t, sp(' ')];
}

function detailPane(s: State, pane: DetailPane, rect: Rect, layout: LayoutName): PaneView {
  const { width, height } = innerSize(rect);
  const all = detailLines(s, pane, width);
  const scroll = Math.max(0, Math.min(s.scroll[pane], all.length - height));
  const title = detailTitle(s, pane);
  if (layout === 'stacked') {
    // One detail pane at a time: the title names the others and their keys.
    const others = (['offers', 'ladder', 'verdict'] as const).map((p, i) => sp(` ${i + 1} ${DETAIL_TITLES[p]}`, p === pane ? { bold: true, underline: true } : { fg: 'gray' }));
    title.push(...others, sp(' '));
  }
  if (all.length > height) title.push(sp(` ${scroll + 1}-${Math.min(all.length, scroll + height)}/${all.length} `, { fg: 'gray' }));
  return { id: pane, rect, title, focused: s.focus === pane, lines: all.slice(scroll, scroll + height).map((l) => fit(l, width)), scroll, total: all.length, selectedRow: -1 };
}

function statusLine(s: State): Line {
  const mode = modeOf(s);
  const line: Line = [];
  if (mode === 'search') {
    line.push(sp('/', { bold: true }), sp(s.searchDraft), sp('_', { inverse: true }), sp('  '));
  } else if (s.message) {
    line.push(sp(s.message.text, s.message.error ? { fg: 'red', bold: true } : { fg: 'green' }), sp('  '));
  }
  for (const h of hints(mode)) line.push(sp(h.key, { bold: true }), sp(` ${h.hint}  `));
  const src =
    s.source.kind === 'live' ? `live ${s.source.name}` : s.source.kind === 'replay' ? `replay ${s.source.name}${s.inputDone ? ' (done)' : ''}` : s.source.name;
  line.push(sp(`· ${src}`, { fg: 'gray' }));
  return fit(line, s.size.cols);
}

/** The help's content, generated from the key map. */
export function helpLines(): Line[] {
  const rows = helpRows();
  const keyW = Math.max(...rows.map((r) => r.key.length));
  const lines: Line[] = [];
  const titles = { normal: 'Keys', search: 'While typing a search (/)', help: 'In this help' } as const;
  for (const mode of ['normal', 'search', 'help'] as const) {
    if (lines.length > 0) lines.push([]);
    lines.push([sp(titles[mode], { bold: true, fg: 'cyan' })]);
    for (const r of rows.filter((x) => x.mode === mode)) lines.push([sp(` ${r.key.padEnd(keyW)}  `, { bold: true }), sp(r.description)]);
  }
  lines.push([], [sp('Colours: '), sp('completed', { fg: 'green' }), sp(' · '), sp('failed', { fg: 'red' }), sp(' · '), sp('incomplete or in progress', { fg: 'yellow' })]);
  lines.push([sp('Offers: '), sp('▶ chosen', { fg: 'green', bold: true }), sp(' · '), sp('= offered by both sides', { fg: 'cyan' }), sp(' · '), sp('(weak)', { fg: 'yellow' }), sp(' '), sp('(insecure)', { fg: 'red' })]);
  return lines;
}

function helpRect(s: State): Rect {
  const lines = helpLines();
  const width = Math.min(s.size.cols, Math.max(...lines.map(lineWidth)) + 4);
  const height = Math.min(s.size.rows - 1, lines.length + 2);
  return { left: Math.floor((s.size.cols - width) / 2), top: Math.max(0, Math.floor((s.size.rows - 1 - height) / 2)), width, height };
}

/** Lines of help visible at once. */
export const helpHeight = (s: State): number => innerSize(helpRect(s)).height;

function helpView(s: State): ScreenView['help'] {
  if (s.overlay !== 'help') return null;
  const rect = helpRect(s);
  const all = helpLines();
  const { width, height } = innerSize(rect);
  const top = Math.max(0, Math.min(s.helpScroll, all.length - height));
  const more = all.length > height ? ` ${top + 1}-${top + height}/${all.length} ↑↓ ` : '';
  return { rect, title: ` Help ${more}`, lines: all.slice(top, top + height).map((l) => fit(l, width)) };
}

/** The whole screen for a state. */
export function buildView(s: State): ScreenView {
  const layout = layoutFor(s.size, s.detail);
  const panes: PaneView[] = [];
  for (const [id, rect] of Object.entries(layout.panes) as [PaneId, Rect][]) {
    panes.push(id === 'list' ? listPane(s, rect) : detailPane(s, id, rect, layout.name));
  }
  return { layout: layout.name, panes, status: statusLine(s), help: helpView(s) };
}
