// QUIC on real captures, with tshark as the oracle: tshark opens QUIC Initials by itself,
// and for every UDP flow where it finds a ClientHello, hsi must find the same one (SNI,
// ALPN, cipher suites, extensions in wire order, supported versions) and a q-JA4 that this
// file computes from tshark's fields, independently of src/tls/fingerprint.ts. The third-
// party QUIC captures of ../shared/corpus/ja4 and the ngtcp2 ones of captures/ are read.
// Plus: what changes without the key log, no key material in any output, and the decoder
// pieces against RFC 9001 Appendix A and truncations.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { parseFrames } from '../src/quic/frames.js';
import { decodePacketNumber, looksLikeQuicInitial, parseDatagram, parseHeader, varint } from '../src/quic/packet.js';
import { initialKeys, openPacket, packetKeys, retryTagValid } from '../src/quic/protection.js';
import { CryptoStream, MAX_CRYPTO_HELD } from '../src/quic/tracker.js';
import { decodeTransportParameters, transportParameterProblems, type TransportParameter } from '../src/quic/transport-params.js';
import { readCapture } from '../src/capture/source.js';
import type { Packet } from '../src/capture/packet.js';
import { analysisSettings } from '../src/cli/setup.js';
import { QUIC_RULES } from '../src/diagnose/rules.js';
import { Analyzer } from '../src/pipeline/analyzer.js';
import { suiteCipher } from '../src/tls/keyschedule.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { analyse } from './helpers/analyse.js';
import { udpPayloads } from './helpers/udp.js';
import { capturesDir, corpusPcapDir } from './helpers/paths.js';

const hasTshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const CA = ['--ca-file', 'captures/certs/test-root.pem'];

interface TsharkHello {
  frame: number;
  client: string;
  server: string;
  sni: string | null;
  alpn: string[];
  suites: number[];
  extensions: number[];
  sigAlgs: number[];
  versions: number[];
}

/** The first ClientHello tshark finds in each QUIC flow (client address and port → hello). */
function tsharkHellos(file: string): Map<string, TsharkHello> {
  const fields = ['frame.number', 'ip.src', 'ipv6.src', 'udp.srcport', 'ip.dst', 'ipv6.dst', 'udp.dstport', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.ciphersuite', 'tls.handshake.extension.type', 'tls.handshake.sig_hash_alg', 'tls.handshake.extensions.supported_version'];
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'quic && tls.handshake.type == 1', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, TsharkHello>();
  const list = (s: string | undefined): string[] => (s ? s.split(',').filter((x) => x !== '') : []);
  const nums = (s: string | undefined): number[] => list(s).map((x) => Number(x));
  for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
    const [frame, ip4s, ip6s, sport, ip4d, ip6d, dport, sni, alpn, suites, exts, sigs, versions] = line.split('|');
    const client = `${ip4s || ip6s}|${sport}`;
    if (out.has(client)) continue;
    out.set(client, { frame: Number(frame), client, server: `${ip4d || ip6d}|${dport}`, sni: sni || null, alpn: list(alpn), suites: nums(suites), extensions: nums(exts), sigAlgs: nums(sigs), versions: nums(versions) });
  }
  return out;
}

const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

