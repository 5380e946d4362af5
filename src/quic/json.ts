// The record's `quic` object: what the QUIC layer saw, by packet type and side, with the
// transport parameters both sides sent (decoded, named).

import { applicationErrorName, quicErrorName, quicVersionName } from '../registry/quic.js';
import type { Endpoint } from '../engine/connection.js';
import type { TlsState } from '../tls/state.js';
import { quicApplication, type QuicState, transportParametersOf } from './state.js';
import { decodeTransportParameters } from './transport-params.js';

/** `paths`: the address pairs the connection moved to after its first (migration, NAT rebinding). */
export function quicJson(q: QuicState, tls: TlsState | null, paths: readonly { client: Endpoint; server: Endpoint; frame: number }[] = []) {
  const alpn = quicApplication(tls);
  const clientTp = transportParametersOf(tls, 'client');
  const serverTp = transportParametersOf(tls, 'server');
  return {
    version: q.version,
    versionName: q.version === null ? null : quicVersionName(q.version),
    negotiatedVersion: q.negotiatedVersion,
    negotiatedVersionName: q.negotiatedVersion === null ? null : quicVersionName(q.negotiatedVersion),
    clientVersions: q.clientVersions,
    versionNegotiation: q.versionNegotiation ? { frame: q.versionNegotiation.frame, versions: q.versionNegotiation.versions, versionNames: q.versionNegotiation.versions.map(quicVersionName) } : null,
    originalDestinationConnectionId: q.originalDcid,
    clientConnectionId: q.clientCid,
    serverConnectionId: q.serverCid,
    packets: { client: { ...q.counts.client }, server: { ...q.counts.server } },
    clientInitialFrames: q.clientInitialFrames,
    retries: q.retries.map((r) => ({ ...r })),
    closes: q.closes.map((c) => ({ ...c, errorName: c.app ? applicationErrorName(c.errorCode, alpn) : quicErrorName(c.errorCode) })),
    handshakeDone: q.handshakeDone,
    cryptoBytes: { client: { ...q.cryptoBytes.client }, server: { ...q.cryptoBytes.server } },
    keyLog: q.keyLog ? { ...q.keyLog, labels: [...q.keyLog.labels] } : null,
    openedAs: q.openedAs,
    undecodable: q.undecodable,
    paths: paths.map((p) => ({ client: { ...p.client }, server: { ...p.server }, firstFrame: p.frame })),
    transportParameters: {
      client: clientTp ? decodeTransportParameters(clientTp).parameters : [],
      server: serverTp ? decodeTransportParameters(serverTp).parameters : [],
    },
    stage: q.stage,
    completed: q.completed,
    completedBy: q.completedBy,
  };
}
