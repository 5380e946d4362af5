// TlsTracker: the stateful TLS side of one TCP connection.
//
// The engine feeds it both directions' in-order bytes in capture order. Per direction
// it frames records (attributing each to the frame where it started and the frame that
// completed it), joins handshake messages, and follows the record-protection state:
// plaintext handshake; TLS ≤ 1.2 after ChangeCipherSpec (the next handshake record is
// the encrypted Finished; an alert record whose length is not 2 is an encrypted alert);
// TLS 1.3 after the ServerHello (everything but CCS and 2-byte plaintext alerts is
// encrypted, and is tracked by direction, length, order and frame).
//
// TLS 1.3 inferences (never "certain"; each is listed in state.inferences):
// - the server's encrypted records after its ServerHello, until the client answers, are
//   its flight (EncryptedExtensions, [CertificateRequest], Certificate,
//   CertificateVerify, Finished);
// - client records between its ClientHello and the ServerHello are 0-RTT early data; the
//   EndOfEarlyData that follows them has its own size (4 + 1 + tag = 21);
// - the client's answer: a record of Finished size (4 + hash + 1 + tag: 53 for SHA-256
//   suites, 69 for SHA-384) means the client finished: the handshake completed
//   (likely). Records before it are a client Certificate/CertificateVerify (the server
//   asked for a certificate); one of exactly the size of an empty Certificate message
//   (4 + 1 + 3 + 1 + tag = 25) means the client had none to send (likely);
// - a 19-byte record (2 alert bytes + 1 type + 16 tag) from the client right after the
//   server's flight, where a Finished was expected, is an encrypted alert: the client
//   rejected the server (likely);
// - a 19-byte record from the server as its first record after the client's Finished is
//   possibly an encrypted alert (e.g. certificate_required: the CertificateRequest
//   itself cannot be seen); when the server then closes without sending anything else,
//   likely. Completion is withdrawn while such an alert stands.
// - without a Finished-size record, application data both ways after the server's
//   flight also means completion (possible).
//
// Completion: TLS ≤ 1.2: Finished from both sides, or application data from the server
// (or both ways); TLS 1.3: as above. Then needsBytes() turns false (the 1.3 server side
// stays read for a few more records, to catch the alert above); onOpaque() then only
// counts application-data segments and bytes.
//
// Non-TLS bytes from either side are kept as a classified preview (≤ 128 bytes) and the
// side is marked as not speaking TLS. Malformed messages become findings with the
// decode error path and frame, never exceptions. Everything kept is capped.

import type { AppTracker, FrameRef, Side, TrackerContext, Finding, LadderEvent } from '../engine/types.js';
import { concatBytes, type Decoded, type DecodeErrorInfo } from '../wire/reader.js';
import { frameRecord, type TlsRecord } from './record.js';
import { type AssembledMessage, HandshakeAssembler } from './handshake.js';
import { type ClientHello, decodeClientHello, decodeServerHello, decodeSslv2ClientHello } from './hello.js';
import {
  decodeAlert, decodeCertificate, decodeCertificateRequest, decodeCertificateStatus, decodeChangeCipherSpec, decodeEncryptedExtensions,
  decodeClientKeyExchange, decodeFinished, decodeNewSessionTicket, decodeServerHelloDone, decodeServerKeyExchange,
} from './messages.js';
import type { HelloIssue } from './extensions.js';
import { ja3, ja3s, ja4, type Ja4 } from './fingerprint.js';
import { HelloCache, helloKey } from './hello-cache.js';
import { classifyNonTls, NON_TLS_PREVIEW } from './nontls.js';
import {
  type AlertSeen, type Confidence, type EncryptedMeaning, emptyState, type HandshakeMessageSeen, type Seen,
  STAGE_RANK, type TlsStage, type TlsState,
} from './state.js';
import { alertLabel, alertLevelName, alertName } from '../registry/tls-alerts.js';
import { cipherSuiteInfo, cipherSuiteName } from '../registry/tls-ciphers.js';
import { contentTypeName, handshakeTypeName, HS } from '../registry/tls-misc.js';
import { isTls13Family, versionName } from '../registry/tls-versions.js';
import type { KeyStore } from '../keylog/keylog.js';
import { TlsDecryption } from './keys.js';
import { groupName } from '../registry/tls-groups.js';

export const MAX_RECORD_SUMMARIES = 64;
/** Fingerprints of identical hellos, computed once (bounded). */
const FINGERPRINTS = new HelloCache<{ fp: Ja4; j3: { string: string; hash: string } }>();

export const MAX_ENCRYPTED_RECORDS = 16;
export const MAX_MESSAGES = 128;
export const MAX_ALERTS = 32;
export const MAX_FINDINGS = 64;
export const MAX_MALFORMED = 16;
export const MAX_INFERENCES = 16;
/** Records read from each side of a capture that started after the handshake. */
export const MIDSTREAM_RECORD_LIMIT = 8;
/** Records read from a TLS 1.3 server after the client's Finished (to see a late alert). */
export const POST_FINISHED_SERVER_RECORDS = 4;

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;
const CT_HEARTBEAT = 24;

type Mode = 'tls' | 'not-tls' | 'lost';

interface Chunk {
  len: number;
  frame: number;
  time: number;
}

interface Direction {
  side: Side;
  mode: Mode;
  pending: Uint8Array;
  chunks: Chunk[];
  records: number;
  asm: HandshakeAssembler;
  /** Records from this side are protected (1.2 after its CCS; 1.3 after the ServerHello). */
  encrypted: boolean;
  /** The tracker needs no more bytes from this side. */
  done: boolean;
  /** not-tls: preview bytes collected so far (≤ NON_TLS_PREVIEW). */
  preview: Uint8Array | null;
  previewFrame: number;
  previewTime: number;
  /** not-tls: the ladder event and finding were emitted. */
  previewFinal: boolean;
}

/** TLS 1.3 record sizes that reveal the content: they depend on the suite's hash and AEAD tag. */
interface Tls13Sizes {
  finished: number[];
  alert: number[];
  emptyCertificate: number[];
  endOfEarlyData: number[];
}

const HASH_LENGTH: Readonly<Record<string, number>> = { SHA256: 32, SHA384: 48, SHA512: 64, SM3: 32, STREEBOG256: 32 };

const sizesCache = new Map<number | null, Tls13Sizes>();

export function tls13Sizes(suite: number | null): Tls13Sizes {
  let sizes = sizesCache.get(suite);
  if (!sizes) {
    sizes = computeTls13Sizes(suite);
    if (sizesCache.size < 1024) sizesCache.set(suite, sizes);
  }
  return sizes;
}

