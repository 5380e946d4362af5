// QuicTracker: one QUIC connection's datagrams, in capture order. It reads every packet's
// header, opens the Initial packets (their keys come from the client's Destination
// Connection ID: no secret needed), and with a key log the Handshake and 1-RTT packets
// too; it reassembles the CRYPTO frames of each side and level, out of order and across
// packets, and hands the ordered bytes to the very same TLS tracker a TCP connection uses
// (wrapped in plain records: QUIC protects packets, not records). CONNECTION_CLOSE,
// HANDSHAKE_DONE, Version Negotiation and Retry are the QUIC facts of its own.
//
// Bounded: CRYPTO data held out of order per side and level, packets remembered, the
// ladder; after the handshake only counts.

import type { DatagramTracker, FrameRef, Side, TrackerContext } from '../engine/types.js';
import type { KeylogLabel, KeyStore } from '../keylog/keylog.js';
import { applicationErrorName, cryptoAlert, QUIC_DRAFT29, QUIC_V1, quicErrorName, quicFrameName, quicVersionName } from '../registry/quic.js';
import { suiteCipher } from '../tls/keyschedule.js';
import { hex } from '../wire/reader.js';
import { TlsTracker } from '../tls/tracker.js';
import { type Frame, parseFrames } from './frames.js';
import { type LongHeader, parseDatagram, parseHeader } from './packet.js';
import { initialKeys, openPacket, packetKeys, type PacketKeys, retryTagValid } from './protection.js';
import { emptyQuicState, type PacketKind, quicApplication, QUIC_STAGE_RANK, type QuicStage, type QuicState } from './state.js';

/** CRYPTO bytes held out of order per side and level. */
export const MAX_CRYPTO_HELD = 64 * 1024;
/** Packets remembered for evidence. */
export const MAX_PACKETS = 64;
/** Datagrams read after the handshake completed (a late CONNECTION_CLOSE, the first 1-RTT both ways). */
const AFTER_COMPLETION = 16;

type Level = 'initial' | 'handshake';

/** One side's CRYPTO stream at one level: offsets in, ordered bytes out. */
export class CryptoStream {
  next = 0;
  private held: { offset: number; data: Uint8Array; ref: FrameRef }[] = [];
  private heldBytes = 0;
  overflow = 0;

  add(offset: number, data: Uint8Array, ref: FrameRef, out: (bytes: Uint8Array, ref: FrameRef) => void): void {
    if (offset + data.length <= this.next) return; // retransmitted
    if (offset > this.next) {
      if (this.heldBytes + data.length > MAX_CRYPTO_HELD) {
        this.overflow += data.length;
        return;
      }
      this.held.push({ offset, data: data.slice(), ref });
      this.heldBytes += data.length;
      this.held.sort((a, b) => a.offset - b.offset);
      return;
    }
    out(data.subarray(this.next - offset), ref);
    this.next = offset + data.length;
    while (this.held.length > 0 && this.held[0]!.offset <= this.next) {
      const h = this.held.shift()!;
      this.heldBytes -= h.data.length;
      if (h.offset + h.data.length > this.next) {
        out(h.data.subarray(this.next - h.offset), { frame: Math.max(h.ref.frame, ref.frame), time: Math.max(h.ref.time, ref.time) });
        this.next = h.offset + h.data.length;
      }
    }
  }
}

/** A TLS handshake record around CRYPTO bytes, for the TLS tracker's record framing. */
function record(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 16384) {
    const part = bytes.subarray(i, i + 16384);
    const r = new Uint8Array(5 + part.length);
    r[0] = 22;
    r[1] = 3;
    r[2] = 3;
    r[3] = part.length >> 8;
    r[4] = part.length & 0xff;
    r.set(part, 5);
    out.push(r);
  }
  return out;
}


