// Hello extensions: the list is kept in wire order with each body's raw bytes; known
// bodies are decoded by a table (type → decoder) into one summary object. A malformed
// body is an issue on that extension (raw bytes kept) and never makes the hello
// unusable: decode permissively, diagnose strictly. Duplicates and a pre_shared_key
// that is not last are issues too.

import { DecodeError, type DecodeErrorInfo, Reader } from '../wire/reader.js';
import { wireString } from '../wire/text.js';
import { EXT, extensionName } from '../registry/tls-extensions.js';

/** Where an extension block was found: decoders differ between client and server forms. */
export type ExtensionContext = 'client_hello' | 'server_hello' | 'hello_retry_request' | 'encrypted_extensions' | 'certificate_request' | 'new_session_ticket' | 'certificate';

/** Most extensions a block may hold before the rest is ignored (real hellos carry < 30). */
export const MAX_EXTENSIONS = 256;

export interface Extension {
  type: number;
  /** The body, copied from the wire. */
  data: Uint8Array;
  /** The body could not be decoded (kept raw). */
  error?: DecodeErrorInfo;
}

/** A problem found while decoding a hello (becomes a finding with frame numbers). */
export interface HelloIssue {
  /** Stable code, e.g. "tls.ext_malformed", "tls.ext_duplicate", "tls.psk_not_last". */
  code: string;
  message: string;
  extension?: number;
  error?: DecodeErrorInfo;
}

export interface KeyShareEntry {
  group: number;
  /** Length of the key_exchange bytes. */
  keyLength: number;
}

/**
 * What the known extensions said. Fields are absent when the extension was absent (or
 * malformed); list fields keep wire order and GREASE values.
 */
export interface ExtensionSummary {
  /** First host_name of server_name (ClientHello), decoded as UTF-8. */
  serverName?: string;
  /** All server_name entries: name type and raw length. */
  serverNameEntries?: { type: number; name: string }[];
  /** The server acknowledged SNI (empty server_name in ServerHello / EncryptedExtensions). */
  serverNameAcknowledged?: boolean;
  maxFragmentLength?: number;
  /** status_request: the status type asked for (1 = ocsp); in a server hello, true that stapling is on. */
  statusRequest?: { statusType: number | null };
  supportedGroups?: number[];
  ecPointFormats?: number[];
  signatureAlgorithms?: number[];
  signatureAlgorithmsCert?: number[];
  heartbeatMode?: number;
  /** ALPN protocol names (ClientHello: offered; server: the one selected). */
  alpn?: string[];
  /** The ALPN names as raw bytes (JA4 needs the bytes of the first one). */
  alpnRaw?: Uint8Array[];
  signedCertificateTimestamp?: { length: number };
  /** padding: length, and whether every byte was zero. */
  padding?: { length: number; allZero: boolean };
  encryptThenMac?: boolean;
  extendedMasterSecret?: boolean;
  compressCertificate?: number[];
  recordSizeLimit?: number;
  /** session_ticket: length of the ticket offered (0 = asking for one); in a server hello, present. */
  sessionTicket?: { length: number };
  /** ClientHello pre_shared_key: identities offered; ServerHello: the selected identity. */
  preSharedKey?: { identities: number; identityLengths: number[]; binders: number } | { selectedIdentity: number };
  earlyData?: { maxEarlyDataSize: number | null };
  /** ClientHello: versions offered; ServerHello/HRR: see selectedVersion. */
  supportedVersions?: number[];
  selectedVersion?: number;
  cookie?: { length: number };
  pskKeyExchangeModes?: number[];
  certificateAuthorities?: { count: number };
  postHandshakeAuth?: boolean;
  /** ClientHello key shares. */
  keyShares?: KeyShareEntry[];
  /** ServerHello key share. */
  serverKeyShare?: KeyShareEntry;
  /** HelloRetryRequest: the group the server asks the client to use. */
  hrrSelectedGroup?: number;
  quicTransportParameters?: { length: number };
  /** encrypted_client_hello: outer (0) / inner (1) ClientHello, or server retry configs. */
  encryptedClientHello?: { type: 'outer' | 'inner' | 'retry_configs' | 'unknown'; length: number };
  /** renegotiation_info: length of renegotiated_connection (0 on an initial handshake). */
  renegotiationInfo?: { length: number };
}

type ExtDecoder = (r: Reader, out: ExtensionSummary, where: ExtensionContext) => void;

const isClient = (w: ExtensionContext): boolean => w === 'client_hello';

function u16List(r: Reader, name: string, width: 8 | 16 = 16): number[] {
  const v = width === 16 ? r.vec16(name) : r.vec8(name);
  if (v.remaining % 2 !== 0) v.fail('bad-value', `${name}: odd length ${v.remaining}`);
  const out: number[] = [];
  while (!v.empty) out.push(v.u16());
  return out;
}

