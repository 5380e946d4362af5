// What happened after the key exchange, inferred from encrypted segment sizes only: an
// authentication failure (a few small exchanges, the server's answer last, then a close) or a
// session that went on (more data or more back-and-forth than authentication needs). The
// answer is at most "likely": sizes and timing never make it certain.
//
// Calibrated on captures of OpenSSH 9.2 and Dropbear 2022.83 on loopback
// (test/fixtures/ssh-captures): a publickey denial is 3-4 turns of 44..140-byte segments
// ending in the server's USERAUTH_FAILURE and the client's FIN; a successful `true` command is
// ~17 turns ending with the client's CHANNEL_CLOSE; an OpenSSH server that gives up
// (MaxAuthTries) sends an encrypted DISCONNECT last. Each key the client tries adds two turns.

import type { Side } from '../engine/types.js';
import type { SshState } from './state.js';

/** Encrypted bytes (either direction) beyond which a session certainly went on ("likely"). */
export const SESSION_MIN_BYTES = 16 * 1024;
/** Turns (runs of one side's segments) from which a session went on, whatever the sizes. */
export const SESSION_MIN_TURNS = 24;
/** An authentication failure: at most this many turns (≈ 6 keys tried, then MaxAuthTries)... */
export const AUTH_FAIL_MAX_TURNS = 16;
/** ...and at most this many bytes from the server (failures, a USERAUTH_BANNER, a DISCONNECT). */
export const AUTH_FAIL_MAX_SERVER_BYTES = 4096;

export type PostKexOutcome = 'auth_failed' | 'session' | 'undetermined';

export interface PostKexInference {
  outcome: PostKexOutcome;
  /** Never "certain": this is read from sizes. */
  confidence: 'likely' | 'possible';
  /** The facts it rests on, in words, with frame numbers. */
  reasons: string[];
  frames: number[];
}

/** Infer the post-key-exchange outcome from the tracker's facts (pure). */
export function inferAfterKex(state: SshState): PostKexInference {
  const c = state.client.encrypted;
  const s = state.server.encrypted;
  const frames = [c.lastFrame, s.lastFrame].filter((f): f is number => f !== null).sort((a, b) => a - b);
  if (!state.completed) {
    return { outcome: 'undetermined', confidence: 'possible', reasons: ['the key exchange did not complete (NEWKEYS not seen both ways)'], frames: [] };
  }
  const traffic = `${c.segments} client segment(s) / ${c.bytes} bytes, ${s.segments} server segment(s) / ${s.bytes} bytes, ${state.encryptedTurns} turn(s)`;
  if (c.bytes >= SESSION_MIN_BYTES || s.bytes >= SESSION_MIN_BYTES) {
    return { outcome: 'session', confidence: 'likely', reasons: [`encrypted traffic after NEWKEYS: ${traffic}: more than authentication carries (${SESSION_MIN_BYTES} bytes)`], frames };
  }
  if (state.encryptedTurns >= SESSION_MIN_TURNS) {
    return { outcome: 'session', confidence: 'likely', reasons: [`encrypted traffic after NEWKEYS: ${traffic}: more exchanges than authentication needs (${SESSION_MIN_TURNS})`], frames };
  }
  const closes = (['client', 'server'] as Side[])
    .map((side) => ({ side, close: state[side].closed }))
    .filter((x) => x.close !== null)
    .sort((a, b) => a.close!.frame - b.close!.frame);
  const first = closes[0];
  if (!first) {
    return { outcome: 'undetermined', confidence: 'possible', reasons: [`no close seen: ${traffic}; the connection may have continued after the capture`], frames };
  }
  const closeText = `frame ${first.close!.frame}: ${first.side} ${first.close!.kind === 'rst' ? 'reset' : 'closed'} the connection`;
  if (c.segments + s.segments === 0) {
    return { outcome: 'undetermined', confidence: 'possible', reasons: [`no encrypted data after NEWKEYS; ${closeText}`], frames: [first.close!.frame] };
  }
  if (state.lastEncryptedFrom === 'server' && s.bytes <= AUTH_FAIL_MAX_SERVER_BYTES && state.encryptedTurns <= AUTH_FAIL_MAX_TURNS) {
    return {
      outcome: 'auth_failed',
      confidence: 'likely',
      reasons: [
        `after NEWKEYS only small exchanges: ${traffic}`,
        `the server's answer came last (frame ${s.lastFrame}), as USERAUTH_FAILURE or an encrypted DISCONNECT does`,
        closeText,
      ],
      frames: [...frames, first.close!.frame],
    };
  }
  const why =
    state.lastEncryptedFrom === 'client'
      ? `the client's data came last (frame ${c.lastFrame}), as a channel close does after a short session`
      : `more than an authentication failure sends (${AUTH_FAIL_MAX_TURNS} turns, ${AUTH_FAIL_MAX_SERVER_BYTES} server bytes)`;
  return {
    outcome: 'session',
    confidence: 'possible',
    reasons: [`after NEWKEYS: ${traffic}; ${why}`, closeText],
    frames: [...frames, first.close!.frame],
  };
}

/** True once the encrypted traffic alone says a session went on (used for the 'session' stage). */
export const sessionEvident = (state: SshState): boolean =>
  state.completed &&
  (state.client.encrypted.bytes >= SESSION_MIN_BYTES || state.server.encrypted.bytes >= SESSION_MIN_BYTES || state.encryptedTurns >= SESSION_MIN_TURNS);
