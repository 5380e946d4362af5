// The SSH side of a connection: fed in-order bytes per direction by the TCP engine, it frames
// identification lines, then cleartext binary packets up to NEWKEYS, decodes them (pure
// decoders), and keeps the facts in `state` (see state.ts). After a side's NEWKEYS its bytes
// are encrypted: the tracker stops asking for them and keeps sizes only (onOpaque).
// Never throws on wire data: malformed input becomes a finding with its frame.

import type { AppTracker, FrameRef, Side, TrackerContext } from '../engine/types.js';
import { STRICT_KEX_CLIENT, STRICT_KEX_SERVER, kexFamily, sshAlgorithm, weakNames } from '../registry/ssh-algorithms.js';
import { sshMessageName } from '../registry/ssh-messages.js';
import { latin1 } from '../wire/text.js';
import {
  PREVIEW_BYTES,
  MAX_LINE_BYTES,
  MAX_PRE_BANNER_BYTES,
  MAX_PRE_BANNER_LINES,
  classifyPeer,
  frameLine,
  isIdentificationLine,
  parseIdentification,
} from './banner.js';
import { hassh, hasshServer } from './hassh.js';
import { parseHostKey, fingerprintMd5, fingerprintSha256 } from './hostkey.js';
import { type DecodedMessage, decodeMessage } from './messages.js';
import { negotiate } from './negotiate.js';
import { MAX_PACKET_LENGTH, framePacket, frameV1Packet } from './packet.js';
import { sessionEvident } from './postauth.js';
import {
  type At,
  MAX_DEBUG_MESSAGES,
  MAX_ENCRYPTED_SAMPLES,
  MAX_MESSAGES,
  SSH_STAGES,
  type SshStage,
  type SshState,
  emptyState,
} from './state.js';

/** Most bytes buffered per direction: one largest packet plus a segment's worth. */
export const MAX_STREAM_BUFFER = MAX_PACKET_LENGTH + 4 + 64 * 1024;
/** Encrypted segments shown one by one on the ladder per direction; the rest are summarised. */
export const ENCRYPTED_LADDER_EVENTS = 4;
/** Protocol 1 packets counted before the tracker stops reading that side. */
export const MAX_V1_PACKETS = 10_000;

const SSH_PREFIX = 'SSH-';
/** Bytes that never occur in the text lines around an identification. */
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * banner: identification phase; packets: cleartext binary packets; v1: protocol 1 packets
 * (counted); preview: not SSH, collecting the first PREVIEW_BYTES for the record;
 * encrypted: after NEWKEYS (sizes only); stopped: nothing more is read.
 */
type Mode = 'banner' | 'packets' | 'v1' | 'preview' | 'encrypted' | 'stopped';

interface Chunk {
  /** Stream offset of the chunk's first byte. */
  start: number;
  ref: FrameRef;
}

class Direction {
  mode: Mode = 'banner';
  buf: Uint8Array = new Uint8Array(0);
  /** Stream offset of buf[0]. */
  base = 0;
  chunks: Chunk[] = [];
  preBannerBytes = 0;
  /** The first PREVIEW_BYTES of the stream (for a peer that is not SSH), and where it began. */
  preview: Uint8Array = new Uint8Array(0);
  firstRef: FrameRef | null = null;
  /** Why the side is not SSH when the reason is not its first bytes (caps, over-long line). */
  notSshWhy: string | null = null;
  ladderEncrypted = 0;
  summary = { segments: 0, bytes: 0, firstFrame: 0, lastFrame: 0, lastTime: 0 };
  /** Index in state.messages of a guessed kex packet awaiting the verdict on the guess. */
  guessIndex: number | null = null;
  guessFrame: number | null = null;
  /** The next kex packet from this side is a guess (first_kex_packet_follows). */
  guessPending = false;
  findingsSeen = new Set<string>();

  keepPreview(data: Uint8Array, ref: FrameRef): void {
    this.firstRef ??= ref;
    if (this.preview.length >= PREVIEW_BYTES) return;
    const take = data.subarray(0, PREVIEW_BYTES - this.preview.length);
    const next = new Uint8Array(this.preview.length + take.length);
    next.set(this.preview, 0);
    next.set(take, this.preview.length);
    this.preview = next;
  }