export class QuicTracker implements DatagramTracker {
  readonly protocol = 'quic' as const;
  readonly state: QuicState = emptyQuicState();
  /** The TLS handshake carried in CRYPTO frames. */
  readonly tls: TlsTracker;
  private readonly crypto: Record<Side, Record<Level, CryptoStream>> = {
    client: { initial: new CryptoStream(), handshake: new CryptoStream() },
    server: { initial: new CryptoStream(), handshake: new CryptoStream() },
  };
  /** Handshake-level CRYPTO bytes waiting for the side's hello (a lost Initial retransmitted later). */
  private waiting: Record<Side, { bytes: Uint8Array; ref: FrameRef }[]> = { client: [], server: [] };
  /** The client's current Destination Connection ID (a Retry makes it pick another). */
  private dcid: Uint8Array | null = null;
  /** Initial keys per version and DCID: with compatible version negotiation (RFC 9368) the server answers in another version, under that version's salt. */
  private initialCache = new Map<string, { client: PacketKeys; server: PacketKeys } | null>();
  private readonly keysByLevel: Record<Side, { handshake: PacketKeys | null; one_rtt: PacketKeys | null }> = { client: { handshake: null, one_rtt: null }, server: { handshake: null, one_rtt: null } };
  private readonly largestPn: Record<Side, Record<string, number>> = { client: {}, server: {} };
  private keyLookupDone = false;
  private afterCompletion = 0;
  private cidLength: Record<Side, number> = { client: -1, server: -1 };

  constructor(
    private readonly ctx: TrackerContext,
    private readonly keys: KeyStore | null = null,
  ) {
    this.tls = new TlsTracker(ctx, { quic: true });
  }

  get done(): boolean {
    return this.state.completed && this.afterCompletion >= AFTER_COMPLETION;
  }

  onDatagram(from: Side, data: Uint8Array, ref: FrameRef): void {
    if (this.state.completed) this.afterCompletion++;
    const packets = parseDatagram(data);
    if (packets.length === 0) {
      this.state.undecodable++;
      return;
    }
    for (const h of packets) {
      if (h.form === 'vn') this.onVersionNegotiation(from, h.versions, data.length, ref);
      else if (h.form === 'long') this.onLong(from, data, h, ref);
      else this.onShort(from, data, h.start, ref);
    }
  }

  finish(): void {
    for (const side of ['client', 'server'] as const) this.flushWaiting(side, true);
  }

  // ---- packets ----------------------------------------------------------------------

  private note(from: Side, kind: PacketKind, version: number | null, size: number, ref: FrameRef, opened: boolean | null, pn: number | null): void {
    const s = this.state;
    s.counts[from][kind]++;
    if (s.packets.length < MAX_PACKETS) s.packets.push({ frame: ref.frame, time: ref.time, from, kind, version, size, opened, packetNumber: pn });
  }

  private reach(stage: QuicStage, ref: FrameRef): void {
    const s = this.state;
    if (QUIC_STAGE_RANK[stage] > QUIC_STAGE_RANK[s.stage]) {
      s.stage = stage;
      s.stageFrame = ref.frame;
    }
  }

  private ladder(from: Side, ref: FrameRef, label: string, detail?: string): void {
    this.ctx.ladder(detail === undefined ? { frame: ref.frame, time: ref.time, from, label, layer: 'tls' } : { frame: ref.frame, time: ref.time, from, label, layer: 'tls', detail });
  }

  private onVersionNegotiation(from: Side, versions: number[], size: number, ref: FrameRef): void {
    const s = this.state;
    this.note(from, 'version_negotiation', 0, size, ref, null, null);
    if (from !== 'server') return;
    if (!s.versionNegotiation) s.versionNegotiation = { frame: ref.frame, time: ref.time, versions };
    this.ladder(from, ref, 'Version Negotiation', versions.map(quicVersionName).join(', '));
    this.reach('server_initial', ref);
  }

