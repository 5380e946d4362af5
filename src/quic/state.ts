// The facts a QuicTracker establishes about one QUIC connection (RFC 9000): versions,
// connection IDs, the packets of each side by type, Version Negotiation, Retry, CONNECTION_
// CLOSE, HANDSHAKE_DONE, what could be opened. The TLS handshake inside (the CRYPTO frames)
// lives in the TLS tracker's state beside it.

import type { Side } from '../engine/types.js';
import type { TlsState } from '../tls/state.js';

export type QuicStage = 'initial' | 'server_initial' | 'handshake' | 'handshake_done' | 'application_data';

export const QUIC_STAGE_RANK: Readonly<Record<QuicStage, number>> = { initial: 1, server_initial: 2, handshake: 3, handshake_done: 4, application_data: 5 };

export type PacketKind = 'initial' | 'zero_rtt' | 'handshake' | 'retry' | 'version_negotiation' | 'one_rtt' | 'unknown';

export interface QuicPacketSeen {
  frame: number;
  time: number;
  from: Side;
  kind: PacketKind;
  version: number | null;
  /** UDP payload bytes of the datagram that carried it. */
  size: number;
  /** true: opened; false: did not open; null: not tried (no keys). */
  opened: boolean | null;
  packetNumber: number | null;
}

export interface QuicClose {
  frame: number;
  time: number;
  from: Side;
  /** Where it was: initial, handshake, one_rtt. */
  level: PacketKind;
  app: boolean;
  errorCode: number;
  frameType: number | null;
  reason: string;
}

export interface QuicState {
  /** The version of the client's first Initial. */
  version: number | null;
  /** The version of the server's first Initial or Handshake: the client's, or another one by compatible negotiation (RFC 9368). */
  negotiatedVersion: number | null;
  /** Versions the client used, in order (a second one after Version Negotiation). */
  clientVersions: number[];
  versionNegotiation: { frame: number; time: number; versions: number[] } | null;
  /** The client's first Destination Connection ID (hex), and the IDs each side chose. */
  originalDcid: string | null;
  clientCid: string | null;
  serverCid: string | null;
  /** First packets, both sides (capped), for evidence and the ladder. */
  packets: QuicPacketSeen[];
  counts: Record<Side, Record<PacketKind, number>>;
  /** Frames of the client's Initials (its first flight and its retransmissions). */
  clientInitialFrames: number[];
  retries: { frame: number; time: number; tagValid: boolean; tokenLength: number }[];
  closes: QuicClose[];
  handshakeDone: { frame: number; time: number } | null;
  /** Bytes of CRYPTO data per side and level. */
  cryptoBytes: Record<Side, { initial: number; handshake: number }>;
  /** Handshake / 1-RTT packets opened with a key log, and those that would not open. */
  keyLog: { handshakeOpened: number; oneRttOpened: number; failed: number; labels: string[] } | null;
  /** The version whose Initial keys opened the client's Initial of an unknown version. */
  openedAs: number | null;
  /** Packets whose header or protection could not be read. */
  undecodable: number;
  stage: QuicStage;
  stageFrame: number;
  /** The handshake is over (HANDSHAKE_DONE, the client's Finished, or 1-RTT packets both ways). */
  completed: boolean;
  completedBy: string | null;
}

const kinds = (): Record<PacketKind, number> => ({ initial: 0, zero_rtt: 0, handshake: 0, retry: 0, version_negotiation: 0, one_rtt: 0, unknown: 0 });

export function emptyQuicState(): QuicState {
  return {
    version: null, negotiatedVersion: null, clientVersions: [], versionNegotiation: null, originalDcid: null, clientCid: null, serverCid: null,
    packets: [], counts: { client: kinds(), server: kinds() }, clientInitialFrames: [], retries: [], closes: [], handshakeDone: null,
    cryptoBytes: { client: { initial: 0, handshake: 0 }, server: { initial: 0, handshake: 0 } }, keyLog: null, openedAs: null, undecodable: 0,
    stage: 'initial', stageFrame: 0, completed: false, completedBy: null,
  };
}

/** The raw quic_transport_parameters a side sent: the client's in its ClientHello, the server's in EncryptedExtensions (decrypted only). */
export function transportParametersOf(tls: TlsState | null, side: Side): Uint8Array | null {
  if (side === 'client') return tls?.clientHello?.hello.extensions.find((e) => e.type === 57)?.data ?? null;
  return tls?.encryptedExtensions?.value.quicTransportParameters ?? null;
}

/** The application protocol of a QUIC connection: the server's ALPN if decrypted, else the client's offer when it is only HTTP/3. */
export function quicApplication(tls: TlsState | null): string | null {
  const chosen = tls?.encryptedExtensions?.value.alpn;
  if (chosen) return chosen;
  const offered = tls?.clientHello?.hello.ext.alpn ?? [];
  return offered.length > 0 && offered.every((a) => a === 'h3' || a.startsWith('h3-')) ? offered[0]! : null;
}
