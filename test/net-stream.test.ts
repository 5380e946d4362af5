import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SegmentKind, StreamReassembler, type StreamSink } from '../src/net/stream.js';

interface Out {
  bytes: number[];
  gaps: number[];
  frames: number[];
}

function collector(): { sink: StreamSink; out: Out } {
  const out: Out = { bytes: [], gaps: [], frames: [] };
  return {
    out,
    sink: {
      data: (b, ref) => {
        out.bytes.push(...b);
        out.frames.push(ref.frame);
      },
      gap: (n) => out.gaps.push(n),
    },
  };
}

const msg = Array.from({ length: 100 }, (_, i) => i);
const ISN = 0xfffffff0; // wraps around 2^32 inside the message

function feed(chunks: { seq: number; data: number[] }[]): Out {
  const r = new StreamReassembler();
  r.begin(ISN);
  const { sink, out } = collector();
  chunks.forEach((c, i) => r.segment(c.seq >>> 0, Uint8Array.from(c.data), c.data.length, { frame: i + 1, time: i }, sink));
  r.flush({ frame: 99, time: 99 }, sink);
  return out;
}

function split(sizes: number[]): { seq: number; data: number[] }[] {
  const out: { seq: number; data: number[] }[] = [];
  let off = 0;
  for (const n of sizes) {
    out.push({ seq: ISN + off, data: msg.slice(off, off + n) });
    off += n;
  }
  return out;
}

describe('stream reassembly', () => {
  it('delivers in-order data across the sequence wrap', () => {
    assert.deepEqual(feed(split([30, 30, 40])).bytes, msg);
  });
  it('1, 2 and 7 bytes at a time give the same stream as whole', () => {
    for (const n of [1, 2, 7]) {
      const sizes = Array.from({ length: Math.ceil(100 / n) }, (_, i) => Math.min(n, 100 - i * n));
      assert.deepEqual(feed(split(sizes)).bytes, msg, `chunks of ${n}`);
    }
  });
  it('reorders out-of-order segments', () => {
    const [a, b, c] = split([30, 30, 40]);
    const out = feed([c!, a!, b!]);
    assert.deepEqual(out.bytes, msg);
    assert.deepEqual(out.gaps, []);
  });
  it('keeps the first copy on retransmission and overlap', () => {
    const [a, b] = split([50, 50]);
    const overlap = { seq: ISN + 40, data: msg.slice(40, 60).map(() => 0xee) };
    const out = feed([a!, a!, overlap, b!]);
    assert.deepEqual(out.bytes.slice(0, 50), msg.slice(0, 50)); // bytes 40-49 were seen first in `a`
    assert.deepEqual(out.bytes.slice(50, 60), new Array(10).fill(0xee)); // bytes 50-59 first came in the overlap
    assert.equal(out.bytes.length, 100);
  });
  it('marks a hole the capture missed instead of joining across it', () => {
    const [a, , c] = split([30, 30, 40]);
    const out = feed([a!, c!]);
    assert.deepEqual(out.gaps, [30]);
    assert.deepEqual(out.bytes, [...msg.slice(0, 30), ...msg.slice(60)]);
  });
  it('declares a gap when the receiver acknowledges unseen bytes', () => {
    const r = new StreamReassembler();
    r.begin(1000);
    const { sink, out } = collector();
    r.segment(1000, Uint8Array.from([1, 2, 3]), 3, { frame: 1, time: 0 }, sink);
    r.acked(1010, { frame: 2, time: 0 }, sink);
    assert.deepEqual(out.gaps, [7]);
    assert.equal(r.next, 1010);
  });
  it('an ACK of the FIN is not a gap', () => {
    const r = new StreamReassembler();
    r.begin(1000);
    const { sink, out } = collector();
    r.segment(1000, Uint8Array.from([1, 2, 3]), 3, { frame: 1, time: 0 }, sink);
    r.fin(1000, 3);
    r.acked(1004, { frame: 2, time: 0 }, sink);
    assert.deepEqual(out.gaps, []);
  });
  it('bytes cut by the snaplen become a gap', () => {
    const r = new StreamReassembler();
    r.begin(0);
    const { sink, out } = collector();
    r.segment(0, Uint8Array.from([1, 2]), 10, { frame: 1, time: 0 }, sink);
    assert.deepEqual(out.bytes, [1, 2]);
    assert.deepEqual(out.gaps, [8]);
  });
  it('in opaque mode counts without buffering', () => {
    const r = new StreamReassembler();
    r.begin(0);
    r.goOpaque();
    const { sink, out } = collector();
    let fresh = 0;
    sink.opaque = (n) => (fresh += n);
    assert.equal(r.segment(100, new Uint8Array(10), 10, { frame: 1, time: 0 }, sink), SegmentKind.InOrder);
    assert.equal(r.segment(100, new Uint8Array(10), 10, { frame: 2, time: 0 }, sink), SegmentKind.Retransmission);
    assert.equal(fresh, 10);
    assert.equal(out.bytes.length, 0);
    assert.equal(r.bufferedBytes, 0);
  });
});
