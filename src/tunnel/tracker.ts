// The preamble layer: between the engine's reassembled streams and the protocol
// trackers. It runs the dialogue of one preamble (a proxy's CONNECT or SOCKS exchange, a
// STARTTLS-style upgrade) over both directions, records what it saw in a TunnelState,
// and once the tunnel is up hands the rest of each stream to the inner tracker (TLS, or
// whatever the first tunnelled bytes are for a proxy) with the frames untouched: the
// inner tracker sees exactly what it would see on a direct connection.
//
// Bounded: a side's preamble is at most MAX_PREAMBLE_BYTES; bytes that arrive after a
// side switched but before the inner protocol is known are held up to MAX_HELD_BYTES.

import { classify, isTls } from '../engine/detect.js';
import type { AppTracker, Finding, FrameRef, Side, TrackerContext } from '../engine/types.js';
import { FramedBytes } from '../wire/framed.js';
import type { Dialogue, DialogueHost, MessageSeen } from './dialogue.js';
import { LdapDialogue, MysqlDialogue, PostgresDialogue } from './dialogue-binary.js';
import { HttpConnectDialogue, Socks4Dialogue, Socks5Dialogue } from './dialogue-proxy.js';
import { FTP, IMAP, POP3, SMTP, TextDialogue } from './dialogue-text.js';
import type { PreambleKind } from './detect.js';
import { emptyTunnelState, isProxyKind, MAX_TUNNEL_NOTES, MAX_TUNNEL_STEPS, type TunnelKind, type TunnelResult, type TunnelState, type TunnelStep } from './state.js';

export const MAX_PREAMBLE_BYTES = 64 * 1024;
export const MAX_HELD_BYTES = 64 * 1024;

export interface InnerTrackers {
  tls: (ctx: TrackerContext) => AppTracker;
  ssh: (ctx: TrackerContext) => AppTracker;
}

type SideMode = 'preamble' | 'switched' | 'stopped';

interface Held {
  side: Side;
  data: Uint8Array;
  ref: FrameRef;
  /** A gap of this many bytes instead of data. */
  gap: number;
}

const INITIAL_KIND: Readonly<Record<PreambleKind, TunnelKind>> = {
  'http-connect': 'http-connect', socks4: 'socks4', socks5: 'socks5', smtp: 'starttls-smtp', ftp: 'ftp-auth-tls',
  imap: 'starttls-imap', pop3: 'starttls-pop3', ldap: 'starttls-ldap', postgres: 'postgres-ssl', mysql: 'mysql-ssl',
};

export class PreambleTracker implements AppTracker, DialogueHost {
  readonly protocol = 'tunnel' as const;
  readonly state: TunnelState;
  /** The tracker of what the tunnel carries, once known. */
  inner: AppTracker | null = null;
  private readonly dialogue: Dialogue;
  private readonly mode: Record<Side, SideMode> = { client: 'preamble', server: 'preamble' };
  private readonly buf: Record<Side, FramedBytes> = { client: new FramedBytes(), server: new FramedBytes() };
  private held: Held[] = [];
  private heldBytes = 0;
  private closes: { side: Side; kind: 'fin' | 'rst'; ref: FrameRef }[] = [];
  private established = false;
  /** The inner protocol is decided (inner set, or nothing worth reading). */
  private innerDecided = false;

  constructor(
    private readonly ctx: TrackerContext,
    kind: PreambleKind,
    private readonly trackers: InnerTrackers,
  ) {
    this.state = emptyTunnelState(INITIAL_KIND[kind]);
    this.dialogue = makeDialogue(kind, this);
  }

  // ---- AppTracker ---------------------------------------------------------------------

  needsBytes(from: Side): boolean {
    const m = this.mode[from];
    if (m === 'preamble') return true;
    if (m === 'stopped') return false;
    return this.inner ? this.inner.needsBytes(from) : !this.innerDecided;
  }

