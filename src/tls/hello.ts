// ClientHello and ServerHello (including HelloRetryRequest and the SSLv2-compatible
// ClientHello). Pure: body bytes in, typed hello out; never throws.
//
// The fixed part of a hello (version, random, session id, suites, compression) must be
// well formed or the hello is "invalid"; the extension block is decoded permissively
// (see extensions.ts), so a broken extension is an issue on an otherwise usable hello.

import { createHash } from 'node:crypto';
import { type Decoded, decodeWith, ok, Reader } from '../wire/reader.js';
import { Hash64 } from '../wire/hash64.js';
import { decodeExtensionBlock, type Extension, type ExtensionSummary, type HelloIssue } from './extensions.js';
import { isTls13Family, versionRank } from '../registry/tls-versions.js';
import { isGrease } from '../registry/tls-names.js';

export interface ClientHello {
  /** 'tls': a normal handshake message; 'sslv2': the SSLv2-compatible form. */
  form: 'tls' | 'sslv2';
  legacyVersion: number;
  /** 32 bytes (for SSLv2: the challenge, right-aligned and zero-padded). */
  random: Uint8Array;
  sessionId: Uint8Array;
  /** Cipher suites in wire order, GREASE included (SSLv2: the specs whose first byte is 0). */
  cipherSuites: number[];
  /** SSLv2 form only: every 3-byte CIPHER-SPEC, in wire order. */
  sslv2CipherSpecs?: number[];
  compressionMethods: number[];
  /** Extensions in wire order with raw bodies. */
  extensions: Extension[];
  /** What the known extensions said. */
  ext: ExtensionSummary;
  /** Oddities found while decoding (malformed or duplicate extensions, PSK not last...). */
  issues: HelloIssue[];
}

export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
  ext: ExtensionSummary;
  /** The special random of RFC 8446 §4.1.3 marks a HelloRetryRequest. */
  isHelloRetryRequest: boolean;
  /** The negotiated version: supported_versions when present (TLS 1.3), else legacy_version. */
  version: number;
  /** RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of the random. */
  downgradeSentinel: 'tls12' | 'tls11' | null;
  issues: HelloIssue[];
}

/** SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = new Uint8Array(createHash('sha256').update('HelloRetryRequest').digest());
const DOWNGRD = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44];

/** Session ids are at most 32 bytes (RFC 5246 §7.4.1.2). */
export const MAX_SESSION_ID = 32;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function readSessionId(r: Reader): Uint8Array {
  const sid = r.vec8('session_id');
  if (sid.remaining > MAX_SESSION_ID) sid.fail('too-large', `session id of ${sid.remaining} bytes (max ${MAX_SESSION_ID})`);
  return sid.rest().slice();
}

/** Read the optional extension block at the end of a hello (absent in SSL 3.0-era hellos). */
function readExtensions(r: Reader, where: 'client_hello' | 'server_hello' | 'hello_retry_request') {
  if (r.empty) return { extensions: [], summary: {}, issues: [] };
  const issues: HelloIssue[] = [];
  if (r.remaining < 2) {
    const rest = r.remaining;
    r.rest();
    return { extensions: [], summary: {}, issues: [{ code: 'tls.trailing_data', message: `${rest} stray byte(s) after the compression methods` }] };
  }
  const declared = r.u16('extensions_length');
  let block: Reader;
  if (declared > r.remaining) {
    issues.push({ code: 'tls.extensions_malformed', message: `extensions length ${declared} exceeds the ${r.remaining} bytes left in the hello` });
    block = r.sub(r.remaining, 'extensions');
  } else {
    block = r.sub(declared, 'extensions');
  }
  const d = decodeExtensionBlock(block, where);
  if (!r.empty) {
    issues.push({ code: 'tls.trailing_data', message: `${r.remaining} byte(s) after the extensions` });
    r.rest();
  }
  return { extensions: d.extensions, summary: d.summary, issues: [...issues, ...d.issues] };
}

// ---- identical hellos, decoded once ---------------------------------------------------
//
// A client sends the same ClientHello connection after connection but for its random, its
// session id, its key share values and its ticket. The bytes are skimmed (no decoding, no
// allocation) into a key that leaves exactly those out; a hello whose key was seen is the
// earlier decoding with this connection's random, session id and those extension bodies.
// Only hellos without decoding issues and without a PSK (whose binders differ) are shared.

