// QUIC code points (IANA "QUIC" registries): versions, frame types, transport error codes,
// transport parameters. Data tables; unknown values stay numbers and print as 0x...

import { alertName } from './tls-alerts.js';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
export const QUIC_DRAFT29 = 0xff00001d;
/** draft-ietf-quic-v2-01 to -08, before RFC 9369 numbered v2 (ngtcp2 0.12's "v2draft"). */
export const QUIC_V2_DRAFT = 0x709a50c4;

export interface QuicVersionInfo {
  name: string;
  /** Initial salt (RFC 9001 §5.2, RFC 9369 §3.3.1, draft-29). */
  salt: string;
  /** HKDF label prefix: "quic " (v1, drafts) or "quicv2 " (v2). */
  labelPrefix: string;
  /** Retry integrity key and nonce (RFC 9001 §5.8, RFC 9369 §3.3.3). */
  retryKey: string;
  retryNonce: string;
  /** Long header packet types: bits → name (v2 renumbers them). */
  types: readonly ['initial' | 'zero_rtt' | 'handshake' | 'retry', 'initial' | 'zero_rtt' | 'handshake' | 'retry', 'initial' | 'zero_rtt' | 'handshake' | 'retry', 'initial' | 'zero_rtt' | 'handshake' | 'retry'];
}

const V1_TYPES = ['initial', 'zero_rtt', 'handshake', 'retry'] as const;

export const QUIC_VERSIONS: Readonly<Record<number, QuicVersionInfo>> = Object.freeze({
  [QUIC_V1]: { name: 'QUIC v1', salt: '38762cf7f55934b34d179ae6a4c80cadccbb7f0a', labelPrefix: 'quic ', retryKey: 'be0c690b9f66575a1d766b54e368c84e', retryNonce: '461599d35d632bf2239825bb', types: V1_TYPES },
  [QUIC_V2]: { name: 'QUIC v2', salt: '0dede3def700a6db819381be6e269dcbf9bd2ed9', labelPrefix: 'quicv2 ', retryKey: '8fb4b01b56ac48e260fbcbcead7ba5f9', retryNonce: 'd86969bc2d7c6d9990efb04a', types: ['retry', 'initial', 'zero_rtt', 'handshake'] },
  [QUIC_V2_DRAFT]: { name: 'QUIC v2 draft', salt: 'a707c203a59b47184a1d62ca570406ea7ae3e5d3', labelPrefix: 'quicv2 ', retryKey: 'ba858dc7b43de5dbf87617ff4ab253db', retryNonce: '141b99c239b03e785d6a2e9f', types: ['retry', 'initial', 'zero_rtt', 'handshake'] },
  [QUIC_DRAFT29]: { name: 'QUIC draft-29', salt: 'afbfec289993d24c9e9786f19c6111e04390a899', labelPrefix: 'quic ', retryKey: 'ccce187ed09a09d05728155a6cb96be1', retryNonce: 'e54930f97f2136f0530a8c1c', types: V1_TYPES },
});

/** RFC 9000 §15: versions 0x?a?a?a?a are reserved to exercise version negotiation (greasing). */
export const isReservedQuicVersion = (v: number): boolean => (v & 0x0f0f0f0f) === 0x0a0a0a0a;

export function quicVersionName(v: number): string {
  const known = QUIC_VERSIONS[v];
  if (known) return known.name;
  if (isReservedQuicVersion(v)) return `reserved version 0x${v.toString(16).padStart(8, '0')} (forces version negotiation)`;
  if ((v >>> 8) === 0xff0000) return `QUIC draft-${v & 0xff}`;
  return `version 0x${v.toString(16).padStart(8, '0')}`;
}

/** Transport error codes (RFC 9000 §20.1); 0x0100-0x01ff are TLS alerts (RFC 9001 §4.8). */
export const QUIC_TRANSPORT_ERRORS: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'NO_ERROR', 0x01: 'INTERNAL_ERROR', 0x02: 'CONNECTION_REFUSED', 0x03: 'FLOW_CONTROL_ERROR', 0x04: 'STREAM_LIMIT_ERROR',
  0x05: 'STREAM_STATE_ERROR', 0x06: 'FINAL_SIZE_ERROR', 0x07: 'FRAME_ENCODING_ERROR', 0x08: 'TRANSPORT_PARAMETER_ERROR',
  0x09: 'CONNECTION_ID_LIMIT_ERROR', 0x0a: 'PROTOCOL_VIOLATION', 0x0b: 'INVALID_TOKEN', 0x0c: 'APPLICATION_ERROR',
  0x0d: 'CRYPTO_BUFFER_EXCEEDED', 0x0e: 'KEY_UPDATE_ERROR', 0x0f: 'AEAD_LIMIT_REACHED', 0x10: 'NO_VIABLE_PATH',
  0x11: 'VERSION_NEGOTIATION_ERROR',
});

/** The TLS alert a CRYPTO_ERROR carries (0x0100 + alert), or null. */
export const cryptoAlert = (code: number): number | null => (code >= 0x100 && code <= 0x1ff ? code - 0x100 : null);

