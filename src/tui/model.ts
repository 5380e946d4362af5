// The TUI's data model: panes, filters, connection entries, the state and its actions.
// Types and constants only, so that the reducer (state.ts), the layout, the selectors and
// the views can all name them without importing each other.

import type { GroupKey } from '../report/groups.js';
import type { ConnectionRecord } from '../report/record.js';

/** The terminal, in character cells. */
export interface Size {
  cols: number;
  rows: number;
}

export type PaneId = 'list' | 'offers' | 'ladder' | 'verdict';
export type DetailPane = Exclude<PaneId, 'list'>;
export const DETAIL_PANES: readonly DetailPane[] = ['offers', 'ladder', 'verdict'];
/** Tab order. */
export const PANE_ORDER: readonly PaneId[] = ['list', ...DETAIL_PANES];

export type OutcomeFilter = 'all' | 'failed' | 'problems';
export type ProtocolFilter = 'all' | 'tls' | 'ssh' | 'quic' | 'unknown';
export type SortOrder = 'time' | 'newest' | 'outcome';
export const OUTCOME_FILTERS: readonly OutcomeFilter[] = ['all', 'failed', 'problems'];
export const PROTOCOL_FILTERS: readonly ProtocolFilter[] = ['all', 'tls', 'ssh', 'quic', 'unknown'];
export const SORT_ORDERS: readonly SortOrder[] = ['time', 'newest', 'outcome'];

/** One connection: its record, provisional while the connection is still open. */
export interface Entry {
  record: ConnectionRecord;
  open: boolean;
}

export type Source = { kind: 'file' | 'replay' | 'live'; name: string };

export interface State {
  source: Source;
  entries: ReadonlyMap<number, Entry>;
  /** The selected connection's id: selection follows the connection, not a row number. */
  selectedId: number | null;
  /** Screen row of the selection inside the list's viewport (kept when rows are added above). */
  selRow: number;
  focus: PaneId;
  /** The detail pane shown when only one fits (stacked layout), and where Enter goes. */
  detail: DetailPane;
  scroll: Readonly<Record<DetailPane, number>>;
  filter: { outcome: OutcomeFilter; protocol: ProtocolFilter; text: string; group: GroupKey | null };
  /** The list shows connections, or the failure groups (c toggles). */
  view: 'connections' | 'groups';
  /** The selected group's row in the groups view. */
  groupSel: number;
  sort: SortOrder;
  overlay: 'none' | 'help' | 'search';
  /** First line of the help shown (it scrolls on small terminals). */
  helpScroll: number;
  /** The search text being typed (committed to filter.text on Enter). */
  searchDraft: string;
  size: Size;
  /** Capture counters: packets seen, packets the capture dropped (null: not known / a file). */
  stats: { packets: number; dropped: number | null };
  /** The input is finished (file read, replay over, capture stopped). */
  inputDone: boolean;
  message: { text: string; error: boolean } | null;
}

export type Action =
  | { type: 'record'; record: ConnectionRecord }
  | { type: 'open'; records: readonly ConnectionRecord[] }
  | { type: 'stats'; packets: number; dropped: number | null }
  | { type: 'inputDone' }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'move'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'focusNext'; direction: 1 | -1 }
  | { type: 'focus'; pane: PaneId }
  | { type: 'enter' }
  | { type: 'back' }
  | { type: 'cycleOutcome' }
  | { type: 'cycleProtocol' }
  | { type: 'toggleGroups' }
  | { type: 'cycleSort' }
  | { type: 'searchStart' }
  | { type: 'searchInput'; text: string }
  | { type: 'searchBackspace' }
  | { type: 'searchCommit' }
  | { type: 'searchCancel' }
  | { type: 'help'; show: boolean }
  | { type: 'message'; text: string; error?: boolean }
  | { type: 'dismiss' }
  // Effects: the reducer leaves the state as it is, the app does the work.
  | { type: 'save' }
  | { type: 'export' }
  | { type: 'quit' };

export type ActionType = Action['type'];
