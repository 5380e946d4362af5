// Algorithm negotiation (RFC 4253 §7.1) as a pure function of the two KEXINITs, in the
// manner of Go's x/crypto/ssh findAgreedAlgorithms: for each list, the first client
// algorithm the server also offers. Additionally, per the RFC, the key exchange must be
// usable with a common host key algorithm (signature-capable, or encryption-capable for the
// RSA key exchange). The MAC does not matter for AEAD ciphers that carry their own tag.
// Marker names (ext-info-*, kex-strict-*) are not algorithms and never negotiated.

import { STRICT_KEX_CLIENT, STRICT_KEX_SERVER, isMarkerName, sshAlgorithm } from '../registry/ssh-algorithms.js';
import { kexInitIdentity, type KexInit } from './kexinit.js';

export const NEGOTIATED_FIELDS = [
  'kex',
  'hostKey',
  'cipherC2S',
  'cipherS2C',
  'macC2S',
  'macS2C',
  'compressionC2S',
  'compressionS2C',
] as const;
export type NegotiatedField = (typeof NEGOTIATED_FIELDS)[number];

/** The chosen algorithm per list, or null where nothing matched (or the MAC is implicit). */
export type Negotiated = Record<NegotiatedField, string | null>;

/** Which KEXINIT list each negotiated field comes from. */
export const FIELD_LIST: Readonly<Record<NegotiatedField, keyof KexInit>> = {
  kex: 'kexAlgorithms',
  hostKey: 'serverHostKeyAlgorithms',
  cipherC2S: 'encryptionC2S',
  cipherS2C: 'encryptionS2C',
  macC2S: 'macC2S',
  macS2C: 'macS2C',
  compressionC2S: 'compressionC2S',
  compressionS2C: 'compressionS2C',
};

export interface NegotiationFailure {
  list: NegotiatedField;
  /** no-common: no name in both lists. hostkey-incompatible: common kex names exist, but
   *  none can work with a common host key algorithm (RFC 4253 §7.1). */
  reason: 'no-common' | 'hostkey-incompatible';
  clientOffer: string[];
  serverOffer: string[];
}

/** first_kex_packet_follows outcome for one side: no guess, a right one, or a wrong one (ignored). */
export type GuessOutcome = 'none' | 'right' | 'wrong';

export interface NegotiationResult {
  ok: boolean;
  negotiated: Negotiated;
  /** The first list (in the order of NEGOTIATED_FIELDS) with no acceptable match, or null. */
  failedList: NegotiatedField | null;
  failure: NegotiationFailure | null;
  /** The MAC is not used because the cipher is AEAD (chacha20-poly1305, aes-gcm@openssh.com). */
  macImplicit: { c2s: boolean; s2c: boolean };
  /** Strict key exchange (Terrapin countermeasure): offered by each side, active when both. */
  strictKex: { client: boolean; server: boolean; active: boolean };
  /** RFC 8308 extension negotiation offered. */
  extInfo: { client: boolean; server: boolean };
  /** Guessed key-exchange packets: a wrong guess means the guessed packet is ignored. */
  guess: { client: GuessOutcome; server: GuessOutcome };
  /**
   * CVE-2023-48795 (Terrapin): the chosen cipher/MAC is attackable (chacha20-poly1305, or a
   * CBC cipher with an EtM MAC) and strict key exchange is not active on both sides.
   */
  terrapinExposed: boolean;
}

const algorithms = (list: readonly string[]): string[] => list.filter((n) => n !== '' && !isMarkerName(n));

function firstCommon(client: readonly string[], server: readonly string[], accept: (n: string) => boolean = () => true): string | null {
  const s = new Set(server);
  for (const n of client) if (s.has(n) && accept(n)) return n;
  return null;
}

function hostKeyFits(hostKey: string, needs: 'signature' | 'encryption' | 'none'): boolean {
  if (needs === 'none') return true;
  const info = sshAlgorithm('hostkey', hostKey);
  return needs === 'signature' ? info.canSign === true : info.canEncrypt === true;
}

/** Results for KEXINIT pairs seen before, by their shared decodings (kexInitIdentity). */
const MEMO = new WeakMap<object, WeakMap<object, NegotiationResult>>();

/**
 * Negotiate from the client's and the server's KEXINIT (RFC 4253 §7.1). The result is
 * shared by identical pairs: read-only.
 */
export function negotiate(client: KexInit, server: KexInit): NegotiationResult {
  const c = kexInitIdentity(client);
  let byServer = MEMO.get(c);
  if (!byServer) MEMO.set(c, (byServer = new WeakMap()));
  const s = kexInitIdentity(server);
  let result = byServer.get(s);
  if (!result) byServer.set(s, (result = negotiateFresh(client, server)));
  return result;
}

