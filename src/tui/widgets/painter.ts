// Paints a ScreenView with blessed: one bordered box per pane (created once, moved and
// refilled on every paint), a status line, a help box. Key presses and resizes go back
// to the app as plain values. This and blessed.ts are the only code touching blessed.

import type { PaneId } from '../state.js';
import { escapeTags } from '../sanitize.js';
import type { Line, Span } from '../text.js';
import type { ScreenView } from '../view.js';
import type { Rect } from '../layout.js';
import { blessed, type Box, type KeyEvent, type Screen } from './blessed.js';

export interface PainterOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  title: string;
  onKey: (name: string | undefined, ch: string | undefined) => void;
  onResize: (cols: number, rows: number) => void;
}

/** A span as blessed markup; the text is escaped so that wire text can never be markup. */
function spanTags(s: Span): string {
  const open: string[] = [];
  if (s.fg) open.push(`{${s.fg}-fg}`);
  if (s.bold) open.push('{bold}');
  if (s.underline) open.push('{underline}');
  if (s.inverse) open.push('{inverse}');
  const text = escapeTags(s.text);
  return open.length === 0 ? text : `${open.join('')}${text}{/}`;
}

export const lineTags = (l: Line): string => l.map(spanTags).join('');

const place = (r: Rect) => ({ left: r.left, top: r.top, width: r.width, height: r.height });

export class Painter {
  private readonly screen: Screen;
  private readonly panes = new Map<PaneId, Box>();
  private readonly status: Box;
  private readonly help: Box;

  constructor(opts: PainterOptions) {
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: false,
      warnings: false,
      title: opts.title,
      ...(opts.input ? { input: opts.input as never } : {}),
      ...(opts.output ? { output: opts.output as never } : {}),
    });
    this.status = blessed.box({ parent: this.screen, tags: true, wrap: false, height: 1 });
    this.help = blessed.box({ parent: this.screen, tags: true, wrap: false, border: { type: 'line' }, hidden: true, style: { border: { fg: 'cyan' } } });
    this.screen.on('keypress', (ch: string | undefined, key: KeyEvent | undefined) => opts.onKey(key?.full, ch));
    this.screen.on('resize', () => opts.onResize(this.cols, this.rows));
  }

  get cols(): number {
    return Number(this.screen.width);
  }

  get rows(): number {
    return Number(this.screen.height);
  }

  private pane(id: PaneId): Box {
    let b = this.panes.get(id);
    if (!b) {
      b = blessed.box({ parent: this.screen, tags: true, wrap: false, border: { type: 'line' }, style: { border: { fg: 'gray' } } });
      this.panes.set(id, b);
    }
    return b;
  }

  paint(v: ScreenView): void {
    const shown = new Set(v.panes.map((p) => p.id));
    for (const [id, b] of this.panes) if (!shown.has(id)) b.hide();
    for (const p of v.panes) {
      const b = this.pane(p.id);
      Object.assign(b.position, place(p.rect));
      b.style.border = { fg: p.focused ? 'cyan' : 'gray' };
      b.setLabel(lineTags(p.title));
      b.setContent(p.lines.map(lineTags).join('\n'));
      b.show();
    }
    Object.assign(this.status.position, place({ left: 0, top: this.rows - 1, width: this.cols, height: 1 }));
    this.status.setContent(lineTags(v.status));
    if (v.help) {
      Object.assign(this.help.position, place(v.help.rect));
      this.help.setLabel(escapeTags(v.help.title));
      this.help.setContent(v.help.lines.map(lineTags).join('\n'));
      this.help.show();
      this.help.setFront();
    } else this.help.hide();
    this.screen.render();
  }

  /** Leave the terminal as it was (alternate screen off, cursor and echo back). */
  destroy(): void {
    this.screen.destroy();
  }
}