  append(data: Uint8Array, ref: FrameRef): void {
    this.chunks.push({ start: this.base + this.buf.length, ref });
    const next = new Uint8Array(this.buf.length + data.length);
    next.set(this.buf, 0);
    next.set(data, this.buf.length);
    this.buf = next;
  }

  consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.base += n;
    // Keep the chunk that holds the new base and everything after it.
    let keep = 0;
    while (keep + 1 < this.chunks.length && this.chunks[keep + 1]!.start <= this.base) keep++;
    if (keep > 0) this.chunks.splice(0, keep);
  }

  refAt(offset: number): FrameRef {
    let found = this.chunks[0]!.ref;
    for (const c of this.chunks) {
      if (c.start > offset) break;
      found = c.ref;
    }
    return found;
  }

  /** Where the next n bytes start and the frame that completes them. */
  span(n: number): At {
    const start = this.refAt(this.base);
    const end = this.refAt(this.base + Math.max(0, n - 1));
    return { frame: end.frame, time: end.time, startFrame: start.frame };
  }
}

export class SshTracker implements AppTracker {
  readonly protocol = 'ssh' as const;
  /** Everything known so far about the connection (see state.ts). */
  readonly state: SshState = emptyState();
  private readonly dirs: Record<Side, Direction> = { client: new Direction(), server: new Direction() };
  private encSeq = 0;

  constructor(private readonly ctx: TrackerContext) {}

  needsBytes(from: Side): boolean {
    const m = this.dirs[from].mode;
    return m === 'banner' || m === 'packets' || m === 'v1' || m === 'preview';
  }

  onData(from: Side, data: Uint8Array, ref: FrameRef): void {
    if (data.length === 0) return;
    const d = this.dirs[from];
    if (d.mode === 'encrypted') return this.encrypted(from, data.length, ref);
    d.keepPreview(data, ref);
    if (d.mode === 'stopped' || d.mode === 'preview') {
      this.state[from].unparsedBytes += data.length;
      if (d.mode === 'preview') this.updateNotSsh(from);
      return;
    }
    if (d.buf.length + data.length > MAX_STREAM_BUFFER) {
      this.stop(from, `more than ${MAX_STREAM_BUFFER} bytes buffered without a complete message`, ref);
      this.state[from].unparsedBytes += data.length;
      return;
    }
    d.append(data, ref);
    try {
      this.process(from);
    } catch (e) {
      // A bug in the tracker must not take the program down: record it and stop this side.
      const message = e instanceof Error ? e.message : String(e);
      this.stop(from, `internal error: ${message}`, ref);
    }
  }

  onGap(from: Side, length: number, ref: FrameRef): void {
    const d = this.dirs[from];
    if (d.mode === 'encrypted') {
      this.state[from].encrypted.gapBytes += length;
      return;
    }
    if (d.mode === 'stopped') return;
    this.finding(from, 'error', 'ssh.gap', `${length} bytes of the ${from}'s stream are missing from the capture before encryption started; decoding of that side stops`, [ref.frame]);
    this.stop(from, `capture gap of ${length} bytes`, ref, false);
  }

  onOpaque(from: Side, length: number, ref: FrameRef): void {
    if (length <= 0) return;
    if (this.dirs[from].mode === 'encrypted') this.encrypted(from, length, ref);
    else this.state[from].unparsedBytes += length;
  }

  onClose(from: Side, kind: 'fin' | 'rst', ref: FrameRef): void {
    const side = this.state[from];
    if (side.closed === null) side.closed = { kind, frame: ref.frame, time: ref.time };
    this.flushSide(from);
    this.flushEncryptedSummary();
  }

  /**
   * Emit the pending "Encrypted ×n" ladder summaries (done at the first close; call at the
   * end of input for connections that never closed).
   */
  finish(): void {
    this.flushSide('client');
    this.flushSide('server');
    this.flushEncryptedSummary();
  }