function u8List(r: Reader, name: string): number[] {
  const v = r.vec8(name);
  const out: number[] = [];
  while (!v.empty) out.push(v.u8());
  return out;
}

const DECODERS: Readonly<Record<number, ExtDecoder>> = {
  [EXT.server_name]: (r, out, where) => {
    if (r.empty) {
      if (isClient(where)) r.fail('empty', 'server_name list missing');
      out.serverNameAcknowledged = true;
      return;
    }
    const list = r.vec16('server_name_list');
    if (list.empty) list.fail('empty', 'server_name list is empty');
    const entries: { type: number; name: string }[] = [];
    while (!list.empty) {
      const type = list.u8('name_type');
      const name = wireString(list.vec16('host_name').rest());
      entries.push({ type, name });
    }
    out.serverNameEntries = entries;
    const host = entries.find((e) => e.type === 0);
    if (host) out.serverName = host.name;
  },
  [EXT.max_fragment_length]: (r, out) => {
    out.maxFragmentLength = r.u8('max_fragment_length');
  },
  [EXT.status_request]: (r, out, where) => {
    if (r.empty && !isClient(where)) {
      out.statusRequest = { statusType: null };
      return;
    }
    const statusType = r.u8('status_type');
    if (where === 'certificate') {
      // TLS 1.3 CertificateEntry extension: the OCSP response itself.
      r.vec24('ocsp_response');
    } else if (statusType === 1) {
      r.vec16('responder_id_list');
      r.vec16('request_extensions');
    } else {
      r.rest();
    }
    out.statusRequest = { statusType };
  },
  [EXT.supported_groups]: (r, out) => {
    out.supportedGroups = u16List(r, 'named_group_list');
  },
  [EXT.ec_point_formats]: (r, out) => {
    out.ecPointFormats = u8List(r, 'ec_point_format_list');
  },
  [EXT.signature_algorithms]: (r, out) => {
    out.signatureAlgorithms = u16List(r, 'supported_signature_algorithms');
  },
  [EXT.signature_algorithms_cert]: (r, out) => {
    out.signatureAlgorithmsCert = u16List(r, 'supported_signature_algorithms_cert');
  },
  [EXT.heartbeat]: (r, out) => {
    out.heartbeatMode = r.u8('heartbeat_mode');
  },
  [EXT.alpn]: (r, out) => {
    const list = r.vec16('protocol_name_list');
    const raw: Uint8Array[] = [];
    while (!list.empty) {
      const name = list.vec8('protocol_name').rest();
      if (name.length === 0) list.fail('empty', 'empty ALPN protocol name');
      raw.push(name.slice());
    }
    out.alpnRaw = raw;
    out.alpn = raw.map((b) => wireString(b));
  },
  [EXT.signed_certificate_timestamp]: (r, out) => {
    out.signedCertificateTimestamp = { length: r.rest().length };
  },
  [EXT.padding]: (r, out) => {
    const b = r.rest();
    out.padding = { length: b.length, allZero: b.every((x) => x === 0) };
  },
  [EXT.encrypt_then_mac]: (_r, out) => {
    out.encryptThenMac = true;
  },
  [EXT.extended_master_secret]: (_r, out) => {
    out.extendedMasterSecret = true;
  },
  [EXT.compress_certificate]: (r, out) => {
    out.compressCertificate = u16List(r, 'algorithms', 8);
  },
  [EXT.record_size_limit]: (r, out) => {
    out.recordSizeLimit = r.u16('record_size_limit');
  },
  [EXT.session_ticket]: (r, out) => {
    out.sessionTicket = { length: r.rest().length };
  },
  [EXT.pre_shared_key]: (r, out, where) => {
    if (!isClient(where)) {
      out.preSharedKey = { selectedIdentity: r.u16('selected_identity') };
      return;
    }
    const ids = r.vec16('identities');
    const identityLengths: number[] = [];
    while (!ids.empty) {
      identityLengths.push(ids.vec16('identity').remaining);
      ids.u32('obfuscated_ticket_age');
    }
    const binders = r.vec16('binders');
    let n = 0;
    while (!binders.empty) {
      binders.vec8('binder');
      n++;
    }
    if (identityLengths.length === 0) r.fail('empty', 'no PSK identities');
    out.preSharedKey = { identities: identityLengths.length, identityLengths, binders: n };
  },
  [EXT.early_data]: (r, out, where) => {
    out.earlyData = { maxEarlyDataSize: where === 'new_session_ticket' ? r.u32('max_early_data_size') : null };
  },
  [EXT.supported_versions]: (r, out, where) => {
    if (isClient(where)) out.supportedVersions = u16List(r, 'versions', 8);
    else out.selectedVersion = r.u16('selected_version');
  },
  [EXT.cookie]: (r, out) => {
    out.cookie = { length: r.vec16('cookie').remaining };
    r.rest();
  },
  [EXT.psk_key_exchange_modes]: (r, out) => {
    out.pskKeyExchangeModes = u8List(r, 'ke_modes');
  },
  [EXT.certificate_authorities]: (r, out) => {
    const list = r.vec16('authorities');
    let count = 0;
    while (!list.empty) {
      list.vec16('distinguished_name');
      count++;
    }
    out.certificateAuthorities = { count };
  },
  [EXT.post_handshake_auth]: (_r, out) => {
    out.postHandshakeAuth = true;
  },
  [EXT.key_share]: (r, out, where) => {
    if (where === 'hello_retry_request') {
      out.hrrSelectedGroup = r.u16('selected_group');
      return;
    }
    if (where === 'server_hello') {
      const group = r.u16('group');
      out.serverKeyShare = { group, keyLength: r.vec16('key_exchange').rest().length };
      return;
    }
    const list = r.vec16('client_shares');
    const shares: KeyShareEntry[] = [];
    while (!list.empty) {
      const group = list.u16('group');
      shares.push({ group, keyLength: list.vec16('key_exchange').rest().length });
    }
    out.keyShares = shares;
  },
  [EXT.quic_transport_parameters]: (r, out) => {
    out.quicTransportParameters = { length: r.rest().length };
  },
  [EXT.encrypted_client_hello]: (r, out, where) => {
    const length = r.remaining;
    if (isClient(where)) {
      const t = r.u8('ech_client_hello_type');
      out.encryptedClientHello = { type: t === 0 ? 'outer' : t === 1 ? 'inner' : 'unknown', length };
    } else {
      out.encryptedClientHello = { type: 'retry_configs', length };
    }
    r.rest();
  },
  [EXT.renegotiation_info]: (r, out) => {
    out.renegotiationInfo = { length: r.vec8('renegotiated_connection').remaining };
    r.rest();
  },
};