  private onLong(from: Side, data: Uint8Array, h: LongHeader, ref: FrameRef): void {
    const s = this.state;
    if (h.type === 'unknown') {
      if (from === 'client') {
        if (s.version === null) s.version = h.version;
        if (!s.clientVersions.includes(h.version)) s.clientVersions.push(h.version);
      }
      // A client greasing version negotiation protects its Initial like a version it knows
      // (RFC 9000 §6.1 leaves it open; ngtcp2 and Wireshark use draft-29's salt, others v1's):
      // try both, so that its SNI and ALPN are still seen.
      let opened: ReturnType<typeof openPacket> = null;
      if (from === 'client' && data.length >= 1200) {
        for (const v of s.openedAs !== null ? [s.openedAs] : [QUIC_V1, QUIC_DRAFT29]) {
          const as = parseHeader(data, h.start, v);
          if (as?.form === 'long' && as.type === 'initial') opened = this.openUnknown(data, as, v);
          if (opened) {
            s.openedAs = v;
            break;
          }
        }
      }
      this.note(from, 'unknown', h.version, data.length, ref, opened ? true : null, opened?.packetNumber ?? null);
      if (from === 'client' && s.counts.client.unknown === 1) this.ladder(from, ref, `Initial (${quicVersionName(h.version)})`, opened && s.openedAs !== null ? `protected like ${quicVersionName(s.openedAs)}` : 'a version this tool cannot open');
      if (opened) {
        this.largestPn.client['unknown'] = Math.max(this.largestPn.client['unknown'] ?? -1, opened.packetNumber);
        this.onFrames(from, opened.payload, 'initial', ref);
      }
      return;
    }
    if (from === 'client' && s.clientCid === null) {
      s.clientCid = hex(h.scid);
      this.ctx.connectionId?.('client', h.scid);
    }
    if (from === 'server' && s.serverCid === null && h.type !== 'retry') s.serverCid = hex(h.scid);
    // Each side receives on the IDs it chose (a Retry's too): a new path is found by them.
    if (from === 'server') this.ctx.connectionId?.('server', h.scid);
    if (h.type !== 'retry') this.cidLength[from === 'client' ? 'server' : 'client'] = h.scid.length;
    if (h.type === 'retry') return this.onRetry(from, data, h, ref);
    if (from === 'client') {
      if (s.version === null) s.version = h.version;
      if (!s.clientVersions.includes(h.version)) s.clientVersions.push(h.version);
    }
    let keys: PacketKeys | null = null;
    if (h.type === 'initial') {
      if (from === 'client') {
        const dcid = hex(h.dcid);
        if (s.originalDcid === null) {
          s.originalDcid = dcid;
          this.ctx.connectionId?.('server', h.dcid);
        }
        if (!this.dcid || hex(this.dcid) !== dcid) this.dcid = h.dcid.slice();
        if (s.clientInitialFrames.length < 16) s.clientInitialFrames.push(ref.frame);
      } else if (s.negotiatedVersion === null) s.negotiatedVersion = h.version;
      keys = this.initialKeys(h.version)?.[from] ?? null;
    } else if (h.type === 'handshake') {
      keys = this.levelKeys(from, 'handshake');
    }
    const level = h.type === 'zero_rtt' ? 'zero_rtt' : h.type;
    let opened = null as ReturnType<typeof openPacket>;
    if (keys) opened = openPacket(data, h.start, h.pnOffset, h.end, true, keys, this.largestPn[from][level] ?? -1);
    this.note(from, h.type, h.version, data.length, ref, keys ? opened !== null : null, opened?.packetNumber ?? null);
    if (h.type === 'initial') {
      if (from === 'server') this.reach('server_initial', ref);
      const n = s.counts[from].initial;
      if (n === 1 || !opened) this.ladder(from, ref, `${n === 1 ? 'Initial' : 'Initial (again)'}`, `${quicVersionName(h.version)}, ${data.length} bytes${keys && !opened ? ', does not open' : ''}`);
    } else if (h.type === 'handshake') {
      if (from === 'server') this.reach('handshake', ref);
      if (s.counts[from].handshake === 1) this.ladder(from, ref, 'Handshake', opened ? 'opened with the key log' : 'encrypted (handshake keys)');
    } else if (s.counts[from].zero_rtt === 1) this.ladder(from, ref, '0-RTT', `${data.length} bytes`);
    if (!opened) {
      if (keys) {
        s.undecodable++;
        if (h.type === 'handshake' && s.keyLog) s.keyLog.failed++;
      }
      return;
    }
    this.largestPn[from][level] = Math.max(this.largestPn[from][level] ?? -1, opened.packetNumber);
    if (h.type === 'handshake' && s.keyLog) s.keyLog.handshakeOpened++;
    this.onFrames(from, opened.payload, h.type === 'initial' ? 'initial' : 'handshake', ref);
  }

