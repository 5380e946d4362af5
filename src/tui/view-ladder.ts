// The ladder pane: the handshake as a client | server sequence diagram, one arrow per
// event of the record's ladder (TCP flags, hellos, KEXINIT, alerts, retransmissions...),
// each with its frame number and time since the connection's first packet, and the cut
// point drawn after the frame where the handshake was cut, with the verdict beside it.

import type { LadderJson } from '../report/record.js';
import type { Entry } from './model.js';
import { fit, sp, wrap, type Color, type Line } from './text.js';
import { OUTCOME_COLOR } from './records.js';

const FRAME_W = 6;
const TIME_W = 9;
/** Columns before the diagram: frame, time, and a space each. */
const GUTTER = FRAME_W + 1 + TIME_W + 1;

function eventColor(ev: LadderJson): Color | undefined {
  if (ev.retransmission) return 'yellow';
  if (/^(RST|Alert|DISCONNECT)|no common|not (TLS|SSH)/i.test(ev.label)) return 'red';
  if (ev.layer === 'tcp') return 'gray';
  return undefined;
}

/** "label (detail)", the arrow drawn around it across the lanes. */
function arrow(ev: LadderJson, lane: number): Line {
  const colour = eventColor(ev);
  const style = colour ? { fg: colour } : {};
  let text = ev.label + (ev.retransmission ? ' (retransmission)' : '');
  // Room for the label inside the arrow: lane minus the two lane bars, the head and a dash.
  const room = lane - 4;
  if (ev.detail && text.length + ev.detail.length + 3 <= room) text += ` (${ev.detail})`;
  if (text.length > room) text = room > 1 ? text.slice(0, room - 1) + '…' : '';
  const dashes = '─'.repeat(Math.max(1, lane - 3 - text.length - 1));
  const inner: Line =
    ev.from === 'client'
      ? [sp(`${text} `, { ...style, bold: ev.layer !== 'tcp' }), sp(`${dashes}▶`, style)]
      : [sp(`◀${dashes}`, style), sp(` ${text}`, { ...style, bold: ev.layer !== 'tcp' })];
  return [sp('│', { fg: 'gray' }), ...inner, sp('│', { fg: 'gray' })];
}

const gutter = (frame: string, time: string): Line => [sp(frame.padStart(FRAME_W), { fg: 'gray' }), sp(' '), sp(time.padStart(TIME_W), { fg: 'gray' }), sp(' ')];

/** The line(s) drawn where the handshake was cut (or ended), with the verdict. */
function cutLines(e: Entry, width: number, atFrame: number | null): Line[] {
  const r = e.record;
  const lane = width - GUTTER - 1;
  if (e.open) return [[...gutter('', ''), sp(`… in progress (stage ${r.stage})`, { fg: 'yellow' })]];
  if (r.outcome === 'completed') return [[...gutter('', ''), sp(`✓ handshake completed: ${r.verdict.code}`, { fg: 'green', bold: true })]];
  const colour = OUTCOME_COLOR[r.outcome] ?? 'yellow';
  const how = r.closedBy ? `${r.closedBy}${r.closeKind ? `, ${r.closeKind}` : ''}` : r.closeKind ?? '';
  const where = atFrame !== null ? `cut at frame ${atFrame}` : r.outcome === 'failed' ? 'cut' : 'end';
  const by = how ? (atFrame !== null ? ` (${how})` : ` (closed by the ${how})`) : '';
  const head = `✂ ${where}${by}: ${r.verdict.code} (${r.verdict.confidence})`;
  const rule = '─ '.repeat(Math.max(0, Math.floor((lane - head.length - 1) / 2)));
  return [
    fit([...gutter('', ''), sp(head, { fg: colour, bold: true }), sp(` ${rule}`, { fg: colour })], width),
    ...wrap(r.verdict.summary, width, { fg: colour }, ' '.repeat(GUTTER + 2)),
  ];
}

export function ladderLines(e: Entry, width: number): Line[] {
  const r = e.record;
  const lane = Math.max(12, width - GUTTER - 1);
  const half = Math.floor((lane - 2) / 2);
  const head: Line = [...gutter('frame', 'time (s)'), sp('client'.padEnd(half), { bold: true }), sp('server'.padStart(lane - half), { bold: true })];
  const out: Line[] = [fit(head, width)];
  const cut = r.cutFrame;
  // The cut line goes after the last event at or before the cut frame.
  let cutAfter = -1;
  if (cut !== null) r.ladder.forEach((ev, i) => (ev.frame <= cut ? (cutAfter = i) : undefined));
  if (cut === null || r.ladder.length === 0) cutAfter = r.ladder.length - 1;
  if (cutAfter < 0) out.push(...cutLines(e, width, cut));
  r.ladder.forEach((ev, i) => {
    out.push(fit([...gutter(String(ev.frame), ev.t < 100 ? ev.t.toFixed(6) : ev.t.toFixed(3)), ...arrow(ev, lane)], width));
    if (i === cutAfter) out.push(...cutLines(e, width, cut));
  });
  if (r.ladder.length === 0) out.push([sp('(no events)', { fg: 'gray' })]);
  return out;
}
