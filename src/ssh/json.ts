// The connection record's `ssh` object (report-format.md). Contract fields: clientBanner,
// serverBanner, negotiated{kex, hostKey, cipherC2S, cipherS2C, macC2S, macS2C,
// compressionC2S, compressionS2C}, hostKey{type, fingerprint}, hassh, hasshServer. The rest
// are additions (both KEXINIT lists, the failed list, DISCONNECT, MD5, strict KEX, encrypted
// traffic summary, pre-banner lines...).

import type { Side } from '../engine/types.js';
import type { KexInitList } from './kexinit.js';
import { NEGOTIATED_FIELDS, type Negotiated } from './negotiate.js';
import { inferAfterKex } from './postauth.js';
import type { SideState, SshState } from './state.js';

export interface SshKexInitJson extends Record<KexInitList, string[]> {
  cookie: string;
  firstKexPacketFollows: boolean;
  frame: number;
}

export interface SshJson {
  clientBanner: string | null;
  serverBanner: string | null;
  negotiated: Negotiated;
  hostKey: { type: string; fingerprint: string; md5: string; bits: number | null; algorithm: string | null; frame: number; certificate: { keyType: string; keyId: string; principals: string[]; validAfter: string; validBefore: string; caType: string; caFingerprint: string } | null } | null;
  hassh: string | null;
  hasshServer: string | null;
  clientKexinit: SshKexInitJson | null;
  serverKexinit: SshKexInitJson | null;
  /** The first list with no match, both offers; null when negotiation succeeded or was not reached. */
  failedList: string | null;
  failure: { list: string; reason: string; clientOffer: string[]; serverOffer: string[] } | null;
  macImplicit: { c2s: boolean; s2c: boolean } | null;
  strictKex: { client: boolean; server: boolean; active: boolean } | null;
  terrapinExposed: boolean | null;
  disconnect: { from: Side; frame: number; reasonCode: number; reasonName: string; description: string; language: string } | null;
  protocol: { client: string | null; server: string | null };
  preBannerLines: { client: { frame: number; text: string }[]; server: { frame: number; text: string }[] };
  postBannerLines: { client: { frame: number; text: string }[]; server: { frame: number; text: string }[] };
  notSsh: { client: { kind: string; description: string; frame: number; preview: string } | null; server: { kind: string; description: string; frame: number; preview: string } | null };
  newkeysFrames: { client: number | null; server: number | null };
  gex: { min: number; preferred: number; max: number; primeBits: number | null } | null;
  messages: { frame: number; from: Side; type: number; name: string; detail?: string; ignored?: boolean }[];
  encrypted: { client: { segments: number; bytes: number }; server: { segments: number; bytes: number }; turns: number };
  afterKex: { outcome: string; confidence: string; reasons: string[] };
  stage: string | null;
  stageFrame: number | null;
  completed: boolean;
}

/**
 * A KEXINIT in the record: its lists as decoded (read-only, and shared by identical
 * KEXINITs: see decodeKexInit), fields in wire order (KEXINIT_LISTS).
 */
function kexinitJson(side: SideState): SshKexInitJson | null {
  const k = side.kexinit;
  if (!k) return null;
  const v = k.value;
  return {
    cookie: v.cookie,
    kexAlgorithms: v.kexAlgorithms,
    serverHostKeyAlgorithms: v.serverHostKeyAlgorithms,
    encryptionC2S: v.encryptionC2S,
    encryptionS2C: v.encryptionS2C,
    macC2S: v.macC2S,
    macS2C: v.macS2C,
    compressionC2S: v.compressionC2S,
    compressionS2C: v.compressionS2C,
    languagesC2S: v.languagesC2S,
    languagesS2C: v.languagesS2C,
    firstKexPacketFollows: v.firstKexPacketFollows,
    frame: k.frame,
  };
}

const notSshJson = (side: SideState): SshJson['notSsh']['client'] =>
  side.notSsh ? { kind: side.notSsh.kind, description: side.notSsh.description, frame: side.notSsh.frame, preview: side.notSsh.text } : null;

/** The `ssh` object of a connection record, from the tracker's state. */
export function sshJson(state: SshState): SshJson {
  const n = state.negotiation;
  const negotiated = n ? { ...n.negotiated } : (Object.fromEntries(NEGOTIATED_FIELDS.map((f) => [f, null])) as Negotiated);
  const hk = state.hostKey;
  const after = inferAfterKex(state);
  return {
    clientBanner: state.client.banner?.raw ?? null,
    serverBanner: state.server.banner?.raw ?? null,
    negotiated,
    hostKey: hk
      ? {
          type: hk.type,
          fingerprint: hk.fingerprint,
          md5: hk.md5,
          bits: hk.bits,
          algorithm: hk.algorithm,
          frame: hk.frame,
          certificate: hk.certificate
            ? {
                keyType: hk.certificate.keyType,
                keyId: hk.certificate.keyId,
                principals: hk.certificate.principals,
                validAfter: hk.certificate.validAfter,
                validBefore: hk.certificate.validBefore,
                caType: hk.certificate.signatureKey.type,
                caFingerprint: hk.certificate.signatureKey.fingerprint,
              }
            : null,
        }
      : null,
    hassh: state.hassh,
    hasshServer: state.hasshServer,
    clientKexinit: kexinitJson(state.client),
    serverKexinit: kexinitJson(state.server),
    failedList: n?.failedList ?? null,
    failure: n?.failure ? { ...n.failure } : null,
    macImplicit: n ? { ...n.macImplicit } : null,
    strictKex: n ? { ...n.strictKex } : null,
    terrapinExposed: n ? n.terrapinExposed : null,
    disconnect: state.disconnect
      ? {
          from: state.disconnect.from,
          frame: state.disconnect.frame,
          reasonCode: state.disconnect.reasonCode,
          reasonName: state.disconnect.reasonName,
          description: state.disconnect.description,
          language: state.disconnect.language,
        }
      : null,
    protocol: { client: state.client.protocol, server: state.server.protocol },
    preBannerLines: {
      client: state.client.preBannerLines.map((l) => ({ frame: l.frame, text: l.text })),
      server: state.server.preBannerLines.map((l) => ({ frame: l.frame, text: l.text })),
    },
    postBannerLines: {
      client: state.client.postBannerLines.map((l) => ({ frame: l.frame, text: l.text })),
      server: state.server.postBannerLines.map((l) => ({ frame: l.frame, text: l.text })),
    },
    notSsh: { client: notSshJson(state.client), server: notSshJson(state.server) },
    newkeysFrames: { client: state.client.newkeys?.frame ?? null, server: state.server.newkeys?.frame ?? null },
    gex: state.gex.request ? { ...state.gex.request, primeBits: state.gex.primeBits } : null,
    messages: state.messages.map((m) => ({
      frame: m.frame,
      from: m.from,
      type: m.type,
      name: m.name,
      ...(m.detail !== undefined ? { detail: m.detail } : {}),
      ...(m.ignored ? { ignored: true } : {}),
    })),
    encrypted: {
      client: { segments: state.client.encrypted.segments, bytes: state.client.encrypted.bytes },
      server: { segments: state.server.encrypted.segments, bytes: state.server.encrypted.bytes },
      turns: state.encryptedTurns,
    },
    afterKex: { outcome: after.outcome, confidence: after.confidence, reasons: after.reasons },
    stage: state.stage,
    stageFrame: state.stageFrame,
    completed: state.completed,
  };
}