function computeTls13Sizes(suite: number | null): Tls13Sizes {
  const info = suite === null ? undefined : cipherSuiteInfo(suite);
  const tags = info ? [info.cipher.endsWith('CCM_8') ? 8 : 16] : [16];
  const hashes = info && HASH_LENGTH[info.prfHash] ? [HASH_LENGTH[info.prfHash]!] : [32, 48];
  return {
    finished: hashes.flatMap((h) => tags.map((t) => 4 + h + 1 + t)),
    alert: tags.map((t) => 2 + 1 + t),
    emptyCertificate: tags.map((t) => 4 + 1 + 3 + 1 + t),
    endOfEarlyData: tags.map((t) => 4 + 1 + t),
  };
}

/** Kept bytes and more, in a buffer of the tracker's own (segments may be views of the reader's). */
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => (a.length === 0 ? b.slice() : concatBytes(a, b));

export interface TlsTrackerOptions {
  /** Secrets from a key log: protected records are opened with them. */
  keys?: KeyStore | null;
  /**
   * The handshake messages come from QUIC CRYPTO frames (quic/tracker.ts wraps them in
   * plain records): nothing is protected at this layer, every message can be read.
   */
  quic?: boolean;
}

/** No ClientHello was seen: the connection's start is not in the capture. */
const handshakeNotSeen = (s: TlsState): boolean => s.midstream || s.clientHello === null;

export class TlsTracker implements AppTracker {
  readonly protocol = 'tls' as const;
  readonly state: TlsState = emptyState();
  private readonly dirs: Record<Side, Direction>;
  /** TLS 1.3 bookkeeping for the size-based inferences. */
  private t13 = { serverFlight: 0, clientAnswer: 0, serverAfterClient: 0, serverPostFinished: 0, suspectedServerAlert: null as AlertSeen | null };

  /** Opens protected records with a key log (made when the ServerHello is known). */
  private decryption: TlsDecryption | null = null;

  constructor(
    private readonly ctx: TrackerContext,
    private readonly opts: TlsTrackerOptions = {},
  ) {
    if (opts.quic) this.state.quic = true;
    const dir = (side: Side): Direction => ({
      side, mode: 'tls', pending: new Uint8Array(0), chunks: [], records: 0, asm: new HandshakeAssembler(),
      encrypted: false, done: false, preview: null, previewFrame: 0, previewTime: 0, previewFinal: false,
    });
    this.dirs = { client: dir('client'), server: dir('server') };
  }

  // ---- AppTracker -------------------------------------------------------------------

  needsBytes(from: Side): boolean {
    const d = this.dirs[from];
    return !d.done && d.mode !== 'lost';
  }

  onData(from: Side, data: Uint8Array, ref: FrameRef): void {
    if (data.length === 0) return;
    this.finalizePreview(from === 'client' ? 'server' : 'client');
    const d = this.dirs[from];
    if (d.mode === 'lost') return;
    if (d.mode === 'not-tls') {
      this.growPreview(d, data);
      return;
    }
    if (d.done) {
      this.onOpaque(from, data.length, ref);
      return;
    }
    // Records are framed straight from the segment when nothing is pending: what the
    // decoders keep they copy (TlsRecord.fragment is a view), and a remainder is copied below.
    const owned = d.pending.length > 0;
    d.pending = owned ? concatBytes(d.pending, data) : data;
    d.chunks.push({ len: data.length, frame: ref.frame, time: ref.time });
    let off = 0;
    while (d.mode === 'tls' && !d.done) {
      const f = frameRecord(d.pending, off, { allowSslv2: from === 'client' && d.records === 0 });
      if (f.status === 'incomplete') break;
      if (f.status === 'invalid') {
        if (d.records === 0) this.startNotTls(d, d.pending.subarray(off), this.frameAt(d, off));
        else this.lose(d, 'record', f.error, this.frameAt(d, off).frame);
        off = d.pending.length;
        break;
      }
      const seen: Seen = { firstFrame: this.frameAt(d, off).frame, frame: this.frameAt(d, off + f.size - 1).frame, time: this.frameAt(d, off + f.size - 1).time };
      off += f.size;
      this.onRecord(d, f.value, seen);
    }
    this.consume(d, off);
    if (d.done && d.pending.length > 0) {
      // the rest of a record that will continue in onOpaque(): count its bytes there
      this.countAppData(from, d.pending.length, { frame: ref.frame, firstFrame: ref.frame, time: ref.time }, false);
      this.consume(d, d.pending.length);
    }
    if (!owned && d.pending.length > 0) d.pending = d.pending.slice();
  }

  onGap(from: Side, length: number, ref: FrameRef): void {
    this.state.gaps[from] += length;
    const d = this.dirs[from];
    if (d.mode === 'not-tls') this.finalizePreview(from);
    if (d.mode !== 'tls' || d.done) return;
    this.addFinding({ severity: 'warning', code: 'tls.capture_gap', message: `the capture missed ${length} bytes from the ${from}: TLS records after frame ${ref.frame} cannot be framed`, frames: [ref.frame] });
    d.mode = 'lost';
    this.consume(d, d.pending.length);
  }

  onOpaque(from: Side, length: number, ref: FrameRef): void {
    if (length <= 0) return;
    const d = this.dirs[from];
    if (d.mode !== 'tls') return;
    this.countAppData(from, length, { frame: ref.frame, firstFrame: ref.frame, time: ref.time }, false);
  }

  onClose(from: Side, kind: 'fin' | 'rst', ref: FrameRef): void {
    if (this.state.closes[from] === null) this.state.closes[from] = { kind, frame: ref.frame, time: ref.time };
    this.finalizePreview(from);
    const d = this.dirs[from];
    if (d.mode === 'tls' && !d.done && d.pending.length > 0) {
      this.addFinding({ severity: 'info', code: 'tls.truncated_record', message: `the ${from} closed with ${d.pending.length} bytes of an unfinished TLS record`, frames: [ref.frame] });
    }
    const suspect = this.t13.suspectedServerAlert;
    if (from === 'server' && suspect && suspect.confidence === 'possible') {
      suspect.confidence = 'likely';
      const inf = this.state.inferences.find((i) => i.code === 'tls13.server_alert_after_client_finished');
      if (inf) {
        inf.confidence = 'likely';
        inf.frames.push(ref.frame);
      }
    }
  }