  onData(from: Side, data: Uint8Array, ref: FrameRef): void {
    if (data.length === 0) return;
    const m = this.mode[from];
    if (m === 'switched') return this.toInner(from, data, ref, 0);
    if (m === 'stopped') return;
    const b = this.buf[from];
    b.append(data, ref);
    this.pump();
    if (this.mode[from] === 'preamble' && b.length > MAX_PREAMBLE_BYTES) this.lose(from, `a preamble longer than ${MAX_PREAMBLE_BYTES} bytes`, ref.frame);
  }

  onGap(from: Side, length: number, ref: FrameRef): void {
    const m = this.mode[from];
    if (m === 'switched') return this.toInner(from, new Uint8Array(0), ref, length);
    if (m === 'preamble') this.lose(from, `the capture missed ${length} bytes of the preamble`, ref.frame);
  }

  onOpaque(from: Side, length: number, ref: FrameRef): void {
    if (this.inner && this.mode[from] === 'switched') this.inner.onOpaque(from, length, ref);
  }

  onClose(from: Side, kind: 'fin' | 'rst', ref: FrameRef): void {
    this.dialogue.closed?.(from);
    this.pump();
    if (this.inner) this.inner.onClose(from, kind, ref);
    else this.closes.push({ side: from, kind, ref });
  }

  finish(): void {
    if (!this.innerDecided && this.established) this.decideInner(true);
    this.inner?.finish?.();
  }

  // ---- DialogueHost -------------------------------------------------------------------

  said(from: Side, seen: MessageSeen, text: string, detail?: string): TunnelStep {
    const step: TunnelStep = { frame: seen.frame, time: seen.time, from, text };
    if (this.state.steps.length < MAX_TUNNEL_STEPS) this.state.steps.push(step);
    this.ctx.ladder(detail === undefined ? { frame: seen.frame, time: seen.time, from, label: text, layer: 'tunnel' } : { frame: seen.frame, time: seen.time, from, label: text, layer: 'tunnel', detail });
    return step;
  }

  switchSide(from: Side): void {
    if (this.mode[from] === 'preamble') this.mode[from] = 'switched';
  }

  establish(seen: MessageSeen, status: string): void {
    this.established = true;
    const st = this.state;
    st.result = 'established';
    st.status = status;
    st.establishedFrame = seen.frame;
  }

  end(result: TunnelResult): void {
    this.state.result = result;
    for (const side of ['client', 'server'] as const) {
      if (this.mode[side] !== 'preamble') continue;
      this.mode[side] = 'stopped';
      this.buf[side].consume(this.buf[side].length);
    }
  }

  note(name: string, value: string, frame: number): void {
    const notes = this.state.notes;
    if (notes.length < MAX_TUNNEL_NOTES && !notes.some((n) => n.name === name && n.value === value)) notes.push({ name, value, frame });
  }

  finding(f: Finding): void {
    this.ctx.finding(f);
  }

  // ---- the preamble -----------------------------------------------------------------