export function quicErrorName(code: number): string {
  const alert = cryptoAlert(code);
  if (alert !== null) return `CRYPTO_ERROR(0x${code.toString(16)}: ${alertName(alert)})`;
  return QUIC_TRANSPORT_ERRORS[code] ?? `error 0x${code.toString(16)}`;
}

/** HTTP/3 error codes (RFC 9114 §8.1, RFC 9204 §6 QPACK): the application errors of an "h3" connection. */
export const H3_ERRORS: Readonly<Record<number, string>> = Object.freeze({
  0x100: 'H3_NO_ERROR', 0x101: 'H3_GENERAL_PROTOCOL_ERROR', 0x102: 'H3_INTERNAL_ERROR', 0x103: 'H3_STREAM_CREATION_ERROR',
  0x104: 'H3_CLOSED_CRITICAL_STREAM', 0x105: 'H3_FRAME_UNEXPECTED', 0x106: 'H3_FRAME_ERROR', 0x107: 'H3_EXCESSIVE_LOAD',
  0x108: 'H3_ID_ERROR', 0x109: 'H3_SETTINGS_ERROR', 0x10a: 'H3_MISSING_SETTINGS', 0x10b: 'H3_REQUEST_REJECTED',
  0x10c: 'H3_REQUEST_CANCELLED', 0x10d: 'H3_REQUEST_INCOMPLETE', 0x10e: 'H3_MESSAGE_ERROR', 0x10f: 'H3_CONNECT_ERROR',
  0x110: 'H3_VERSION_FALLBACK', 0x200: 'QPACK_DECOMPRESSION_FAILED', 0x201: 'QPACK_ENCODER_STREAM_ERROR', 0x202: 'QPACK_DECODER_STREAM_ERROR',
});

/** An application CONNECTION_CLOSE's code, named when the ALPN says which application (h3). */
export function applicationErrorName(code: number, alpn: string | null): string {
  const h3 = alpn !== null && (alpn === 'h3' || alpn.startsWith('h3-')) ? H3_ERRORS[code] : undefined;
  return h3 ?? `application error 0x${code.toString(16)}`;
}

/** Frame types (RFC 9000 §19, RFC 9221 DATAGRAM). */
export const QUIC_FRAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'PADDING', 0x01: 'PING', 0x02: 'ACK', 0x03: 'ACK_ECN', 0x04: 'RESET_STREAM', 0x05: 'STOP_SENDING', 0x06: 'CRYPTO',
  0x07: 'NEW_TOKEN', 0x10: 'MAX_DATA', 0x11: 'MAX_STREAM_DATA', 0x12: 'MAX_STREAMS_BIDI', 0x13: 'MAX_STREAMS_UNI',
  0x14: 'DATA_BLOCKED', 0x15: 'STREAM_DATA_BLOCKED', 0x16: 'STREAMS_BLOCKED_BIDI', 0x17: 'STREAMS_BLOCKED_UNI',
  0x18: 'NEW_CONNECTION_ID', 0x19: 'RETIRE_CONNECTION_ID', 0x1a: 'PATH_CHALLENGE', 0x1b: 'PATH_RESPONSE',
  0x1c: 'CONNECTION_CLOSE', 0x1d: 'CONNECTION_CLOSE_APP', 0x1e: 'HANDSHAKE_DONE', 0x30: 'DATAGRAM', 0x31: 'DATAGRAM_LEN',
});

export const quicFrameName = (t: number): string => QUIC_FRAMES[t] ?? (t >= 0x08 && t <= 0x0f ? 'STREAM' : `frame 0x${t.toString(16)}`);

/** Transport parameters (RFC 9000 §18.2, RFC 9221, RFC 9368 version_information, RFC 9287 grease_quic_bit). */
export const QUIC_TRANSPORT_PARAMETERS: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'original_destination_connection_id', 0x01: 'max_idle_timeout', 0x02: 'stateless_reset_token', 0x03: 'max_udp_payload_size',
  0x04: 'initial_max_data', 0x05: 'initial_max_stream_data_bidi_local', 0x06: 'initial_max_stream_data_bidi_remote',
  0x07: 'initial_max_stream_data_uni', 0x08: 'initial_max_streams_bidi', 0x09: 'initial_max_streams_uni',
  0x0a: 'ack_delay_exponent', 0x0b: 'max_ack_delay', 0x0c: 'disable_active_migration', 0x0d: 'preferred_address',
  0x0e: 'active_connection_id_limit', 0x0f: 'initial_source_connection_id', 0x10: 'retry_source_connection_id',
  0x11: 'version_information', 0x20: 'max_datagram_frame_size', 0x2ab2: 'grease_quic_bit',
  0xff73db: 'version_information_draft', 0xff04de1b: 'min_ack_delay',
});

/** Parameters whose value is a varint (the others are bytes: connection ids, tokens, addresses). */
export const VARINT_PARAMETERS: ReadonlySet<number> = new Set([0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0e, 0x20, 0xff04de1b]);

export function transportParameterName(id: number): string {
  const n = QUIC_TRANSPORT_PARAMETERS[id];
  if (n) return n;
  // RFC 9000 §18.1: 31 * N + 27 is reserved for greasing
  if (id >= 27 && (id - 27) % 31 === 0) return `reserved (GREASE) 0x${id.toString(16)}`;
  return `parameter 0x${id.toString(16)}`;
}
