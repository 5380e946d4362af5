// A dialogue is the state machine of one preamble protocol: it reads one message at a time
// from either side (with the pure decoders of http.ts, socks.ts, mail.ts, ldap.ts,
// database.ts), records what it means in the TunnelState, and tells the tracker where
// each side's preamble ends. The tracker (tracker.ts) owns the bytes and the frames.

import type { Finding, Side } from '../engine/types.js';
import type { TunnelResult, TunnelState, TunnelStep } from './state.js';

/** Where a message was: the frame it started in, the frame that completed it, its time. */
export interface MessageSeen {
  frame: number;
  firstFrame: number;
  time: number;
}

export interface DialogueHost {
  readonly state: TunnelState;
  /** Record a message of the preamble (ladder, steps). `text` must hold no credential. */
  said(from: Side, seen: MessageSeen, text: string, detail?: string): TunnelStep;
  /** This side's preamble is over: its bytes after the message just read belong to the inner protocol. */
  switchSide(from: Side): void;
  /** The proxy or server said yes: the tunnel is up. */
  establish(seen: MessageSeen, status: string): void;
  /** The preamble ended without a tunnel: stop reading both sides. */
  end(result: TunnelResult): void;
  note(name: string, value: string, frame: number): void;
  finding(f: Finding): void;
}

/** What read() answers: the size of the message consumed, 'wait' (more bytes, or the other side first), or an error. */
export type ReadResult = number | 'wait' | { error: string };

export interface Dialogue {
  /** Read one message of `from` at the start of `bytes`. `seen(size)` gives the frames of its first `size` bytes. */
  read(from: Side, bytes: Uint8Array, seen: (size: number) => MessageSeen): ReadResult;
  /** A side closed (FIN or RST): a body delimited by the close ends here. */
  closed?(from: Side): void;
}

/** Frame and text of a step, for summaries. */
export const stepText = (s: TunnelStep | null): string => (s ? `frame ${s.frame}: ${s.text}` : '');

/** A line of text as evidence: bounded, with control characters kept out. */
export function clip(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\x00-\x1f\x7f]/g, ' ');
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}