  /**
   * Nothing more will come from this side: settle what waited for more bytes (a not-SSH
   * preview, a text line without its line end).
   */
  private flushSide(from: Side): void {
    const d = this.dirs[from];
    if (d.mode === 'preview') return this.finalizeNotSsh(from);
    if (d.buf.length === 0 || !(d.mode === 'banner' || (d.mode === 'packets' && this.state[from].packets === 0))) return;
    const text = latin1(d.buf);
    if (CONTROL_CHARS.test(text)) return;
    const side = this.state[from];
    const at = d.span(d.buf.length);
    d.consume(d.buf.length);
    if (d.mode === 'banner' && isIdentificationLine(text)) {
      const ident = parseIdentification({ bytes: new Uint8Array(0), text, crlf: false, size: text.length });
      ident.anomalies.push('identification without a line end before the close');
      side.banner = { ...ident, ...at };
      side.protocol = ident.protocol;
      this.ladder(from, at, ident.raw, 'unterminated identification');
      this.advance('banner', at.frame);
      return;
    }
    (d.mode === 'banner' ? side.preBannerLines : side.postBannerLines).push({ text, ...at });
    this.ladder(from, at, `text: ${text.slice(0, 80)}`, 'an unterminated text line');
  }

  // --- stream processing -------------------------------------------------------------

  private process(from: Side): void {
    const d = this.dirs[from];
    for (;;) {
      if (d.buf.length === 0) return;
      if (d.mode === 'banner') {
        if (!this.bannerStep(from)) return;
      } else if (d.mode === 'packets') {
        if (!this.packetStep(from)) return;
      } else if (d.mode === 'v1') {
        if (!this.v1Step(from)) return;
      } else if (d.mode === 'encrypted') {
        // Bytes after NEWKEYS in the same segment: encrypted already.
        const n = d.buf.length;
        const ref = d.refAt(d.base);
        d.consume(n);
        this.encrypted(from, n, ref);
        return;
      } else {
        this.state[from].unparsedBytes += d.buf.length;
        d.consume(d.buf.length);
        return;
      }
    }
  }

  /** One identification-phase step; false when more bytes are needed. */
  private bannerStep(from: Side): boolean {
    const d = this.dirs[from];
    const side = this.state[from];
    const firstData = side.preBannerLines.length === 0 && side.banner === null;
    if (firstData && !this.plausibleStart(from)) return false;
    if (d.mode !== 'banner') return true;
    const line = frameLine(d.buf, MAX_LINE_BYTES);
    if (line.status === 'incomplete') return false;
    if (line.status === 'invalid') {
      this.notSsh(from, `a line longer than ${MAX_LINE_BYTES} bytes before any SSH identification`);
      return true;
    }
    const at = d.span(line.size);
    const { text } = line.value;
    if (isIdentificationLine(text)) {
      const ident = parseIdentification(line.value);
      side.banner = { ...ident, ...at };
      side.protocol = ident.protocol;
      d.consume(line.size);
      this.ladder(from, at, ident.raw, ident.protocol === '1.x' ? 'SSH protocol 1 only' : undefined);
      this.advance('banner', at.frame);
      for (const a of ident.anomalies) this.finding(from, 'warning', 'ssh.banner_anomaly', `${from} identification: ${a}`, [at.frame]);
      if (ident.protocol === '1.x') {
        this.finding(from, 'error', 'ssh.protocol1', `the ${from} speaks SSH protocol 1 only (${ident.raw}); protocol 1 is obsolete and insecure (removed from OpenSSH in 7.6)`, [at.frame]);
        d.mode = 'v1';
      } else {
        if (ident.protocol === 'other') this.finding(from, 'error', 'ssh.protocol_version', `the ${from} announces protocol version "${ident.protoVersion}", not 2.0`, [at.frame]);
        d.mode = 'packets';
      }
      return true;
    }
    // A line before the identification: servers may send them (RFC 4253 §4.2); a client
    // that does is already marked not SSH by plausibleStart.
    if (side.preBannerLines.length >= MAX_PRE_BANNER_LINES || d.preBannerBytes + line.size > MAX_PRE_BANNER_BYTES) {
      this.notSsh(from, `more than ${MAX_PRE_BANNER_LINES} lines or ${MAX_PRE_BANNER_BYTES} bytes without an SSH identification`);
      return true;
    }
    if (CONTROL_CHARS.test(text)) {
      this.notSsh(from, null);
      return true;
    }
    d.preBannerBytes += line.size;
    side.preBannerLines.push({ text, ...at });
    d.consume(line.size);
    this.ladder(from, at, `text: ${text.slice(0, 80)}`, 'a line before the SSH identification');
    return true;
  }

