// The connection record's `tls` object (spec: report-format.md, "Nested fields that
// outside checks read"). Code points stay numbers, each list with a `...Names` twin;
// bytes become hex strings. `certificates` is left empty here: the certificate layer
// decodes state.certificates.ders and the lead merges the decoded chain in.

import type { Side } from '../engine/types.js';
import { hex } from '../wire/reader.js';
import type { TlsState } from './state.js';
import type { ClientHello } from './hello.js';
import { HelloCache } from './hello-cache.js';
import { cipherSuiteName, sslv2CipherSpecName } from '../registry/tls-ciphers.js';
import { extensionShortName } from '../registry/tls-extensions.js';
import { versionName } from '../registry/tls-versions.js';
import { groupName, ecPointFormatName } from '../registry/tls-groups.js';
import { signatureSchemeName } from '../registry/tls-sigschemes.js';
import { alertLevelName, alertName } from '../registry/tls-alerts.js';
import { compressionName, handshakeTypeName, pskModeName } from '../registry/tls-misc.js';

const names = (vs: readonly number[], f: (v: number) => string): string[] => vs.map(f);

/** The JSON text of clientHello objects built from the cache (the record writer splices it in). */
const HELLO_TEXT = new WeakMap<object, string>();
const HELLO_JSON = new HelloCache<{ rest: ReturnType<typeof clientHelloRest>; text: string }>();

/** The JSON text of a record's clientHello object when it is known already (else undefined). */
export function clientHelloText(obj: object): string | undefined {
  return HELLO_TEXT.get(obj);
}

function clientHelloJson(s: TlsState) {
  const seen = s.clientHello;
  if (!seen) return null;
  if (seen.key === null) return { frame: seen.frame, firstFrame: seen.firstFrame, ...clientHelloRest(seen.hello) };
  const c = HELLO_JSON.get(seen.key, () => {
    const rest = clientHelloRest(seen.hello);
    return { rest, text: JSON.stringify(rest).slice(1) };
  });
  const obj = { frame: seen.frame, firstFrame: seen.firstFrame, ...c.rest };
  HELLO_TEXT.set(obj, `{"frame":${seen.frame},"firstFrame":${seen.firstFrame},${c.text}`);
  return obj;
}

/** Everything of the clientHello object but where it was seen. */
function clientHelloRest(ch: ClientHello) {
  const x = ch.ext;
  const extensions = ch.extensions.map((e) => e.type);
  const supportedVersions = x.supportedVersions ?? [];
  const groups = x.supportedGroups ?? [];
  const sigs = x.signatureAlgorithms ?? [];
  const sigsCert = x.signatureAlgorithmsCert ?? [];
  return {
    form: ch.form,
    legacyVersion: ch.legacyVersion,
    legacyVersionName: versionName(ch.legacyVersion),
    serverName: x.serverName ?? null,
    cipherSuites: [...ch.cipherSuites],
    cipherSuiteNames: names(ch.cipherSuites, cipherSuiteName),
    ...(ch.sslv2CipherSpecs ? { sslv2CipherSpecs: [...ch.sslv2CipherSpecs], sslv2CipherSpecNames: names(ch.sslv2CipherSpecs, sslv2CipherSpecName) } : {}),
    extensions,
    extensionNames: names(extensions, extensionShortName),
    supportedVersions: [...supportedVersions],
    supportedVersionNames: names(supportedVersions, versionName),
    alpn: [...(x.alpn ?? [])],
    supportedGroups: [...groups],
    supportedGroupNames: names(groups, groupName),
    keyShares: (x.keyShares ?? []).map((k) => ({ group: k.group, name: groupName(k.group), keyLength: k.keyLength })),
    signatureAlgorithms: [...sigs],
    signatureAlgorithmNames: names(sigs, signatureSchemeName),
    signatureAlgorithmsCert: [...sigsCert],
    signatureAlgorithmCertNames: names(sigsCert, signatureSchemeName),
    ecPointFormats: [...(x.ecPointFormats ?? [])],
    ecPointFormatNames: names(x.ecPointFormats ?? [], ecPointFormatName),
    compressionMethods: [...ch.compressionMethods],
    compressionMethodNames: names(ch.compressionMethods, compressionName),
    pskKeyExchangeModes: [...(x.pskKeyExchangeModes ?? [])],
    pskKeyExchangeModeNames: names(x.pskKeyExchangeModes ?? [], pskModeName),
    sessionIdLength: ch.sessionId.length,
    sessionTicketLength: x.sessionTicket?.length ?? null,
    preSharedKeyIdentities: x.preSharedKey && 'identities' in x.preSharedKey ? x.preSharedKey.identities : 0,
    earlyData: x.earlyData !== undefined,
    statusRequest: x.statusRequest !== undefined,
    extendedMasterSecret: x.extendedMasterSecret === true,
    encryptThenMac: x.encryptThenMac === true,
    renegotiationInfo: x.renegotiationInfo !== undefined,
    recordSizeLimit: x.recordSizeLimit ?? null,
    encryptedClientHello: x.encryptedClientHello?.type ?? null,
    issues: ch.issues.map((i) => ({ code: i.code, message: i.message, ...(i.extension !== undefined ? { extension: i.extension } : {}) })),
  };
}

