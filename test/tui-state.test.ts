// The TUI without a terminal: key map → action → reduce → layout, on records of real
// captures (demo.pcapng: TLS, SSH and plain TCP connections with every outcome).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { Analyzer } from '../src/pipeline/analyzer.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { helpRows, hints, keyAction, KEYMAP, MAX_SEARCH } from '../src/tui/keymap.js';
import { innerSize, layoutFor, LAYOUTS, type Rect } from '../src/tui/layout.js';
import { displayText, escapeTags } from '../src/tui/sanitize.js';
import { counters, selectedEntry, visibleEntries } from '../src/tui/select.js';
import { initialState, listHeight, reduce, DETAIL_PANES, type Action, type State } from '../src/tui/state.js';
import { buildView, helpLines } from '../src/tui/view.js';
import { lineText } from '../src/tui/text.js';
import { capturesDir } from './helpers/paths.js';

const DEMO = join(capturesDir, 'demo.pcapng');

async function records(path: string): Promise<ConnectionRecord[]> {
  const out: ConnectionRecord[] = [];
  const a = new Analyzer({ ports: [443, 22], trust: () => null, onRecord: (r) => out.push(r) });
  await readCapture(path, (p) => a.packet(p));
  await a.end();
  return out;
}

const run = (s: State, ...actions: Action[]): State => actions.reduce(reduce, s);
const fresh = (cols = 80, rows = 24) => initialState({ kind: 'file', name: 'demo.pcapng' }, { cols, rows });
const withAll = (recs: readonly ConnectionRecord[], s = fresh()) => run(s, ...recs.map((record) => ({ type: 'record', record }) as Action));
const ids = (s: State) => visibleEntries(s).map((e) => e.record.id);

let demo: ConnectionRecord[] = [];
before(async () => {
  demo = await records(DEMO);
  assert.ok(demo.length >= 6, `demo.pcapng gives ${demo.length} connections`);
});

describe('key map', () => {
  it('has no key bound twice in one mode', () => {
    for (const mode of ['normal', 'search', 'help'] as const) {
      const keys = KEYMAP.filter((b) => b.mode === mode).flatMap((b) => b.keys);
      assert.deepEqual(keys.length, new Set(keys).size, `duplicate key in ${mode}: ${keys.join(' ')}`);
    }
  });

  it('generates the help and the hints from the same table', () => {
    assert.equal(helpRows().length, KEYMAP.length);
    for (const mode of ['normal', 'search', 'help'] as const) {
      assert.deepEqual(hints(mode).map((h) => h.hint), KEYMAP.filter((b) => b.mode === mode && b.hint).map((b) => b.hint));
    }
    const text = helpLines().map(lineText).join('\n');
    for (const b of KEYMAP) assert.ok(text.includes(b.description), `help lacks "${b.description}"`);
    // At 80×24 the help scrolls: every line can be brought into view.
    let s = run(withAll(demo), { type: 'help', show: true });
    const seen = new Set<string>();
    for (let i = 0; i < helpLines().length; i++) {
      for (const l of buildView(s).help!.lines) seen.add(lineText(l).trim());
      s = run(s, { type: 'move', delta: 1 });
    }
    for (const l of helpLines()) assert.ok(seen.has(lineText(l).trim()), `never shown: ${lineText(l)}`);
    assert.equal(run(s, { type: 'help', show: false }).overlay, 'none');
  });

  it('every issue key does what it says', () => {
    const s = withAll(demo);
    const cases: [string, Action['type']][] = [
      ['up', 'move'], ['k', 'move'], ['down', 'move'], ['j', 'move'], ['pageup', 'page'], ['pagedown', 'page'],
      ['home', 'home'], ['end', 'end'], ['tab', 'focusNext'], ['enter', 'enter'], ['/', 'searchStart'],
      ['f', 'cycleOutcome'], ['s', 'save'], ['e', 'export'], ['q', 'quit'], ['C-c', 'quit'], ['?', 'help'],
    ];
    for (const [key, type] of cases) assert.equal(keyAction(s, key, undefined)?.type, type, key);
    assert.equal(keyAction(s, 'x', 'x'), null);
  });

  it('types text in the search prompt, q included, and drops control characters', () => {
    const s = run(withAll(demo), { type: 'searchStart' });
    assert.deepEqual(keyAction(s, 'q', 'q'), { type: 'searchInput', text: 'q' });
    assert.equal(keyAction(s, undefined, '\x1b[31m'), null);
    assert.equal(keyAction(s, 'C-c', undefined)?.type, 'quit');
    assert.equal(keyAction(s, 'enter', '\r')?.type, 'searchCommit');
    const long = { ...s, searchDraft: 'x'.repeat(MAX_SEARCH) };
    assert.equal(keyAction(long, 'a', 'a'), null);
  });
});