const EXT_KEY_SHARE = 0x0033;
const EXT_SESSION_TICKET = 0x0023;
const EXT_PRE_SHARED_KEY = 0x0029;
const EXT_COOKIE = 0x002c;
const EXT_ECH = 0xfe0d;
/** Distinct hellos kept decoded (each kind); the tables are cleared when full. */
export const MAX_SHARED_HELLOS = 512;
const SHARED = new Map<number, ClientHello>();
const SHARE_KEYS = new WeakMap<ClientHello, number>();
const SHARED_SERVER = new Map<number, ServerHello>();

interface Skim {
  key: number;
  sessionIdLength: number;
  /** Bodies that differ per connection: [extension index, start, end] in the hello body. */
  volatile: number[];
}

/**
 * Hash an extension block from p to the end of the body, leaving out (and listing in
 * `volatile`) the bodies that differ per connection: key share values (a server's
 * HelloRetryRequest names only a group: kept), the ticket, the cookie, the ECH payload.
 * False when the framing does not add up exactly, or a client's PSK (its binders differ).
 */
function skimExtensions(b: Uint8Array, p: number, h: Hash64, volatile: number[], client: boolean): boolean {
  const n = b.length;
  if (p === n) return true;
  if (p + 2 > n || p + 2 + ((b[p]! << 8) | b[p + 1]!) !== n) return false;
  p += 2;
  for (let i = 0; p < n; i++) {
    if (i >= 64 || p + 4 > n) return false;
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    const start = p + 4;
    const end = start + len;
    if (end > n || (client && type === EXT_PRE_SHARED_KEY)) return false;
    h.num(type);
    h.num(len);
    if (type === EXT_KEY_SHARE && !(!client && len === 2)) {
      // groups and key lengths, not the keys
      let q = start;
      if (client) {
        if (len < 2 || 2 + ((b[start]! << 8) | b[start + 1]!) !== len) return false;
        q += 2;
      }
      while (q < end) {
        if (q + 4 > end) return false;
        const kl = (b[q + 2]! << 8) | b[q + 3]!;
        h.num((b[q]! << 8) | b[q + 1]!);
        h.num(kl);
        q += 4 + kl;
        if (q > end) return false;
        if (!client && q !== end) return false;
      }
      volatile.push(i, start, end);
    } else if (type === EXT_SESSION_TICKET || type === EXT_COOKIE) volatile.push(i, start, end);
    else if (type === EXT_ECH) {
      h.num(len > 0 ? b[start]! : -1);
      volatile.push(i, start, end);
    } else h.bytes(b, start, end);
    p = end;
  }
  return true;
}

/**
 * The share key of a hello body (client or server), or null when it must be decoded
 * afresh (framing that does not add up exactly, a PSK, more than 64 extensions): the hello
 * is then decoded in full, which says what is wrong. The random is left out; a server's
 * HelloRetryRequest marker and downgrade sentinel, which live in it, are kept.
 */
function skimHello(b: Uint8Array, client: boolean): Skim | null {
  const n = b.length;
  if (n < 35) return null;
  const h = new Hash64();
  h.num((b[0]! << 8) | b[1]!);
  if (!client) {
    h.num(equalBytes(b.subarray(2, 34), HELLO_RETRY_REQUEST_RANDOM) ? 1 : 0);
    h.bytes(b, 26, 34);
  }
  const sid = b[34]!;
  let p = 35 + sid;
  if (sid > MAX_SESSION_ID || p + 2 > n) return null;
  h.num(sid);
  if (client) {
    const cs = (b[p]! << 8) | b[p + 1]!;
    if (cs === 0 || cs % 2 !== 0 || p + 2 + cs + 1 > n) return null;
    h.bytes(b, p, p + 2 + cs);
    p += 2 + cs;
    const comp = b[p]!;
    if (p + 1 + comp > n) return null;
    h.bytes(b, p, p + 1 + comp);
    p += 1 + comp;
  } else {
    if (p + 3 > n) return null;
    h.bytes(b, p, p + 3); // cipher suite, compression method
    p += 3;
  }
  const volatile: number[] = [];
  if (!skimExtensions(b, p, h, volatile, client)) return null;
  return { key: h.digest(), sessionIdLength: sid, volatile };
}

