// The facts a TlsTracker establishes about one connection, for the diagnosis rules,
// the JSON record and the TUI. Everything here is plain data (numbers, strings, byte
// arrays), with the frames each fact rests on.

import type { DecodeErrorInfo } from '../wire/reader.js';
import type { Finding, Side } from '../engine/types.js';
import type { ClientHello, ServerHello } from './hello.js';
import type { CertificateRequestMessage, EncryptedExtensionsMessage, ServerKeyExchange } from './messages.js';
import type { DecryptionFacts } from './keys.js';
import type { NonTlsKind } from './nontls.js';

/**
 * Handshake stages, in order. TLS ≤ 1.2 goes client_hello → ... → application_data;
 * TLS 1.3 goes client_hello → server_hello → encrypted_handshake → finished →
 * application_data. (`tcp_connect` is the engine's stage, before these.)
 */
export type TlsStage =
  | 'client_hello'
  | 'server_hello'
  | 'server_certificate'
  | 'server_key_exchange'
  | 'server_hello_done'
  | 'client_key_exchange'
  | 'change_cipher_spec'
  | 'encrypted_handshake'
  | 'finished'
  | 'application_data';

/** Order used to keep `stage` monotonic (1.2 and 1.3 stages interleave consistently). */
export const STAGE_RANK: Readonly<Record<TlsStage, number>> = {
  client_hello: 1,
  server_hello: 2,
  server_certificate: 3,
  server_key_exchange: 4,
  server_hello_done: 5,
  client_key_exchange: 6,
  change_cipher_spec: 7,
  encrypted_handshake: 7,
  finished: 8,
  application_data: 9,
};

/** Where something was seen: the frame that completed it, the frame it started in, its time. */
export interface Seen {
  frame: number;
  firstFrame: number;
  time: number;
}

export type Confidence = 'certain' | 'likely' | 'possible';

export interface ClientHelloSeen extends Seen {
  hello: ClientHello;
  /** The hello's cache key (tls/hello-cache.ts), or null when it is not cached. */
  key: number | null;
  ja4: string;
  ja4_r: string;
  ja3: string;
  ja3Hash: string;
}

export interface ServerHelloSeen extends Seen {
  hello: ServerHello;
  ja3s: string;
  ja3sHash: string;
}

export interface HandshakeMessageSeen extends Seen {
  from: Side;
  /** Handshake type (1.2 encrypted Finished: 20, known from the protocol); null when unknown (1.3 encrypted). */
  type: number | null;
  name: string;
  /** Body length (for encrypted messages: the record length). */
  length: number;
  encrypted: boolean;
  /** Known from sizes and order rather than read. */
  inferred?: boolean;
}

/** What an encrypted record most probably is. */
export type EncryptedMeaning =
  | 'early_data' // client records between its ClientHello and the ServerHello (0-RTT)
  | 'server_flight' // TLS 1.3: EncryptedExtensions/Certificate/CertificateVerify/Finished
  | 'client_certificate' // TLS 1.3: client Certificate / CertificateVerify before its Finished
  | 'client_certificate_empty' // TLS 1.3: a record the size of an empty Certificate message
  | 'end_of_early_data' // TLS 1.3: after 0-RTT data, a record the size of EndOfEarlyData
  | 'finished' // the Finished message (1.2: first record after CCS; 1.3: the client's, by size)
  | 'alert' // an alert (1.2: content type 21; 1.3: inferred from the 19-byte size)
  | 'post_handshake' // after completion: NewSessionTicket or application data
  | 'application_data'
  | 'unknown';

export interface EncryptedRecordSeen extends Seen {
  from: Side;
  /** Outer content type (22 handshake / 21 alert / 23 application_data). */
  contentType: number;
  /** Record length (ciphertext, with tag/nonce). */
  length: number;
  meaning: EncryptedMeaning;
  confidence: Confidence;
}

export interface AlertSeen extends Seen {
  from: Side;
  /** null when the alert is encrypted. */
  level: number | null;
  description: number | null;
  name: string | null;
  encrypted: boolean;
  /** Not read but inferred (TLS 1.3 record of alert size); see confidence. */
  inferred: boolean;
  confidence: Confidence;
  /** Record length. */
  length: number;
}

/** The first bytes of a side that does not speak TLS. */
export interface NotTlsSeen {
  frame: number;
  time: number;
  kind: NonTlsKind;
  preview: Uint8Array;
  firstLine: string | null;
  label: string;
}

export interface MalformedSeen {
  frame: number;
  from: Side;
  /** What was being decoded: "record", "client_hello", "certificate", "alert"... */
  what: string;
  error: DecodeErrorInfo;
}

export interface RecordSeen extends Seen {
  contentType: number;
  version: number;
  length: number;
  encrypted: boolean;
  /** Opened with the key log: the real (inner) content type. */
  decryptedType?: number;
}

