// The one place the screen layout is declared. Two arrangements, as data on a grid of
// fractions: "wide" puts the connection list and the verdict on the left and the offers
// and the ladder on the right, all visible at once; "stacked" (80×24 and other small
// terminals) puts the list on top and one detail pane under it, switched with Tab.
// The last row is the status line in both.

import type { DetailPane, PaneId, Size } from './model.js';

export type { Size } from './model.js';

/** Outer rectangle of a pane, borders included. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type LayoutName = 'wide' | 'stacked';

export interface Layout {
  name: LayoutName;
  panes: Partial<Record<PaneId, Rect>>;
  status: Rect;
}

/** A pane on the grid: column span and row span as fractions of the area above the status line. */
interface Cell {
  pane: PaneId | 'detail';
  x: number;
  w: number;
  y: number;
  h: number;
  /** Height bounds in rows (stacked list). */
  minRows?: number;
  maxRows?: number;
}

interface LayoutSpec {
  name: LayoutName;
  fits: (s: Size) => boolean;
  cells: readonly Cell[];
}

/** First spec that fits wins. */
export const LAYOUTS: readonly LayoutSpec[] = [
  {
    name: 'wide',
    fits: (s) => s.cols >= 140 && s.rows >= 32,
    cells: [
      { pane: 'list', x: 0, w: 0.45, y: 0, h: 0.5 },
      { pane: 'verdict', x: 0, w: 0.45, y: 0.5, h: 0.5 },
      { pane: 'offers', x: 0.45, w: 0.55, y: 0, h: 0.58 },
      { pane: 'ladder', x: 0.45, w: 0.55, y: 0.58, h: 0.42 },
    ],
  },
  {
    name: 'stacked',
    fits: () => true,
    cells: [
      { pane: 'list', x: 0, w: 1, y: 0, h: 0.33, minRows: 5, maxRows: 14 },
      { pane: 'detail', x: 0, w: 1, y: 0.33, h: 0.67 },
    ],
  },
];

/** Rows of the status line. */
export const STATUS_ROWS = 1;

/**
 * The rectangles for a terminal size. In the stacked layout the detail slot holds `detail`
 * (the pane in focus, or the last detail pane focused).
 */
export function layoutFor(size: Size, detail: DetailPane): Layout {
  const spec = LAYOUTS.find((l) => l.fits(size))!;
  const area = { cols: size.cols, rows: Math.max(2, size.rows - STATUS_ROWS) };
  const edge = (f: number, total: number) => Math.round(f * total);
  const panes: Partial<Record<PaneId, Rect>> = {};
  // Cells in a column stack: a cell starting where a bounded one ends starts at its real end.
  const ends = new Map<string, number>();
  for (const c of spec.cells) {
    const left = edge(c.x, area.cols);
    const width = edge(c.x + c.w, area.cols) - left;
    let top = ends.get(`${c.x}/${c.y}`) ?? edge(c.y, area.rows);
    let height = edge(c.y + c.h, area.rows) - top;
    if (c.minRows !== undefined) height = Math.max(height, Math.min(c.minRows, area.rows - 3));
    if (c.maxRows !== undefined) height = Math.min(height, c.maxRows);
    if (c.y + c.h >= 1) height = area.rows - top;
    top = Math.max(0, top);
    ends.set(`${c.x}/${c.y + c.h}`, top + height);
    panes[c.pane === 'detail' ? detail : c.pane] = { left, top, width, height };
  }
  return { name: spec.name, panes, status: { left: 0, top: area.rows, width: size.cols, height: STATUS_ROWS } };
}

/** The text area inside a pane's border. */
export function innerSize(r: Rect): { width: number; height: number } {
  return { width: Math.max(1, r.width - 2), height: Math.max(1, r.height - 2) };
}