  private onRetry(from: Side, data: Uint8Array, h: LongHeader, ref: FrameRef): void {
    const s = this.state;
    const odcid = s.originalDcid;
    const valid = odcid !== null && retryTagValid(data, h, Buffer.from(odcid, 'hex'));
    this.note(from, 'retry', h.version, data.length, ref, null, null);
    if (from !== 'server') return;
    if (s.retries.length < 16) s.retries.push({ frame: ref.frame, time: ref.time, tagValid: valid, tokenLength: h.token.length });
    this.ladder(from, ref, 'Retry', `token of ${h.token.length} bytes; integrity tag ${valid ? 'valid' : 'INVALID'}`);
    this.reach('server_initial', ref);
  }

  private onShort(from: Side, data: Uint8Array, start: number, ref: FrameRef): void {
    const s = this.state;
    const first = s.counts[from].one_rtt === 0;
    let opened: ReturnType<typeof openPacket> = null;
    const keys = this.levelKeys(from, 'one_rtt');
    const cidLen = this.cidLength[from];
    if (keys && cidLen >= 0) opened = openPacket(data, start, start + 1 + cidLen, data.length, false, keys, this.largestPn[from]['one_rtt'] ?? -1);
    this.note(from, 'one_rtt', null, data.length, ref, keys ? opened !== null : null, opened?.packetNumber ?? null);
    if (first) this.ladder(from, ref, '1-RTT', opened ? 'opened with the key log' : 'application data (1-RTT keys)');
    if (s.counts.client.one_rtt > 0 && s.counts.server.one_rtt > 0) {
      this.reach('application_data', ref);
      if (!s.completed) this.complete(ref, '1-RTT packets went both ways');
    }
    if (opened) {
      this.largestPn[from]['one_rtt'] = Math.max(this.largestPn[from]['one_rtt'] ?? -1, opened.packetNumber);
      if (s.keyLog) s.keyLog.oneRttOpened++;
      this.onFrames(from, opened.payload, null, ref);
    }
  }

  /** A client's Initial of an unknown version, opened as version `as` would be. */
  private openUnknown(data: Uint8Array, h: LongHeader, as: number): ReturnType<typeof openPacket> {
    if (!this.dcid || hex(this.dcid) !== hex(h.dcid)) this.dcid = h.dcid.slice();
    if (this.state.originalDcid === null) this.state.originalDcid = hex(h.dcid);
    const keys = this.initialKeys(as)?.client;
    return keys ? openPacket(data, h.start, h.pnOffset, h.end, true, keys, this.largestPn.client['unknown'] ?? -1) : null;
  }

  private initialKeys(version: number): { client: PacketKeys; server: PacketKeys } | null {
    if (!this.dcid) return null;
    const k = `${version}:${hex(this.dcid)}`;
    let keys = this.initialCache.get(k);
    if (keys === undefined) {
      if (this.initialCache.size >= 8) this.initialCache.clear();
      keys = initialKeys(version, this.dcid);
      this.initialCache.set(k, keys);
    }
    return keys;
  }

  // ---- keys from the key log ----------------------------------------------------------

