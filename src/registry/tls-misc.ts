// The smaller TLS registries: record content types, handshake message types,
// compression methods, PSK key exchange modes, certificate types and status types,
// certificate compression algorithms. IANA "TLS parameters" (2025).

import { name8 } from './tls-names.js';

export const CONTENT_TYPE = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  heartbeat: 24,
  tls12_cid: 25,
  ack: 26,
} as const;

export const CONTENT_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  20: 'change_cipher_spec',
  21: 'alert',
  22: 'handshake',
  23: 'application_data',
  24: 'heartbeat',
  25: 'tls12_cid',
  26: 'ack',
});

export const contentTypeName = (v: number): string => name8(CONTENT_TYPE_NAMES, v);

export const HS = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  supplemental_data: 23,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
} as const;

export const HANDSHAKE_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'hello_request',
  1: 'client_hello',
  2: 'server_hello',
  3: 'hello_verify_request',
  4: 'new_session_ticket',
  5: 'end_of_early_data',
  6: 'hello_retry_request',
  8: 'encrypted_extensions',
  9: 'request_connection_id',
  10: 'new_connection_id',
  11: 'certificate',
  12: 'server_key_exchange',
  13: 'certificate_request',
  14: 'server_hello_done',
  15: 'certificate_verify',
  16: 'client_key_exchange',
  17: 'client_certificate_request',
  20: 'finished',
  21: 'certificate_url',
  22: 'certificate_status',
  23: 'supplemental_data',
  24: 'key_update',
  25: 'compressed_certificate',
  26: 'ekt_key',
  254: 'message_hash',
});

export const handshakeTypeName = (v: number): string => name8(HANDSHAKE_TYPE_NAMES, v);

export const COMPRESSION_METHODS: Readonly<Record<number, string>> = Object.freeze({ 0: 'null', 1: 'DEFLATE', 64: 'LZS' });
export const compressionName = (v: number): string => name8(COMPRESSION_METHODS, v);

export const PSK_KEY_EXCHANGE_MODES: Readonly<Record<number, string>> = Object.freeze({ 0: 'psk_ke', 1: 'psk_dhe_ke' });
export const pskModeName = (v: number): string => name8(PSK_KEY_EXCHANGE_MODES, v);

/** ClientCertificateType of a TLS 1.2 CertificateRequest. */
export const CLIENT_CERTIFICATE_TYPES: Readonly<Record<number, string>> = Object.freeze({
  1: 'rsa_sign',
  2: 'dss_sign',
  3: 'rsa_fixed_dh',
  4: 'dss_fixed_dh',
  5: 'rsa_ephemeral_dh',
  6: 'dss_ephemeral_dh',
  20: 'fortezza_dms',
  64: 'ecdsa_sign',
  65: 'rsa_fixed_ecdh',
  66: 'ecdsa_fixed_ecdh',
  67: 'gost_sign256',
  68: 'gost_sign512',
});
export const clientCertificateTypeName = (v: number): string => name8(CLIENT_CERTIFICATE_TYPES, v);

export const CERTIFICATE_STATUS_TYPES: Readonly<Record<number, string>> = Object.freeze({ 1: 'ocsp', 2: 'ocsp_multi' });

export const CERT_COMPRESSION_ALGORITHMS: Readonly<Record<number, string>> = Object.freeze({ 1: 'zlib', 2: 'brotli', 3: 'zstd' });

export const SERVER_NAME_TYPES: Readonly<Record<number, string>> = Object.freeze({ 0: 'host_name' });

export const MAX_FRAGMENT_LENGTHS: Readonly<Record<number, string>> = Object.freeze({ 1: '2^9', 2: '2^10', 3: '2^11', 4: '2^12' });