  /**
   * Before the first line of a side: a client must start with "SSH-"; a server may send text
   * lines first, but not TLS, HTTP or binary. Decides as soon as the bytes allow.
   */
  private plausibleStart(from: Side): boolean {
    const d = this.dirs[from];
    const head = d.buf.subarray(0, 4);
    // "SSH-" or a prefix of it: wait for four bytes before deciding.
    if ([...head].every((c, i) => c === SSH_PREFIX.charCodeAt(i))) return head.length === 4;
    const preview = classifyPeer(d.buf);
    const reject = from === 'client' || preview.kind === 'tls' || preview.kind === 'binary' || preview.kind.startsWith('http') || preview.kind === 'html';
    if (reject) {
      this.notSsh(from, null);
      return true;
    }
    return true;
  }

  /**
   * This side is not SSH. The fact is recorded at once; the preview (its first PREVIEW_BYTES)
   * keeps growing until it is full or the side closes, then the ladder event and the finding
   * are emitted, so the record does not depend on how the bytes were segmented.
   */
  private notSsh(from: Side, why: string | null): void {
    const d = this.dirs[from];
    d.notSshWhy = why;
    this.state[from].unparsedBytes += d.buf.length;
    d.buf = new Uint8Array(0);
    d.chunks = [];
    d.mode = 'preview';
    this.updateNotSsh(from);
  }

  private updateNotSsh(from: Side): void {
    const d = this.dirs[from];
    const first = d.firstRef!;
    this.state[from].notSsh = { ...classifyPeer(d.preview), frame: first.frame, time: first.time, startFrame: first.frame };
    if (d.preview.length >= PREVIEW_BYTES) this.finalizeNotSsh(from);
  }

  private finalizeNotSsh(from: Side): void {
    const d = this.dirs[from];
    const n = this.state[from].notSsh!;
    d.mode = 'stopped';
    this.state[from].stopped = { reason: 'not SSH', frame: n.frame };
    this.ladder(from, n, `not SSH: ${n.description}`);
    this.finding(from, 'error', 'ssh.not_ssh', `the ${from} did not speak SSH: ${d.notSshWhy ?? n.description}`, [n.frame]);
  }

  /** One cleartext packet; false when more bytes are needed. */
  private packetStep(from: Side): boolean {
    const d = this.dirs[from];
    const p = framePacket(d.buf);
    if (p.status === 'incomplete') return false;
    const at = d.span(p.status === 'ok' ? p.size : 5);
    if (p.status === 'invalid') {
      const text = this.textAfterBanner(from);
      if (text === 'wait') return false;
      if (text) return true;
      this.finding(from, 'error', 'ssh.malformed_packet', `malformed ${from} packet: ${p.error.message}`, [at.frame]);
      this.stop(from, `malformed packet: ${p.error.message}`, { frame: at.frame, time: at.time }, false);
      return true;
    }
    const side = this.state[from];
    const packetIndex = side.packets++;
    for (const a of p.value.anomalies) {
      const what = a === 'short-padding' ? `padding of ${p.value.paddingLength} bytes (RFC 4253 requires at least 4)` : `packet length ${p.value.packetLength} + 4 is not a multiple of 8`;
      this.finding(from, 'warning', `ssh.packet_${a}`, `${from} packet: ${what}`, [at.frame]);
    }
    const m = decodeMessage(p.value.payload, this.state.kexFamily);
    d.consume(p.value.size);
    if (m.status !== 'ok') {
      const type = p.value.payload[0] ?? -1;
      const error = m.status === 'invalid' ? m.error.message : 'incomplete';
      this.record(from, at, type, sshMessageName(type, this.state.kexFamily), p.value.payload.length, 'malformed');
      this.ladder(from, at, `${sshMessageName(type, this.state.kexFamily)} (malformed)`);
      this.finding(from, 'error', 'ssh.malformed_message', `malformed ${from} ${sshMessageName(type, this.state.kexFamily)}: ${error}`, [at.frame]);
      return true;
    }
    this.onMessage(from, at, m.value, p.value.payload.length, packetIndex);
    return true;
  }