  /**
   * QUIC carries TLS alerts as CONNECTION_CLOSE with CRYPTO_ERROR 0x0100 + alert (RFC 9001
   * §4.8): the alert is the TLS handshake's end like any other.
   */
  quicAlert(from: Side, description: number, seen: Seen): void {
    this.pushAlert({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from, level: 2, description, name: alertName(description), encrypted: true, inferred: false, confidence: 'certain', length: 2 });
    if (this.state.completed && from === 'server' && this.state.tls13) this.withdrawCompletion();
  }

  // ---- framing helpers ------------------------------------------------------------

  private frameAt(d: Direction, offset: number): { frame: number; time: number } {
    let acc = 0;
    for (const c of d.chunks) {
      acc += c.len;
      if (offset < acc) return c;
    }
    const last = d.chunks[d.chunks.length - 1];
    return last ?? { frame: 0, time: 0 };
  }

  private consume(d: Direction, n: number): void {
    if (n <= 0) return;
    // A view, not a copy: pending is never written in place (concat makes a new buffer).
    d.pending = n >= d.pending.length ? new Uint8Array(0) : d.pending.subarray(n);
    let left = n;
    while (left > 0 && d.chunks.length > 0) {
      const c = d.chunks[0]!;
      if (c.len <= left) {
        left -= c.len;
        d.chunks.shift();
      } else {
        c.len -= left;
        left = 0;
      }
    }
  }

  private lose(d: Direction, what: string, error: DecodeErrorInfo, frame: number): void {
    this.malformed(d.side, what, error, frame);
    d.mode = 'lost';
  }

  // ---- not TLS --------------------------------------------------------------------

  private startNotTls(d: Direction, bytes: Uint8Array, at: { frame: number; time: number }): void {
    d.mode = 'not-tls';
    d.preview = new Uint8Array(0);
    d.previewFrame = at.frame;
    d.previewTime = at.time;
    this.growPreview(d, bytes);
  }

  /** Keep up to NON_TLS_PREVIEW bytes; announce as soon as the label cannot change any more. */
  private growPreview(d: Direction, data: Uint8Array): void {
    if (d.done || !d.preview) return;
    d.preview = concat(d.preview, data.subarray(0, NON_TLS_PREVIEW - d.preview.length));
    this.updateNotTls(d);
    const n = this.state.notTls[d.side]!;
    const lineComplete = d.preview.includes(0x0a) && (n.kind === 'http-request' || n.kind === 'http-response' || n.kind === 'ssh');
    if (lineComplete || d.preview.length >= NON_TLS_PREVIEW) this.announceNotTls(d);
    if (d.preview.length >= NON_TLS_PREVIEW) d.done = true;
  }

  private updateNotTls(d: Direction): void {
    const c = classifyNonTls(d.preview!);
    this.state.notTls[d.side] = { frame: d.previewFrame, time: d.previewTime, kind: c.kind, preview: c.bytes, firstLine: c.firstLine, label: c.label };
  }

  /** The other side spoke, or this one closed: the preview is as complete as it will get. */
  private finalizePreview(side: Side): void {
    const d = this.dirs[side];
    if (d.mode !== 'not-tls' || d.done) return;
    this.announceNotTls(d);
    d.done = true;
  }

  private announceNotTls(d: Direction): void {
    if (d.previewFinal) return;
    d.previewFinal = true;
    const n = this.state.notTls[d.side]!;
    this.ladder(d.side, { frame: n.frame, firstFrame: n.frame, time: n.time }, n.label, 'data', n.kind);
    this.addFinding({ severity: 'warning', code: 'tls.not_tls', message: `the ${d.side} sent ${n.kind === 'binary' || n.kind === 'text' ? 'non-TLS bytes' : n.kind} instead of TLS: "${n.label}"`, frames: [n.frame] });
  }

  // ---- records --------------------------------------------------------------------

  private onRecord(d: Direction, rec: TlsRecord, seen: Seen): void {
    d.records++;
    const s = this.state;
    if (d.records === 1 && rec.contentType !== CT_HANDSHAKE && !(d.side === 'server' && rec.contentType === CT_ALERT) && s.clientHello === null) {
      if (!s.midstream) this.inferenceOnce('tls.midstream', 'certain', `the capture started after the handshake: the first ${d.side} record is ${contentTypeName(rec.contentType)}`, [seen.frame]);
      s.midstream = true;
    }
    const encrypted = this.isProtected(d, rec);
    if (s.records[d.side].length < MAX_RECORD_SUMMARIES) {
      s.records[d.side].push({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, contentType: rec.contentType, version: rec.version, length: rec.fragment.length, encrypted });
    }
    if (s.midstream) {
      this.countAppData(d.side, rec.fragment.length, seen, true);
      if (d.records >= MIDSTREAM_RECORD_LIMIT) d.done = true;
      return;
    }
    if (rec.sslv2) return this.onSslv2Hello(d, rec, seen);
    if (encrypted && this.decryption && rec.contentType !== CT_CCS && !(rec.contentType === CT_ALERT && rec.fragment.length === 2)) {
      const o = this.decryption.open(d.side, rec.contentType, rec.version, rec.fragment, seen.frame);
      if (o && !o.ok) this.addFinding({ severity: 'error', code: 'tls.decrypt_failed', message: `the ${d.side}'s record in frame ${seen.frame} does not open with the logged keys: ${o.reason} (a wrong key log, or bytes altered on the path)`, frames: [seen.frame] });
      if (o?.ok) return this.onOpened(d, { ...rec, contentType: o.type, fragment: o.data }, seen);
    }
    switch (rec.contentType) {
      case CT_HANDSHAKE:
        return this.onHandshakeRecord(d, rec, seen, encrypted);
      case CT_CCS:
        return this.onCcs(d, rec, seen);
      case CT_ALERT:
        return this.onAlertRecord(d, rec, seen, encrypted);
      case CT_APPDATA:
        return this.onAppDataRecord(d, rec, seen);
      case CT_HEARTBEAT:
        this.ladder(d.side, seen, `Heartbeat (${rec.fragment.length} bytes)`);
        this.addFinding({ severity: 'info', code: 'tls.heartbeat', message: `the ${d.side} sent a heartbeat record`, frames: [seen.frame] });
        return;
      default:
        this.addFinding({ severity: 'warning', code: 'tls.unknown_content_type', message: `the ${d.side} sent a record of unknown content type ${rec.contentType}`, frames: [seen.frame] });
    }
  }

  /** Whether a record from this side is protected: 1.2 after CCS; 1.3 everything but CCS and 2-byte alerts. */
  private isProtected(d: Direction, rec: TlsRecord): boolean {
    if (!d.encrypted || this.opts.quic) return false;
    if (rec.contentType === CT_CCS) return false;
    if (rec.contentType === CT_ALERT && rec.fragment.length === 2) return false;
    return true;
  }

