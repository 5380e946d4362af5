// Styled text for the view model: a line is a list of spans, each with plain text and a
// style. Widths count UTF-16 code units of display text (displayText() has already turned
// controls and non-BMP characters into ASCII escapes), which is what blessed measures.

import { displayText } from './sanitize.js';

export type Color = 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray' | 'white';

export interface Span {
  text: string;
  fg?: Color;
  bold?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export type SpanStyle = Omit<Span, 'text'>;
export type Line = Span[];

/** A span of display text: every string (wire strings included) enters the view here, once. */
export const sp = (text: string, style: SpanStyle = {}): Span => ({ ...style, text: displayText(text) });

export const lineWidth = (l: Line): number => l.reduce((n, s) => n + s.text.length, 0);
export const lineText = (l: Line): string => l.map((s) => s.text).join('');

/** Cut a line to `width` cells, ending in … when something was cut. */
export function fit(l: Line, width: number): Line {
  if (width <= 0) return [];
  if (lineWidth(l) <= width) return l;
  const out: Line = [];
  let room = width - 1;
  for (const s of l) {
    if (room <= 0) break;
    if (s.text.length <= room) {
      out.push(s);
      room -= s.text.length;
    } else {
      out.push({ ...s, text: s.text.slice(0, room) });
      room = 0;
    }
  }
  const last = out[out.length - 1];
  out.push({ text: '…', ...(last?.fg ? { fg: last.fg } : {}) });
  return out;
}

/** Cut or pad a line to exactly `width` cells. */
export function pad(l: Line, width: number): Line {
  const f = fit(l, width);
  const w = lineWidth(f);
  return w < width ? [...f, { text: ' '.repeat(width - w) }] : f;
}

/** Apply a style to every span of a line (keeping what each span sets itself). */
export const styled = (l: Line, style: SpanStyle): Line => l.map((s) => ({ ...style, ...s }));

/** Word-wrap one paragraph of display text to `width`, continuation lines indented. */
export function wrap(text: string, width: number, style: SpanStyle = {}, first = '', rest = first): Line[] {
  const words = displayText(text).split(/ +/);
  const out: Line[] = [];
  let cur = first;
  let prefix = first;
  const room = () => width - cur.length;
  for (const w0 of words) {
    let w = w0;
    const sep = cur.length > prefix.length ? ' ' : '';
    if (sep.length + w.length <= room()) {
      cur += sep + w;
      continue;
    }
    if (cur.length > prefix.length) {
      out.push([{ ...style, text: cur }]);
      cur = prefix = rest;
    }
    // A word longer than a line is cut into pieces.
    while (w.length > room() && room() > 0) {
      out.push([{ ...style, text: cur + w.slice(0, room()) }]);
      w = w.slice(room());
      cur = prefix = rest;
    }
    cur += w;
  }
  if (cur.length > prefix.length || out.length === 0) out.push([{ ...style, text: cur }]);
  return out;
}
