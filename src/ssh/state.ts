// The facts an SshTracker keeps about one connection (read by the diagnosis rules, the JSON
// record and the TUI). Everything is plain data; every list is capped.

import type { FrameRef, Side } from '../engine/types.js';
import type { KexFamily } from '../registry/ssh-messages.js';
import type { Identification, PeerPreview, SshProtocol } from './banner.js';
import type { HostCertificate } from './hostkey.js';
import type { KexInit } from './kexinit.js';
import type { NegotiationResult } from './negotiate.js';

/** SSH stages in order (the spec's list; `tcp_connect` belongs to the engine). */
export const SSH_STAGES = ['banner', 'kexinit', 'key_exchange', 'newkeys', 'authentication', 'session'] as const;
export type SshStage = (typeof SSH_STAGES)[number];

/** Caps on what is kept. */
export const MAX_MESSAGES = 256;
export const MAX_DEBUG_MESSAGES = 16;
/** Encrypted segments kept per direction with frame, time and size. */
export const MAX_ENCRYPTED_SAMPLES = 64;

/** Where a message was: the frame that completed it, and the frame where it started. */
export interface At {
  frame: number;
  time: number;
  startFrame: number;
}

export interface BannerFact extends Identification, At {}

export interface LineFact extends At {
  text: string;
}

export interface KexInitFact extends At {
  value: KexInit;
  /** 0-based index of this packet among the side's cleartext packets (strict KEX wants 0). */
  packetIndex: number;
}

export interface EncryptedSample {
  frame: number;
  time: number;
  size: number;
  /** Position across both directions (orders the two sides' samples). */
  seq: number;
}

/** Encrypted-phase traffic of one direction (after its NEWKEYS): sizes only. */
export interface EncryptedSummary {
  segments: number;
  bytes: number;
  /** The first MAX_ENCRYPTED_SAMPLES segments. */
  samples: EncryptedSample[];
  firstFrame: number | null;
  lastFrame: number | null;
  lastTime: number | null;
  /** Bytes the capture missed in this phase. */
  gapBytes: number;
}

export interface SideState {
  /** The identification string, or null if none arrived. */
  banner: BannerFact | null;
  /** Lines sent before the identification (kept up to the banner caps). */
  preBannerLines: LineFact[];
  preBannerLinesDropped: number;
  /**
   * Text lines after the identification, before any binary packet (OpenSSH's "Invalid SSH
   * identification string." when the peer's banner was bad).
   */
  postBannerLines: LineFact[];
  /** This side spoke something other than SSH: what it looked like, where. */
  notSsh: (PeerPreview & At) | null;
  /** Protocol from the banner: '2.0', '1.99', '1.x', 'other'; null before the banner. */
  protocol: SshProtocol | null;
  kexinit: KexInitFact | null;
  /** Strict KEX (kex-strict-c/s-v00@openssh.com) offered in this side's KEXINIT; null before it. */
  strictKex: boolean | null;
  /** NEWKEYS from this side: from here on its bytes are encrypted. */
  newkeys: (FrameRef & { startFrame: number }) | null;
  /** Cleartext binary packets decoded, and protocol 1 packets counted. */
  packets: number;
  v1Packets: number;
  ignoreCount: number;
  debugCount: number;
  unimplementedCount: number;
  debugMessages: string[];
  extInfo: { name: string; value: string }[] | null;
  /** Parsing of this side stopped (gap before encryption, malformed packet, caps): why and where. */
  stopped: { reason: string; frame: number } | null;
  /** Bytes seen after parsing stopped (not SSH, malformed...). */
  unparsedBytes: number;
  encrypted: EncryptedSummary;
  closed: { kind: 'fin' | 'rst'; frame: number; time: number } | null;
}

export interface MessageFact extends At {
  from: Side;
  type: number;
  name: string;
  /** Payload length. */
  size: number;
  /** Short description for the ladder ("ssh-ed25519", "2048<3072<8192"...). */
  detail?: string;
  /** A wrongly guessed key-exchange packet (first_kex_packet_follows): ignored by the peer. */
  ignored?: boolean;
}

export interface HostKeyFact extends At {
  /** The negotiated host key algorithm (e.g. rsa-sha2-512), when known. */
  algorithm: string | null;
  /** Key type in the blob (e.g. ssh-rsa, ssh-ed25519-cert-v01@openssh.com). */
  type: string;
  bits: number | null;
  /** SHA256:... as ssh-keygen -l prints it. */
  fingerprint: string;
  md5: string;
  certificate: HostCertificate | null;
  /** The blob as sent (for known_hosts lookups). */
  blob: Uint8Array;
  /** The signature algorithm in the key-exchange reply. */
  signatureAlgorithm: string | null;
}

export interface DisconnectFact extends At {
  from: Side;
  reasonCode: number;
  reasonName: string;
  description: string;
  language: string;
}

export interface SshState {
  client: SideState;
  server: SideState;
  /** Negotiation from both KEXINITs (null until both arrived). */
  negotiation: NegotiationResult | null;
  /** Family of the negotiated kex (decides how messages 30..49 read). */
  kexFamily: KexFamily;
  /** Every cleartext message in order (capped at MAX_MESSAGES). */
  messages: MessageFact[];
  messagesDropped: number;
  gex: { request: { min: number; preferred: number; max: number } | null; primeBits: number | null };
  hostKey: HostKeyFact | null;
  /** The first DISCONNECT seen in clear. */
  disconnect: DisconnectFact | null;
  hassh: string | null;
  hasshServer: string | null;
  /** Last stage reached and the frame it was reached at (null before any SSH byte). */
  stage: SshStage | null;
  stageFrame: number | null;
  /** NEWKEYS both ways: the SSH handshake completed. */
  completed: boolean;
  /** Direction changes among encrypted segments (one "turn" per run of one side's segments). */
  encryptedTurns: number;
  /** Which side sent the most recent encrypted segment. */
  lastEncryptedFrom: Side | null;
}

const emptyEncrypted = (): EncryptedSummary => ({ segments: 0, bytes: 0, samples: [], firstFrame: null, lastFrame: null, lastTime: null, gapBytes: 0 });

export const emptySide = (): SideState => ({
  banner: null,
  preBannerLines: [],
  preBannerLinesDropped: 0,
  postBannerLines: [],
  notSsh: null,
  protocol: null,
  kexinit: null,
  strictKex: null,
  newkeys: null,
  packets: 0,
  v1Packets: 0,
  ignoreCount: 0,
  debugCount: 0,
  unimplementedCount: 0,
  debugMessages: [],
  extInfo: null,
  stopped: null,
  unparsedBytes: 0,
  encrypted: emptyEncrypted(),
  closed: null,
});

export const emptyState = (): SshState => ({
  client: emptySide(),
  server: emptySide(),
  negotiation: null,
  kexFamily: 'unknown',
  messages: [],
  messagesDropped: 0,
  gex: { request: null, primeBits: null },
  hostKey: null,
  disconnect: null,
  hassh: null,
  hasshServer: null,
  stage: null,
  stageFrame: null,
  completed: false,
  encryptedTurns: 0,
  lastEncryptedFrom: null,
});
