// The handshake messages after the hellos, plus the Alert and ChangeCipherSpec record
// bodies. Pure decoders: body bytes in, typed value out, never a throw.

import { bitLength, type Decoded, decodeWith, Reader } from '../wire/reader.js';
import { decodeExtensionBlock, type Extension, type ExtensionSummary, type HelloIssue } from './extensions.js';

// ---- Certificate ---------------------------------------------------------------------

/** Most certificates kept from one Certificate message (real chains have 2-5). */
export const MAX_CERTIFICATES = 32;

export interface CertificateEntry {
  /** The DER bytes, copied. */
  der: Uint8Array;
  /** TLS 1.3 per-entry extensions (status_request, signed_certificate_timestamp...). */
  extensions?: Extension[];
}

export interface CertificateMessage {
  form: 'tls12' | 'tls13';
  /** TLS 1.3 certificate_request_context (empty for server certificates). */
  requestContext?: Uint8Array;
  /** In sent order: the end-entity certificate first. Empty when the sender has none to give. */
  certificates: CertificateEntry[];
  /** Certificates beyond MAX_CERTIFICATES that were counted but not kept. */
  dropped: number;
}

/** Certificate body. `tls13` selects the RFC 8446 form (context + per-entry extensions). */
export function decodeCertificate(body: Uint8Array, tls13: boolean): Decoded<CertificateMessage> {
  return decodeWith(() => {
    const r = new Reader(body, 0, body.length, ['certificate']);
    const requestContext = tls13 ? r.vec8('certificate_request_context').rest().slice() : undefined;
    const list = r.vec24('certificate_list');
    r.done('Certificate');
    const certificates: CertificateEntry[] = [];
    let dropped = 0;
    while (!list.empty) {
      const der = list.vec24('cert_data').rest();
      let extensions: Extension[] | undefined;
      if (tls13) extensions = decodeExtensionBlock(list.vec16('extensions'), 'certificate').extensions;
      if (certificates.length >= MAX_CERTIFICATES) {
        dropped++;
        continue;
      }
      if (der.length === 0) list.fail('empty', 'zero-length certificate');
      certificates.push(extensions ? { der: der.slice(), extensions } : { der: der.slice() });
    }
    const value: CertificateMessage = tls13
      ? { form: 'tls13', requestContext, certificates, dropped }
      : { form: 'tls12', certificates, dropped };
    return { value, size: body.length };
  });
}

// ---- CertificateStatus (RFC 6066 §8, RFC 6961) -----------------------------------------

export interface CertificateStatusMessage {
  statusType: number;
  /** DER OCSPResponse(s), copied: one for ocsp (1), one per certificate for ocsp_multi (2; empty entries skipped). */
  responses: Uint8Array[];
}

export function decodeCertificateStatus(body: Uint8Array): Decoded<CertificateStatusMessage> {
  return decodeWith(() => {
    const r = new Reader(body, 0, body.length, ['certificate_status']);
    const statusType = r.u8('status_type');
    const responses: Uint8Array[] = [];
    if (statusType === 1) {
      responses.push(r.vec24('ocsp_response').rest().slice());
    } else if (statusType === 2) {
      const list = r.vec24('ocsp_response_list');
      while (!list.empty) {
        const one = list.vec24('ocsp_response').rest();
        if (one.length > 0) responses.push(one.slice());
      }
    } else {
      r.rest();
    }
    r.done('CertificateStatus');
    return { value: { statusType, responses }, size: body.length };
  });
}

// ---- ServerKeyExchange -------------------------------------------------------------------

export type ServerKeyExchange =
  | { kind: 'ecdhe'; curveType: number; namedGroup: number | null; publicKeyLength: number; signatureScheme: number | null; length: number }
  | { kind: 'dhe'; pBits: number; gLength: number; publicKeyLength: number; signatureScheme: number | null; length: number }
  | { kind: 'other'; keyExchange: string; length: number; raw: Uint8Array };

export interface ServerKeyExchangeContext {
  /** Key exchange of the negotiated suite (CipherSuiteInfo.keyExchange): ECDHE, DHE, DH, ECDHE_PSK, ... */
  keyExchange: string;
  /** Negotiated version: TLS 1.2 carries a SignatureScheme before the signature. */
  version: number;
  /** Authentication of the suite: "anon" means no signature follows. */
  authentication: string;
}

function readSignature(r: Reader, ctx: ServerKeyExchangeContext): number | null {
  if (ctx.authentication === 'anon' || ctx.authentication === 'PSK' || r.empty) return null;
  const scheme = ctx.version >= 0x0303 ? r.u16('signature_scheme') : null;
  r.vec16('signature');
  return scheme;
}