  /**
   * Before the first binary packet, a text line where a packet should start (a peer that
   * rejects our banner says why in text): keep it as a line rather than a malformed packet.
   */
  private textAfterBanner(from: Side): boolean | 'wait' {
    const d = this.dirs[from];
    const side = this.state[from];
    if (side.packets > 0 || side.postBannerLines.length >= MAX_PRE_BANNER_LINES) return false;
    const line = frameLine(d.buf, MAX_LINE_BYTES);
    if (line.status === 'invalid') return false;
    if (line.status === 'incomplete') {
      // Text so far: wait for its line end (or the close, see flushSide) rather than
      // calling it a malformed packet.
      return CONTROL_CHARS.test(latin1(d.buf)) ? false : 'wait';
    }
    const { text } = line.value;
    const size = line.size;
    if (CONTROL_CHARS.test(text)) return false;
    const at = d.span(size);
    side.postBannerLines.push({ text, ...at });
    d.consume(size);
    this.ladder(from, at, `text: ${text.slice(0, 80)}`, 'a text line after the SSH identification');
    this.finding(from, 'warning', 'ssh.text_after_banner', `the ${from} sent text after its identification instead of a binary packet: "${text.slice(0, 120)}"`, [at.frame]);
    return true;
  }

  private v1Step(from: Side): boolean {
    const d = this.dirs[from];
    const p = frameV1Packet(d.buf);
    if (p.status === 'incomplete') return false;
    if (p.status === 'invalid') {
      this.stop(from, `unreadable SSH-1 packet: ${p.error.message}`, d.refAt(d.base), false);
      return true;
    }
    d.consume(p.size);
    const side = this.state[from];
    side.v1Packets++;
    if (side.v1Packets >= MAX_V1_PACKETS) this.stop(from, `${MAX_V1_PACKETS} SSH-1 packets counted`, d.refAt(d.base), false);
    return true;
  }

  // --- messages ------------------------------------------------------------------------

  private onMessage(from: Side, at: At, m: DecodedMessage, size: number, packetIndex: number): void {
    const side = this.state[from];
    const d = this.dirs[from];
    const msg = m.msg;
    const strict = this.state.negotiation?.strictKex.active === true;
    switch (msg.kind) {
      case 'kexinit': {
        if (side.kexinit !== null) {
          this.record(from, at, m.type, m.name, size, 'repeated');
          this.finding(from, 'error', 'ssh.unexpected_message', `second KEXINIT from the ${from} before NEWKEYS`, [at.frame]);
          return;
        }
        side.kexinit = { value: msg.kexinit, packetIndex, ...at };
        side.strictKex = msg.kexinit.kexAlgorithms.includes(from === 'client' ? STRICT_KEX_CLIENT : STRICT_KEX_SERVER);
        this.record(from, at, m.type, m.name, size);
        this.ladder(from, at, 'KEXINIT', `${msg.kexinit.kexAlgorithms.length} kex, ${msg.kexinit.serverHostKeyAlgorithms.length} host key, ${msg.kexinit.encryptionC2S.length} cipher algorithms`);
        this.advance('kexinit', at.frame);
        for (const w of msg.kexinit.warnings) this.finding(from, 'warning', 'ssh.kexinit_anomaly', `${from} KEXINIT: ${w}`, [at.frame]);
        if (from === 'client') this.state.hassh = hassh(msg.kexinit);
        else this.state.hasshServer = hasshServer(msg.kexinit);
        d.guessPending = msg.kexinit.firstKexPacketFollows;
        if (this.state.client.kexinit && this.state.server.kexinit) this.onBothKexInits();
        return;
      }
      case 'newkeys': {
        this.record(from, at, m.type, m.name, size);
        side.newkeys = { frame: at.frame, time: at.time, startFrame: at.startFrame };
        this.ladder(from, at, 'NEWKEYS');
        this.advance('newkeys', at.frame);
        d.mode = 'encrypted';
        if (this.state.client.newkeys && this.state.server.newkeys) {
          this.state.completed = true;
          this.advance('authentication', at.frame);
        }
        return;
      }
      case 'disconnect': {
        this.record(from, at, m.type, m.name, size, msg.reasonName);
        this.state.disconnect ??= { from, reasonCode: msg.reasonCode, reasonName: msg.reasonName, description: msg.description, language: msg.language, ...at };
        this.ladder(from, at, `DISCONNECT ${msg.reasonName}`, msg.description);
        return;
      }
      case 'ignore':
      case 'debug':
      case 'unimplemented': {
        if (msg.kind === 'ignore') side.ignoreCount++;
        else if (msg.kind === 'unimplemented') side.unimplementedCount++;
        else {
          side.debugCount++;
          if (side.debugMessages.length < MAX_DEBUG_MESSAGES) side.debugMessages.push(msg.message);
        }
        this.record(from, at, m.type, m.name, size, msg.kind === 'debug' ? msg.message.slice(0, 80) : undefined);
        if (strict) this.finding(from, 'warning', 'ssh.strict_kex_violation', `${m.name} from the ${from} during the initial key exchange, which strict KEX forbids`, [at.frame]);
        return;
      }
      case 'ext_info': {
        side.extInfo = msg.extensions;
        this.record(from, at, m.type, m.name, size, msg.extensions.map((e) => e.name).join(','));
        this.ladder(from, at, 'EXT_INFO', msg.extensions.map((e) => e.name).join(', '));
        return;
      }
      default:
        break;
    }
    if (m.type >= 30 && m.type <= 49) return this.onKexMessage(from, at, m, size);
    this.record(from, at, m.type, m.name, size);
    this.ladder(from, at, m.name);
    this.finding(from, 'warning', 'ssh.unexpected_message', `${m.name} (${m.type}) from the ${from} in clear, before NEWKEYS`, [at.frame]);
  }

