// QUIC frames in an opened packet's payload (RFC 9000 §19, RFC 9221). Pure: what a
// handshake needs (CRYPTO data, CONNECTION_CLOSE, HANDSHAKE_DONE, NEW_TOKEN, ACK, PING,
// PADDING) is decoded; every other frame is skipped by its length rules. A frame that cannot
// be read ends the parse (the rest of the packet is unknown) and says so.

import { varint } from './packet.js';

export type Frame =
  | { type: 'crypto'; offset: number; data: Uint8Array }
  | { type: 'connection_close'; app: boolean; errorCode: number; frameType: number | null; reason: string }
  | { type: 'handshake_done' }
  | { type: 'ack'; largest: number }
  | { type: 'ping' }
  | { type: 'padding'; length: number }
  | { type: 'new_token'; length: number }
  | { type: 'new_connection_id'; cid: Uint8Array }
  | { type: 'stream'; streamId: number; length: number }
  | { type: 'other'; frameType: number };

export interface ParsedFrames {
  frames: Frame[];
  /** A frame that could not be read, at this offset of the payload. */
  error: { offset: number; frameType: number } | null;
}

/** Frames decoded per packet at most. */
const MAX_FRAMES = 256;

export function parseFrames(p: Uint8Array): ParsedFrames {
  const frames: Frame[] = [];
  let off = 0;
  const v = (): number => {
    const x = varint(p, off);
    if (!x) throw new RangeError('varint');
    off += x.size;
    return x.value;
  };
  const skip = (n: number): Uint8Array => {
    if (off + n > p.length) throw new RangeError('length');
    const s = p.subarray(off, off + n);
    off += n;
    return s;
  };
  while (off < p.length && frames.length < MAX_FRAMES) {
    const at = off;
    let t = 0;
    try {
      t = v();
      if (t === 0x00) {
        let n = 1;
        while (off < p.length && p[off] === 0) {
          off++;
          n++;
        }
        frames.push({ type: 'padding', length: n });
      } else if (t === 0x01) frames.push({ type: 'ping' });
      else if (t === 0x02 || t === 0x03) {
        const largest = v();
        v(); // delay
        const ranges = v();
        v(); // first range
        for (let i = 0; i < ranges; i++) {
          v();
          v();
        }
        if (t === 0x03) {
          v();
          v();
          v();
        }
        frames.push({ type: 'ack', largest });
      } else if (t === 0x04) {
        v(); v(); v();
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x05) {
        v(); v();
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x06) {
        const offset = v();
        const len = v();
        frames.push({ type: 'crypto', offset, data: skip(len) });
      } else if (t === 0x07) {
        const len = v();
        skip(len);
        frames.push({ type: 'new_token', length: len });
      } else if (t >= 0x08 && t <= 0x0f) {
        const streamId = v();
        if (t & 0x04) v(); // offset
        const len = t & 0x02 ? v() : p.length - off;
        skip(len);
        frames.push({ type: 'stream', streamId, length: len });
      } else if (t === 0x10 || t === 0x12 || t === 0x13 || t === 0x14 || t === 0x16 || t === 0x17 || t === 0x19) {
        v();
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x11 || t === 0x15) {
        v(); v();
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x18) {
        v(); v();
        if (off >= p.length) throw new RangeError('length');
        const cl = p[off++]!;
        const cid = skip(cl);
        skip(16);
        frames.push({ type: 'new_connection_id', cid });
      } else if (t === 0x1a || t === 0x1b) {
        skip(8);
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x1c || t === 0x1d) {
        const errorCode = v();
        const frameType = t === 0x1c ? v() : null;
        const rl = v();
        const reason = Buffer.from(skip(rl)).toString('latin1');
        frames.push({ type: 'connection_close', app: t === 0x1d, errorCode, frameType, reason });
      } else if (t === 0x1e) frames.push({ type: 'handshake_done' });
      else if (t === 0x30) {
        off = p.length;
        frames.push({ type: 'other', frameType: t });
      } else if (t === 0x31) {
        skip(v());
        frames.push({ type: 'other', frameType: t });
      } else return { frames, error: { offset: at, frameType: t } };
    } catch {
      return { frames, error: { offset: at, frameType: t } };
    }
  }
  return { frames, error: null };
}