export function decodeServerKeyExchange(body: Uint8Array, ctx: ServerKeyExchangeContext): Decoded<ServerKeyExchange> {
  return decodeWith<ServerKeyExchange>(() => {
    const r = new Reader(body, 0, body.length, ['server_key_exchange']);
    const kx = ctx.keyExchange;
    if (kx === 'ECDHE_PSK' || kx === 'DHE_PSK') r.vec16('psk_identity_hint');
    if (kx === 'ECDHE' || kx === 'ECDHE_PSK' || (kx === 'ECDH' && ctx.authentication === 'anon')) {
      const curveType = r.u8('curve_type');
      if (curveType !== 3) {
        // explicit curves (1, 2): parameters not decoded, kept as a length
        r.rest();
        return { value: { kind: 'ecdhe', curveType, namedGroup: null, publicKeyLength: 0, signatureScheme: null, length: body.length }, size: body.length };
      }
      const namedGroup = r.u16('named_curve');
      const publicKeyLength = r.vec8('public').rest().length;
      const signatureScheme = readSignature(r, ctx);
      r.done('ServerKeyExchange');
      return { value: { kind: 'ecdhe', curveType, namedGroup, publicKeyLength, signatureScheme, length: body.length }, size: body.length };
    }
    if (kx === 'DHE' || kx === 'DHE_PSK' || (kx === 'DH' && ctx.authentication === 'anon')) {
      const p = r.vec16('dh_p').rest();
      const gLength = r.vec16('dh_g').rest().length;
      const publicKeyLength = r.vec16('dh_Ys').rest().length;
      const signatureScheme = readSignature(r, ctx);
      r.done('ServerKeyExchange');
      return { value: { kind: 'dhe', pBits: bitLength(p), gLength, publicKeyLength, signatureScheme, length: body.length }, size: body.length };
    }
    return { value: { kind: 'other', keyExchange: kx, length: body.length, raw: body.slice() }, size: body.length };
  });
}

// ---- CertificateRequest ------------------------------------------------------------------

export interface CertificateRequestMessage {
  form: 'tls12' | 'tls13';
  /** TLS ≤ 1.2: ClientCertificateType values. */
  certificateTypes: number[];
  /** TLS 1.2: supported_signature_algorithms; TLS 1.3: from the signature_algorithms extension. */
  signatureAlgorithms: number[];
  /** Number of acceptable CA distinguished names the server listed. */
  caNames: number;
  /** TLS 1.3 only. */
  requestContext?: Uint8Array;
  extensions?: Extension[];
  ext?: ExtensionSummary;
  issues?: HelloIssue[];
}

/** `version`: negotiated version (TLS 1.0/1.1 have no signature algorithms list; 1.3 has its own form). */
export function decodeCertificateRequest(body: Uint8Array, version: number, tls13: boolean): Decoded<CertificateRequestMessage> {
  return decodeWith<CertificateRequestMessage>(() => {
    const r = new Reader(body, 0, body.length, ['certificate_request']);
    if (tls13) {
      const requestContext = r.vec8('certificate_request_context').rest().slice();
      const d = decodeExtensionBlock(r.vec16('extensions'), 'certificate_request');
      r.done('CertificateRequest');
      return {
        value: {
          form: 'tls13', certificateTypes: [], signatureAlgorithms: d.summary.signatureAlgorithms ?? [],
          caNames: d.summary.certificateAuthorities?.count ?? 0, requestContext, extensions: d.extensions, ext: d.summary, issues: d.issues,
        },
        size: body.length,
      };
    }
    const types = r.vec8('certificate_types');
    const certificateTypes: number[] = [];
    while (!types.empty) certificateTypes.push(types.u8());
    const signatureAlgorithms: number[] = [];
    if (version >= 0x0303) {
      const sa = r.vec16('supported_signature_algorithms');
      if (sa.remaining % 2 !== 0) sa.fail('bad-value', 'odd signature algorithm list');
      while (!sa.empty) signatureAlgorithms.push(sa.u16());
    }
    const cas = r.vec16('certificate_authorities');
    let caNames = 0;
    while (!cas.empty) {
      cas.vec16('distinguished_name');
      caNames++;
    }
    r.done('CertificateRequest');
    return { value: { form: 'tls12', certificateTypes, signatureAlgorithms, caNames }, size: body.length };
  });
}

// ---- NewSessionTicket --------------------------------------------------------------------

