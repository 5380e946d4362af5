// The TUI's controller: keeps the state, turns key presses into actions (keymap), runs
// them through reduce(), repaints from buildView(), and carries out the actions with
// effects (save the packets, export the record, quit). Records, open-connection snapshots
// and capture counters come in from the command (file, replay or live) through the same
// dispatch.

import type { Connection } from '../engine/connection.js';
import type { ConnectionRecord } from '../report/record.js';
import { exportRecord, savePackets } from './files.js';
import { keyAction } from './keymap.js';
import { selectedEntry } from './select.js';
import { initialState, reduce, type Action, type OutcomeFilter, type Source, type State } from './state.js';
import { buildView } from './view.js';
import { Painter } from './widgets/painter.js';

/** Bytes of kept packets across all connections; beyond it the oldest logs are let go. */
export const MAX_KEPT_PACKET_BYTES = 256 * 1024 * 1024;
/** Repaints are coalesced: at most one per this many milliseconds. */
const PAINT_DELAY_MS = 25;

export interface TuiOptions {
  source: Source;
  /** Initial outcome filter (--only-failed starts with the not-completed ones). */
  outcome?: OutcomeFilter;
  /** Directory for saved pcapng and exported JSON files (default: the working directory). */
  saveDir?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export class TuiApp {
  private state: State;
  private readonly painter: Painter;
  /** Finished connections by id, for saving their packets; oldest first (Map order) for the byte budget. */
  private readonly conns = new Map<number, Connection>();
  /** Connections still open, from the last snapshot (their packets are the engine's until they end). */
  private openConns = new Map<number, Connection>();
  private keptBytes = 0;
  private paintTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private resolveQuit!: () => void;
  /** Resolves when the user quits (q, Ctrl-C) or close() is called. */
  readonly quit: Promise<void> = new Promise((r) => (this.resolveQuit = r));

  constructor(private readonly opts: TuiOptions) {
    this.painter = new Painter({
      title: `hsi ${opts.source.name}`,
      ...(opts.input ? { input: opts.input } : {}),
      ...(opts.output ? { output: opts.output } : {}),
      onKey: (name, ch) => {
        const a = keyAction(this.state, name, ch);
        if (!a) return;
        // A status message stays until the next key.
        this.dispatch({ type: 'dismiss' });
        this.dispatch(a);
      },
      onResize: (cols, rows) => this.dispatch({ type: 'resize', cols, rows }),
    });
    this.state = initialState(opts.source, { cols: this.painter.cols, rows: this.painter.rows });
    if (opts.outcome && opts.outcome !== 'all') this.state = { ...this.state, filter: { ...this.state.filter, outcome: opts.outcome } };
    this.paintNow();
  }

  get current(): State {
    return this.state;
  }

  dispatch(a: Action): void {
    if (this.closed) return;
    this.state = reduce(this.state, a);
    if (a.type === 'save' || a.type === 'export') this.effect(a.type);
    if (a.type === 'quit') {
      this.close();
      return;
    }
    this.schedulePaint();
  }

  /** A finished connection's record. */
  record(rec: ConnectionRecord, conn: Connection): void {
    this.keep(rec.id, conn);
    this.dispatch({ type: 'record', record: rec });
  }

  /** Provisional records of the connections still open (replaces the previous snapshot's). */
  open(snapshots: readonly { record: ConnectionRecord; conn: Connection }[]): void {
    this.openConns = new Map(snapshots.map((s) => [s.record.id, s.conn]));
    this.dispatch({ type: 'open', records: snapshots.map((s) => s.record) });
  }

  stats(packets: number, dropped: number | null): void {
    if (packets !== this.state.stats.packets || dropped !== this.state.stats.dropped) this.dispatch({ type: 'stats', packets, dropped });
  }

  inputDone(message?: string): void {
    this.dispatch({ type: 'inputDone' });
    if (message) this.dispatch({ type: 'message', text: message });
  }

  /** Restore the terminal; resolves `quit`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.paintTimer) clearTimeout(this.paintTimer);
    this.painter.destroy();
    this.resolveQuit();
  }

  private keep(id: number, conn: Connection): void {
    this.openConns.delete(id);
    this.conns.set(id, conn);
    this.keptBytes += conn.packetLogBytes;
    for (const [oldId, c] of this.conns) {
      if (this.keptBytes <= MAX_KEPT_PACKET_BYTES || oldId === id) break;
      this.keptBytes -= c.packetLogBytes;
      this.conns.delete(oldId);
    }
  }

  private effect(kind: 'save' | 'export'): void {
    const e = selectedEntry(this.state);
    if (!e) {
      this.dispatch({ type: 'message', text: 'no connection selected', error: true });
      return;
    }
    const dir = this.opts.saveDir ?? process.cwd();
    try {
      const text = kind === 'export' ? exportRecord(e.record, dir) : savePackets(e.record, this.conns.get(e.record.id) ?? this.openConns.get(e.record.id) ?? null, dir);
      this.dispatch({ type: 'message', text });
    } catch (err) {
      this.dispatch({ type: 'message', text: `${kind} failed: ${err instanceof Error ? err.message : String(err)}`, error: true });
    }
  }

  private schedulePaint(): void {
    if (this.paintTimer || this.closed) return;
    this.paintTimer = setTimeout(() => {
      this.paintTimer = null;
      this.paintNow();
    }, PAINT_DELAY_MS);
  }

  private paintNow(): void {
    if (!this.closed) this.painter.paint(buildView(this.state));
  }
}
