// The record's `tunnel` object (report-format.md): { kind, frame, target, status, detail }
// and the facts behind them. Built from the TunnelState only; nothing here was ever a credential.

import type { Side } from '../engine/types.js';
import { type TunnelState, TUNNEL_KIND_NAMES } from './state.js';

export interface TunnelJson {
  kind: string;
  /** Frame of the client's request (CONNECT, SOCKS request, STARTTLS command), or of the first preamble message. */
  frame: number | null;
  target: string | null;
  status: string | null;
  detail: string;
  result: string;
  established: boolean;
  establishedFrame: number | null;
  request: string | null;
  answer: string | null;
  answerFrame: number | null;
  attempts: number;
  offered: boolean | null;
  /** What kind of credentials the client sent (never their value), or null. */
  credentials: string | null;
  plaintextLogin: boolean;
  inner: string | null;
  innerStart: Record<Side, number | null>;
  notes: { name: string; value: string; frame: number }[];
  steps: { frame: number; from: Side; text: string }[];
}

export function tunnelJson(t: TunnelState): TunnelJson {
  return {
    kind: t.kind,
    frame: t.request?.frame ?? t.steps[0]?.frame ?? null,
    target: t.target,
    status: t.status,
    detail: tunnelDetail(t),
    result: t.result,
    established: t.result === 'established',
    establishedFrame: t.establishedFrame,
    request: t.request?.text ?? null,
    answer: t.answer?.text ?? null,
    answerFrame: t.answer?.frame ?? null,
    attempts: t.attempts,
    offered: t.offered,
    credentials: t.credentials?.what ?? null,
    plaintextLogin: t.plaintextLogin !== null,
    inner: t.inner,
    innerStart: t.innerStart,
    notes: t.notes,
    steps: t.steps.map((s) => ({ frame: s.frame, from: s.from, text: s.text })),
  };
}

/** One line: what was asked, what came back, and the evidence headers. */
export function tunnelDetail(t: TunnelState): string {
  const parts: string[] = [TUNNEL_KIND_NAMES[t.kind]];
  if (t.request) parts.push(`frame ${t.request.frame}: ${t.request.text}`);
  if (t.answer) parts.push(`frame ${t.answer.frame}: ${t.answer.text}`);
  if (t.attempts > 1) parts.push(`${t.attempts} requests on this connection`);
  if (t.credentials) parts.push(`credentials sent: ${t.credentials.what}`);
  for (const n of t.notes) parts.push(`${n.name}: ${n.value}`);
  return parts.join('; ');
}