  /** A protected record opened with the key log: its real content, read like a plaintext one. */
  private onOpened(d: Direction, rec: TlsRecord, seen: Seen): void {
    const s = this.state;
    s.decrypted = true;
    const summary = s.records[d.side][s.records[d.side].length - 1];
    if (summary && summary.frame === seen.frame) summary.decryptedType = rec.contentType;
    switch (rec.contentType) {
      case CT_HANDSHAKE: {
        const out = d.asm.push(rec.fragment, seen);
        for (const m of out.messages) this.onMessage(d, m, true);
        if (out.error) this.lose(d, 'handshake', out.error, seen.frame);
        return;
      }
      case CT_ALERT:
        return this.onAlertRecord(d, rec, seen, false, true);
      case CT_APPDATA:
        this.pushEncrypted(d.side, seen, rec, 'application_data', 'certain');
        this.countAppData(d.side, rec.fragment.length, seen, true);
        if (!s.completed && s.finished.client && s.finished.server) this.complete(seen, 'Finished from both sides (decrypted)', 'certain');
        return;
      default:
        this.addFinding({ severity: 'warning', code: 'tls.unknown_content_type', message: `the ${d.side} sent a protected record of unknown inner content type ${rec.contentType}`, frames: [seen.frame] });
    }
  }

  private onSslv2Hello(d: Direction, rec: TlsRecord, seen: Seen): void {
    const r = decodeSslv2ClientHello(rec.fragment);
    if (r.status !== 'ok') return this.lose(d, 'sslv2_client_hello', r.status === 'invalid' ? r.error : truncatedError('sslv2_client_hello'), seen.frame);
    this.pushMessage({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: 'client', type: HS.client_hello, name: 'client_hello', length: rec.fragment.length, encrypted: false });
    this.addFinding({ severity: 'warning', code: 'tls.sslv2_client_hello', message: 'the client sent an SSLv2-compatible ClientHello (an obsolete format; no extensions, so no SNI)', frames: [seen.frame] });
    this.acceptClientHello(r.value, seen, 'ClientHello (SSLv2 format)');
  }

  private onHandshakeRecord(d: Direction, rec: TlsRecord, seen: Seen, encrypted: boolean): void {
    if (encrypted) return this.onEncrypted(d, rec, seen);
    const out = d.asm.push(rec.fragment, seen);
    for (const m of out.messages) this.onMessage(d, m);
    if (out.error) this.lose(d, 'handshake', out.error, seen.frame);
  }