/** A shared decoding with this connection's random, session id and per-connection extension bodies. */
function personalise<T extends { random: Uint8Array; sessionId: Uint8Array; extensions: Extension[] }>(seen: T, body: Uint8Array, skim: Skim): T {
  const extensions = seen.extensions.slice();
  const v = skim.volatile;
  for (let k = 0; k < v.length; k += 3) extensions[v[k]!] = { type: extensions[v[k]!]!.type, data: body.slice(v[k + 1], v[k + 2]) };
  return { ...seen, random: body.slice(2, 34), sessionId: body.slice(35, 35 + skim.sessionIdLength), extensions };
}

/** The share key a ClientHello was decoded under (undefined: decoded on its own). */
export function clientHelloShareKey(ch: ClientHello): number | undefined {
  return SHARE_KEYS.get(ch);
}

/**
 * Decode a ClientHello handshake body (without the 4-byte handshake header). Identical
 * hellos share their decoded lists and extension summary: treat a ClientHello as read-only.
 */
export function decodeClientHello(body: Uint8Array): Decoded<ClientHello> {
  const skim = skimHello(body, true);
  if (skim === null) return decodeClientHelloAlone(body);
  const seen = SHARED.get(skim.key);
  if (seen) {
    const ch = personalise(seen, body, skim);
    SHARE_KEYS.set(ch, skim.key);
    return ok(ch, body.length);
  }
  const d = decodeClientHelloAlone(body);
  if (d.status === 'ok' && d.value.issues.length === 0 && d.value.extensions.every((e) => !e.error)) {
    if (SHARED.size >= MAX_SHARED_HELLOS) SHARED.clear();
    SHARED.set(skim.key, d.value);
    SHARE_KEYS.set(d.value, skim.key);
  }
  return d;
}

/** Decode a ClientHello on its own, sharing nothing with earlier ones (the tests compare the two). */
export function decodeClientHelloAlone(body: Uint8Array): Decoded<ClientHello> {
  return decodeWith(() => {
    const r = new Reader(body, 0, body.length, ['client_hello']);
    const legacyVersion = r.u16('legacy_version');
    const random = r.bytes(32, 'random').slice();
    const sessionId = readSessionId(r);
    const suites = r.vec16('cipher_suites');
    if (suites.remaining % 2 !== 0) suites.fail('bad-value', `cipher_suites length ${suites.remaining} is odd`);
    const cipherSuites: number[] = [];
    while (!suites.empty) cipherSuites.push(suites.u16());
    const comp = r.vec8('compression_methods');
    const compressionMethods: number[] = [];
    while (!comp.empty) compressionMethods.push(comp.u8());
    const x = readExtensions(r, 'client_hello');
    const issues = [...x.issues];
    if (cipherSuites.length === 0) issues.push({ code: 'tls.no_cipher_suites', message: 'the ClientHello offers no cipher suites' });
    if (!compressionMethods.includes(0)) issues.push({ code: 'tls.no_null_compression', message: 'the ClientHello does not offer the null compression method' });
    const hello: ClientHello = {
      form: 'tls', legacyVersion, random, sessionId, cipherSuites, compressionMethods,
      extensions: x.extensions, ext: x.summary, issues,
    };
    return { value: hello, size: body.length };
  });
}

/** SSLv2 challenge length bounds (RFC 6101 Appendix E / SSL 2.0: 16 to 32 bytes). */
const SSLV2_CHALLENGE_MIN = 16;
const SSLV2_CHALLENGE_MAX = 32;

/**
 * Decode the body of an SSLv2-form record holding a CLIENT-HELLO (msg type 1, version,
 * three lengths, cipher specs, session id, challenge) into the ClientHello shape.
 */
