// Which tracker a connection gets, from its first bytes (either side) and its port. Pure:
// the engine calls it with the bytes it holds until it answers something other than 'wait'.
//
// In order: TLS or an SSH banner by their bytes; a preamble before TLS (a proxy request,
// a STARTTLS-style greeting, a database's TLS request: tunnel/detect.ts); then, when the
// connection's start was seen on a watched port, the tracker that port expects (so that
// plain HTTP on 443 is judged "not TLS"); else unknown.

import { recognisePreamble, PREAMBLE_DETECT_BYTES, type PreambleKind } from '../tunnel/detect.js';
import { classify, DETECT_BYTES, isTls, SSH_PORTS, type Speech } from './detect.js';
import type { Side } from './types.js';

export type Choice = { proto: 'tls' } | { proto: 'ssh' } | { proto: 'tunnel'; kind: PreambleKind } | { proto: 'unknown' } | 'wait';

export interface ChoiceContext {
  serverPort: number;
  /** The connection's SYN was not seen. */
  midstream: boolean;
  /** The port is one the user asked to watch (or a default one that is always reported). */
  watched: boolean;
  /** The port is a default preamble port, or --any-port: weak preamble guesses count. */
  preamblePort: boolean;
  /** No more bytes will come (the connection ended). */
  final: boolean;
}

export interface HeldBytes {
  side: Side;
  data: Uint8Array;
}

const TLS: Choice = { proto: 'tls' };
const SSH: Choice = { proto: 'ssh' };
const UNKNOWN: Choice = { proto: 'unknown' };

/** The first `max` bytes a side sent (from the engine's held chunks). */
export function sideBytes(items: readonly HeldBytes[], side: Side, max: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const it of items) {
    if (it.side !== side || it.data.length === 0) continue;
    parts.push(it.data);
    n += it.data.length;
    if (n >= max) break;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export function chooseProtocol(items: readonly HeldBytes[], ctx: ChoiceContext): Choice {
  if (items.length === 0) return 'wait';
  const first = items[0]!.side;
  const other: Side = first === 'client' ? 'server' : 'client';
  const firstBytes = sideBytes(items, first, PREAMBLE_DETECT_BYTES);
  let speech: Speech = classify(firstBytes.subarray(0, DETECT_BYTES * 4));
  if (isTls(speech)) return TLS;
  if (speech === 'ssh-banner') return SSH;
  const pre = recognisePreamble(first, firstBytes, ctx.serverPort);
  if (pre === 'too-short' && !ctx.final) {
    // The other side may already say more (a server greeting after a short client write).
    const o = classify(sideBytes(items, other, DETECT_BYTES * 4));
    if (isTls(o)) return TLS;
    if (o === 'ssh-banner') return SSH;
    return 'wait';
  }
  if (pre && pre !== 'too-short' && (pre.strong || ctx.preamblePort || ctx.watched)) return { proto: 'tunnel', kind: pre.kind };
  if (speech === 'too-short' && !ctx.final) {
    const os = classify(sideBytes(items, other, DETECT_BYTES * 4));
    if (os === 'too-short' || os === 'text' || os === 'binary') return 'wait';
    speech = os;
    if (isTls(speech)) return TLS;
    if (speech === 'ssh-banner') return SSH;
  }
  // Not TLS, SSH or a preamble by its bytes. If the connection's start was seen on a port
  // the user watches, let the tracker that port expects judge it (plain HTTP to a TLS
  // port, an HTTP server on the SSH port...).
  if (!ctx.midstream && ctx.watched) return SSH_PORTS.has(ctx.serverPort) ? SSH : TLS;
  return UNKNOWN;
}
