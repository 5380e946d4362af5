// Decoding of the cleartext transport messages (payloads framed by packet.ts): KEXINIT,
// NEWKEYS, DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED, EXT_INFO, SERVICE_REQUEST/ACCEPT, and the
// key-exchange messages 30..34, whose meaning depends on the negotiated key exchange family
// (RFC 4253 §8 DH, RFC 4419 group exchange, RFC 5656 ECDH, the PQ hybrids, RFC 4432 RSA).

import { type Decoded, Reader, decodeWith } from '../wire/reader.js';
import { latin1, wireString } from '../wire/text.js';
import { type KexFamily, SSH_MSG, disconnectReasonName, sshMessageName } from '../registry/ssh-messages.js';
import { type KexInit, decodeKexInit } from './kexinit.js';
import { mpintBits } from './hostkey.js';

/** Longest text (DISCONNECT description, DEBUG message) kept; the rest is cut. */
export const MAX_MESSAGE_TEXT = 1024;
/** EXT_INFO: extensions kept, and bytes of each value kept as text. */
export const MAX_EXTENSIONS = 64;
export const MAX_EXTENSION_VALUE = 2048;

export interface DisconnectMsg {
  kind: 'disconnect';
  reasonCode: number;
  /** "KEY_EXCHANGE_FAILED(3)". */
  reasonName: string;
  description: string;
  language: string;
}

/** A reply that carries the server's host key: KEXDH_REPLY, KEX_ECDH_REPLY, GEX_REPLY, hybrid reply. */
export interface KexReplyMsg {
  kind: 'kex_reply';
  hostKeyBlob: Uint8Array;
  /** Length of f / Q_S / the KEM ciphertext + share. */
  serverPublicLength: number;
  /** The algorithm named inside the signature blob ("rsa-sha2-512", "ssh-ed25519"...). */
  signatureAlgorithm: string;
}

export type SshMessage =
  | { kind: 'kexinit'; kexinit: KexInit }
  | { kind: 'newkeys' }
  | DisconnectMsg
  | { kind: 'ignore'; dataLength: number }
  | { kind: 'unimplemented'; sequence: number }
  | { kind: 'debug'; alwaysDisplay: boolean; message: string; language: string }
  | { kind: 'service_request' | 'service_accept'; service: string }
  | { kind: 'ext_info'; extensions: { name: string; value: string }[] }
  /** Client's KEXDH_INIT / KEX_ECDH_INIT / GEX_INIT / hybrid init: the length of e / Q_C. */
  | { kind: 'kex_init'; publicLength: number }
  | KexReplyMsg
  | { kind: 'gex_request'; min: number; preferred: number; max: number }
  | { kind: 'gex_request_old'; preferred: number }
  | { kind: 'gex_group'; primeBits: number; generator: string }
  | { kind: 'rsa_pubkey'; hostKeyBlob: Uint8Array; transientKeyLength: number }
  | { kind: 'rsa_secret'; length: number }
  | { kind: 'rsa_done'; signatureAlgorithm: string }
  /** Anything else (user-auth and connection messages in clear, GSS, unknown numbers). */
  | { kind: 'other'; length: number };

export interface DecodedMessage {
  type: number;
  /** Display name, reading 30..49 by the family given. */
  name: string;
  msg: SshMessage;
}

/** Cut wire text to MAX_MESSAGE_TEXT and decode it as UTF-8. */
function text(r: Reader, what: string): string {
  const b = r.vec32(what).rest();
  return wireString(b.subarray(0, MAX_MESSAGE_TEXT));
}

function signatureAlgorithm(sig: Reader): string {
  return latin1(sig.vec32('signature algorithm').rest());
}