export interface NewSessionTicketMessage {
  lifetime: number;
  ticketLength: number;
  /** TLS 1.3 only. */
  ageAdd?: number;
  nonceLength?: number;
  extensions?: Extension[];
}

export function decodeNewSessionTicket(body: Uint8Array, tls13: boolean): Decoded<NewSessionTicketMessage> {
  return decodeWith<NewSessionTicketMessage>(() => {
    const r = new Reader(body, 0, body.length, ['new_session_ticket']);
    const lifetime = r.u32('ticket_lifetime');
    if (!tls13) {
      const ticketLength = r.vec16('ticket').rest().length;
      r.done('NewSessionTicket');
      return { value: { lifetime, ticketLength }, size: body.length };
    }
    const ageAdd = r.u32('ticket_age_add');
    const nonceLength = r.vec8('ticket_nonce').rest().length;
    const ticketLength = r.vec16('ticket').rest().length;
    const extensions = decodeExtensionBlock(r.vec16('extensions'), 'new_session_ticket').extensions;
    r.done('NewSessionTicket');
    return { value: { lifetime, ticketLength, ageAdd, nonceLength, extensions }, size: body.length };
  });
}

// ---- Small bodies ---------------------------------------------------------------------

/** A message whose content does not matter here, only that it is well formed: its length. */
export interface OpaqueMessage {
  length: number;
}

/** ClientKeyExchange: kept as a length (its content depends on the key exchange). */
export function decodeClientKeyExchange(body: Uint8Array): Decoded<OpaqueMessage> {
  return decodeWith(() => {
    if (body.length === 0) new Reader(body, 0, 0, ['client_key_exchange']).fail('empty', 'empty ClientKeyExchange');
    return { value: { length: body.length }, size: body.length };
  });
}

/** ServerHelloDone must be empty. */
export function decodeServerHelloDone(body: Uint8Array): Decoded<OpaqueMessage> {
  return decodeWith(() => {
    new Reader(body, 0, body.length, ['server_hello_done']).done('ServerHelloDone');
    return { value: { length: 0 }, size: 0 };
  });
}

/** Finished: verify_data (12 bytes up to TLS 1.2, the hash length in 1.3). */
export function decodeFinished(body: Uint8Array): Decoded<OpaqueMessage> {
  return decodeWith(() => {
    if (body.length < 12) new Reader(body, 0, body.length, ['finished']).fail('truncated', `verify_data of ${body.length} bytes`);
    return { value: { length: body.length }, size: body.length };
  });
}

export interface AlertMessage {
  level: number;
  description: number;
}

/** A plaintext alert record body: exactly level + description. */
export function decodeAlert(fragment: Uint8Array): Decoded<AlertMessage> {
  return decodeWith(() => {
    const r = new Reader(fragment, 0, fragment.length, ['alert']);
    const level = r.u8('level');
    const description = r.u8('description');
    r.done('Alert');
    return { value: { level, description }, size: 2 };
  });
}

/** ChangeCipherSpec: a single byte 0x01. */
export function decodeChangeCipherSpec(fragment: Uint8Array): Decoded<{ value: number }> {
  return decodeWith(() => {
    const r = new Reader(fragment, 0, fragment.length, ['change_cipher_spec']);
    const v = r.u8('type');
    r.done('ChangeCipherSpec');
    if (v !== 1) r.fail('bad-value', `ChangeCipherSpec byte ${v} (1 expected)`);
    return { value: { value: v }, size: 1 };
  });
}

export interface EncryptedExtensionsMessage {
  extensions: number[];
  /** The ALPN protocol the server selected, if any. */
  alpn: string | null;
  /** The server acknowledged the SNI. */
  serverNameAcknowledged: boolean;
  /** QUIC: the server's transport parameters (raw). */
  quicTransportParameters: Uint8Array | null;
}

/** EncryptedExtensions (RFC 8446 §4.3.1): the server's extensions that need no cryptographic negotiation. */
export function decodeEncryptedExtensions(body: Uint8Array): Decoded<EncryptedExtensionsMessage> {
  return decodeWith<EncryptedExtensionsMessage>(() => {
    const r = new Reader(body, 0, body.length, ['encrypted_extensions']);
    const d = decodeExtensionBlock(r.vec16('extensions'), 'encrypted_extensions');
    r.done('encrypted_extensions');
    const tp = d.extensions.find((e) => e.type === 57);
    return {
      value: { extensions: d.extensions.map((e) => e.type), alpn: d.summary.alpn?.[0] ?? null, serverNameAcknowledged: d.summary.serverNameAcknowledged === true, quicTransportParameters: tp ? tp.data : null },
      size: body.length,
    };
  });
}
