// SSH message numbers and DISCONNECT reason codes as data (RFC 4250 §4.1, RFC 4253 §11.1/§12,
// RFC 4419, RFC 4432, RFC 5656, RFC 8308). Values stay plain numbers; names are for display,
// unknown numbers are shown as numbers.

/** Transport-layer message numbers whose meaning does not depend on the key exchange. */
export const SSH_MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  NEWCOMPRESS: 8,
  KEXINIT: 20,
  NEWKEYS: 21,
} as const;

/** Generic names (the 30..49 range is shown per key-exchange family, see kexMessageName). */
export const SSH_MESSAGE_NAMES: Readonly<Record<number, string>> = {
  1: 'DISCONNECT',
  2: 'IGNORE',
  3: 'UNIMPLEMENTED',
  4: 'DEBUG',
  5: 'SERVICE_REQUEST',
  6: 'SERVICE_ACCEPT',
  7: 'EXT_INFO',
  8: 'NEWCOMPRESS',
  20: 'KEXINIT',
  21: 'NEWKEYS',
  50: 'USERAUTH_REQUEST',
  51: 'USERAUTH_FAILURE',
  52: 'USERAUTH_SUCCESS',
  53: 'USERAUTH_BANNER',
  60: 'USERAUTH_60',
  80: 'GLOBAL_REQUEST',
  81: 'REQUEST_SUCCESS',
  82: 'REQUEST_FAILURE',
  90: 'CHANNEL_OPEN',
  91: 'CHANNEL_OPEN_CONFIRMATION',
  92: 'CHANNEL_OPEN_FAILURE',
  93: 'CHANNEL_WINDOW_ADJUST',
  94: 'CHANNEL_DATA',
  95: 'CHANNEL_EXTENDED_DATA',
  96: 'CHANNEL_EOF',
  97: 'CHANNEL_CLOSE',
  98: 'CHANNEL_REQUEST',
  99: 'CHANNEL_SUCCESS',
  100: 'CHANNEL_FAILURE',
};

/** Key-exchange method families: they give the 30..49 message numbers their meaning. */
export type KexFamily = 'dh' | 'gex' | 'ecdh' | 'hybrid' | 'rsa' | 'gss' | 'unknown';

/** Names of the key-exchange-specific messages, per family (RFC 4253 §8, 4419, 4432, 5656, 4462). */
export const KEX_MESSAGE_NAMES: Readonly<Record<KexFamily, Readonly<Record<number, string>>>> = {
  dh: { 30: 'KEXDH_INIT', 31: 'KEXDH_REPLY' },
  gex: { 30: 'KEX_DH_GEX_REQUEST_OLD', 31: 'KEX_DH_GEX_GROUP', 32: 'KEX_DH_GEX_INIT', 33: 'KEX_DH_GEX_REPLY', 34: 'KEX_DH_GEX_REQUEST' },
  ecdh: { 30: 'KEX_ECDH_INIT', 31: 'KEX_ECDH_REPLY' },
  hybrid: { 30: 'KEX_HYBRID_INIT', 31: 'KEX_HYBRID_REPLY' },
  rsa: { 30: 'KEXRSA_PUBKEY', 31: 'KEXRSA_SECRET', 32: 'KEXRSA_DONE' },
  gss: { 30: 'KEXGSS_INIT', 31: 'KEXGSS_CONTINUE', 32: 'KEXGSS_COMPLETE', 33: 'KEXGSS_HOSTKEY', 34: 'KEXGSS_ERROR', 40: 'KEXGSS_GROUPREQ', 41: 'KEXGSS_GROUP' },
  // Family not known (the KEXINITs were not both seen): the RFC 4253 names of the common layout.
  unknown: { 30: 'KEXDH_INIT', 31: 'KEXDH_REPLY' },
};

/** A display name for a message number, reading 30..49 according to the key-exchange family. */
export function sshMessageName(type: number, family: KexFamily = 'unknown'): string {
  if (type >= 30 && type <= 49) return KEX_MESSAGE_NAMES[family][type] ?? `KEX_MSG_${type}`;
  return SSH_MESSAGE_NAMES[type] ?? `MSG_${type}`;
}

/** RFC 4253 §11.1 DISCONNECT reason codes. */
export const SSH_DISCONNECT_REASONS: Readonly<Record<number, string>> = {
  1: 'HOST_NOT_ALLOWED_TO_CONNECT',
  2: 'PROTOCOL_ERROR',
  3: 'KEY_EXCHANGE_FAILED',
  4: 'RESERVED',
  5: 'MAC_ERROR',
  6: 'COMPRESSION_ERROR',
  7: 'SERVICE_NOT_AVAILABLE',
  8: 'PROTOCOL_VERSION_NOT_SUPPORTED',
  9: 'HOST_KEY_NOT_VERIFIABLE',
  10: 'CONNECTION_LOST',
  11: 'BY_APPLICATION',
  12: 'TOO_MANY_CONNECTIONS',
  13: 'AUTH_CANCELLED_BY_USER',
  14: 'NO_MORE_AUTH_METHODS_AVAILABLE',
  15: 'ILLEGAL_USER_NAME',
};

/** "KEY_EXCHANGE_FAILED(3)", or "reason 0x..." style for unknown codes. */
export function disconnectReasonName(code: number): string {
  const name = SSH_DISCONNECT_REASONS[code];
  return name ? `${name}(${code})` : `UNKNOWN_REASON(${code})`;
}