function serverHelloJson(s: TlsState) {
  const seen = s.serverHello;
  if (!seen) return null;
  const sh = seen.hello;
  const extensions = sh.extensions.map((e) => e.type);
  const ks = sh.ext.serverKeyShare;
  return {
    frame: seen.frame,
    version: sh.version,
    versionName: versionName(sh.version),
    legacyVersion: sh.legacyVersion,
    cipherSuite: sh.cipherSuite,
    cipherSuiteName: cipherSuiteName(sh.cipherSuite),
    compressionMethod: sh.compressionMethod,
    extensions,
    extensionNames: names(extensions, extensionShortName),
    alpn: sh.ext.alpn?.[0] ?? null,
    keyShareGroup: ks?.group ?? null,
    keyShareGroupName: ks ? groupName(ks.group) : null,
    sessionIdLength: sh.sessionId.length,
    extendedMasterSecret: sh.ext.extendedMasterSecret === true,
    encryptThenMac: sh.ext.encryptThenMac === true,
    downgradeSentinel: sh.downgradeSentinel,
  };
}

function perSide<T>(f: (side: Side) => T): Record<Side, T> {
  return { client: f('client'), server: f('server') };
}

/** The `tls` object of a connection record. */
export function tlsJson(s: TlsState) {
  const hrr = s.helloRetryRequest;
  const ske = s.serverKeyExchange;
  return {
    clientHello: clientHelloJson(s),
    clientHelloCount: s.clientHellos.length,
    serverHello: serverHelloJson(s),
    helloRetryRequest: hrr
      ? {
        frame: hrr.frame,
        cipherSuite: hrr.hello.cipherSuite,
        cipherSuiteName: cipherSuiteName(hrr.hello.cipherSuite),
        selectedGroup: hrr.hello.ext.hrrSelectedGroup ?? null,
        selectedGroupName: hrr.hello.ext.hrrSelectedGroup === undefined ? null : groupName(hrr.hello.ext.hrrSelectedGroup),
      }
      : null,
    version: s.version,
    versionName: s.version === null ? null : versionName(s.version),
    cipherSuite: s.cipherSuite,
    cipherSuiteName: s.cipherSuite === null ? null : cipherSuiteName(s.cipherSuite),
    alerts: s.alerts.map((a) => ({
      frame: a.frame,
      from: a.from,
      level: a.level,
      levelName: a.level === null ? null : alertLevelName(a.level),
      description: a.description,
      descriptionName: a.description === null ? null : alertName(a.description),
      encrypted: a.encrypted,
      inferred: a.inferred,
      confidence: a.confidence,
    })),
    certificates: [] as unknown[],
    certificateCount: s.certificates?.ders.length ?? 0,
    certificateFrame: s.certificates?.frame ?? null,
    ocsp: s.ocsp ? { frame: s.ocsp.frame, length: s.ocsp.responses.reduce((a, b) => a + b.length, 0) } : null,
    serverKeyExchange: ske
      ? ske.value.kind === 'ecdhe'
        ? { frame: ske.frame, kind: 'ecdhe', namedGroup: ske.value.namedGroup, namedGroupName: ske.value.namedGroup === null ? null : groupName(ske.value.namedGroup), signatureScheme: ske.value.signatureScheme }
        : ske.value.kind === 'dhe'
          ? { frame: ske.frame, kind: 'dhe', dhBits: ske.value.pBits, signatureScheme: ske.value.signatureScheme }
          : { frame: ske.frame, kind: 'other', length: ske.value.length }
      : null,
    certificateRequest: s.certificateRequest
      ? { frame: s.certificateRequest.frame, caNames: s.certificateRequest.value.caNames, signatureAlgorithms: [...s.certificateRequest.value.signatureAlgorithms] }
      : null,
    clientCertificate: s.clientCertificate ? { frame: s.clientCertificate.frame, count: s.clientCertificate.count, empty: s.clientCertificate.empty } : null,
    resumption: s.resumption ? { kind: s.resumption.kind, frame: s.resumption.frame } : null,
    ja4: s.clientHello?.ja4 ?? null,
    ja4_r: s.clientHello?.ja4_r ?? null,
    ja3: s.clientHello?.ja3Hash ?? null,
    ja3String: s.clientHello?.ja3 ?? null,
    ja3s: s.serverHello?.ja3sHash ?? null,
    ja3sString: s.serverHello?.ja3s ?? null,
    stage: s.stage,
    stageFrame: s.stageFrame,
    completed: s.completed,
    completedFrame: s.completedFrame,
    messages: s.messages.map((m) => ({
      frame: m.frame, from: m.from, type: m.type, name: m.type === null ? m.name : handshakeTypeName(m.type), length: m.length, encrypted: m.encrypted,
      ...(m.inferred ? { inferred: true } : {}),
    })),
    changeCipherSpec: perSide((side) => [...s.ccs[side]]),
    encryptedRecords: perSide((side) => s.encryptedRecords[side].map((r) => ({ frame: r.frame, length: r.length, contentType: r.contentType, meaning: r.meaning, confidence: r.confidence }))),
    applicationData: perSide((side) => ({ ...s.applicationData[side] })),
    notTls: perSide((side) => {
      const n = s.notTls[side];
      return n ? { frame: n.frame, kind: n.kind, firstLine: n.firstLine, label: n.label, previewHex: hex(n.preview) } : null;
    }),
    encryptedExtensions: s.encryptedExtensions
      ? { frame: s.encryptedExtensions.frame, extensions: [...s.encryptedExtensions.value.extensions], alpn: s.encryptedExtensions.value.alpn }
      : null,
    decrypted: s.decrypted,
    decryption: s.decryption
      ? {
        keysFound: s.decryption.keysFound,
        keys: [...s.decryption.used],
        opened: { ...s.decryption.opened },
        failures: s.decryption.failures.map((f) => ({ ...f })),
        missing: [...s.decryption.missing],
        unavailable: s.decryption.unavailable,
      }
      : null,
    midstream: s.midstream,
    gaps: { ...s.gaps },
    inferences: s.inferences.map((i) => ({ ...i, frames: [...i.frames] })),
    malformed: s.malformed.map((m) => ({ frame: m.frame, from: m.from, what: m.what, kind: m.error.kind, path: m.error.path.join('/'), message: m.error.message })),
  };
}

export type TlsJson = ReturnType<typeof tlsJson>;