/** JA4 (FoxIO's technical_details/JA4.md) from tshark's fields, with the QUIC prefix. */
function ja4FromTshark(h: TsharkHello): string {
  const versions = h.versions.filter((v) => !isGrease(v));
  const top = Math.max(...(versions.length ? versions : [0x0303]));
  const ver = ({ 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10' } as Record<number, string>)[top] ?? '00';
  const suites = h.suites.filter((c) => !isGrease(c));
  const exts = h.extensions.filter((e) => !isGrease(e));
  const first = h.alpn[0] ?? '';
  const alpn = first === '' ? '00' : `${first[0]}${first[first.length - 1]}`;
  const a = `q${ver}${h.sni !== null ? 'd' : 'i'}${String(Math.min(suites.length, 99)).padStart(2, '0')}${String(Math.min(exts.length, 99)).padStart(2, '0')}${alpn}`;
  const b = suites.length ? sha12(suites.map(hex4).sort().join(',')) : '000000000000';
  const sorted = exts.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex4).sort().join(',');
  const c = exts.length ? sha12(h.sigAlgs.length ? `${sorted}_${h.sigAlgs.map(hex4).join(',')}` : sorted) : '000000000000';
  return `${a}_${b}_${c}`;
}

interface HelloView {
  serverName: string | null;
  alpn: string[] | null;
  cipherSuites: number[];
  extensions: number[];
  supportedVersions: number[] | null;
}

const CORPUS_QUIC = ['chrome-cloudflare-quic-with-secrets.pcapng', 'quic-tls-handshake.pcapng', 'quic-with-several-tls-frames.pcapng', 'tls-handshake.pcapng', 'tls-sni.pcapng', 'tls3.pcapng', 'ssh2.pcapng'];
const LOCAL_QUIC = existsSync(capturesDir) ? readdirSync(capturesDir).filter((f) => /^quic-.*\.pcap$/.test(f)) : [];

describe('QUIC ClientHellos: hsi finds what tshark finds, in every UDP flow', () => {
  const files = [...CORPUS_QUIC.map((f) => join(corpusPcapDir, f)), ...LOCAL_QUIC.map((f) => join(capturesDir, f))];
  it('there are QUIC captures of both kinds', () => {
    assert.ok(LOCAL_QUIC.length >= 5, LOCAL_QUIC.join(', '));
    for (const f of CORPUS_QUIC) assert.ok(existsSync(join(corpusPcapDir, f)), f);
  });
  for (const file of files) {
    it(file.replace(/.*\//, ''), async (t) => {
      if (!hasTshark) return t.skip('tshark is not installed');
      const want = tsharkHellos(file);
      assert.ok(want.size > 0, 'tshark finds a QUIC ClientHello');
      const recs = (await analyse(file)).filter((r) => r.protocol === 'quic');
      const byClient = new Map(recs.map((r) => [`${r.client.ip}|${r.client.port}`, r]));
      for (const [client, h] of want) {
        const r = byClient.get(client);
        assert.ok(r, `no QUIC record for the flow from ${client} (tshark: ClientHello in frame ${h.frame})`);
        assert.equal(r.transport, 'udp');
        assert.equal(`${r.server.ip}|${r.server.port}`, h.server);
        const tls = r.tls as { clientHello: HelloView | null; ja4: string | null };
        const ch = tls.clientHello;
        assert.ok(ch, `${client}: hsi has no ClientHello (tshark: frame ${h.frame})`);
        assert.equal(ch.serverName, h.sni, `${client}: SNI`);
        assert.deepEqual(ch.alpn ?? [], h.alpn, `${client}: ALPN`);
        assert.deepEqual(ch.cipherSuites, h.suites, `${client}: cipher suites`);
        assert.deepEqual(ch.extensions, h.extensions, `${client}: extensions`);
        assert.deepEqual(ch.supportedVersions ?? [], h.versions, `${client}: supported versions`);
        assert.equal(tls.ja4, ja4FromTshark(h), `${client}: q-JA4`);
      }
      t.diagnostic(`${want.size} QUIC flow(s): ${[...want.values()].map((h) => `${h.sni ?? '(no SNI)'} ${ja4FromTshark(h)}`).join('; ')}`);
    });
  }
  it('UDP that is not QUIC opens no flow (DHCP, DHCPv6, DTLS, tunnels)', async () => {
    for (const f of ['dhcp.pcapng', 'dhcpv6.pcap', 'dtls-udp.notest.cap', 'gre-erspan-vxlan.pcap', 'tcpdump-geneve.pcap']) {
      const recs = await analyse(join(corpusPcapDir, f));
      assert.equal(recs.filter((r) => r.protocol === 'quic').length, 0, f);
    }
  });
});

describe('QUIC captures without their key log', () => {
  it('quic-ok: still completed (1-RTT both ways), only likely; the NAT-rebound path is found by its connection ID, the migration (new ID, announced encrypted) is not', async () => {
    const withKeys = await analyse(join(capturesDir, 'quic-ok.pcap'), [...CA, '--keylog', 'captures/quic-ok.keys']);
    const without = await analyse(join(capturesDir, 'quic-ok.pcap'), CA);
    assert.deepEqual(without.map((r) => [r.verdict.code, r.verdict.confidence]), [['quic.ok', 'likely'], ['quic.ok', 'likely'], ['quic.ok', 'likely']]);
    const paths = (r: ConnectionRecord) => (r.quic as { paths: unknown[] }).paths.length;
    assert.deepEqual(withKeys.map(paths), [0, 1, 1]);
    assert.deepEqual(without.map(paths), [0, 0, 1]);
    for (const r of without) {
      assert.equal((r.tls as { decrypted: boolean }).decrypted, false);
      assert.equal((r.quic as { keyLog: unknown }).keyLog, null);
    }
    for (const r of withKeys) assert.deepEqual((r.quic as { keyLog: { failed: number } }).keyLog.failed, 0);
  });
  it('with the key log the certificate chain inside the Handshake packets is judged', async () => {
    const [r] = await analyse(join(capturesDir, 'quic-retry.pcap'), [...CA, '--keylog', 'captures/quic-retry.keys']);
    const certs = (r!.tls as { certificates: { subject: string }[] }).certificates;
    assert.equal(certs.length, 2);
    assert.match(certs[0]!.subject, /www\.example\.test/);
    const [bare] = await analyse(join(capturesDir, 'quic-retry.pcap'), CA);
    assert.equal((bare!.tls as { certificates: unknown[] }).certificates.length, 0);
  });
  it('no secret of the key log appears in any output', () => {
    const keys = readFileSync(join(capturesDir, 'quic-ok.keys'), 'utf8');
    const secrets = keys.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim().split(/\s+/)[2]!.toLowerCase());
    assert.ok(secrets.length >= 12);
    for (const format of [['--json'], []]) {
      const r = spawnSync(process.execPath, [join(capturesDir, '..', 'bin', 'hsi.js'), 'read', join(capturesDir, 'quic-ok.pcap'), '--keylog', join(capturesDir, 'quic-ok.keys'), ...format], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const all = (r.stdout + r.stderr).toLowerCase();
      for (const s of secrets) assert.ok(!all.includes(s) && !all.includes(Buffer.from(s, 'hex').toString('base64').toLowerCase()), `a secret appears in the output of ${format.join(' ') || 'the report'}`);
    }
  });
});

describe('QUIC decoders (RFC 9000, RFC 9001 Appendix A)', () => {
  it('varints: the RFC 9000 §16 examples', () => {
    const cases: [string, number][] = [['c2197c5eff14e88c', 151288809941952652], ['9d7f3e7d', 494878333], ['7bbd', 15293], ['25', 37], ['4025', 37]];
    for (const [h, v] of cases) assert.equal(varint(Buffer.from(h, 'hex'), 0)?.value, v, h);
    for (const [h] of cases) for (let n = 0; n < h.length / 2; n++) if (n < (Buffer.from(h, 'hex')[0]! >> 6 === 0 ? 1 : 1 << (Buffer.from(h, 'hex')[0]! >> 6))) assert.equal(varint(Buffer.from(h, 'hex').subarray(0, n), 0), null, `${h} cut to ${n}`);
  });
  it('packet numbers: the RFC 9000 Appendix A.3 example', () => {
    assert.equal(decodePacketNumber(0xa82f30ea, 0x9b32, 16), 0xa82f9b32);
  });
  it('Retry integrity tag: RFC 9001 Appendix A.4', () => {
    const retry = Buffer.from('ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba', 'hex');
    const h = parseHeader(retry, 0);
    assert.ok(h && h.form === 'long' && h.type === 'retry');
    assert.equal(Buffer.from(h.token).toString(), 'token');
    assert.equal(retryTagValid(retry, h, Buffer.from('8394c8f03e515708', 'hex')), true);
    assert.equal(retryTagValid(retry, h, Buffer.from('8394c8f03e515709', 'hex')), false, 'another original DCID');
    const bent = Buffer.from(retry);
    bent[bent.length - 1]! ^= 1;
    assert.equal(retryTagValid(bent, parseHeader(bent, 0) as Parameters<typeof retryTagValid>[1], Buffer.from('8394c8f03e515708', 'hex')), false, 'an altered tag');
  });
  it('a ChaCha20-Poly1305 short header packet: RFC 9001 Appendix A.5', () => {
    const secret = Buffer.from('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b', 'hex');
    const keys = packetKeys(suiteCipher(0x1303)!, secret, 1);
    const pkt = Buffer.from('4cfe4189655e5cd55c41f69080575d7999c25a5bfb', 'hex');
    const h = parseDatagram(pkt);
    assert.equal(h[0]?.form, 'short');
    const opened = openPacket(pkt, 0, 1, pkt.length, false, keys, 654360563);
    assert.ok(opened, 'opens');
    assert.equal(opened.packetNumber, 654360564);
    assert.deepEqual([...opened.payload], [0x01], 'a PING frame');
    assert.deepEqual(parseFrames(opened.payload).frames, [{ type: 'ping' }]);
  });
  it('every strict prefix of a real Initial datagram is incomplete: no header, or a packet that does not open; never a throw', async () => {
    const [first] = await udpPayloads(join(capturesDir, 'quic-ok.pcap'), 1);
    assert.ok(first && first.length >= 1200 && looksLikeQuicInitial(first));
    const whole = parseHeader(first, 0);
    assert.ok(whole && whole.form === 'long' && whole.type === 'initial');
    const keys = initialKeys(1, whole.dcid)!;
    assert.ok(openPacket(first, 0, whole.pnOffset, whole.end, true, keys.client, -1), 'the whole packet opens');
    for (let n = 0; n < whole.end; n++) {
      const cut = first.subarray(0, n);
      const h = parseHeader(cut, 0);
      if (h === null) continue;
      assert.ok(h.form === 'long' && h.type === 'initial' && h.end <= n, `prefix ${n}: ${JSON.stringify(h.form)}`);
      assert.equal(openPacket(cut, 0, h.pnOffset, h.end, true, keys.client, -1), null, `prefix ${n} opens`);
    }
  });
  it('transport parameters of a real client are decoded and named', async () => {
    const [r] = await analyse(join(capturesDir, 'quic-retry.pcap'));
    const tp = (r!.quic as { transportParameters: { client: { id: number; name: string }[] } }).transportParameters.client;
    assert.ok(tp.length >= 8, `${tp.length} parameters`);
    assert.ok(tp.some((p) => p.id === 0x0f && p.name === 'initial_source_connection_id'), JSON.stringify(tp));
  });
  it('CRYPTO reassembly: a real ClientHello in one-byte frames, last byte first, comes out whole and in order', async () => {
    const [first] = await udpPayloads(join(capturesDir, 'quic-ok.pcap'), 1);
    const h = parseHeader(first!, 0);
    assert.ok(h && h.form === 'long');
    const opened = openPacket(first!, 0, h.pnOffset, h.end, true, initialKeys(1, h.dcid)!.client, -1)!;
    const crypto = parseFrames(opened.payload).frames.filter((f) => f.type === 'crypto');
    const data = Buffer.concat(crypto.map((f) => (f.type === 'crypto' ? f.data : new Uint8Array(0))));
    assert.equal(data[0], 1, 'a ClientHello');
    for (const order of ['forward', 'backward']) {
      const s = new CryptoStream();
      const out: Buffer[] = [];
      const idx = [...data.keys()];
      if (order === 'backward') idx.reverse();
      for (const i of idx) s.add(i, data.subarray(i, i + 1), { frame: 1, time: 0 }, (b) => out.push(Buffer.from(b)));
      assert.deepEqual(Buffer.concat(out), data, order);
      assert.equal(s.next, data.length);
    }
  });
  it('CRYPTO reassembly is bounded: data held out of order stops at the cap', () => {
    const s = new CryptoStream();
    const chunk = new Uint8Array(1000);
    for (let i = 1; i <= 200; i++) s.add(i * 1000, chunk, { frame: i, time: 0 }, () => assert.fail('nothing is in order'));
    assert.ok(s.overflow >= 200 * 1000 - MAX_CRYPTO_HELD, `overflow ${s.overflow}`);
  });
  it('transport parameter lists: strict prefixes never throw', async () => {
    const [first] = await udpPayloads(join(capturesDir, 'quic-ok.pcap'), 1);
    const h = parseHeader(first!, 0) as { dcid: Uint8Array; pnOffset: number; end: number };
    const opened = openPacket(first!, 0, h.pnOffset, h.end, true, initialKeys(1, h.dcid)!.client, -1)!;
    const hello = Buffer.concat(parseFrames(opened.payload).frames.flatMap((f) => (f.type === 'crypto' ? [Buffer.from(f.data)] : [])));
    // find extension 57 (quic_transport_parameters) in the ClientHello
    const at = hello.indexOf(Buffer.from([0x00, 0x39]));
    assert.ok(at > 0);
    const len = hello.readUInt16BE(at + 2);
    const tp = hello.subarray(at + 4, at + 4 + len);
    const full = decodeTransportParameters(tp);
    assert.equal(full.malformed, false);
    for (let n = 0; n < tp.length; n++) {
      const d = decodeTransportParameters(tp.subarray(0, n));
      assert.ok(d.parameters.length <= full.parameters.length);
    }
  });
  it('--port takes udp/PORT', () => {
    const a = parseArgs(['read', 'x.pcap', '--port', 'udp/4433', '--port', '8443']);
    assert.deepEqual([...(a.udpPorts ?? [])], [4433]);
    assert.ok(a.ports?.includes(8443));
  });
});

describe('the quic.* codes of the contract', () => {
  const CONTRACT = ['quic.ok', 'quic.no_response', 'quic.version_mismatch', 'quic.connection_closed', 'quic.retry_loop'];
  it('one rule per code, every code but quic.retry_loop from a real capture', async () => {
    const spec = join(capturesDir, '..', '..', 'shared', 'spec', 'report-format.md');
    if (existsSync(spec)) {
      const fromSpec = [...readFileSync(spec, 'utf8').matchAll(/^\| `(quic\.[a-z_]+)` \|/gm)].map((m) => m[1]!);
      assert.deepEqual(fromSpec.sort(), [...CONTRACT].sort(), "the copy of the contract's quic.* codes is current");
    }
    const fromRules = new Set(QUIC_RULES.map((r) => r.code).filter((c) => c.startsWith('quic.')));
    assert.deepEqual([...fromRules].sort(), [...CONTRACT].sort());
    const produced = new Set<string>();
    for (const f of LOCAL_QUIC) {
      const exp = JSON.parse(readFileSync(join(capturesDir, f.replace(/\.pcap$/, '.expect.json')), 'utf8')) as { options: string[] };
      for (const r of await analyse(join(capturesDir, f), exp.options)) produced.add(r.verdict.code);
    }
    assert.deepEqual(CONTRACT.filter((c) => !produced.has(c)), ['quic.retry_loop']);
  });
  it('quic.retry_loop: the real Retry of quic-retry.pcap answered again and again (its packets replayed 1, 2, 3, 2, 3, 2)', async () => {
    const file = join(capturesDir, 'quic-retry.pcap');
    const packets: Packet[] = [];
    await readCapture(file, (p) => packets.push({ ...p, data: p.data.slice() }));
    const recs: ConnectionRecord[] = [];
    const a = new Analyzer({ ...analysisSettings(parseArgs(['read', file])), onRecord: (r) => recs.push(r) });
    const base = packets[0]!.tsSec;
    [1, 2, 3, 2, 3, 2].forEach((n, i) => a.packet({ ...packets[n - 1]!, frame: i + 1, tsSec: base + i, tsNsec: 0 }));
    await a.end();
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.verdict.code, 'quic.retry_loop');
    assert.equal(recs[0]!.cutFrame, 6);
    assert.match(recs[0]!.verdict.summary, /Retry \(3 times\)/);
  });
});

