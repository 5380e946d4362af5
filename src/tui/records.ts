// The record's protocol objects as the TUI reads them. ConnectionRecord types `tls` and
// `ssh` as unknown (the report module does not depend on the decoders); in this process
// they are exactly what the analyzer builds: tlsJson() plus the decoded certificates and
// the chain summary, and sshJson().

import type { ConnectionRecord } from '../report/record.js';
import type { SshJson } from '../ssh/json.js';
import type { TlsJson } from '../tls/json.js';
import type { CertificateJson } from '../x509/json.js';
import { hostPort } from '../wire/text.js';

/** The analyzer's summary of a judged chain (present when the chain was judged). */
export interface ChainSummaryJson {
  ok: boolean;
  primary: { code: string; message: string } | null;
  problems: { code: string; severity: string; message: string; certIndex: number | null }[];
}

export type TlsRecord = Omit<TlsJson, 'certificates'> & { certificates: CertificateJson[]; chain?: ChainSummaryJson };

export const tlsOf = (r: ConnectionRecord): TlsRecord | null => (r.tls as TlsRecord | undefined) ?? null;
export const sshOf = (r: ConnectionRecord): SshJson | null => (r.ssh as SshJson | undefined) ?? null;

/** "10.0.0.1:443", "[2001:db8::1]:22". */
export const endpoint = hostPort;

/** SSH software from a banner: "SSH-2.0-OpenSSH_9.2p1 Debian" → "OpenSSH_9.2p1 Debian". */
export const software = (banner: string | null | undefined): string | null => (banner ? banner.replace(/^SSH-[\d.]+-/, '') : null);

/** Outcome colours: green completed, red failed, yellow incomplete (and in progress). */
export const OUTCOME_COLOR = { completed: 'green', failed: 'red', incomplete: 'yellow' } as const satisfies Record<ConnectionRecord['outcome'], string>;
