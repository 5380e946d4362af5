// Which keys protect each direction of one TLS connection, from a key log: the TLS
// tracker tells it when the hellos are known, when a side changes cipher state (TLS 1.2
// ChangeCipherSpec, TLS 1.3 Finished), and asks it to open protected records. Key
// material stays here; the facts it keeps are labels, counts and failures.

import type { Side } from '../engine/types.js';
import type { KeylogLabel, KeyStore, Secrets } from '../keylog/keylog.js';
import { type Opened, type RecordProtection, tls12Protection, tls13Protection } from './decrypt.js';
import { suiteCipher, tls12Prf, type SuiteCipher } from './keyschedule.js';

export interface DecryptionFacts {
  /** Secrets for this session were in the key log. */
  keysFound: boolean;
  /** Labels of the secrets used (never their values). */
  used: KeylogLabel[];
  /** Records opened per side. */
  opened: Record<Side, number>;
  /** Records that would not open (a wrong key, altered bytes): frame, side, why. */
  failures: { frame: number; side: Side; reason: string }[];
  /** Secrets the handshake needed that the key log lacks (labels). */
  missing: KeylogLabel[];
  /** Why nothing could be decrypted, when so. */
  unavailable: string | null;
}

const MAX_FAILURES = 8;

export class TlsDecryption {
  readonly facts: DecryptionFacts = { keysFound: false, used: [], opened: { client: 0, server: 0 }, failures: [], missing: [], unavailable: null };
  private secrets: Secrets | null = null;
  private cipher: SuiteCipher | null = null;
  private tls13 = false;
  private readonly protection: Record<Side, RecordProtection | null> = { client: null, server: null };
  /** TLS 1.2 key block parts, made at the first ChangeCipherSpec. */
  private keyBlock: { client: { macKey: Uint8Array; key: Uint8Array; iv: Uint8Array }; server: { macKey: Uint8Array; key: Uint8Array; iv: Uint8Array } } | null = null;
  private hello: { clientRandom: Uint8Array; serverRandom: Uint8Array; etm: boolean } | null = null;
  /** A side's protection failed once: later records under the same keys would too. */
  private readonly broken: Record<Side, boolean> = { client: false, server: false };

  constructor(private readonly store: KeyStore) {}

  /** The ServerHello chose `suite` and `version`; the randoms come from both hellos. */
  setup(clientRandom: Uint8Array, serverRandom: Uint8Array, version: number, suite: number, encryptThenMac: boolean): void {
    this.secrets = this.store.lookup(clientRandom);
    this.facts.keysFound = this.secrets !== null;
    if (!this.secrets) {
      this.facts.unavailable = 'the key log holds no secrets for this ClientHello random';
      return;
    }
    this.cipher = suiteCipher(suite);
    if (!this.cipher) {
      this.facts.unavailable = `the cipher suite 0x${suite.toString(16).padStart(4, '0')} is not one this tool decrypts`;
      return;
    }
    this.tls13 = version === 0x0304;
    if (!this.tls13 && version !== 0x0303) {
      this.facts.unavailable = 'only TLS 1.2 and TLS 1.3 are decrypted';
      this.cipher = null;
      return;
    }
    this.hello = { clientRandom, serverRandom, etm: encryptThenMac };
    if (this.tls13) {
      this.protection.server = this.tls13With('SERVER_HANDSHAKE_TRAFFIC_SECRET');
      this.protection.client = this.tls13With('CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    }
  }

  private tls13With(label: KeylogLabel): RecordProtection | null {
    const s = this.secrets?.get(label);
    if (!s || !this.cipher || this.cipher.kind !== 'aead') {
      if (this.secrets && !s && !this.facts.missing.includes(label)) this.facts.missing.push(label);
      return null;
    }
    this.use(label);
    return tls13Protection(this.cipher, s);
  }

  private use(label: KeylogLabel): void {
    if (!this.facts.used.includes(label)) this.facts.used.push(label);
  }

  /** TLS 1.2: the side's ChangeCipherSpec: its next records use the key block. */
  changeCipherSpec(side: Side): void {
    if (this.tls13 || !this.cipher || !this.hello) return;
    if (!this.keyBlock) {
      const master = this.secrets?.get('CLIENT_RANDOM');
      if (!master || master.length !== 48) {
        if (!this.facts.missing.includes('CLIENT_RANDOM')) this.facts.missing.push('CLIENT_RANDOM');
        return;
      }
      this.use('CLIENT_RANDOM');
      const c = this.cipher;
      const mac = c.kind === 'cbc' ? c.macLength : 0;
      const iv = c.kind === 'aead' ? c.fixedIvLength : 0;
      const kb = tls12Prf(c.hash, master, 'key expansion', Buffer.concat([this.hello.serverRandom, this.hello.clientRandom]), 2 * (mac + c.keyLength + iv));
      let o = 0;
      const take = (n: number) => kb.subarray(o, (o += n));
      const cm = take(mac), sm = take(mac), ck = take(c.keyLength), sk = take(c.keyLength), ci = take(iv), si = take(iv);
      this.keyBlock = { client: { macKey: cm, key: ck, iv: ci }, server: { macKey: sm, key: sk, iv: si } };
    }
    this.protection[side] = tls12Protection(this.cipher, this.keyBlock[side], this.hello.etm);
  }

  /** TLS 1.3: the side's Finished: its next records use its application traffic secret. */
  finished(side: Side): void {
    if (!this.tls13 || !this.cipher) return;
    this.protection[side] = this.tls13With(side === 'client' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0');
    this.broken[side] = false;
  }

  /** Open a protected record of `side`; null when no key applies. */
  open(side: Side, type: number, version: number, fragment: Uint8Array, frame: number): Opened | null {
    const p = this.protection[side];
    if (!p || this.broken[side]) return null;
    const r = p.open(type, version, fragment);
    if (r.ok) this.facts.opened[side]++;
    else {
      this.broken[side] = true;
      if (this.facts.failures.length < MAX_FAILURES) this.facts.failures.push({ frame, side, reason: r.reason });
    }
    return r;
  }
}