describe('transport parameters against RFC 9000 §18.2', () => {
  const tp = (id: number, name: string, value: number | string | null): TransportParameter => ({ id, name, value, length: 1 });
  const scid = tp(0x0f, 'initial_source_connection_id', 'ab');
  const cases: { name: string; params: TransportParameter[]; from: 'client' | 'server'; want: RegExp[] }[] = [
    { name: 'valid', params: [scid, tp(0x03, 'max_udp_payload_size', 1472), tp(0x0e, 'active_connection_id_limit', 8)], from: 'client', want: [] },
    { name: 'a payload size under 1200', params: [scid, tp(0x03, 'max_udp_payload_size', 1100)], from: 'client', want: [/max_udp_payload_size 1100 is below/] },
    { name: 'ack delay exponent and max ack delay', params: [scid, tp(0x0a, 'ack_delay_exponent', 21), tp(0x0b, 'max_ack_delay', 16384)], from: 'server', want: [/ack_delay_exponent 21/, /max_ack_delay 16384/] },
    { name: 'streams above 2^60', params: [scid, tp(0x09, 'initial_max_streams_uni', 2 ** 61)], from: 'client', want: [/initial_max_streams_uni/] },
    { name: 'a server-only parameter from the client', params: [scid, tp(0x00, 'original_destination_connection_id', 'cd')], from: 'client', want: [/only be sent by a server/] },
    { name: 'the same from the server is fine', params: [scid, tp(0x00, 'original_destination_connection_id', 'cd')], from: 'server', want: [] },
    { name: 'a duplicate, and no initial_source_connection_id', params: [tp(0x01, 'max_idle_timeout', 1), tp(0x01, 'max_idle_timeout', 2)], from: 'client', want: [/sent twice/, /initial_source_connection_id is missing/] },
    { name: 'a connection id limit under 2', params: [scid, tp(0x0e, 'active_connection_id_limit', 1)], from: 'client', want: [/below the minimum of 2/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = transportParameterProblems(c.params, c.from);
      assert.equal(got.length, c.want.length, got.join('; '));
      c.want.forEach((w, i) => assert.match(got[i]!, w));
    });
  }
});