  /** Read messages from both sides until neither can go on (one side may wait for the other's answer). */
  private pump(): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (const side of ['client', 'server'] as const) {
        if (this.mode[side] !== 'preamble') continue;
        const b = this.buf[side];
        if (b.length === 0) continue;
        const r = this.dialogue.read(side, b.bytes, (size) => {
          const first = b.at(0);
          const last = b.at(Math.max(0, size - 1));
          return { frame: last.frame, firstFrame: first.frame, time: last.time };
        });
        if (r === 'wait') continue;
        progress = true;
        if (typeof r === 'object') {
          this.lose(side, r.error, b.at(0).frame);
          continue;
        }
        b.consume(r);
        if ((this.mode[side] as SideMode) === 'switched') for (const c of b.drain()) this.toInner(side, c.data, c.ref, 0);
      }
    }
  }

  private lose(side: Side, message: string, frame: number): void {
    const st = this.state;
    st.malformed ??= { from: side, frame, message };
    this.ctx.finding({ severity: 'warning', code: 'tunnel.malformed', message: `the ${side}'s ${kindLabel(st.kind)} preamble could not be read: ${message}`, frames: [frame] });
    this.mode[side] = 'stopped';
    this.buf[side].consume(this.buf[side].length);
  }

  // ---- the inner protocol -------------------------------------------------------------

  private toInner(side: Side, data: Uint8Array, ref: FrameRef, gap: number): void {
    const st = this.state;
    if (st.innerStart[side] === null) st.innerStart[side] = ref.frame;
    if (this.inner) {
      if (gap > 0) this.inner.onGap(side, gap, ref);
      else if (this.inner.needsBytes(side)) this.inner.onData(side, data, ref);
      else this.inner.onOpaque(side, data.length, ref);
      return;
    }
    if (this.innerDecided) return;
    if (this.heldBytes + data.length <= MAX_HELD_BYTES) {
      this.held.push({ side, data: data.slice(), ref, gap });
      this.heldBytes += data.length;
    }
    if (this.established) this.decideInner(false);
  }

  /** Proxies carry anything: the first tunnelled bytes say what (the STARTTLS family carries TLS). */
  private decideInner(final: boolean): void {
    const proto = isProxyKind(this.state.kind) ? innerByContent(this.held, final) : 'tls';
    if (proto === null) return;
    this.innerDecided = true;
    this.state.inner = proto;
    const held = this.held;
    const closes = this.closes;
    this.held = [];
    this.heldBytes = 0;
    this.closes = [];
    if (proto === 'other') return;
    const inner = proto === 'tls' ? this.trackers.tls(this.ctx) : this.trackers.ssh(this.ctx);
    this.inner = inner;
    for (const h of held) {
      if (h.gap > 0) inner.onGap(h.side, h.gap, h.ref);
      else if (inner.needsBytes(h.side)) inner.onData(h.side, h.data, h.ref);
      else inner.onOpaque(h.side, h.data.length, h.ref);
    }
    for (const c of closes) inner.onClose(c.side, c.kind, c.ref);
  }
}

/**
 * What the first tunnelled bytes are (null: not enough yet). The side that sent first
 * decides; when its bytes were not captured (a gap), the other side's answer does.
 */
function innerByContent(held: readonly Held[], final: boolean): 'tls' | 'ssh' | 'other' | null {
  const sides: Side[] = [];
  for (const h of held) if (!sides.includes(h.side)) sides.push(h.side);
  for (const side of sides) {
    const bytes = concatSide(held, side);
    if (bytes.length === 0) continue;
    const s = classify(bytes);
    if (s === 'too-short') {
      if (!final) return null;
      continue;
    }
    if (isTls(s)) return 'tls';
    if (s === 'ssh-banner') return 'ssh';
    if (!held.some((h) => h.side === side && h.gap > 0)) return 'other';
  }
  return final ? 'other' : null;
}

function concatSide(items: readonly Held[], side: Side): Uint8Array {
  const parts = items.filter((h) => h.side === side && h.gap === 0).map((h) => h.data);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function makeDialogue(kind: PreambleKind, host: DialogueHost): Dialogue {
  switch (kind) {
    case 'http-connect':
      return new HttpConnectDialogue(host);
    case 'socks4':
      return new Socks4Dialogue(host);
    case 'socks5':
      return new Socks5Dialogue(host);
    case 'smtp':
      return new TextDialogue(host, SMTP, false);
    case 'ftp':
      return new TextDialogue(host, FTP, false);
    case 'imap':
      return new TextDialogue(host, IMAP);
    case 'pop3':
      return new TextDialogue(host, POP3);
    case 'ldap':
      return new LdapDialogue(host);
    case 'postgres':
      return new PostgresDialogue(host);
    case 'mysql':
      return new MysqlDialogue(host);
  }
}

const kindLabel = (k: TunnelKind): string => k.replace(/^starttls-/, '').toUpperCase();