/** "ext:NAME" path names for error messages, made once per extension type. */
const EXT_PATH_NAMES = new Map<number, string>();
function extPathName(type: number): string {
  let n = EXT_PATH_NAMES.get(type);
  if (n === undefined) {
    n = `ext:${extensionName(type)}`;
    if (EXT_PATH_NAMES.size < 1024) EXT_PATH_NAMES.set(type, n);
  }
  return n;
}

export interface DecodedExtensions {
  extensions: Extension[];
  summary: ExtensionSummary;
  issues: HelloIssue[];
}

/**
 * Decode an extensions block (the bytes inside the u16 length) permissively. The list
 * framing itself may be broken: what was read before the break is kept and the break
 * becomes an issue.
 */
export function decodeExtensionBlock(block: Reader, where: ExtensionContext): DecodedExtensions {
  const extensions: Extension[] = [];
  const summary: ExtensionSummary = {};
  const issues: HelloIssue[] = [];
  const seen = new Set<number>();
  try {
    while (!block.empty) {
      if (extensions.length >= MAX_EXTENSIONS) {
        issues.push({ code: 'tls.ext_too_many', message: `more than ${MAX_EXTENSIONS} extensions: the rest was ignored` });
        break;
      }
      const type = block.u16('extension_type');
      const body = block.vec16(extPathName(type));
      const ext: Extension = { type, data: body.buf.slice(body.absoluteOffset, body.absoluteOffset + body.remaining) };
      extensions.push(ext);
      if (seen.has(type)) {
        issues.push({ code: 'tls.ext_duplicate', message: `extension ${extensionName(type)} (${type}) appears more than once`, extension: type });
        continue;
      }
      seen.add(type);
      const dec = DECODERS[type];
      if (!dec) continue;
      try {
        dec(body, summary, where);
        body.done(extensionName(type));
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        ext.error = e.toInfo();
        issues.push({ code: 'tls.ext_malformed', message: `malformed ${extensionName(type)} extension: ${e.message}`, extension: type, error: ext.error });
      }
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    issues.push({ code: 'tls.extensions_malformed', message: `extension list is malformed: ${e.message}`, error: e.toInfo() });
  }
  if (where === 'client_hello') {
    const psk = extensions.findIndex((x) => x.type === EXT.pre_shared_key);
    if (psk >= 0 && psk !== extensions.length - 1) {
      issues.push({ code: 'tls.psk_not_last', message: 'pre_shared_key is not the last extension of the ClientHello (RFC 8446 §4.2.11)', extension: EXT.pre_shared_key });
    }
  }
  if (summary.padding && !summary.padding.allZero) {
    issues.push({ code: 'tls.padding_nonzero', message: 'padding extension contains non-zero bytes', extension: EXT.padding });
  }
  return { extensions, summary, issues };
}