describe('reduce', () => {
  it('selects the first connection, moves, pages, jumps home and end', () => {
    let s = withAll(demo);
    const order = ids(s);
    assert.equal(s.selectedId, order[0]);
    s = run(s, { type: 'move', delta: 1 });
    assert.equal(s.selectedId, order[1]);
    s = run(s, { type: 'move', delta: -5 });
    assert.equal(s.selectedId, order[0]);
    s = run(s, { type: 'end' });
    assert.equal(s.selectedId, order.at(-1));
    s = run(s, { type: 'home' });
    assert.equal(s.selectedId, order[0]);
    s = run(s, { type: 'page', direction: 1 });
    assert.equal(s.selectedId, order[Math.min(order.length - 1, listHeight(s) - 1)]);
  });

  it('keeps the selection on its connection, at its screen row, when new ones arrive', () => {
    const byTime = [...demo].sort((a, b) => a.firstFrame - b.firstFrame);
    const listRow = (s: State) => buildView(s).panes.find((p) => p.id === 'list')!.selectedRow;
    // In time order (new connections below): same connection, same row.
    let s = run(withAll(byTime.slice(0, 3)), { type: 'move', delta: 1 });
    const chosen = s.selectedId;
    const row = listRow(s);
    for (const r of byTime.slice(3)) s = run(s, { type: 'record', record: r });
    assert.equal(s.selectedId, chosen);
    assert.equal(listRow(s), row, 'the selected row moved on screen');
    // Newest first (new connections above): same connection, still in view.
    s = run(withAll(byTime.slice(0, 2)), { type: 'cycleSort' });
    assert.equal(s.sort, 'newest');
    s = run(s, { type: 'move', delta: 1 });
    const kept = s.selectedId;
    for (const r of byTime.slice(2)) {
      s = run(s, { type: 'record', record: r });
      assert.equal(s.selectedId, kept);
      const at = listRow(s);
      assert.ok(at >= 0 && at < listHeight(s), `selected row ${at} out of view`);
    }
  });

  it('never lets an open snapshot replace a final record', () => {
    const r = demo[0]!;
    let s = run(fresh(), { type: 'open', records: [{ ...r, outcome: 'incomplete' }] });
    assert.equal(selectedEntry(s)?.open, true);
    s = run(s, { type: 'record', record: r });
    assert.equal(selectedEntry(s)?.open, false);
    s = run(s, { type: 'open', records: [{ ...r, outcome: 'incomplete' }] });
    assert.equal(selectedEntry(s)?.open, false);
    assert.equal(selectedEntry(s)?.record.outcome, r.outcome);
  });

  it('filters failed only, by protocol and by search text, and counts', () => {
    const s = withAll(demo);
    const failed = demo.filter((r) => r.outcome === 'failed').map((r) => r.id);
    assert.deepEqual(counters(s), { total: demo.length, failed: failed.length, open: 0, shown: demo.length });
    const f = run(s, { type: 'cycleOutcome' });
    assert.deepEqual(ids(f).sort(), failed.sort());
    const notOk = run(f, { type: 'cycleOutcome' });
    assert.deepEqual(ids(notOk).sort(), demo.filter((r) => r.outcome !== 'completed').map((r) => r.id).sort());
    const ssh = run(s, { type: 'cycleProtocol' }, { type: 'cycleProtocol' });
    assert.equal(ssh.filter.protocol, 'ssh');
    assert.deepEqual(ids(ssh), demo.filter((r) => r.protocol === 'ssh').map((r) => r.id));
    const target = demo.find((r) => r.outcome === 'failed')!;
    const typed = run(s, { type: 'searchStart' }, ...[...target.server.ip].map((c) => ({ type: 'searchInput', text: c }) as Action), { type: 'searchCommit' });
    assert.ok(ids(typed).includes(target.id));
    assert.ok(ids(typed).every((id) => demo.find((r) => r.id === id)!.server.ip === target.server.ip || JSON.stringify(demo.find((r) => r.id === id)).includes(target.server.ip)));
    assert.equal(typed.selectedId, ids(typed)[0], 'the selection moves into the filtered list');
    const cleared = run(typed, { type: 'searchStart' }, { type: 'searchCancel' });
    assert.equal(ids(cleared).length, demo.length);
    const byVerdict = run(s, { type: 'searchStart' }, { type: 'searchInput', text: target.verdict.code }, { type: 'searchCommit' });
    assert.deepEqual(ids(byVerdict), demo.filter((r) => r.verdict.code === target.verdict.code || r.verdict.summary.toLowerCase().includes(target.verdict.code)).map((r) => r.id));
  });

  it('cycles focus through the panes and back, Enter goes to the details', () => {
    let s = withAll(demo);
    const seen = [s.focus];
    for (let i = 0; i < 4; i++) seen.push((s = run(s, { type: 'focusNext', direction: 1 })).focus);
    assert.deepEqual(seen, ['list', 'offers', 'ladder', 'verdict', 'list']);
    s = run(s, { type: 'focus', pane: 'ladder' }, { type: 'back' }, { type: 'enter' });
    assert.equal(s.focus, 'ladder', 'Enter returns to the last detail pane');
  });

  it('scrolls a detail pane within its content', () => {
    const ssh = demo.find((r) => r.protocol === 'ssh')!;
    let s = run(withAll(demo), { type: 'searchStart' }, { type: 'searchInput', text: `${ssh.client.ip}:${ssh.client.port}` }, { type: 'searchCommit' }, { type: 'focus', pane: 'offers' });
    assert.equal(s.selectedId, ssh.id);
    s = run(s, { type: 'end' });
    const pane = buildView(s).panes.find((p) => p.id === 'offers')!;
    assert.ok(pane.total > innerSize(pane.rect).height, 'the SSH offers are longer than the pane at 80×24');
    assert.equal(s.scroll.offers, pane.total - innerSize(pane.rect).height);
    s = run(s, { type: 'move', delta: 1000 });
    assert.equal(s.scroll.offers, pane.total - innerSize(pane.rect).height, 'scrolling stops at the end');
    s = run(s, { type: 'home' });
    assert.equal(s.scroll.offers, 0);
    s = run(s, { type: 'back' }, { type: 'move', delta: 1 });
    assert.deepEqual(s.scroll, { offers: 0, ladder: 0, verdict: 0 }, 'a new selection starts at the top');
  });
});

