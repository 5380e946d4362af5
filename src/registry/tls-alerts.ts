// Alert levels and descriptions: IANA "TLS Alerts" registry (2025), each with a
// category the diagnosis rules can key on.
//
// Which alerts mean "the peer rejected the certificate it was shown" (category
// 'certificate'): bad_certificate(42), unsupported_certificate(43),
// certificate_revoked(44), certificate_expired(45), certificate_unknown(46),
// unknown_ca(48) and bad_certificate_status_response(113, the stapled OCSP answer was
// refused). Sent by a client they reject the server's certificate (tls.cert_rejected);
// sent by a server they reject the client's certificate (tls.client_cert_required).
// access_denied(49) is NOT in that set: RFC 8446 §6.2 defines it as "a valid
// certificate or PSK was received, but when access control was applied, the sender
// decided not to proceed": an authorisation refusal, not a certificate-validation
// failure. It gets its own category ('access') so rules can say so.

export const ALERT_LEVELS: Readonly<Record<number, string>> = Object.freeze({ 1: 'warning', 2: 'fatal' });

export type AlertCategory =
  | 'closure' // close_notify, user_canceled
  | 'certificate' // the peer's certificate was rejected
  | 'client-certificate' // certificate_required: the server wanted one and got none
  | 'access' // access_denied
  | 'version' // protocol_version
  | 'negotiation' // handshake_failure, insufficient_security: no common parameters
  | 'sni' // unrecognized_name
  | 'alpn' // no_application_protocol
  | 'protocol' // malformed or unexpected messages
  | 'crypto' // bad_record_mac, decrypt_error: keys or MACs did not agree
  | 'fallback' // inappropriate_fallback
  | 'psk' // unknown_psk_identity
  | 'ech' // ech_required
  | 'internal' // internal_error, general_error
  | 'other';

export interface AlertInfo {
  name: string;
  category: AlertCategory;
  /** Not to be sent by TLS 1.2+ implementations (kept for old peers). */
  reserved?: boolean;
}

const a = (name: string, category: AlertCategory, reserved?: boolean): AlertInfo =>
  reserved ? { name, category, reserved } : { name, category };

export const ALERT_DESCRIPTIONS: Readonly<Record<number, AlertInfo>> = Object.freeze({
  0: a('close_notify', 'closure'),
  10: a('unexpected_message', 'protocol'),
  20: a('bad_record_mac', 'crypto'),
  21: a('decryption_failed', 'crypto', true),
  22: a('record_overflow', 'protocol'),
  30: a('decompression_failure', 'protocol', true),
  40: a('handshake_failure', 'negotiation'),
  41: a('no_certificate', 'client-certificate', true),
  42: a('bad_certificate', 'certificate'),
  43: a('unsupported_certificate', 'certificate'),
  44: a('certificate_revoked', 'certificate'),
  45: a('certificate_expired', 'certificate'),
  46: a('certificate_unknown', 'certificate'),
  47: a('illegal_parameter', 'protocol'),
  48: a('unknown_ca', 'certificate'),
  49: a('access_denied', 'access'),
  50: a('decode_error', 'protocol'),
  51: a('decrypt_error', 'crypto'),
  52: a('too_many_cids_requested', 'protocol'),
  60: a('export_restriction', 'negotiation', true),
  70: a('protocol_version', 'version'),
  71: a('insufficient_security', 'negotiation'),
  80: a('internal_error', 'internal'),
  86: a('inappropriate_fallback', 'fallback'),
  90: a('user_canceled', 'closure'),
  100: a('no_renegotiation', 'other', true),
  109: a('missing_extension', 'protocol'),
  110: a('unsupported_extension', 'protocol'),
  111: a('certificate_unobtainable', 'certificate', true),
  112: a('unrecognized_name', 'sni'),
  113: a('bad_certificate_status_response', 'certificate'),
  114: a('bad_certificate_hash_value', 'certificate', true),
  115: a('unknown_psk_identity', 'psk'),
  116: a('certificate_required', 'client-certificate'),
  117: a('general_error', 'internal'),
  120: a('no_application_protocol', 'alpn'),
  121: a('ech_required', 'ech'),
});

/** The descriptions that mean "the certificate presented was rejected" (see header). */
export const CERTIFICATE_REJECTION_ALERTS: ReadonlySet<number> = new Set([42, 43, 44, 45, 46, 48, 113]);

export function alertName(code: number): string {
  return ALERT_DESCRIPTIONS[code]?.name ?? `unknown_alert_${code}`;
}

export function alertCategory(code: number): AlertCategory {
  return ALERT_DESCRIPTIONS[code]?.category ?? 'other';
}

export function alertLevelName(level: number): string {
  return ALERT_LEVELS[level] ?? `level_${level}`;
}

/** "handshake_failure(40)": the form evidence lines use. */
export function alertLabel(code: number): string {
  return `${alertName(code)}(${code})`;
}