  private onKexMessage(from: Side, at: At, m: DecodedMessage, size: number): void {
    const d = this.dirs[from];
    const msg = m.msg;
    let detail: string | undefined;
    const expected: Partial<Record<typeof msg.kind, Side>> = {
      kex_init: 'client',
      kex_reply: 'server',
      gex_request: 'client',
      gex_request_old: 'client',
      gex_group: 'server',
      rsa_pubkey: 'server',
      rsa_secret: 'client',
      rsa_done: 'server',
    };
    if (msg.kind === 'kex_reply' || msg.kind === 'rsa_pubkey') {
      detail = this.onHostKey(at, msg.hostKeyBlob, msg.kind === 'kex_reply' ? msg.signatureAlgorithm : null);
    } else if (msg.kind === 'gex_request') {
      this.state.gex.request = { min: msg.min, preferred: msg.preferred, max: msg.max };
      detail = `${msg.min}<${msg.preferred}<${msg.max}`;
    } else if (msg.kind === 'gex_request_old') {
      this.state.gex.request = { min: msg.preferred, preferred: msg.preferred, max: msg.preferred };
      detail = `${msg.preferred}`;
    } else if (msg.kind === 'gex_group') {
      this.state.gex.primeBits = msg.primeBits;
      detail = `${msg.primeBits}-bit group`;
      if (msg.primeBits < 2048) this.finding(from, 'warning', 'ssh.weak_dh_group', `the server chose a ${msg.primeBits}-bit Diffie-Hellman group (RFC 8270: at least 2048)`, [at.frame]);
    }
    const guess = d.guessPending;
    d.guessPending = false;
    const index = this.record(from, at, m.type, m.name, size, detail);
    if (guess) {
      d.guessIndex = index;
      d.guessFrame = at.frame;
      if (this.state.negotiation?.guess[from] === 'wrong' && index !== null) this.state.messages[index]!.ignored = true;
    }
    const verdict = guess ? (this.state.negotiation?.guess[from] ?? 'pending') : 'none';
    const ignored = verdict === 'wrong';
    this.ladder(from, at, detail ? `${m.name} (${detail})` : m.name, ignored ? 'guessed packet, wrong guess: ignored by the peer' : undefined);
    // A guess counts as progress only once it is known to be right (see onBothKexInits).
    if (verdict === 'none' || verdict === 'right') this.advance('key_exchange', at.frame);
    const want = expected[msg.kind];
    if (want && want !== from) {
      this.finding(from, 'warning', 'ssh.unexpected_direction', `${m.name} sent by the ${from}; it is the ${want}'s message`, [at.frame]);
    }
  }