  private onCcs(d: Direction, rec: TlsRecord, seen: Seen): void {
    const r = decodeChangeCipherSpec(rec.fragment);
    if (r.status === 'invalid') this.malformed(d.side, 'change_cipher_spec', r.error, seen.frame);
    const s = this.state;
    s.ccs[d.side].push(seen.frame);
    if (s.tls13) {
      this.ladder(d.side, seen, 'ChangeCipherSpec', 'tls', 'TLS 1.3 middlebox compatibility (no effect)');
      return;
    }
    this.ladder(d.side, seen, 'ChangeCipherSpec');
    if (!s.serverHello) {
      // A client in TLS 1.3 compatibility mode may send CCS before seeing the ServerHello.
      return;
    }
    d.encrypted = true;
    this.decryption?.changeCipherSpec(d.side);
    this.reach('change_cipher_spec', seen);
    if (d.side === 'server' && !s.certificates && !s.serverKeyExchange && !s.resumption) {
      const sh = s.serverHello.hello;
      const ch = s.clientHello?.hello;
      const ticket = (ch?.ext.sessionTicket?.length ?? 0) > 0;
      const echo = sh.sessionId.length > 0 && ch !== undefined && equalBytes(sh.sessionId, ch.sessionId);
      if (ticket || echo) {
        s.resumption = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, kind: ticket ? 'session-ticket' : 'session-id' };
        this.inferenceOnce('tls.resumed', 'certain', `abbreviated handshake: the server resumed a session (${s.resumption.kind}) and went straight to ChangeCipherSpec without a certificate`, [s.serverHello.frame, seen.frame]);
      }
    }
  }

  private onAlertRecord(d: Direction, rec: TlsRecord, seen: Seen, encrypted: boolean, opened = false): void {
    // A plaintext alert is exactly 2 bytes. A longer alert record is protected even when we
    // did not see the switch (a capture that starts mid-connection): never decode its
    // ciphertext as a series of alerts.
    if (!encrypted && rec.fragment.length > 2 && handshakeNotSeen(this.state)) encrypted = true;
    if (encrypted) {
      this.pushAlert({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: d.side, level: null, description: null, name: null, encrypted: true, inferred: false, confidence: 'certain', length: rec.fragment.length });
      this.pushEncrypted(d.side, seen, rec, 'alert', 'certain');
      this.ladder(d.side, seen, 'Encrypted alert', 'tls', `alert record of ${rec.fragment.length} bytes after ChangeCipherSpec: level and description are encrypted`);
      return;
    }
    const frag = rec.fragment;
    if (frag.length === 0 || frag.length % 2 !== 0) {
      const r = decodeAlert(frag);
      if (r.status === 'invalid') this.malformed(d.side, 'alert', r.error, seen.frame);
      return;
    }
    for (let i = 0; i + 1 < frag.length; i += 2) {
      const level = frag[i]!;
      const description = frag[i + 1]!;
      this.pushAlert({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: d.side, level, description, name: alertName(description), encrypted: opened, inferred: false, confidence: 'certain', length: 2 });
      this.ladder(d.side, seen, `Alert ${alertLabel(description)}`, 'tls', `${alertLevelName(level)} alert${opened ? ', decrypted with the key log' : ''}`);
      // TLS 1.3: the client's Finished is not the server's yes: a fatal alert before its first
      // application data refuses the client (its certificate, its Finished).
      const s = this.state;
      if (level === 2 && s.tls13 && s.completed && d.side === 'server' && s.applicationData.server.firstFrame === null) this.withdrawCompletion();
    }
  }

  private onAppDataRecord(d: Direction, rec: TlsRecord, seen: Seen): void {
    const s = this.state;
    if (s.tls13 && d.encrypted) return this.onEncrypted(d, rec, seen);
    if (d.encrypted) {
      // TLS ≤ 1.2 after CCS: application data; from the server it also means the handshake completed.
      this.countAppData(d.side, rec.fragment.length, seen, true);
      if (!s.completed && (d.side === 'server' || s.applicationData.server.records > 0)) this.complete(seen, 'application data after ChangeCipherSpec', 'likely');
      return;
    }
    if (d.side === 'client' && s.clientHello && !s.serverHello) {
      this.pushEncrypted('client', seen, rec, 'early_data', 'possible');
      this.ladder('client', seen, `Early data? (${rec.fragment.length} bytes)`, 'tls', 'encrypted record after the ClientHello and before the ServerHello: 0-RTT data');
      return;
    }
    this.addFinding({ severity: 'warning', code: 'tls.unexpected_application_data', message: `the ${d.side} sent application data before the handshake protected it`, frames: [seen.frame] });
    this.countAppData(d.side, rec.fragment.length, seen, true);
  }

  // ---- encrypted records ------------------------------------------------------------

  private onEncrypted(d: Direction, rec: TlsRecord, seen: Seen): void {
    const s = this.state;
    const len = rec.fragment.length;
    if (!s.tls13) {
      // TLS ≤ 1.2: the first protected handshake record after CCS is Finished.
      if (s.finished[d.side] === null) {
        s.finished[d.side] = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, inferred: false };
        this.pushEncrypted(d.side, seen, rec, 'finished', 'certain');
        this.pushMessage({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: d.side, type: HS.finished, name: 'finished', length: len, encrypted: true });
        this.ladder(d.side, seen, 'Finished', 'tls', `encrypted handshake record (${len} bytes)`);
        this.reach('finished', seen);
        if (s.finished.client && s.finished.server) this.complete(seen, 'Finished from both sides', 'certain');
      } else {
        this.pushEncrypted(d.side, seen, rec, 'unknown', 'possible');
        this.encryptedLadder(d.side, seen, len);
      }
      return;
    }
    const sizes = tls13Sizes(s.cipherSuite);
    const t = this.t13;
    if (d.side === 'server') {
      if (t.clientAnswer === 0) {
        t.serverFlight++;
        this.pushEncrypted('server', seen, rec, 'server_flight', 'likely');
        this.encryptedLadder('server', seen, len, 'TLS 1.3 server flight: EncryptedExtensions, Certificate, CertificateVerify, Finished');
        this.reach('encrypted_handshake', seen);
        return;
      }
      t.serverAfterClient++;
      if (s.finished.client === null) {
        this.pushEncrypted('server', seen, rec, 'unknown', 'possible');
        this.ladder('server', seen, `Encrypted record (${len} bytes)`);
        return;
      }
      t.serverPostFinished++;
      if (t.serverPostFinished === 1 && sizes.alert.includes(len)) {
        const alert: AlertSeen = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: 'server', level: null, description: null, name: null, encrypted: true, inferred: true, confidence: 'possible', length: len };
        t.suspectedServerAlert = alert;
        this.pushAlert(alert);
        this.pushEncrypted('server', seen, rec, 'alert', 'possible');
        this.ladder('server', seen, `Encrypted alert? (${len} bytes)`, 'tls', 'a record of alert size right after the client finished: the server may have rejected the client (e.g. certificate_required)');
        this.inference('tls13.server_alert_after_client_finished', 'possible', `the server's first record after the client's Finished has the size of an encrypted alert (${len} bytes): the server probably rejected the client (a client certificate it required or refused)`, [seen.frame]);
        this.withdrawCompletion();
        return;
      }
      if (t.suspectedServerAlert) this.clearSuspectedServerAlert(seen);
      this.pushEncrypted('server', seen, rec, 'post_handshake', 'likely');
      this.countAppData('server', len, seen, true);
      if (t.serverPostFinished >= POST_FINISHED_SERVER_RECORDS) this.dirs.server.done = true;
      return;
    }
    // client
    if (t.serverFlight === 0) {
      this.pushEncrypted('client', seen, rec, 'unknown', 'possible');
      this.ladder('client', seen, `Encrypted record (${len} bytes)`);
      return;
    }
    if (s.finished.client !== null) {
      this.countAppData('client', len, seen, true);
      return;
    }
    t.clientAnswer++;
    if (t.clientAnswer === 1 && sizes.alert.includes(len)) {
      this.pushAlert({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: 'client', level: null, description: null, name: null, encrypted: true, inferred: true, confidence: 'likely', length: len });
      this.pushEncrypted('client', seen, rec, 'alert', 'likely');
      this.ladder('client', seen, `Encrypted alert? (${len} bytes)`, 'tls', 'a record of alert size where the client Finished was expected: the client rejected the server (certificate or parameters)');
      this.inference('tls13.client_alert_after_server_flight', 'likely', `the client answered the server's encrypted flight with a ${len}-byte record, the size of an encrypted alert, instead of its Finished: the client rejected the server's certificate or parameters`, [seen.frame]);
      return;
    }
    if (sizes.finished.includes(len)) {
      s.finished.client = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, inferred: true };
      this.pushEncrypted('client', seen, rec, 'finished', 'likely');
      this.pushMessage({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: 'client', type: HS.finished, name: 'finished', length: len, encrypted: true, inferred: true });
      this.ladder('client', seen, 'Finished', 'tls', `encrypted, recognised by its size (${len} bytes)`);
      this.reach('finished', seen);
      const before = s.encryptedRecords.client.filter((r) => r.meaning === 'client_certificate' || r.meaning === 'client_certificate_empty');
      if (before.length > 0) {
        const empty = before.some((r) => r.meaning === 'client_certificate_empty');
        this.inference(
          empty ? 'tls13.client_certificate_empty' : 'tls13.client_certificate_sent',
          'likely',
          empty
            ? 'the server asked for a client certificate (its CertificateRequest is encrypted) and the client answered with an empty Certificate message (recognised by its size)'
            : 'the server asked for a client certificate (its CertificateRequest is encrypted) and the client sent Certificate/CertificateVerify before its Finished',
          before.map((r) => r.frame),
        );
      }
      this.complete(seen, 'the client sent a record of Finished size after the server\'s encrypted flight', 'likely');
      return;
    }
    const sentEarlyData = s.encryptedRecords.client.some((r) => r.meaning === 'early_data');
    if (sentEarlyData && t.clientAnswer === 1 && sizes.endOfEarlyData.includes(len)) {
      this.pushEncrypted('client', seen, rec, 'end_of_early_data', 'likely');
      this.ladder('client', seen, 'EndOfEarlyData', 'tls', `encrypted, recognised by its size (${len} bytes) after 0-RTT data`);
      return;
    }
    const emptyCert = sizes.emptyCertificate.includes(len) && s.encryptedRecords.client.every((r) => r.meaning !== 'client_certificate' && r.meaning !== 'client_certificate_empty');
    this.pushEncrypted('client', seen, rec, emptyCert ? 'client_certificate_empty' : 'client_certificate', 'possible');
    this.encryptedLadder('client', seen, len, emptyCert ? 'the size of an empty client Certificate message' : 'client Certificate/CertificateVerify?');
    if (t.clientAnswer >= 2 && t.serverAfterClient >= 1) {
      this.complete(seen, 'encrypted records flowed both ways after the server\'s flight', 'possible');
    }
  }

  private withdrawCompletion(): void {
    const s = this.state;
    s.completed = false;
    s.completedFrame = null;
    if (s.stage === 'application_data' && s.finished.client) {
      s.stage = 'finished';
      s.stageFrame = s.finished.client.frame;
    }
    const i = s.inferences.findIndex((x) => x.code === 'tls.completed');
    if (i >= 0) s.inferences.splice(i, 1);
  }

  /** A supposed server alert was followed by more server records: it was not an alert. */
  private clearSuspectedServerAlert(seen: Seen): void {
    const s = this.state;
    const a = this.t13.suspectedServerAlert!;
    this.t13.suspectedServerAlert = null;
    const ai = s.alerts.indexOf(a);
    if (ai >= 0) s.alerts.splice(ai, 1);
    const er = s.encryptedRecords.server.find((r) => r.frame === a.frame && r.meaning === 'alert');
    if (er) er.meaning = 'post_handshake';
    const ii = s.inferences.findIndex((x) => x.code === 'tls13.server_alert_after_client_finished');
    if (ii >= 0) s.inferences.splice(ii, 1);
    if (s.finished.client) this.complete(seen, 'the server went on sending after the client finished', 'likely');
  }

  // ---- handshake messages ------------------------------------------------------------

  /** `opened`: the message came out of a record opened with the key log (or from QUIC CRYPTO frames). */
  private onMessage(d: Direction, m: AssembledMessage, opened = this.opts.quic === true): void {
    const seen: Seen = { frame: m.frame, firstFrame: m.firstFrame, time: m.time };
    const s = this.state;
    if (d.side === 'client' && s.clientHellos.length === 0 && m.type !== HS.client_hello && !s.midstream) {
      // The capture began after the hellos: these are not messages we can place.
      s.midstream = true;
      this.inferenceOnce('tls.midstream', 'likely', `the capture started after the handshake: the client's first handshake message is ${handshakeTypeName(m.type)}`, [seen.frame]);
    }
    this.pushMessage({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: d.side, type: m.type, name: handshakeTypeName(m.type), length: m.body.length, encrypted: false });
    const tls13 = s.tls13;
    const version = s.version ?? 0x0303;
    switch (m.type) {
      case HS.client_hello: {
        if (d.side !== 'client') return this.unexpected(d.side, m, seen);
        const r = decodeClientHello(m.body);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'client_hello', r, seen);
        return this.acceptClientHello(r.value, seen, s.clientHellos.length > 0 ? 'ClientHello (second)' : 'ClientHello');
      }
      case HS.server_hello: {
        if (d.side !== 'server') return this.unexpected(d.side, m, seen);
        const r = decodeServerHello(m.body);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'server_hello', r, seen);
        return this.acceptServerHello(r.value, seen);
      }
      case HS.certificate: {
        const r = decodeCertificate(m.body, tls13);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'certificate', r, seen);
        const n = r.value.certificates.length;
        if (d.side === 'server') {
          if (!s.certificates) s.certificates = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, ders: r.value.certificates.map((c) => c.der), form: r.value.form };
          this.reach(tls13 ? 'encrypted_handshake' : 'server_certificate', seen);
          if (n === 0) this.addFinding({ severity: 'warning', code: 'tls.empty_server_certificate', message: 'the server sent an empty Certificate message', frames: [seen.frame] });
        } else {
          if (!s.clientCertificate) s.clientCertificate = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, count: n, empty: n === 0 };
        }
        this.ladder(d.side, seen, `Certificate (${n} cert${n === 1 ? '' : 's'})`, 'tls', n === 0 ? 'empty: no certificate to send' : undefined);
        return;
      }
      case HS.certificate_status: {
        const r = decodeCertificateStatus(m.body);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'certificate_status', r, seen);
        if (d.side === 'server' && !s.ocsp) s.ocsp = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, responses: r.value.responses };
        this.ladder(d.side, seen, 'CertificateStatus', 'tls', `stapled OCSP response (${r.value.responses.reduce((a, b) => a + b.length, 0)} bytes)`);
        this.reach('server_certificate', seen);
        return;
      }
      case HS.server_key_exchange: {
        const info = s.cipherSuite === null ? undefined : cipherSuiteInfo(s.cipherSuite);
        const r = decodeServerKeyExchange(m.body, { keyExchange: info?.keyExchange ?? 'unknown', authentication: info?.authentication ?? 'unknown', version });
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'server_key_exchange', r, seen);
        if (!s.serverKeyExchange) s.serverKeyExchange = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, value: r.value };
        const v = r.value;
        const detail = v.kind === 'ecdhe' ? (v.namedGroup === null ? `explicit curve (type ${v.curveType})` : groupName(v.namedGroup)) : v.kind === 'dhe' ? `DH ${v.pBits}-bit` : `${v.length} bytes`;
        if (v.kind === 'dhe' && v.pBits > 0 && v.pBits < 2048) {
          this.addFinding({ severity: 'warning', code: 'tls.weak_dh', message: `the server's DHE group is only ${v.pBits} bits (Logjam; 2048 or more expected)`, frames: [seen.frame] });
        }
        this.ladder(d.side, seen, 'ServerKeyExchange', 'tls', detail);
        this.reach('server_key_exchange', seen);
        return;
      }
      case HS.certificate_request: {
        const r = decodeCertificateRequest(m.body, version, tls13);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'certificate_request', r, seen);
        if (!s.certificateRequest) s.certificateRequest = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, value: r.value };
        this.ladder(d.side, seen, 'CertificateRequest', 'tls', `${r.value.caNames} acceptable CA name(s)`);
        if (tls13) this.reach('encrypted_handshake', seen);
        return;
      }
      case HS.encrypted_extensions: {
        if (d.side !== 'server') return this.unexpected(d.side, m, seen);
        const r = decodeEncryptedExtensions(m.body);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'encrypted_extensions', r, seen);
        if (!s.encryptedExtensions) s.encryptedExtensions = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, value: r.value };
        this.ladder(d.side, seen, 'EncryptedExtensions', 'tls', r.value.alpn ? `ALPN ${r.value.alpn}` : `${r.value.extensions.length} extension(s)`);
        this.reach('encrypted_handshake', seen);
        return;
      }
      case HS.certificate_verify: {
        this.ladder(d.side, seen, 'CertificateVerify');
        if (d.side === 'server' && tls13) this.reach('encrypted_handshake', seen);
        return;
      }
      case HS.server_hello_done: {
        const r = decodeServerHelloDone(m.body);
        if (r.status === 'invalid') this.malformed(d.side, 'server_hello_done', r.error, seen.frame);
        if (!s.serverHelloDone) s.serverHelloDone = seen;
        this.ladder(d.side, seen, 'ServerHelloDone');
        this.reach('server_hello_done', seen);
        return;
      }
      case HS.client_key_exchange: {
        const r = decodeClientKeyExchange(m.body);
        if (r.status === 'invalid') this.malformed(d.side, 'client_key_exchange', r.error, seen.frame);
        if (!s.clientKeyExchange) s.clientKeyExchange = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, length: m.body.length };
        this.ladder(d.side, seen, 'ClientKeyExchange', 'tls', `${m.body.length} bytes`);
        this.reach('client_key_exchange', seen);
        return;
      }
      case HS.new_session_ticket: {
        const r = decodeNewSessionTicket(m.body, tls13);
        if (r.status !== 'ok') return this.decodeFailed(d.side, 'new_session_ticket', r, seen);
        this.ladder(d.side, seen, 'NewSessionTicket', 'tls', `lifetime hint ${r.value.lifetime} s, ticket ${r.value.ticketLength} bytes`);
        return;
      }
      case HS.finished: {
        const r = decodeFinished(m.body);
        if (r.status === 'invalid') this.malformed(d.side, 'finished', r.error, seen.frame);
        if (opened) return this.onReadFinished(d.side, seen);
        this.addFinding({ severity: 'warning', code: 'tls.plaintext_finished', message: `the ${d.side} sent Finished in plaintext`, frames: [seen.frame] });
        this.ladder(d.side, seen, 'Finished', 'tls', 'plaintext');
        return;
      }
      default:
        this.ladder(d.side, seen, camel(handshakeTypeName(m.type)));
    }
  }

  /** A Finished read in the clear of its protection (decrypted, or from QUIC): the side finished for certain. */
  private onReadFinished(side: Side, seen: Seen): void {
    const s = this.state;
    if (s.finished[side] === null) s.finished[side] = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, inferred: false };
    this.ladder(side, seen, 'Finished', 'tls', this.opts.quic ? 'in a QUIC CRYPTO frame' : 'decrypted with the key log');
    this.reach('finished', seen);
    this.decryption?.finished(side);
    // TLS 1.3: the client's Finished ends the handshake; TLS 1.2: both Finished.
    if ((s.tls13 && side === 'client') || (s.finished.client && s.finished.server)) this.complete(seen, this.opts.quic ? 'the client\'s Finished in its QUIC Handshake packets' : 'Finished read with the key log', 'certain');
  }

  private acceptClientHello(ch: ClientHello, seen: Seen, label: string): void {
    const s = this.state;
    const transport = this.opts.quic ? 'q' : 't';
    const key = helloKey(ch, transport);
    const { fp, j3 } = FINGERPRINTS.get(key, () => ({ fp: ja4(ch, { transport }), j3: ja3(ch) }));
    const entry = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, hello: ch, key, ja4: fp.ja4, ja4_r: fp.ja4_r, ja3: j3.string, ja3Hash: j3.hash };
    if (s.clientHellos.length < 4) s.clientHellos.push(entry);
    if (!s.clientHello) s.clientHello = entry;
    const sni = ch.ext.serverName;
    this.ladder('client', seen, label, 'tls', sni !== undefined ? `SNI ${sni}` : 'no SNI');
    this.reportIssues('client', ch.issues, seen.frame);
    this.reach('client_hello', seen);
  }

  private acceptServerHello(sh: import('./hello.js').ServerHello, seen: Seen): void {
    const s = this.state;
    const j = ja3s(sh);
    const entry = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, hello: sh, ja3s: j.string, ja3sHash: j.hash };
    this.reportIssues('server', sh.issues, seen.frame);
    if (sh.isHelloRetryRequest) {
      if (!s.helloRetryRequest) s.helloRetryRequest = entry;
      const g = sh.ext.hrrSelectedGroup;
      this.ladder('server', seen, 'HelloRetryRequest', 'tls', g === undefined ? 'no key_share' : `asks for group ${groupName(g)}`);
      this.reach('server_hello', seen);
      return;
    }
    if (s.serverHello) {
      this.addFinding({ severity: 'warning', code: 'tls.second_server_hello', message: 'the server sent a second ServerHello', frames: [seen.frame] });
      return;
    }
    s.serverHello = entry;
    s.version = sh.version;
    s.tls13 = isTls13Family(sh.version);
    s.cipherSuite = sh.cipherSuite;
    const ch0 = s.clientHellos[s.clientHellos.length - 1]?.hello;
    if (this.opts.keys && this.opts.keys.size > 0 && ch0 && !this.opts.quic) {
      this.decryption = new TlsDecryption(this.opts.keys);
      const etm = ch0.ext.encryptThenMac === true && sh.ext.encryptThenMac === true;
      this.decryption.setup(ch0.random, sh.random, sh.version, sh.cipherSuite, etm);
      s.decryption = this.decryption.facts;
    } else if (this.opts.keys && this.opts.keys.sources.length > 0 && !this.opts.quic) {
      // A key log was given (or the capture carries one) but holds nothing: say so. With
      // no key log at all there is nothing to report.
      s.decryption = { keysFound: false, used: [], opened: { client: 0, server: 0 }, failures: [], missing: [], unavailable: 'the key log is empty' };
    }
    this.ladder('server', seen, 'ServerHello', 'tls', `${versionName(sh.version)}, ${cipherSuiteName(sh.cipherSuite)}`);
    this.reach('server_hello', seen);
    const ch = s.clientHellos[s.clientHellos.length - 1]?.hello;
    if (ch && !ch.cipherSuites.includes(sh.cipherSuite)) {
      this.addFinding({ severity: 'error', code: 'tls.suite_not_offered', message: `the server selected ${cipherSuiteName(sh.cipherSuite)}, which the client did not offer`, frames: [seen.frame] });
    }
    // Weak versions and suites are judged by the diagnosis layer (findings-tls.ts).
    if (s.tls13) {
      this.dirs.server.encrypted = true;
      this.dirs.client.encrypted = true;
      if (sh.ext.preSharedKey && 'selectedIdentity' in sh.ext.preSharedKey) {
        s.resumption = { frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, kind: 'psk' };
        this.inferenceOnce('tls.resumed', 'certain', `TLS 1.3 PSK resumption: the server accepted pre-shared key identity ${sh.ext.preSharedKey.selectedIdentity}, so no certificate is sent`, [seen.frame]);
      }
    }
  }

  // ---- results ------------------------------------------------------------------------

  private reach(stage: TlsStage, seen: Seen): void {
    const s = this.state;
    if (s.stage === null || STAGE_RANK[stage] > STAGE_RANK[s.stage]) {
      s.stage = stage;
      s.stageFrame = seen.frame;
    }
  }

  private complete(seen: Seen, because: string, confidence: Confidence): void {
    const s = this.state;
    if (s.completed) return;
    s.completed = true;
    s.completedFrame = seen.frame;
    this.inferenceOnce('tls.completed', confidence, `handshake completed: ${because}`, [seen.frame]);
    this.dirs.client.done = true;
    // A TLS 1.3 server stays read for a few records: its alert may follow the client's Finished.
    if (!s.tls13 || this.t13.serverPostFinished >= POST_FINISHED_SERVER_RECORDS) this.dirs.server.done = true;
  }

  private countAppData(side: Side, bytes: number, seen: Seen, isRecord: boolean): void {
    const s = this.state;
    const a = s.applicationData[side];
    const first = a.firstFrame === null;
    if (first) a.firstFrame = seen.frame;
    a.records += isRecord || first ? 1 : 0;
    a.bytes += bytes;
    if (first && !s.midstream) this.ladder(side, seen, 'Application data', 'data');
    if (s.completed) this.reach('application_data', seen);
    else if (!s.midstream && s.tls13 && s.finished.client && s.applicationData.client.firstFrame !== null && s.applicationData.server.firstFrame !== null && !this.t13.suspectedServerAlert) {
      this.complete(seen, 'application data both ways', 'likely');
    }
  }

  private pushMessage(m: HandshakeMessageSeen): void {
    if (this.state.messages.length < MAX_MESSAGES) this.state.messages.push(m);
  }

  private pushAlert(a: AlertSeen): void {
    if (this.state.alerts.length < MAX_ALERTS) this.state.alerts.push(a);
  }

  private pushEncrypted(side: Side, seen: Seen, rec: TlsRecord, meaning: EncryptedMeaning, confidence: Confidence): void {
    const list = this.state.encryptedRecords[side];
    if (list.length < MAX_ENCRYPTED_RECORDS) list.push({ frame: seen.frame, firstFrame: seen.firstFrame, time: seen.time, from: side, contentType: rec.contentType, length: rec.fragment.length, meaning, confidence });
  }

  private inference(code: string, confidence: Confidence, message: string, frames: number[]): void {
    if (this.state.inferences.length < MAX_INFERENCES) this.state.inferences.push({ code, confidence, message, frames });
  }

  private inferenceOnce(code: string, confidence: Confidence, message: string, frames: number[]): void {
    if (!this.state.inferences.some((i) => i.code === code)) this.inference(code, confidence, message, frames);
  }

  private addFinding(f: Finding): void {
    const s = this.state;
    if (s.findings.length >= MAX_FINDINGS) return;
    s.findings.push(f);
    this.ctx.finding(f);
  }

  private malformed(from: Side, what: string, error: DecodeErrorInfo, frame: number): void {
    const s = this.state;
    if (s.malformed.length < MAX_MALFORMED) s.malformed.push({ frame, from, what, error });
    this.addFinding({ severity: 'error', code: 'tls.malformed', message: `malformed ${what} from the ${from}: ${error.message}`, frames: [frame] });
  }

  private decodeFailed(from: Side, what: string, r: Decoded<unknown>, seen: Seen): void {
    this.malformed(from, what, r.status === 'invalid' ? r.error : truncatedError(what), seen.frame);
  }

  private unexpected(from: Side, m: AssembledMessage, seen: Seen): void {
    this.addFinding({ severity: 'error', code: 'tls.unexpected_message', message: `the ${from} sent ${handshakeTypeName(m.type)}, which only the other side sends`, frames: [seen.frame] });
  }

  private reportIssues(from: Side, issues: readonly HelloIssue[], frame: number): void {
    for (const i of issues) {
      const severity = i.code === 'tls.ext_malformed' || i.code === 'tls.extensions_malformed' || i.code === 'tls.ext_duplicate' || i.code === 'tls.psk_not_last' ? 'error' : 'warning';
      this.addFinding({ severity, code: i.code, message: `${from}: ${i.message}${i.error ? ` [${i.error.path.join('/')}]` : ''}`, frames: [frame] });
      if (i.error) {
        const s = this.state;
        if (s.malformed.length < MAX_MALFORMED) s.malformed.push({ frame, from, what: i.extension === undefined ? 'extensions' : `extension ${i.extension}`, error: i.error });
      }
    }
  }

  /** The last ladder event if it is an "Encrypted handshake" one, with its record sizes. */
  private lastEncrypted: { ev: LadderEvent; sizes: number[] } | null = null;

  private ladder(from: Side, seen: Seen, label: string, layer: 'tls' | 'data' = 'tls', detail?: string): LadderEvent {
    const ev: LadderEvent = detail === undefined ? { frame: seen.frame, time: seen.time, from, label, layer } : { frame: seen.frame, time: seen.time, from, label, layer, detail };
    this.lastEncrypted = null;
    this.ctx.ladder(ev);
    return ev;
  }

  /** An encrypted handshake record: records of one frame and flight share one event. */
  private encryptedLadder(from: Side, seen: Seen, len: number, detail?: string): void {
    const last = this.lastEncrypted;
    if (last && last.ev.frame === seen.frame && last.ev.from === from && last.ev.detail === detail && last.sizes.length < 16) {
      last.sizes.push(len);
      last.ev.label = `Encrypted handshake (${last.sizes.length} records: ${last.sizes.join(' + ')} bytes)`;
      return;
    }
    const ev = this.ladder(from, seen, `Encrypted handshake (${len} bytes)`, 'tls', detail);
    this.lastEncrypted = { ev, sizes: [len] };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function truncatedError(what: string): DecodeErrorInfo {
  return { kind: 'truncated', path: [what], offset: 0, message: `${what} is incomplete` };
}

/** "server_hello_done" → "ServerHelloDone" for ladder labels. */
function camel(name: string): string {
  return name.startsWith('0x') ? `Handshake ${name}` : name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