export function decodeSslv2ClientHello(body: Uint8Array): Decoded<ClientHello> {
  return decodeWith(() => {
    const r = new Reader(body, 0, body.length, ['sslv2_client_hello']);
    const msgType = r.u8('msg_type');
    if (msgType !== 1) r.fail('bad-value', `SSLv2 message type ${msgType} is not CLIENT-HELLO (1)`);
    const legacyVersion = r.u16('version');
    const specLen = r.u16('cipher_spec_length');
    const sidLen = r.u16('session_id_length');
    const chLen = r.u16('challenge_length');
    if (specLen % 3 !== 0) r.fail('bad-value', `cipher spec length ${specLen} is not a multiple of 3`);
    if (sidLen !== 0 && sidLen !== 16) r.fail('bad-value', `SSLv2 session id length ${sidLen} (0 or 16 expected)`);
    if (chLen < SSLV2_CHALLENGE_MIN || chLen > SSLV2_CHALLENGE_MAX) r.fail('bad-value', `challenge length ${chLen} outside 16..32`);
    const specs = r.sub(specLen, 'cipher_specs');
    const sslv2CipherSpecs: number[] = [];
    const cipherSuites: number[] = [];
    while (!specs.empty) {
      const s = specs.u24();
      sslv2CipherSpecs.push(s);
      if (s >> 16 === 0) cipherSuites.push(s);
    }
    const sessionId = r.bytes(sidLen, 'session_id').slice();
    const challenge = r.bytes(chLen, 'challenge');
    r.done('SSLv2 ClientHello');
    const random = new Uint8Array(32);
    random.set(challenge, 32 - chLen);
    const hello: ClientHello = {
      form: 'sslv2', legacyVersion, random, sessionId, cipherSuites, sslv2CipherSpecs,
      compressionMethods: [0], extensions: [], ext: {}, issues: [],
    };
    return { value: hello, size: body.length };
  });
}

/**
 * Decode a ServerHello body; a HelloRetryRequest is recognised by its random. A server
 * answers the same way connection after connection: identical ServerHellos (but for the
 * random, session id and key share value) share their decoding, read-only.
 */
export function decodeServerHello(body: Uint8Array): Decoded<ServerHello> {
  const skim = skimHello(body, false);
  if (skim === null) return decodeServerHelloAlone(body);
  const seen = SHARED_SERVER.get(skim.key);
  if (seen) return ok(personalise(seen, body, skim), body.length);
  const d = decodeServerHelloAlone(body);
  if (d.status === 'ok' && d.value.issues.length === 0 && d.value.extensions.every((e) => !e.error)) {
    if (SHARED_SERVER.size >= MAX_SHARED_HELLOS) SHARED_SERVER.clear();
    SHARED_SERVER.set(skim.key, d.value);
  }
  return d;
}

/** Decode a ServerHello on its own, sharing nothing with earlier ones (the tests compare the two). */
export function decodeServerHelloAlone(body: Uint8Array): Decoded<ServerHello> {
  return decodeWith(() => {
    const r = new Reader(body, 0, body.length, ['server_hello']);
    const legacyVersion = r.u16('legacy_version');
    const random = r.bytes(32, 'random').slice();
    const sessionId = readSessionId(r);
    const cipherSuite = r.u16('cipher_suite');
    const compressionMethod = r.u8('compression_method');
    const isHelloRetryRequest = equalBytes(random, HELLO_RETRY_REQUEST_RANDOM);
    const x = readExtensions(r, isHelloRetryRequest ? 'hello_retry_request' : 'server_hello');
    const version = x.summary.selectedVersion ?? legacyVersion;
    const issues = [...x.issues];
    let downgradeSentinel: ServerHello['downgradeSentinel'] = null;
    if (DOWNGRD.every((b, i) => random[24 + i] === b)) {
      const last = random[31];
      if (last === 0x01) downgradeSentinel = 'tls12';
      else if (last === 0x00) downgradeSentinel = 'tls11';
    }
    // The sentinel alone is no problem (a TLS 1.3 server talking to a TLS 1.2 client sets
    // it): the diagnosis layer judges it against what the client offered.
    if (x.summary.selectedVersion !== undefined && !isTls13Family(x.summary.selectedVersion)) {
      issues.push({ code: 'tls.bad_selected_version', message: `supported_versions in the ServerHello selects ${x.summary.selectedVersion.toString(16)}, which is not TLS 1.3` });
    }
    if (compressionMethod !== 0) issues.push({ code: 'tls.compression_selected', message: `the server selected compression method ${compressionMethod} (CRIME-prone)` });
    const hello: ServerHello = {
      legacyVersion, random, sessionId, cipherSuite, compressionMethod,
      extensions: x.extensions, ext: x.summary, isHelloRetryRequest, version, downgradeSentinel, issues,
    };
    return { value: hello, size: body.length };
  });
}

/**
 * The highest version a ClientHello offers: the top of supported_versions (GREASE
 * ignored) when present, else its legacy version.
 */
export function clientMaxVersion(ch: ClientHello): number {
  const sv = (ch.ext.supportedVersions ?? []).filter((v) => !isGrease(v));
  if (sv.length === 0) return ch.legacyVersion;
  return sv.reduce((a, b) => (versionRank(b) > versionRank(a) ? b : a));
}
