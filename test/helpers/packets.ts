// Hand-built frames for decoder unit tests only (scenario tests use real captures).

export interface TcpOpts {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array;
  options?: number[];
}

export const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

function v4(a: string): number[] {
  return a.split('.').map(Number);
}

function v6(a: string): number[] {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w || '0', 16));
  return words.flatMap((w) => [w >> 8, w & 255]);
}

export function tcpHeader(o: TcpOpts): number[] {
  const opts = o.options ?? [];
  const padded = [...opts, ...Array((4 - (opts.length % 4)) % 4).fill(0)];
  const doff = 5 + padded.length / 4;
  const seq = o.seq ?? 1000;
  const ack = o.ack ?? 0;
  return [
    (o.sport ?? 40000) >> 8, (o.sport ?? 40000) & 255, (o.dport ?? 443) >> 8, (o.dport ?? 443) & 255,
    seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255,
    ack >>> 24, (ack >>> 16) & 255, (ack >>> 8) & 255, ack & 255,
    doff << 4, o.flags ?? F.ACK, 0xff, 0xff, 0, 0, 0, 0, ...padded,
  ];
}

export function ipv4Tcp(o: TcpOpts, extra: { id?: number; frag?: number; ipOptions?: number[]; proto?: number; body?: number[] } = {}): number[] {
  const body = extra.body ?? [...tcpHeader(o), ...(o.payload ?? [])];
  const ipOpts = extra.ipOptions ?? [];
  const ihl = 5 + ipOpts.length / 4;
  const total = ihl * 4 + body.length;
  const id = extra.id ?? 1;
  const frag = extra.frag ?? 0x4000;
  return [0x40 | ihl, 0, total >> 8, total & 255, id >> 8, id & 255, frag >> 8, frag & 255, 64, extra.proto ?? 6, 0, 0, ...v4(o.src ?? '10.0.0.1'), ...v4(o.dst ?? '10.0.0.2'), ...ipOpts, ...body];
}

export function ipv6Tcp(o: TcpOpts, ext: number[] = [], firstNext = 6): number[] {
  const body = [...ext, ...tcpHeader(o), ...(o.payload ?? [])];
  return [0x60, 0, 0, 0, body.length >> 8, body.length & 255, firstNext, 64, ...v6(o.src ?? 'fd00::1'), ...v6(o.dst ?? 'fd00::2'), ...body];
}

export function ethernet(ip: number[], type = 0x0800, vlans: { tpid: number; id: number }[] = []): Uint8Array {
  const tags = vlans.flatMap((v) => [v.tpid >> 8, v.tpid & 255, v.id >> 8, v.id & 255]);
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...tags, type >> 8, type & 255, ...ip]);
}
