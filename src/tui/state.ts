// The TUI's state and its one reducer. Everything the screen shows is derived from this
// state by view.ts; key presses become actions through keymap.ts; the app feeds records,
// open-connection snapshots and capture counters in as actions too. reduce() is pure: it
// never touches the terminal, the files or the clock.

import type { ConnectionRecord } from '../report/record.js';
import { layoutFor, innerSize, type Size } from './layout.js';
import { failureGroups, visibleEntries } from './select.js';
import { detailLineCount, helpHeight, helpLines } from './view.js';
import { PANE_ORDER, OUTCOME_FILTERS, PROTOCOL_FILTERS, SORT_ORDERS, type DetailPane, type Source, type State, type Action } from './model.js';

export { DETAIL_PANES, PANE_ORDER, OUTCOME_FILTERS, PROTOCOL_FILTERS, SORT_ORDERS } from './model.js';
export type { PaneId, DetailPane, OutcomeFilter, ProtocolFilter, SortOrder, Entry, Source, State, Action, ActionType } from './model.js';

export function initialState(source: Source, size: Size): State {
  return {
    source,
    entries: new Map(),
    selectedId: null,
    selRow: 0,
    focus: 'list',
    detail: 'offers',
    scroll: { offers: 0, ladder: 0, verdict: 0 },
    filter: { outcome: 'all', protocol: 'all', text: '', group: null },
    view: 'connections',
    groupSel: 0,
    sort: 'time',
    overlay: 'none',
    helpScroll: 0,
    searchDraft: '',
    size: clampSize(size),
    stats: { packets: 0, dropped: null },
    inputDone: false,
    message: null,
  };
}

const clampSize = (s: Size): Size => ({ cols: Math.max(20, Math.floor(s.cols)), rows: Math.max(8, Math.floor(s.rows)) });
const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));
const next = <T>(list: readonly T[], cur: T, d = 1): T => list[(list.indexOf(cur) + d + list.length) % list.length]!;

/** Rows of the connection list's viewport. */
export function listHeight(s: State): number {
  return innerSize(layoutFor(s.size, s.detail).panes.list!).height;
}

function paneHeight(s: State, pane: DetailPane): number {
  const l = layoutFor(s.size, pane);
  return innerSize(l.panes[pane]!).height;
}

/** Select the row at `index` of the visible list, putting it at screen row `row`. */
function selectIndex(s: State, index: number, row: number): State {
  const rows = visibleEntries(s);
  if (rows.length === 0) return { ...s, selectedId: null, selRow: 0 };
  const i = clamp(index, 0, rows.length - 1);
  const id = rows[i]!.record.id;
  const h = listHeight(s);
  const selRow = clamp(Math.min(row, i), 0, h - 1);
  const moved = id !== s.selectedId;
  return { ...s, selectedId: id, selRow, ...(moved ? { scroll: { offers: 0, ladder: 0, verdict: 0 } } : {}) };
}

function selectedIndex(s: State): number {
  if (s.selectedId === null) return -1;
  return visibleEntries(s).findIndex((e) => e.record.id === s.selectedId);
}

/** Keep a valid selection: the selected connection if still shown, else the first row. */
function normalize(s: State): State {
  const i = selectedIndex(s);
  if (i >= 0) return s;
  return selectIndex(s, 0, 0);
}

function scrollBy(s: State, pane: DetailPane, delta: number): State {
  const max = Math.max(0, detailLineCount(s, pane) - paneHeight(s, pane));
  const v = clamp(s.scroll[pane] + delta, 0, max);
  return { ...s, scroll: { ...s.scroll, [pane]: v } };
}

function moveBy(s: State, delta: number): State {
  if (s.overlay === 'help') return { ...s, helpScroll: clamp(s.helpScroll + delta, 0, Math.max(0, helpLines().length - helpHeight(s))) };
  if (s.focus !== 'list') return scrollBy(s, s.focus, delta);
  if (s.view === 'groups') return { ...s, groupSel: clamp(s.groupSel + delta, 0, Math.max(0, failureGroups(s).length - 1)) };
  const i = selectedIndex(s);
  return selectIndex(s, i + delta, s.selRow + delta);
}

function upsert(s: State, record: ConnectionRecord, open: boolean): State {
  const prev = s.entries.get(record.id);
  // A provisional snapshot never replaces the final record.
  if (open && prev && !prev.open) return s;
  const entries = new Map(s.entries);
  entries.set(record.id, { record, open });
  return { ...s, entries };
}