/** The 30..34 messages of a family. */
function decodeKex(type: number, r: Reader, family: KexFamily): SshMessage {
  const reply = (): KexReplyMsg => {
    const hostKeyBlob = r.vec32('K_S').rest();
    const serverPublicLength = r.vec32('server public').remaining;
    const sig = r.vec32('signature');
    const signatureAlgorithm_ = signatureAlgorithm(sig);
    return { kind: 'kex_reply', hostKeyBlob, serverPublicLength, signatureAlgorithm: signatureAlgorithm_ };
  };
  switch (family) {
    case 'dh':
    case 'ecdh':
    case 'hybrid':
    case 'unknown':
      if (type === 30) return { kind: 'kex_init', publicLength: r.vec32('client public').remaining };
      if (type === 31) return reply();
      break;
    case 'gex':
      if (type === 34) return { kind: 'gex_request', min: r.u32('min'), preferred: r.u32('n'), max: r.u32('max') };
      if (type === 30) return { kind: 'gex_request_old', preferred: r.u32('n') };
      if (type === 31) {
        const p = r.vec32('p').rest();
        const g = r.vec32('g').rest();
        return { kind: 'gex_group', primeBits: mpintBits(p), generator: BigInt('0x' + (Buffer.from(g).toString('hex') || '0')).toString() };
      }
      if (type === 32) return { kind: 'kex_init', publicLength: r.vec32('e').remaining };
      if (type === 33) return reply();
      break;
    case 'rsa':
      if (type === 30) return { kind: 'rsa_pubkey', hostKeyBlob: r.vec32('K_S').rest(), transientKeyLength: r.vec32('K_T').remaining };
      if (type === 31) return { kind: 'rsa_secret', length: r.vec32('encrypted secret').remaining };
      if (type === 32) return { kind: 'rsa_done', signatureAlgorithm: signatureAlgorithm(r.vec32('signature')) };
      break;
    case 'gss':
      break;
  }
  r.rest();
  return { kind: 'other', length: r.offset - 1 };
}

/**
 * Decode a cleartext message payload. `family` is the negotiated key exchange's family
 * ('unknown' when no negotiation is known: 30/31 are then read as the DH/ECDH layout).
 */
export function decodeMessage(payload: Uint8Array, family: KexFamily = 'unknown'): Decoded<DecodedMessage> {
  if (payload[0] === SSH_MSG.KEXINIT) {
    const k = decodeKexInit(payload);
    if (k.status !== 'ok') return k;
    return { status: 'ok', value: { type: 20, name: 'KEXINIT', msg: { kind: 'kexinit', kexinit: k.value } }, size: payload.length };
  }
  return decodeWith(() => {
    const r = new Reader(payload, 0, payload.length, ['message']);
    const type = r.u8('type');
    const name = sshMessageName(type, family);
    let msg: SshMessage;
    switch (type) {
      case SSH_MSG.DISCONNECT: {
        const reasonCode = r.u32('reason code');
        msg = { kind: 'disconnect', reasonCode, reasonName: disconnectReasonName(reasonCode), description: text(r, 'description'), language: '' };
        // Some peers leave out the language tag; it is optional in practice.
        if (!r.empty) msg.language = text(r, 'language');
        break;
      }
      case SSH_MSG.IGNORE:
        msg = { kind: 'ignore', dataLength: r.empty ? 0 : r.vec32('data').remaining };
        break;
      case SSH_MSG.UNIMPLEMENTED:
        msg = { kind: 'unimplemented', sequence: r.u32('sequence number') };
        break;
      case SSH_MSG.DEBUG: {
        const alwaysDisplay = r.u8('always_display') !== 0;
        const message = text(r, 'message');
        msg = { kind: 'debug', alwaysDisplay, message, language: r.empty ? '' : text(r, 'language') };
        break;
      }
      case SSH_MSG.SERVICE_REQUEST:
      case SSH_MSG.SERVICE_ACCEPT:
        msg = { kind: type === SSH_MSG.SERVICE_REQUEST ? 'service_request' : 'service_accept', service: latin1(r.vec32('service').rest()) };
        break;
      case SSH_MSG.EXT_INFO: {
        const n = r.u32('nr-extensions');
        const extensions: { name: string; value: string }[] = [];
        for (let i = 0; i < n && !r.empty; i++) {
          const extName = latin1(r.vec32('extension-name').rest());
          const value = r.vec32('extension-value').rest();
          if (extensions.length < MAX_EXTENSIONS) extensions.push({ name: extName, value: latin1(value.subarray(0, MAX_EXTENSION_VALUE)) });
        }
        msg = { kind: 'ext_info', extensions };
        break;
      }
      case SSH_MSG.NEWKEYS:
        msg = { kind: 'newkeys' };
        break;
      default:
        if (type >= 30 && type <= 49) msg = decodeKex(type, r, family);
        else {
          r.rest();
          msg = { kind: 'other', length: payload.length - 1 };
        }
    }
    return { value: { type, name, msg }, size: payload.length };
  });
}
