// The verdict pane: the verdict (code, confidence, summary, evidence, fixes), where the
// connection stopped, the findings, and for TLS the certificate chain (each certificate's
// subject, issuer, validity and names, problems in red); for SSH the host key.

import { endpoint, OUTCOME_COLOR, sshOf, tlsOf, type TlsRecord } from './records.js';
import type { Entry } from './model.js';
import { sp, wrap, type Line } from './text.js';

const heading = (t: string): Line => [sp(t, { fg: 'cyan', bold: true })];

function bullets(items: readonly string[], width: number, bullet: string, style = {}): Line[] {
  return items.flatMap((t) => wrap(t, width, style, bullet, ' '.repeat(bullet.length)));
}

function certificateLines(tls: TlsRecord, width: number): Line[] {
  const out: Line[] = [[], heading(`Certificates (${tls.certificateCount} sent${tls.certificateFrame !== null ? `, frame ${tls.certificateFrame}` : ''})`)];
  const chain = tls.chain;
  if (chain) {
    if (chain.ok) out.push([sp('chain ok', { fg: 'green' })]);
    else if (chain.primary) out.push(...wrap(`${chain.primary.code}: ${chain.primary.message}`, width, { fg: 'red', bold: true }));
    for (const p of chain.problems.filter((x) => x.certIndex === null && x.code !== chain.primary?.code)) {
      out.push(...wrap(`${p.code}: ${p.message}`, width, { fg: p.severity === 'error' ? 'red' : 'yellow' }, '  '));
    }
  }
  if (tls.certificates.length === 0) {
    if (tls.certificateCount > 0) out.push([sp('not judged (no trust store to judge the chain against)', { fg: 'gray' })]);
    return out;
  }
  for (const c of tls.certificates) {
    const bad = c.problems.length > 0;
    out.push([sp(`#${c.index} ${c.role}`, { bold: true, ...(bad ? { fg: 'red' } : {}) }), sp(` ${c.subject ?? '(does not decode)'}`, bad ? { fg: 'red' } : {})]);
    if (c.error) out.push(...wrap(c.error, width, { fg: 'red' }, '   '));
    if (c.issuer) out.push(...wrap(`issuer ${c.issuer}`, width, {}, '   ', '     '));
    if (c.notBefore || c.notAfter) {
      const dateBad = c.problems.some((p) => p === 'tls.cert_expired' || p === 'tls.cert_not_yet_valid');
      out.push([sp(`   valid ${c.notBefore ?? '?'} → ${c.notAfter ?? '?'}`, dateBad ? { fg: 'red', bold: true } : {})]);
    }
    const names = [...c.dnsNames, ...c.ipAddresses];
    if (names.length > 0) {
      const nameBad = c.problems.includes('tls.cert_hostname_mismatch');
      out.push(...wrap(`names ${names.join(', ')}`, width, nameBad ? { fg: 'red' } : {}, '   ', '     '));
    }
    const key = [c.keyType, c.keyBits ? `${c.keyBits} bits` : null, c.curve, c.signatureAlgorithm ? `signed ${c.signatureAlgorithm}` : null].filter(Boolean).join(', ');
    if (key) out.push([sp(`   ${key}`, { fg: 'gray' })]);
    for (const p of c.problems) {
      const msg = tls.chain?.problems.find((x) => x.code === p && x.certIndex === c.index)?.message;
      out.push(...wrap(msg ? `${p}: ${msg}` : p, width, { fg: 'red' }, '   ! ', '     '));
    }
  }
  return out;
}

export function verdictLines(e: Entry, width: number): Line[] {
  const r = e.record;
  const v = r.verdict;
  const colour = e.open ? 'yellow' : OUTCOME_COLOR[r.outcome];
  const out: Line[] = [];
  const state = e.open ? 'IN PROGRESS' : r.outcome === 'failed' ? 'FAILED' : r.outcome.toUpperCase();
  out.push([sp(`${state} `, { fg: colour, bold: true, inverse: true }), sp(` ${v.code}`, { fg: colour, bold: true }), sp(` (${v.confidence})`)]);
  if (e.open) out.push([sp('provisional: the connection is still open, diagnosed as if the input ended now', { fg: 'yellow' })]);
  out.push(...wrap(v.summary, width, { bold: true }));
  const where = [`stage ${r.stage}`];
  if (r.cutFrame !== null) where.push(`cut at frame ${r.cutFrame}`);
  if (r.closedBy) where.push(`closed by the ${r.closedBy}${r.closeKind ? ` (${r.closeKind})` : ''}`);
  else if (r.closeKind) where.push(`ended by ${r.closeKind}`);
  out.push(...wrap(where.join(' · '), width, { fg: colour }));
  out.push(...wrap(`${r.protocol.toUpperCase()} ${endpoint(r.client)} → ${endpoint(r.server)} · frames ${r.firstFrame}–${r.lastFrame} · ${r.startTime} · ${r.duration.toFixed(3)} s`, width, { fg: 'gray' }));
  if (r.vantage && r.vantage.point !== 'unknown') out.push(...wrap(`captured ${r.vantage.point === 'middle' ? 'in the middle of the path' : `on the ${r.vantage.point} side`} (${r.vantage.confidence}): ${r.vantage.evidence[0] ?? ''}`, width, { fg: 'gray' }));
  if (v.evidence.length > 0) out.push([], heading('Evidence'), ...bullets(v.evidence, width, '• '));
  if (v.fixes.length > 0) out.push([], heading('Fixes'), ...bullets(v.fixes, width, '→ ', { fg: 'green' }));
  const findings = r.findings.filter((f) => f.severity !== 'info' || r.outcome !== 'completed');
  if (findings.length > 0) {
    out.push([], heading('Findings'));
    for (const f of findings) out.push(...wrap(f.message, width, f.severity === 'error' ? { fg: 'red' } : f.severity === 'warning' ? { fg: 'yellow' } : { fg: 'gray' }, '! ', '  '));
  }
  const tls = tlsOf(r);
  if (tls && (tls.certificateCount > 0 || tls.certificates.length > 0)) out.push(...certificateLines(tls, width));
  const ssh = sshOf(r);
  if (ssh?.hostKey) {
    const hk = ssh.hostKey;
    out.push([], heading('Host key'), ...wrap(`${hk.type}${hk.bits ? ` ${hk.bits} bits` : ''} ${hk.fingerprint} (frame ${hk.frame})`, width));
    if (hk.certificate) out.push(...wrap(`certificate ${hk.certificate.keyId} for ${hk.certificate.principals.join(', ') || '(any principal)'}, valid ${hk.certificate.validAfter} → ${hk.certificate.validBefore}, CA ${hk.certificate.caType} ${hk.certificate.caFingerprint}`, width, {}, '  '));
  }
  if (ssh?.disconnect) {
    const d = ssh.disconnect;
    out.push([], heading('Disconnect'), ...wrap(`frame ${d.frame}, from the ${d.from}: ${d.reasonName}(${d.reasonCode}) ${d.description}`, width, { fg: 'red' }));
  }
  return out;
}