export function reduce(s: State, a: Action): State {
  switch (a.type) {
    case 'record':
      return normalize(upsert(s, a.record, false));
    case 'open': {
      let t = s;
      for (const r of a.records) t = upsert(t, r, true);
      return normalize(t);
    }
    case 'stats':
      return { ...s, stats: { packets: a.packets, dropped: a.dropped } };
    case 'inputDone':
      return { ...s, inputDone: true };
    case 'resize': {
      const t = { ...s, size: clampSize({ cols: a.cols, rows: a.rows }) };
      return { ...t, selRow: clamp(t.selRow, 0, listHeight(t) - 1) };
    }
    case 'move':
      return moveBy(s, a.delta);
    case 'page': {
      const h = s.overlay === 'help' ? helpHeight(s) : s.focus === 'list' ? listHeight(s) : paneHeight(s, s.focus);
      return moveBy(s, a.direction * Math.max(1, h - 1));
    }
    case 'home':
      if (s.focus !== 'list') return { ...s, scroll: { ...s.scroll, [s.focus]: 0 } };
      if (s.view === 'groups') return { ...s, groupSel: 0 };
      return selectIndex(s, 0, 0);
    case 'end':
      if (s.focus !== 'list') return scrollBy(s, s.focus, Number.MAX_SAFE_INTEGER);
      if (s.view === 'groups') return { ...s, groupSel: Math.max(0, failureGroups(s).length - 1) };
      return selectIndex(s, visibleEntries(s).length - 1, listHeight(s) - 1);
    case 'focusNext': {
      const pane = next(PANE_ORDER, s.focus, a.direction);
      return { ...s, focus: pane, detail: pane === 'list' ? s.detail : pane };
    }
    case 'focus':
      return { ...s, focus: a.pane, detail: a.pane === 'list' ? s.detail : a.pane };
    case 'enter': {
      if (s.view === 'groups' && s.focus === 'list') {
        // a group: its connections
        const g = failureGroups(s)[s.groupSel];
        if (!g) return { ...s, view: 'connections' };
        const group = { code: g.code, server: g.server, serverName: g.serverName, clientFingerprint: g.clientFingerprint };
        return normalize({ ...s, view: 'connections', filter: { ...s.filter, group } });
      }
      return s.focus === 'list' ? { ...s, focus: s.detail } : s;
    }
    case 'toggleGroups':
      return s.view === 'groups' ? { ...s, view: 'connections' } : { ...s, view: 'groups', focus: 'list', groupSel: clamp(s.groupSel, 0, Math.max(0, failureGroups(s).length - 1)) };
    case 'back':
      if (s.overlay !== 'none') return { ...s, overlay: 'none' };
      if (s.focus !== 'list') return { ...s, focus: 'list' };
      if (s.view === 'groups') return { ...s, view: 'connections' };
      if (s.filter.group) return normalize({ ...s, filter: { ...s.filter, group: null } });
      return s.message ? { ...s, message: null } : s;
    case 'cycleOutcome':
      return normalize({ ...s, filter: { ...s.filter, outcome: next(OUTCOME_FILTERS, s.filter.outcome) } });
    case 'cycleProtocol':
      return normalize({ ...s, filter: { ...s.filter, protocol: next(PROTOCOL_FILTERS, s.filter.protocol) } });
    case 'cycleSort':
      return normalize({ ...s, sort: next(SORT_ORDERS, s.sort) });
    case 'searchStart':
      return { ...s, overlay: 'search', searchDraft: s.filter.text };
    case 'searchInput':
      return normalize({ ...s, searchDraft: s.searchDraft + a.text, filter: { ...s.filter, text: s.searchDraft + a.text } });
    case 'searchBackspace': {
      const draft = s.searchDraft.slice(0, -1);
      return normalize({ ...s, searchDraft: draft, filter: { ...s.filter, text: draft } });
    }
    case 'searchCommit':
      return normalize({ ...s, overlay: 'none', filter: { ...s.filter, text: s.searchDraft.trim() } });
    case 'searchCancel':
      return normalize({ ...s, overlay: 'none', searchDraft: '', filter: { ...s.filter, text: '' } });
    case 'help':
      return { ...s, overlay: a.show ? 'help' : 'none', helpScroll: 0 };
    case 'message':
      return { ...s, message: { text: a.text, error: a.error ?? false } };
    case 'dismiss':
      return s.message ? { ...s, message: null } : s;
    case 'save':
    case 'export':
    case 'quit':
      return s;
  }
}
