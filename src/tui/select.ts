// Pure selectors over the TUI state: which connections the list shows (filter, search,
// sort), the selected one, and the counters of the list's title.

import type { SshJson } from '../ssh/json.js';
import { FailureGroups, groupKeyOf, type FailureGroup, type GroupKey } from '../report/groups.js';
import type { Entry, State } from './model.js';
import type { TlsRecord } from './records.js';

/** The words a search matches: addresses, host names (SNI, certificate names), software, verdict. */
export function searchText(e: Entry): string {
  const r = e.record;
  const parts: string[] = [
    `${r.client.ip}:${r.client.port}`,
    `${r.server.ip}:${r.server.port}`,
    r.protocol,
    r.verdict.code,
    r.verdict.summary,
    r.stage,
  ];
  const tls = r.tls as TlsRecord | undefined;
  if (tls) {
    if (tls.clientHello?.serverName) parts.push(tls.clientHello.serverName);
    for (const c of tls.certificates ?? []) parts.push(...c.dnsNames, c.subject ?? '');
  }
  const ssh = r.ssh as SshJson | undefined;
  if (ssh) parts.push(ssh.clientBanner ?? '', ssh.serverBanner ?? '');
  return parts.join('\n').toLowerCase();
}

const OUTCOME_RANK: Record<string, number> = { failed: 0, incomplete: 1, completed: 2 };

function passes(s: State, e: Entry): boolean {
  const r = e.record;
  const f = s.filter;
  if (f.outcome === 'failed' && r.outcome !== 'failed') return false;
  if (f.outcome === 'problems' && r.outcome === 'completed' && !e.open) return false;
  if (f.protocol !== 'all' && r.protocol !== f.protocol) return false;
  if (f.group && (e.open || r.outcome !== 'failed' || !sameGroup(groupKeyOf(r), f.group))) return false;
  if (f.text) {
    const hay = searchText(e);
    // Every word must match somewhere: "10.0.0.5 mismatch".
    for (const w of f.text.toLowerCase().split(/\s+/)) if (w && !hay.includes(w)) return false;
  }
  return true;
}

const sameGroup = (a: GroupKey, b: GroupKey): boolean =>
  a.code === b.code && a.serverName === b.serverName && a.clientFingerprint === b.clientFingerprint && (b.server === null || (a.server?.ip === b.server.ip && a.server?.port === b.server.port));

const groupCache = new WeakMap<ReadonlyMap<number, Entry>, FailureGroup[]>();

/** The failure groups of the connections that ended (memoised per entry set). */
export function failureGroups(s: State): FailureGroup[] {
  const hit = groupCache.get(s.entries);
  if (hit) return hit;
  const g = new FailureGroups();
  for (const e of s.entries.values()) if (!e.open) g.add(e.record);
  const list = g.list();
  groupCache.set(s.entries, list);
  return list;
}

const cache = new WeakMap<State, Entry[]>();

/** The list's rows: filtered, searched and sorted (memoised per state object). */
export function visibleEntries(s: State): Entry[] {
  const hit = cache.get(s);
  if (hit) return hit;
  const rows = [...s.entries.values()].filter((e) => passes(s, e));
  const byTime = (a: Entry, b: Entry) => a.record.firstFrame - b.record.firstFrame || a.record.id - b.record.id;
  if (s.sort === 'time') rows.sort(byTime);
  else if (s.sort === 'newest') rows.sort((a, b) => byTime(b, a));
  else rows.sort((a, b) => rank(a) - rank(b) || byTime(a, b));
  cache.set(s, rows);
  return rows;
}

const rank = (e: Entry): number => (e.open ? 1 : OUTCOME_RANK[e.record.outcome] ?? 3);

export function selectedEntry(s: State): Entry | null {
  return s.selectedId === null ? null : s.entries.get(s.selectedId) ?? null;
}

export interface Counters {
  total: number;
  failed: number;
  open: number;
  shown: number;
}

export function counters(s: State): Counters {
  let failed = 0;
  let open = 0;
  for (const e of s.entries.values()) {
    if (e.open) open++;
    else if (e.record.outcome === 'failed') failed++;
  }
  return { total: s.entries.size, failed, open, shown: visibleEntries(s).length };
}
