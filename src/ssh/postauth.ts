// What happened after the key exchange, inferred from encrypted segment sizes only: an
// authentication failure (a few small exchanges in which the server keeps giving the same
// answer, then a close) or a session that went on. The answer is at most "likely": sizes
// never make it certain.
//
// Calibrated on captures of OpenSSH 9.2 and Dropbear 2022.83 on loopback
// (test/fixtures/ssh-captures) and the JA4 corpus. Server segments after NEWKEYS:
//   publickey denied (OpenSSH):   316 44 44 44            (EXT_INFO, SERVICE_ACCEPT, FAILURE×2)
//   publickey denied (Dropbear):  220 44 44 44
//   MaxAuthTries reached:         316 44 44 44 76         (... then an encrypted DISCONNECT)
//   `true` run after publickey:   316 44 44 100 28 784 200 72 124  (PK_OK, SUCCESS, hostkeys, channel...)
// A failing server repeats one answer (USERAUTH_FAILURE has the same size each time), so its
// segments come in few distinct sizes; once authentication succeeds, channel traffic brings
// many. Each key the client tries adds one client and one server segment.

import type { Side } from '../engine/types.js';
import type { SshState } from './state.js';

/** Encrypted bytes (either direction) beyond which a session went on ("likely"). */
export const SESSION_MIN_BYTES = 16 * 1024;
/** Turns (runs of one side's segments) from which a session went on, whatever the sizes. */
export const SESSION_MIN_TURNS = 24;
/** An authentication failure: the server's segments come in at most this many sizes
 *  (EXT_INFO, SERVICE_ACCEPT/FAILURE, a USERAUTH_BANNER or prompt, a DISCONNECT)... */
export const AUTH_FAIL_MAX_SERVER_SIZES = 4;
/** ...there are at most this many of them (MaxAuthTries 6 and a few extras)... */
export const AUTH_FAIL_MAX_SERVER_SEGMENTS = 12;
/** ...carrying at most this many bytes. */
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
  const sizes = new Set(s.samples.map((x) => x.size)).size;
  const serverPattern = `the server's ${s.segments} segment(s) come in ${sizes} distinct size(s)`;
  if (s.segments <= AUTH_FAIL_MAX_SERVER_SEGMENTS && sizes <= AUTH_FAIL_MAX_SERVER_SIZES && s.bytes <= AUTH_FAIL_MAX_SERVER_BYTES) {
    return {
      outcome: 'auth_failed',
      confidence: 'likely',
      reasons: [
        `after NEWKEYS only small exchanges: ${traffic}`,
        `${serverPattern}, as repeated USERAUTH_FAILURE answers do (last server segment: frame ${s.lastFrame})`,
        closeText,
      ],
      frames: [...frames, first.close!.frame],
    };
  }
  return {
    outcome: 'session',
    confidence: 'possible',
    reasons: [`after NEWKEYS: ${traffic}; ${serverPattern}: more varied than an authentication failure, as a short session is`, closeText],
    frames: [...frames, first.close!.frame],
  };
}

/** True once the encrypted traffic alone says a session went on (used for the 'session' stage). */
export const sessionEvident = (state: SshState): boolean =>
  state.completed &&
  (state.client.encrypted.bytes >= SESSION_MIN_BYTES || state.server.encrypted.bytes >= SESSION_MIN_BYTES || state.encryptedTurns >= SESSION_MIN_TURNS);
