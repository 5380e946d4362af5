// What the key log did for a verdict: which secrets opened the handshake (labels only),
// and records that would not open although the session's keys were there — the bytes
// differ from what the endpoints encrypted (altered on the path) or the key log is wrong.

import type { Diagnosis } from './diagnose.js';
import type { DiagnosisInput } from './input.js';

export function annotateDecryption(d: Diagnosis, input: DiagnosisInput, sources: readonly string[]): void {
  const f = input.tls?.decryption;
  if (!f) return;
  const from = sources.length ? ` (${sources.join(', ')})` : '';
  if (f.keysFound && (f.opened.client > 0 || f.opened.server > 0)) {
    d.verdict.evidence.push(`the handshake was read with the key log${from}: ${f.opened.client} client and ${f.opened.server} server records opened with ${f.used.join(', ')}${f.missing.length ? `; not logged: ${f.missing.join(', ')}` : ''}`);
  } else if (!f.keysFound) {
    d.verdict.evidence.push(`the key log${from} has no secrets for this connection's ClientHello: its encrypted part stays unread`);
  } else if (f.unavailable) d.verdict.evidence.push(`the key log has this session, but ${f.unavailable}`);
  for (const x of f.failures) {
    const other = x.side === 'client' ? 'server' : 'client';
    const otherOpened = f.opened[other] > 0;
    d.verdict.evidence.push(`frame ${x.frame}: the ${x.side}'s protected record does not open with the logged keys (${x.reason})${otherOpened ? `, while the same key log opens the ${other}'s records: the ${x.side}'s bytes were altered between the ${x.side} and this capture (a middlebox, a faulty NIC or offload)` : ''}`);
  }
}