/** A conclusion drawn from sizes, order and timing rather than read off the wire. */
export interface Inference {
  code: string;
  confidence: Confidence;
  message: string;
  frames: number[];
}

export interface AppDataCount {
  /** First frame carrying application data from this side. */
  firstFrame: number | null;
  /** Records framed while the tracker still read this side (at least 1 once any data was seen; later data is counted in bytes only). */
  records: number;
  bytes: number;
}

export type ResumptionKind = 'session-id' | 'session-ticket' | 'psk';

/** The facts, as a typed object (`tracker.state`). */
export interface TlsState {
  /** The first ClientHello (null until one was decoded). */
  clientHello: ClientHelloSeen | null;
  /** Every ClientHello, in order (a second one follows a HelloRetryRequest). */
  clientHellos: ClientHelloSeen[];
  /** The real ServerHello (not a HelloRetryRequest). */
  serverHello: ServerHelloSeen | null;
  helloRetryRequest: ServerHelloSeen | null;
  /** Negotiated version (supported_versions for 1.3, else the ServerHello's). */
  version: number | null;
  tls13: boolean;
  cipherSuite: number | null;
  /** Handshake messages in order (plaintext and 1.2 encrypted Finished; 1.3 inferred client Finished). */
  messages: HandshakeMessageSeen[];
  /** ChangeCipherSpec frames per side. */
  ccs: Record<Side, number[]>;
  /** Encrypted records per side (first MAX_ENCRYPTED_RECORDS). */
  encryptedRecords: Record<Side, EncryptedRecordSeen[]>;
  /** Record summaries per side (first MAX_RECORD_SUMMARIES). */
  records: Record<Side, RecordSeen[]>;
  alerts: AlertSeen[];
  /** The server's certificate chain (DER, copied, sent order) and where it was. */
  certificates: (Seen & { ders: Uint8Array[]; form: 'tls12' | 'tls13' }) | null;
  /** Stapled OCSP response(s) (DER) from CertificateStatus. */
  ocsp: (Seen & { responses: Uint8Array[] }) | null;
  serverKeyExchange: (Seen & { value: ServerKeyExchange }) | null;
  /** The server asked for a client certificate (TLS ≤ 1.2: seen; TLS 1.3: see inferences). */
  certificateRequest: (Seen & { value: CertificateRequestMessage }) | null;
  serverHelloDone: Seen | null;
  /** The client's Certificate message (TLS ≤ 1.2), empty when it had none to send. */
  clientCertificate: (Seen & { count: number; empty: boolean }) | null;
  clientKeyExchange: (Seen & { length: number }) | null;
  /** Finished per side (1.2: the encrypted handshake record after CCS; 1.3 client: inferred by size). */
  finished: Record<Side, (Seen & { inferred: boolean }) | null>;
  resumption: (Seen & { kind: ResumptionKind }) | null;
  applicationData: Record<Side, AppDataCount>;
  notTls: Record<Side, NotTlsSeen | null>;
  /** TLS 1.3 EncryptedExtensions, when it could be read (decrypted, or QUIC). */
  encryptedExtensions: (Seen & { value: EncryptedExtensionsMessage }) | null;
  /** Key-log decryption of this connection (null: no key log given). */
  decryption: DecryptionFacts | null;
  /** At least one protected record was opened with logged keys. */
  decrypted: boolean;
  /** The handshake came in QUIC CRYPTO frames, not TLS records. */
  quic: boolean;
  /** The capture began after the handshake (first records were not hellos). */
  midstream: boolean;
  /** Bytes the capture missed per side. */
  gaps: Record<Side, number>;
  closes: Record<Side, { kind: 'fin' | 'rst'; frame: number; time: number } | null>;
  inferences: Inference[];
  findings: Finding[];
  malformed: MalformedSeen[];
  stage: TlsStage | null;
  stageFrame: number | null;
  completed: boolean;
  completedFrame: number | null;
}

export function emptyState(): TlsState {
  const pair = <T>(f: () => T): Record<Side, T> => ({ client: f(), server: f() });
  return {
    clientHello: null, clientHellos: [], serverHello: null, helloRetryRequest: null,
    version: null, tls13: false, cipherSuite: null,
    messages: [], ccs: pair(() => []), encryptedRecords: pair(() => []), records: pair(() => []), alerts: [],
    certificates: null, ocsp: null, serverKeyExchange: null, certificateRequest: null, serverHelloDone: null,
    clientCertificate: null, clientKeyExchange: null, finished: pair(() => null), resumption: null,
    applicationData: pair(() => ({ firstFrame: null, records: 0, bytes: 0 })),
    notTls: pair(() => null), encryptedExtensions: null, decryption: null, decrypted: false, quic: false, midstream: false, gaps: pair(() => 0), closes: pair(() => null),
    inferences: [], findings: [], malformed: [],
    stage: null, stageFrame: null, completed: false, completedFrame: null,
  };
}