describe('layout', () => {
  const inside = (r: Rect, cols: number, rows: number) => r.left >= 0 && r.top >= 0 && r.left + r.width <= cols && r.top + r.height <= rows - 1 && r.width >= 3 && r.height >= 3;
  const overlap = (a: Rect, b: Rect) => a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

  for (const [cols, rows, name, count] of [
    [80, 24, 'stacked', 2],
    [100, 30, 'stacked', 2],
    [160, 48, 'wide', 4],
    [220, 60, 'wide', 4],
    [40, 12, 'stacked', 2],
  ] as const) {
    it(`${cols}×${rows}: ${name}, panes inside the screen and apart`, () => {
      for (const detail of DETAIL_PANES) {
        const l = layoutFor({ cols, rows }, detail);
        assert.equal(l.name, name);
        const rects = Object.values(l.panes);
        assert.equal(rects.length, count);
        assert.ok(l.panes.list && l.panes[detail]);
        for (const r of rects) assert.ok(inside(r, cols, rows), JSON.stringify(r));
        for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) assert.ok(!overlap(rects[i]!, rects[j]!));
        assert.equal(l.status.top, rows - 1);
        // The panes fill the area above the status line.
        assert.equal(rects.reduce((n, r) => n + r.width * r.height, 0), cols * (rows - 1));
      }
    });
  }

  it('follows a resize, keeping the selection visible', () => {
    let s = run(withAll(demo, fresh(160, 48)), { type: 'end' });
    assert.equal(buildView(s).layout, 'wide');
    s = run(s, { type: 'resize', cols: 80, rows: 24 });
    const v = buildView(s);
    assert.equal(v.layout, 'stacked');
    const list = v.panes.find((p) => p.id === 'list')!;
    assert.ok(list.selectedRow >= 0 && list.selectedRow < innerSize(list.rect).height);
    assert.equal(LAYOUTS.at(-1)!.fits({ cols: 1, rows: 1 }), true, 'the last layout fits any size');
  });
});

describe('sanitising wire text', () => {
  it('shows controls as escapes and blessed tags as text', () => {
    assert.equal(displayText('a\x1b[2Jb\u202ec\n'), 'a\\x1b[2Jb\\u202ec\\n');
    assert.equal(displayText('x\u{1f600}'), 'x\\u{1f600}');
    assert.equal(escapeTags('{red-fg}x{/}'), '{open}red-fg{close}x{open}/{close}');
  });
});

describe('the groups view (c)', () => {
  it('c shows the failure groups, Enter lists a group\'s connections, Esc and c go back', () => {
    const s = withAll(demo);
    const g = run(s, keyAction(s, 'c', 'c')!);
    assert.equal(g.view, 'groups');
    const failed = demo.filter((r) => r.outcome === 'failed');
    const v = buildView(g);
    const list = v.panes.find((p) => p.id === 'list')!;
    assert.match(lineText(list.title), new RegExp(`Failure groups \\d+ · ${failed.length} failed connections`));
    assert.ok(list.lines.length >= 1 && lineText(list.lines[0]!).trim().startsWith('1 '));
    const second = run(g, { type: 'move', delta: 1 }, { type: 'enter' });
    assert.equal(second.view, 'connections');
    assert.ok(second.filter.group);
    const shown = visibleEntries(second).map((e) => e.record);
    assert.ok(shown.length >= 1 && shown.every((r) => r.outcome === 'failed' && r.verdict.code === second.filter.group!.code));
    assert.match(lineText(buildView(second).panes.find((p) => p.id === 'list')!.title), /group /);
    const back = run(second, { type: 'back' });
    assert.equal(back.filter.group, null);
    assert.equal(ids(back).length, demo.length);
    assert.equal(run(g, { type: 'back' }).view, 'connections');
    assert.equal(run(g, { type: 'toggleGroups' }).view, 'connections');
  });
});