function negotiateFresh(client: KexInit, server: KexInit): NegotiationResult {
  const negotiated = Object.fromEntries(NEGOTIATED_FIELDS.map((f) => [f, null])) as Negotiated;
  const failures: NegotiationFailure[] = [];
  const offers = (f: NegotiatedField): [string[], string[]] => {
    const key = FIELD_LIST[f];
    return [algorithms(client[key] as string[]), algorithms(server[key] as string[])];
  };
  const fail = (list: NegotiatedField, reason: NegotiationFailure['reason']): void => {
    const [clientOffer, serverOffer] = offers(list);
    failures.push({ list, reason, clientOffer, serverOffer });
  };

  // Key exchange and host key together.
  const [ck, sk] = offers('kex');
  const [ch, sh] = offers('hostKey');
  const commonHostKeys = ch.filter((h) => sh.includes(h));
  const needs = (kex: string): 'signature' | 'encryption' | 'none' => sshAlgorithm('kex', kex).needsHostKey ?? 'signature';
  negotiated.kex = firstCommon(ck, sk, (k) => commonHostKeys.some((h) => hostKeyFits(h, needs(k))));
  if (negotiated.kex === null) {
    if (firstCommon(ck, sk) === null) fail('kex', 'no-common');
    else if (commonHostKeys.length === 0) fail('hostKey', 'no-common');
    else fail('kex', 'hostkey-incompatible');
  }
  const kexNeeds = negotiated.kex === null ? 'none' : needs(negotiated.kex);
  negotiated.hostKey = firstCommon(ch, sh, (h) => hostKeyFits(h, kexNeeds));
  if (negotiated.hostKey === null && negotiated.kex !== null && kexNeeds !== 'none') fail('hostKey', 'no-common');

  for (const cipherField of ['cipherC2S', 'cipherS2C'] as const) {
    const [cc, sc] = offers(cipherField);
    negotiated[cipherField] = firstCommon(cc, sc);
    if (negotiated[cipherField] === null) fail(cipherField, 'no-common');
  }
  const implicit = (cipher: string | null): boolean => cipher !== null && sshAlgorithm('cipher', cipher).macIgnored === true;
  const macImplicit = { c2s: implicit(negotiated.cipherC2S), s2c: implicit(negotiated.cipherS2C) };
  for (const [macField, isImplicit] of [['macC2S', macImplicit.c2s], ['macS2C', macImplicit.s2c]] as const) {
    if (isImplicit) continue;
    const [cm, sm] = offers(macField);
    negotiated[macField] = firstCommon(cm, sm);
    if (negotiated[macField] === null) fail(macField, 'no-common');
  }
  for (const field of ['compressionC2S', 'compressionS2C'] as const) {
    const [cc, sc] = offers(field);
    negotiated[field] = firstCommon(cc, sc);
    if (negotiated[field] === null) fail(field, 'no-common');
  }

  const order = (f: NegotiatedField): number => NEGOTIATED_FIELDS.indexOf(f);
  failures.sort((a, b) => order(a.list) - order(b.list));
  const failure = failures[0] ?? null;
  const ok = failure === null;

  const strictKex = {
    client: client.kexAlgorithms.includes(STRICT_KEX_CLIENT),
    server: server.kexAlgorithms.includes(STRICT_KEX_SERVER),
    active: false,
  };
  strictKex.active = strictKex.client && strictKex.server;

  // RFC 4253 §7: a guess is wrong when the preferred kex or host key algorithms differ, or
  // when negotiation fails altogether.
  const guessRight = ok && ck[0] === sk[0] && ch[0] === sh[0];
  const guess = {
    client: client.firstKexPacketFollows ? (guessRight ? 'right' : 'wrong') : 'none',
    server: server.firstKexPacketFollows ? (guessRight ? 'right' : 'wrong') : 'none',
  } as const;

  const attackable = (cipher: string | null, mac: string | null): boolean => {
    if (cipher === null) return false;
    const c = sshAlgorithm('cipher', cipher);
    if (cipher === 'chacha20-poly1305@openssh.com') return true;
    return c.cbc === true && mac !== null && sshAlgorithm('mac', mac).etm === true;
  };
  const terrapinExposed =
    !strictKex.active &&
    (attackable(negotiated.cipherC2S, negotiated.macC2S) || attackable(negotiated.cipherS2C, negotiated.macS2C));

  return {
    ok,
    negotiated,
    failedList: failure?.list ?? null,
    failure,
    macImplicit,
    strictKex,
    extInfo: { client: client.kexAlgorithms.includes('ext-info-c'), server: server.kexAlgorithms.includes('ext-info-s') },
    guess,
    terrapinExposed,
  };
}
