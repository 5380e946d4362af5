// The JA4 project's third-party captures (test/corpus/ja4, see its README) as an oracle:
// every file is read without an exception, every TCP stream on 443/22 that their expected
// output lists is found with the right client and server, and what we decode agrees with
// theirs: SNI, cipher-suite and extension code points (JA4_r), JA4; SSH banners, HASSH,
// HASSH-server and the negotiated cipher.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCapture } from '../src/capture/source.js';
import { decodePacket, ipv4String, Skip, TcpSegment } from '../src/net/decode.js';
import type { ConnectionRecord } from '../src/report/record.js';
import { analyse } from './helpers/analyse.js';
import { corpusExpectedDir, corpusPcapDir } from './helpers/paths.js';

interface Row {
  src: string;
  dst: string;
  srcport: string;
  dstport: string;
  domain?: string;
  'JA4.1'?: string;
  'JA4_r.1'?: string;
  ssh_extras?: { hassh: string; hassh_server: string; ssh_protocol_client: string; ssh_protocol_server: string; encryption_algorithm: string };
  [k: string]: unknown;
}

interface TlsView {
  clientHello: { serverName: string | null; cipherSuites: number[]; extensions: number[] } | null;
  ja4: string | null;
}
interface SshView {
  clientBanner: string | null;
  serverBanner: string | null;
  hassh: string | null;
  hasshServer: string | null;
  serverKexinit: { encryptionS2C?: string[]; [list: string]: string[] | undefined } | null;
}
type TcpView = ConnectionRecord['tcp'];

const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
const hex4 = (v: number) => v.toString(16).padStart(4, '0');
/** Sorted non-GREASE code points, as JA4_r lists them. */
const sortedHex = (xs: number[]) => xs.filter((x) => !isGrease(x)).map(hex4).sort();

const files = readdirSync(corpusPcapDir).sort();

/**
 * Where the JA4 project's Python tool and the JA4 specification disagree, we follow the
 * specification (the TLS decoder's tests document the case).
 */
const SPEC_OVER_TOOL: Record<string, string> = {
  // Non-ASCII first ALPN byte: the spec takes the hex of the first and last bytes ("bd");
  // their tool printed "99".
  't13d151699_8daaf6152771_e5627efa2ab1': 't13d1516bd_8daaf6152771_e5627efa2ab1',
};

/** The TCP 4-tuples present in a capture ("ip:port>ip:port", both directions), by our packet decoder alone. */
async function tcpTuples(file: string): Promise<Set<string>> {
  const seg = new TcpSegment();
  const out = new Set<string>();
  await readCapture(file, (p) => {
    if (decodePacket(p.linkType, p.data, seg, null, p.frame, 0) !== Skip.None || seg.ipVersion !== 4) return;
    const a = `${ipv4String(seg.src4)}:${seg.srcPort}`;
    const b = `${ipv4String(seg.dst4)}:${seg.dstPort}`;
    out.add(`${a}>${b}`);
    out.add(`${b}>${a}`);
  });
  return out;
}

describe('JA4 corpus: every file is read without an exception', () => {
  for (const f of files) {
    it(f, async () => {
      const recs = await analyse(join(corpusPcapDir, f), ['--any-port']);
      for (const r of recs) assert.ok(r.verdict.code.length > 0 && r.id > 0);
    });
  }
});

