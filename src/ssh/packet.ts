// The SSH binary packet before NEWKEYS (RFC 4253 §6): uint32 packet_length, byte
// padding_length, payload, padding (no MAC while the cipher is "none"). The framer reads only
// the header to answer "incomplete, need n more" or "invalid" for a lying length; the
// payload is then decoded by messages.ts. Also a framer for protocol 1 packets (counted only).

import { type Decoded, incomplete, invalid, ok } from '../wire/reader.js';

/** Largest packet_length accepted (OpenSSH PACKET_MAX_SIZE; RFC 4253 requires 35000). */
export const MAX_PACKET_LENGTH = 256 * 1024;
/** RFC 4253 §6: at least four bytes of padding. */
export const MIN_PADDING = 4;
/** Cipher block size while no cipher is in effect: (packet_length + 4) must be a multiple of it. */
export const CLEAR_BLOCK_SIZE = 8;

export type PacketAnomaly = 'short-padding' | 'misaligned';

export interface SshPacket {
  packetLength: number;
  paddingLength: number;
  /** The payload (message type first); a view into the input. */
  payload: Uint8Array;
  /** Bytes the packet occupies in the stream (4 + packet_length). */
  size: number;
  /** RFC violations that do not stop decoding (OpenSSH would disconnect on them). */
  anomalies: PacketAnomaly[];
}

const bad = <T>(kind: 'too-large' | 'bad-value', path: string, message: string): Decoded<T> =>
  invalid({ kind, path: ['packet', path], offset: 0, message: `${kind} at packet/${path} (offset 0): ${message}` });

/** Frame one cleartext binary packet at the start of `buf`. */
export function framePacket(buf: Uint8Array): Decoded<SshPacket> {
  if (buf.length < 4) return incomplete(4 - buf.length);
  const packetLength = ((buf[0]! << 24) >>> 0) + ((buf[1]! << 16) | (buf[2]! << 8) | buf[3]!);
  if (packetLength > MAX_PACKET_LENGTH) {
    return bad('too-large', 'packet_length', `packet_length ${packetLength} exceeds ${MAX_PACKET_LENGTH}`);
  }
  // A packet holds at least padding_length and one byte of message type.
  if (packetLength < 2) return bad('bad-value', 'packet_length', `packet_length ${packetLength} is too small`);
  const size = 4 + packetLength;
  if (buf.length < 5) return incomplete(size - buf.length);
  const paddingLength = buf[4]!;
  if (paddingLength > packetLength - 2) {
    return bad('bad-value', 'padding_length', `padding_length ${paddingLength} leaves no payload in packet_length ${packetLength}`);
  }
  if (buf.length < size) return incomplete(size - buf.length);
  const anomalies: PacketAnomaly[] = [];
  if (paddingLength < MIN_PADDING) anomalies.push('short-padding');
  if (size % CLEAR_BLOCK_SIZE !== 0) anomalies.push('misaligned');
  const payload = buf.subarray(5, 5 + packetLength - 1 - paddingLength);
  return ok({ packetLength, paddingLength, payload, size, anomalies }, size);
}

/** Largest SSH-1 packet length (the ssh-1.2.x sources allow 256 KiB). */
export const MAX_V1_PACKET_LENGTH = 256 * 1024;

export interface SshV1Packet {
  length: number;
  /** 1..8 bytes of padding (8 - length % 8). */
  padding: number;
  size: number;
}

/**
 * Frame one protocol 1 packet: uint32 length, 8 - (length mod 8) bytes of padding, then
 * length bytes (type, data, CRC32). Only the framing is read: v1 packets are counted.
 */
export function frameV1Packet(buf: Uint8Array): Decoded<SshV1Packet> {
  if (buf.length < 4) return incomplete(4 - buf.length);
  const length = ((buf[0]! << 24) >>> 0) + ((buf[1]! << 16) | (buf[2]! << 8) | buf[3]!);
  if (length > MAX_V1_PACKET_LENGTH) return bad('too-large', 'length', `SSH-1 length ${length} exceeds ${MAX_V1_PACKET_LENGTH}`);
  if (length < 5) return bad('bad-value', 'length', `SSH-1 length ${length} is too small for type and CRC`);
  const padding = 8 - (length % 8);
  const size = 4 + padding + length;
  if (buf.length < size) return incomplete(size - buf.length);
  return ok({ length, padding, size }, size);
}
