// Handshake message framing and defragmentation.
//
// frameHandshake() reads one message header (type u8, length u24) from a buffer of
// concatenated handshake-record payloads: "incomplete" until the whole body is there.
// HandshakeAssembler is the small stateful joiner for one direction: fed record
// payloads in order, it returns the messages they complete (several messages per
// record, one message over several records), with the frames where each message
// started and where it was completed. It is capped; past the cap it turns invalid and
// stays so (an absorbing state).

import { concatBytes, type Decoded, DecodeError, type DecodeErrorInfo, incomplete, invalid, ok } from '../wire/reader.js';

/** Largest handshake message accepted (a long certificate chain is ~20 KB). */
export const MAX_HANDSHAKE_MESSAGE = 64 * 1024;
export const HANDSHAKE_HEADER_LENGTH = 4;

export interface HandshakeFrame {
  type: number;
  /** Body length from the header. */
  length: number;
  /** The body (view into the input). */
  body: Uint8Array;
}

/** Frame one handshake message at `offset`: ok (size = 4 + length), incomplete, or invalid (over the cap). */
export function frameHandshake(buf: Uint8Array, offset = 0, maxLength = MAX_HANDSHAKE_MESSAGE): Decoded<HandshakeFrame> {
  const avail = buf.length - offset;
  if (avail < HANDSHAKE_HEADER_LENGTH) return incomplete(HANDSHAKE_HEADER_LENGTH - Math.max(avail, 0));
  const type = buf[offset]!;
  const length = (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
  if (length > maxLength) {
    return invalid(new DecodeError('too-large', ['handshake', 'length'], offset + 1, `handshake message type ${type} claims ${length} bytes, limit ${maxLength}`).toInfo());
  }
  const total = HANDSHAKE_HEADER_LENGTH + length;
  if (avail < total) return incomplete(total - avail);
  return ok({ type, length, body: buf.subarray(offset + HANDSHAKE_HEADER_LENGTH, offset + total) }, total);
}

/** A complete handshake message with where it came from. */
export interface AssembledMessage {
  type: number;
  /** The body, copied (owned by the message). */
  body: Uint8Array;
  /** Frame where the message's first byte arrived. */
  firstFrame: number;
  /** Frame whose data completed the message (Wireshark's convention). */
  frame: number;
  /** Time of the completing frame. */
  time: number;
}

export interface FragmentRef {
  /** Frame where the record carrying this fragment started. */
  firstFrame: number;
  /** Frame that completed that record. */
  frame: number;
  time: number;
}

export interface AssemblerOutput {
  messages: AssembledMessage[];
  /** Set once, when the stream became unusable (a message over the cap). */
  error?: DecodeErrorInfo;
}

export class HandshakeAssembler {
  private buf: Uint8Array = new Uint8Array(0);
  private pendingFirstFrame = 0;
  private failed: DecodeErrorInfo | undefined;

  constructor(private readonly maxMessage = MAX_HANDSHAKE_MESSAGE) {}

  /** Bytes held for a message not yet complete. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** The error that stopped this assembler, if any. */
  get error(): DecodeErrorInfo | undefined {
    return this.failed;
  }

  /** Feed the payload of one handshake record (only valid during the call; it is copied). */
  push(fragment: Uint8Array, ref: FragmentRef): AssemblerOutput {
    if (this.failed) return { messages: [] };
    if (this.buf.length === 0) this.pendingFirstFrame = ref.firstFrame;
    const data = concatBytes(this.buf, fragment);
    const messages: AssembledMessage[] = [];
    let off = 0;
    for (;;) {
      const f = frameHandshake(data, off, this.maxMessage);
      if (f.status === 'ok') {
        messages.push({
          type: f.value.type,
          body: f.value.body.slice(),
          firstFrame: off < this.buf.length ? this.pendingFirstFrame : ref.firstFrame,
          frame: ref.frame,
          time: ref.time,
        });
        off += f.size;
        continue;
      }
      if (f.status === 'invalid') {
        this.failed = f.error;
        this.buf = new Uint8Array(0);
        return { messages, error: f.error };
      }
      break;
    }
    const prevLen = this.buf.length;
    this.buf = off === 0 && data === this.buf ? this.buf : data.slice(off);
    if (off >= prevLen && this.buf.length > 0) this.pendingFirstFrame = ref.firstFrame;
    return { messages };
  }
}