  private levelKeys(side: Side, level: 'handshake' | 'one_rtt'): PacketKeys | null {
    const have = this.keysByLevel[side][level];
    if (have || this.keyLookupDone) return have;
    const ch = this.tls.state.clientHello;
    const suite = this.tls.state.cipherSuite;
    if (!this.keys || this.keys.size === 0 || !ch || suite === null) return null;
    this.keyLookupDone = true;
    const secrets = this.keys.lookup(ch.hello.random);
    const cipher = suiteCipher(suite);
    const version = this.state.negotiatedVersion ?? this.state.version ?? 1;
    if (!secrets || !cipher || cipher.kind !== 'aead') return null;
    this.state.keyLog = { handshakeOpened: 0, oneRttOpened: 0, failed: 0, labels: [] };
    const use = (label: KeylogLabel): PacketKeys | null => {
      const secret = secrets.get(label);
      if (!secret) return null;
      this.state.keyLog!.labels.push(label);
      return packetKeys(cipher, secret, version);
    };
    this.keysByLevel.client.handshake = use('CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    this.keysByLevel.server.handshake = use('SERVER_HANDSHAKE_TRAFFIC_SECRET');
    this.keysByLevel.client.one_rtt = use('CLIENT_TRAFFIC_SECRET_0');
    this.keysByLevel.server.one_rtt = use('SERVER_TRAFFIC_SECRET_0');
    return this.keysByLevel[side][level];
  }

  // ---- frames -------------------------------------------------------------------------

  private onFrames(from: Side, payload: Uint8Array, level: Level | null, ref: FrameRef): void {
    const { frames, error } = parseFrames(payload);
    if (error) this.ctx.finding({ severity: 'warning', code: 'quic.frame_unreadable', message: `the ${from}'s ${quicFrameName(error.frameType)} frame at offset ${error.offset} of the packet in frame ${ref.frame} could not be read`, frames: [ref.frame] });
    for (const f of frames) this.onFrame(from, f, level, ref);
  }

  private onFrame(from: Side, f: Frame, level: Level | null, ref: FrameRef): void {
    const s = this.state;
    switch (f.type) {
      case 'crypto': {
        if (!level) return; // CRYPTO in 1-RTT: post-handshake messages (NewSessionTicket)
        s.cryptoBytes[from][level] += f.data.length;
        this.crypto[from][level].add(f.offset, f.data, ref, (bytes, at) => this.toTls(from, level, bytes, at));
        return;
      }
      case 'connection_close': {
        if (s.closes.length >= 8) return;
        s.closes.push({ frame: ref.frame, time: ref.time, from, level: level ?? 'one_rtt', app: f.app, errorCode: f.errorCode, frameType: f.frameType, reason: f.reason });
        const alert = f.app ? null : cryptoAlert(f.errorCode);
        this.ladder(from, ref, `CONNECTION_CLOSE ${f.app ? applicationErrorName(f.errorCode, quicApplication(this.tls.state)) : quicErrorName(f.errorCode)}`, f.reason || undefined);
        // A crypto error is a TLS alert carried by QUIC (RFC 9001 §4.8): the TLS rules read it as one.
        if (alert !== null) this.tls.quicAlert(from, alert, { frame: ref.frame, firstFrame: ref.frame, time: ref.time });
        return;
      }
      case 'new_connection_id':
        this.ctx.connectionId?.(from, f.cid);
        return;
      case 'handshake_done':
        if (!s.handshakeDone && from === 'server') {
          s.handshakeDone = { frame: ref.frame, time: ref.time };
          this.ladder(from, ref, 'HANDSHAKE_DONE');
          this.reach('handshake_done', ref);
          this.complete(ref, 'the server sent HANDSHAKE_DONE');
        }
        return;
      default:
        return;
    }
  }

  private toTls(from: Side, level: Level, bytes: Uint8Array, ref: FrameRef): void {
    if (level === 'handshake') {
      const hello = from === 'server' ? this.tls.state.serverHello : this.tls.state.clientHello;
      if (!hello) {
        this.waiting[from].push({ bytes: bytes.slice(), ref });
        return;
      }
    }
    for (const r of record(bytes)) this.tls.onData(from, r, ref);
    if (level === 'initial') this.flushWaiting(from, false);
    const t = this.tls.state;
    if (t.completed && !this.state.completed) {
      this.reach('handshake_done', ref);
      this.complete(ref, "the client's Finished was read in its Handshake packets");
    }
  }

  private flushWaiting(side: Side, force: boolean): void {
    const hello = side === 'server' ? this.tls.state.serverHello : this.tls.state.clientHello;
    if (!hello && !force) return;
    const w = this.waiting[side];
    this.waiting[side] = [];
    for (const x of w) for (const r of record(x.bytes)) this.tls.onData(side, r, x.ref);
  }

  private complete(ref: FrameRef, because: string): void {
    const s = this.state;
    if (s.completed) return;
    s.completed = true;
    s.completedBy = because;
    void ref;
  }
}