describe('JA4 corpus: streams and decodings agree with the expected output', () => {
  for (const f of files) {
    let rows: Row[];
    try {
      rows = JSON.parse(readFileSync(join(corpusExpectedDir, `${f}.json`), 'utf8')) as Row[];
    } catch {
      continue;
    }
    // QUIC and DTLS are UDP: out of scope here. The proxy captures' streams go to the proxy's port.
    const tunnelled = /connect|socks/.test(f);
    const tcpRows = rows.filter((r) => (r.dstport === '443' || r.dstport === '22' || tunnelled) && !f.includes('quic') && !(r['JA4.1'] ?? 't').startsWith('q'));
    if (tcpRows.length === 0) continue;
    it(f, async () => {
      const recs = await analyse(join(corpusPcapDir, f));
      const tuples = await tcpTuples(join(corpusPcapDir, f));
      // Their tool names tunnelled connections by the tunnel's outer addresses (and the inner
      // ports); we report the inner connection and keep the tunnel endpoints beside it.
      const addr = (x: ConnectionRecord, side: 'client' | 'server'): string[] => {
        const t = (x.tcp as TcpView | null)?.tunnel;
        return t ? [x[side].ip, side === 'client' ? t.clientEndpoint : t.serverEndpoint] : [x[side].ip];
      };
      const find = (r: Row): ConnectionRecord[] =>
        recs.filter((x) => addr(x, 'client').includes(r.src) && x.client.port === Number(r.srcport) && addr(x, 'server').includes(r.dst) && x.server.port === Number(r.dstport));
      for (const row of tcpRows) {
        const where = `${f} ${row.src}:${row.srcport} → ${row.dst}:${row.dstport}`;
        const found = find(row);
        // Rows with only latency or HTTP fingerprints may be QUIC (UDP) streams: those must
        // be TCP in the capture to be ours.
        const encapsulated = recs.some((x) => (x.tcp as TcpView | null)?.tunnel);
        if (!row['JA4.1'] && !row.ssh_extras && !encapsulated && !tunnelled && !tuples.has(`${row.src}:${row.srcport}>${row.dst}:${row.dstport}`)) continue;
        assert.ok(found.length > 0, `${where}: not reported with that client and server (got ${recs.map((x) => `${x.client.ip}:${x.client.port}→${x.server.ip}:${x.server.port}`).join(', ')})`);
        if (row['JA4.1']) {
          const withHello = found.map((x) => x.tls as TlsView | undefined).filter((t) => t?.clientHello);
          assert.ok(withHello.length > 0, `${where}: no ClientHello decoded`);
          const ja4s = withHello.map((t) => t!.ja4);
          const want = SPEC_OVER_TOOL[row['JA4.1']] ?? row['JA4.1'];
          assert.ok(ja4s.includes(want), `${where}: JA4 ${JSON.stringify(ja4s)} vs expected ${want}`);
          const t = withHello[ja4s.indexOf(want)]!;
          if (row.domain) assert.equal(t.clientHello!.serverName, row.domain, `${where}: SNI`);
          const raw = row['JA4_r.1']!.split('_');
          assert.equal(sortedHex(t.clientHello!.cipherSuites).join(','), raw[1], `${where}: cipher suites`);
          // JA4_r lists extensions without SNI (0000) and ALPN (0010).
          const exts = sortedHex(t.clientHello!.extensions.filter((e) => e !== 0x0000 && e !== 0x0010));
          assert.equal(exts.join(','), raw[2], `${where}: extensions`);
        }
        if (row.ssh_extras) {
          const e = row.ssh_extras;
          const s = found.map((x) => x.ssh as SshView | undefined).find((v) => v?.clientBanner === e.ssh_protocol_client);
          assert.ok(s, `${where}: no SSH record with client banner ${e.ssh_protocol_client}`);
          assert.equal(s.serverBanner, e.ssh_protocol_server, `${where}: server banner`);
          // SSH-1 peers have no HASSH: their tool prints "", we say null.
          assert.equal(s.hassh ?? '', e.hassh, `${where}: hassh`);
          assert.equal(s.hasshServer ?? '', e.hassh_server, `${where}: hasshServer`);
          // Their "encryption_algorithm" is the server's first preference, not the RFC 4253
          // negotiation (ssh-scp-1050: the client lists aes256-ctr first and the server
          // supports it, so aes256-ctr is what the connection uses; they print chacha20).
          if (e.encryption_algorithm) {
            assert.equal(s.serverKexinit?.encryptionS2C?.[0], e.encryption_algorithm, `${where}: server's first cipher`);
          }
        }
      }
    });
  }
});

/**
 * The proxy captures' tunnels, as tshark decodes them: the CONNECT request line or the SOCKS
 * request's destination, and the proxy's answer (tshark -Y 'http.request.method == "CONNECT"
 * || socks').
 */
const TUNNELS: Record<string, { kind: string; target: string; status: string; outcome: string; sni: string | null }[]> = {
  'https-connect.pcap': [{ kind: 'http-connect', target: 'ts01-b.cloudsink.net:443', status: '200', outcome: 'completed', sni: null }],
  // the client's ClientHello segment was not captured: the handshake cannot be judged
  'socks4-https.pcap': [{ kind: 'socks4a', target: 'login.live.com:443', status: 'socks4:0x5a', outcome: 'incomplete', sni: null }],
  'socks-https-example.pcap': [
    { kind: 'socks4', target: '93.184.216.119:443', status: 'socks4:0x5a', outcome: 'completed', sni: 'www.example.com' },
    { kind: 'socks4a', target: 'www.example.com:443', status: 'socks4:0x5a', outcome: 'completed', sni: 'www.example.com' },
    { kind: 'socks5', target: '93.184.216.119:443', status: 'socks5:0x00', outcome: 'completed', sni: 'www.example.com' },
  ],
};

describe('JA4 corpus: TLS behind HTTP CONNECT and SOCKS, found by default', () => {
  for (const [f, want] of Object.entries(TUNNELS)) {
    it(f, async () => {
      const recs = await analyse(join(corpusPcapDir, f));
      assert.equal(recs.length, want.length, `connections: ${recs.map((r) => r.verdict.code).join(', ')}`);
      want.forEach((w, i) => {
        const r = recs[i]!;
        const t = r.tunnel as { kind: string; target: string; status: string; established: boolean };
        assert.equal(r.protocol, 'tls');
        assert.deepEqual({ kind: t.kind, target: t.target, status: t.status, established: t.established }, { kind: w.kind, target: w.target, status: w.status, established: true });
        assert.equal(r.outcome, w.outcome);
        assert.equal((r.tls as TlsView).clientHello?.serverName ?? null, w.sni);
        assert.equal(r.ladder.find((e) => e.layer !== 'tcp')?.layer, 'tunnel', 'the tunnel is the first stage of the ladder');
      });
    });
  }
});