  /** Record the server's host key from a key-exchange reply; returns the ladder detail. */
  private onHostKey(at: At, blob: Uint8Array, signatureAlgorithm: string | null): string {
    const parsed = parseHostKey(blob);
    const algorithm = this.state.negotiation?.negotiated.hostKey ?? null;
    if (parsed.status !== 'ok') {
      const type = blob.length >= 4 ? 'malformed' : 'empty';
      this.state.hostKey ??= {
        algorithm, type, bits: null, fingerprint: fingerprintSha256(blob), md5: fingerprintMd5(blob), certificate: null,
        blob: blob.slice(), signatureAlgorithm, ...at,
      };
      this.finding('server', 'error', 'ssh.malformed_host_key', `the server's host key could not be decoded: ${parsed.status === 'invalid' ? parsed.error.message : 'truncated'}`, [at.frame]);
      return 'malformed host key';
    }
    const k = parsed.value;
    this.state.hostKey ??= {
      algorithm, type: k.type, bits: k.bits, fingerprint: k.fingerprint, md5: k.md5, certificate: k.certificate,
      blob: blob.slice(), signatureAlgorithm, ...at,
    };
    if (k.type === 'ssh-rsa' && k.bits !== null && k.bits < 2048) {
      this.finding('server', 'warning', 'ssh.weak_host_key', `the server's RSA host key has ${k.bits} bits (OpenSSH refuses RSA keys under 1024 bits since 7.6; 2048 or more is expected)`, [at.frame]);
    }
    return k.bits ? `${k.type} ${k.bits}` : k.type;
  }

  private onBothKexInits(): void {
    const c = this.state.client.kexinit!;
    const s = this.state.server.kexinit!;
    const n = negotiate(c.value, s.value);
    this.state.negotiation = n;
    if (n.negotiated.kex) this.state.kexFamily = kexFamily(n.negotiated.kex);
    if (this.state.hostKey && this.state.hostKey.algorithm === null) this.state.hostKey.algorithm = n.negotiated.hostKey;
    const frame = Math.max(c.frame, s.frame);
    // A guess decided before both KEXINITs were known.
    for (const side of ['client', 'server'] as const) {
      const { guessIndex, guessFrame } = this.dirs[side];
      if (guessIndex !== null && n.guess[side] === 'wrong') this.state.messages[guessIndex]!.ignored = true;
      if (guessFrame !== null && n.guess[side] === 'right') this.advance('key_exchange', guessFrame);
    }
    if (!n.ok && n.failure) {
      const f = n.failure;
      this.ladder('server', { frame, time: Math.max(c.time, s.time), startFrame: frame }, `no common ${f.list}`, `client: ${f.clientOffer.join(',')} / server: ${f.serverOffer.join(',')}`);
    }
    if (n.strictKex.active) {
      for (const side of ['client', 'server'] as const) {
        const k = this.state[side].kexinit!;
        if (k.packetIndex !== 0) this.finding(side, 'warning', 'ssh.strict_kex_violation', `strict KEX is on but the ${side}'s KEXINIT was not its first packet`, [k.frame]);
      }
    }
    if (n.ok && n.terrapinExposed) {
      this.finding('server', 'warning', 'ssh.terrapin', `the connection uses ${n.negotiated.cipherC2S}${n.macImplicit.c2s ? '' : ` with ${n.negotiated.macC2S}`} without strict key exchange on both sides: exposed to the Terrapin prefix-truncation attack (CVE-2023-48795); OpenSSH 9.6 and later negotiate strict KEX`, [frame]);
    }
    const kinds = [
      ['kex', n.negotiated.kex],
      ['hostkey', n.negotiated.hostKey],
      ['cipher', n.negotiated.cipherC2S],
      ['cipher', n.negotiated.cipherS2C],
      ['mac', n.negotiated.macC2S],
      ['mac', n.negotiated.macS2C],
    ] as const;
    const seen = new Set<string>();
    // Nothing is "negotiated" when a list had no match: the partial picks are not in use.
    for (const [kind, name] of n.ok ? kinds : []) {
      if (name === null || seen.has(name)) continue;
      seen.add(name);
      for (const w of weakNames(kind, [name])) {
        const info = sshAlgorithm(kind, name);
        this.finding('server', 'warning', 'ssh.weak_algorithm', `negotiated ${kind} ${w.name} is ${w.rating}: ${info.notes.join('; ')}${info.openssh ? ` (${info.openssh})` : ''}`, [frame]);
      }
    }
  }

  // --- encrypted phase -------------------------------------------------------------------

