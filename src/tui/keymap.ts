// Key bindings as data: (keys, action, description, mode). The help screen and the
// status line's hints are generated from this same table, and keyAction() is the only
// place a key press becomes an action. Key names are blessed's (`up`, `S-tab`, `C-c`...).

import type { Action, State } from './model.js';

export type Mode = 'normal' | 'search' | 'help';

export interface Binding {
  /** Key names as the terminal layer reports them. */
  keys: readonly string[];
  /** How the help screen writes the keys. */
  label: string;
  action: Action;
  description: string;
  mode: Mode;
  /** Short text for the status line; bindings without it appear only in the help. */
  hint?: string;
}

export const KEYMAP: readonly Binding[] = [
  { keys: ['q', 'C-c'], label: 'q C-c', action: { type: 'quit' }, description: 'quit', mode: 'normal', hint: 'quit' },
  { keys: ['?', 'h'], label: '?', action: { type: 'help', show: true }, description: 'this help', mode: 'normal', hint: 'help' },
  { keys: ['up', 'k'], label: '↑ k', action: { type: 'move', delta: -1 }, description: 'previous connection / scroll up', mode: 'normal' },
  { keys: ['down', 'j'], label: '↓ j', action: { type: 'move', delta: 1 }, description: 'next connection / scroll down', mode: 'normal' },
  { keys: ['pageup', 'C-b'], label: 'PgUp', action: { type: 'page', direction: -1 }, description: 'one page up', mode: 'normal' },
  { keys: ['pagedown', 'C-f', 'space'], label: 'PgDn', action: { type: 'page', direction: 1 }, description: 'one page down', mode: 'normal' },
  { keys: ['home', 'g'], label: 'Home g', action: { type: 'home' }, description: 'first connection / top', mode: 'normal' },
  { keys: ['end', 'S-g'], label: 'End G', action: { type: 'end' }, description: 'last connection / bottom', mode: 'normal' },
  { keys: ['tab'], label: 'Tab', action: { type: 'focusNext', direction: 1 }, description: 'next pane (list, offers, ladder, verdict)', mode: 'normal', hint: 'pane' },
  { keys: ['S-tab'], label: 'S-Tab', action: { type: 'focusNext', direction: -1 }, description: 'previous pane', mode: 'normal' },
  { keys: ['enter'], label: 'Enter', action: { type: 'enter' }, description: 'focus the details of the selected connection', mode: 'normal', hint: 'details' },
  { keys: ['escape', 'backspace'], label: 'Esc', action: { type: 'back' }, description: 'back to the connection list', mode: 'normal' },
  { keys: ['1'], label: '1', action: { type: 'focus', pane: 'offers' }, description: 'offers side by side', mode: 'normal' },
  { keys: ['2'], label: '2', action: { type: 'focus', pane: 'ladder' }, description: 'handshake ladder', mode: 'normal' },
  { keys: ['3'], label: '3', action: { type: 'focus', pane: 'verdict' }, description: 'verdict and certificates', mode: 'normal' },
  { keys: ['/'], label: '/', action: { type: 'searchStart' }, description: 'search host names, IPs, verdicts', mode: 'normal', hint: 'search' },
  { keys: ['f'], label: 'f', action: { type: 'cycleOutcome' }, description: 'filter: all, failed only, not completed', mode: 'normal', hint: 'filter' },
  { keys: ['p'], label: 'p', action: { type: 'cycleProtocol' }, description: 'filter by protocol: all, TLS, SSH, other', mode: 'normal' },
  { keys: ['c'], label: 'c', action: { type: 'toggleGroups' }, description: 'failure groups by cause (Enter lists one) or connections', mode: 'normal', hint: 'causes' },
  { keys: ['o'], label: 'o', action: { type: 'cycleSort' }, description: 'sort: by time, newest first, failed first', mode: 'normal' },
  { keys: ['s'], label: 's', action: { type: 'save' }, description: "save the connection's packets to a pcapng file", mode: 'normal', hint: 'save' },
  { keys: ['e'], label: 'e', action: { type: 'export' }, description: "export the connection's record as JSON", mode: 'normal', hint: 'export' },
  { keys: ['enter'], label: 'Enter', action: { type: 'searchCommit' }, description: 'keep the search', mode: 'search', hint: 'keep' },
  { keys: ['escape'], label: 'Esc', action: { type: 'searchCancel' }, description: 'clear the search', mode: 'search', hint: 'clear' },
  { keys: ['backspace'], label: 'Backspace', action: { type: 'searchBackspace' }, description: 'delete a character', mode: 'search' },
  { keys: ['C-c'], label: 'C-c', action: { type: 'quit' }, description: 'quit', mode: 'search' },
  { keys: ['escape', '?', 'q', 'enter'], label: 'Esc ? q', action: { type: 'help', show: false }, description: 'close the help', mode: 'help', hint: 'close' },
  { keys: ['up', 'k'], label: '↑ k', action: { type: 'move', delta: -1 }, description: 'scroll up', mode: 'help', hint: 'scroll' },
  { keys: ['down', 'j'], label: '↓ j', action: { type: 'move', delta: 1 }, description: 'scroll down', mode: 'help' },
  { keys: ['pageup'], label: 'PgUp', action: { type: 'page', direction: -1 }, description: 'one page up', mode: 'help' },
  { keys: ['pagedown', 'space'], label: 'PgDn', action: { type: 'page', direction: 1 }, description: 'one page down', mode: 'help' },
  { keys: ['C-c'], label: 'C-c', action: { type: 'quit' }, description: 'quit', mode: 'help' },
];

export function modeOf(s: State): Mode {
  return s.overlay === 'none' ? 'normal' : s.overlay;
}

/** Longest search text accepted (a paste into the prompt stays bounded). */
export const MAX_SEARCH = 200;

/**
 * The action for a key press, or null. `name` is the key's name, `ch` the character it
 * types (search mode takes printable characters as text).
 */
export function keyAction(s: State, name: string | undefined, ch: string | undefined): Action | null {
  const mode = modeOf(s);
  const b = name !== undefined ? KEYMAP.find((k) => k.mode === mode && k.keys.includes(name)) : undefined;
  if (b) return b.action;
  if (mode === 'search' && ch !== undefined && ch.length > 0 && !/[\x00-\x1f\x7f]/.test(ch) && s.searchDraft.length + ch.length <= MAX_SEARCH) {
    return { type: 'searchInput', text: ch };
  }
  return null;
}

/** The status line's hints for a mode, from the table. */
export function hints(mode: Mode): { key: string; hint: string }[] {
  return KEYMAP.filter((b) => b.mode === mode && b.hint).map((b) => ({ key: b.label, hint: b.hint! }));
}

/** The help screen's rows, from the table. */
export function helpRows(): { mode: Mode; key: string; description: string }[] {
  return KEYMAP.map((b) => ({ mode: b.mode, key: b.label, description: b.description }));
}
