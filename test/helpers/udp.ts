// UDP payloads of a real capture, decoded by the project's own link/IP/UDP decoder (for
// the QUIC decoder tests that start from a datagram).

import { readCapture } from '../../src/capture/source.js';
import { decodePacket, Skip, TcpSegment } from '../../src/net/decode.js';

/** The first `max` UDP payloads of a capture file, copied. */
export async function udpPayloads(file: string, max = Infinity): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const seg = new TcpSegment();
  await readCapture(file, (p) => {
    if (out.length >= max) return;
    if (decodePacket(p.linkType, p.data, seg, null, p.frame, p.tsSec) === Skip.Udp) out.push(seg.payload.slice());
  });
  return out;
}