  private encrypted(from: Side, size: number, ref: FrameRef): void {
    const e = this.state[from].encrypted;
    const last = e.samples[e.samples.length - 1];
    if (e.lastFrame === ref.frame && this.state.lastEncryptedFrom === from) {
      // More of the same segment (bytes after NEWKEYS, or a segment handed over in pieces).
      e.bytes += size;
      if (last && last.frame === ref.frame && e.samples.length === e.segments) last.size += size;
      return;
    }
    e.segments++;
    e.bytes += size;
    e.firstFrame ??= ref.frame;
    e.lastFrame = ref.frame;
    e.lastTime = ref.time;
    const seq = this.encSeq++;
    if (e.samples.length < MAX_ENCRYPTED_SAMPLES) e.samples.push({ frame: ref.frame, time: ref.time, size, seq });
    if (this.state.lastEncryptedFrom !== from) this.state.encryptedTurns++;
    this.state.lastEncryptedFrom = from;
    const d = this.dirs[from];
    if (d.ladderEncrypted < ENCRYPTED_LADDER_EVENTS) {
      d.ladderEncrypted++;
      this.ctx.ladder({ frame: ref.frame, time: ref.time, from, label: `Encrypted (${size} bytes)`, layer: 'data' });
    } else {
      const s = d.summary;
      if (s.segments === 0) s.firstFrame = ref.frame;
      s.segments++;
      s.bytes += size;
      s.lastFrame = ref.frame;
      s.lastTime = ref.time;
    }
    if (this.state.stage === 'authentication' && sessionEvident(this.state)) this.advance('session', ref.frame);
  }

  private flushEncryptedSummary(): void {
    for (const from of ['client', 'server'] as const) {
      const s = this.dirs[from].summary;
      if (s.segments === 0) continue;
      this.ctx.ladder({
        frame: s.lastFrame,
        time: s.lastTime,
        from,
        label: `Encrypted ×${s.segments} (${s.bytes} bytes)`,
        layer: 'data',
        detail: `frames ${s.firstFrame}..${s.lastFrame}`,
      });
      this.dirs[from].summary = { segments: 0, bytes: 0, firstFrame: 0, lastFrame: 0, lastTime: 0 };
    }
  }

  // --- helpers ---------------------------------------------------------------------------

  private stop(from: Side, reason: string, ref: FrameRef, withFinding = true): void {
    const d = this.dirs[from];
    if (d.mode === 'stopped') return;
    d.mode = 'stopped';
    this.state[from].stopped = { reason, frame: ref.frame };
    this.state[from].unparsedBytes += d.buf.length;
    d.buf = new Uint8Array(0);
    d.chunks = [];
    if (withFinding) this.finding(from, 'error', 'ssh.decoding_stopped', `decoding of the ${from}'s stream stopped: ${reason}`, [ref.frame]);
  }

  /** Append a message fact; returns its index, or null once MAX_MESSAGES are kept. */
  private record(from: Side, at: At, type: number, name: string, size: number, detail?: string): number | null {
    if (this.state.messages.length >= MAX_MESSAGES) {
      this.state.messagesDropped++;
      return null;
    }
    this.state.messages.push({ from, type, name, size, ...at, ...(detail !== undefined ? { detail } : {}) });
    return this.state.messages.length - 1;
  }

  private advance(stage: SshStage, frame: number): void {
    const cur = this.state.stage === null ? -1 : SSH_STAGES.indexOf(this.state.stage);
    if (SSH_STAGES.indexOf(stage) > cur) {
      this.state.stage = stage;
      this.state.stageFrame = frame;
    }
  }

  private ladder(from: Side, at: At, label: string, detail?: string): void {
    this.ctx.ladder({ frame: at.frame, time: at.time, from, label, layer: 'ssh', ...(detail !== undefined ? { detail } : {}) });
  }

  /**
   * Findings are reported once per code and side (once per distinct message for the codes
   * that name an algorithm or an anomaly), so a stream of bad packets gives one finding.
   */
  private finding(from: Side, severity: 'info' | 'warning' | 'error', code: string, message: string, frames: number[]): void {
    const perMessage = code === 'ssh.weak_algorithm' || code === 'ssh.banner_anomaly' || code === 'ssh.kexinit_anomaly';
    const key = perMessage ? `${code}|${message}` : code;
    const d = this.dirs[from];
    if (d.findingsSeen.has(key)) return;
    d.findingsSeen.add(key);
    this.ctx.finding({ severity, code, message, frames });
  }
}

