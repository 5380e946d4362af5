// QUIC transport parameters (RFC 9000 §18): the quic_transport_parameters TLS extension
// (57) of the ClientHello and of the server's EncryptedExtensions. Pure: a list of
// (id, length, value) with names; varint values decoded, connection IDs as hex.

import { transportParameterName, VARINT_PARAMETERS } from '../registry/quic.js';
import { varint } from './packet.js';

export interface TransportParameter {
  id: number;
  name: string;
  /** A number for varint parameters, hex for the others (connection ids, tokens, addresses). */
  value: number | string | null;
  length: number;
}

/** Parameters read per block at most. */
const MAX_PARAMETERS = 64;

export function decodeTransportParameters(b: Uint8Array): { parameters: TransportParameter[]; malformed: boolean } {
  const parameters: TransportParameter[] = [];
  let off = 0;
  while (off < b.length && parameters.length < MAX_PARAMETERS) {
    const id = varint(b, off);
    if (!id) return { parameters, malformed: true };
    const len = varint(b, off + id.size);
    if (!len) return { parameters, malformed: true };
    const start = off + id.size + len.size;
    if (start + len.value > b.length) return { parameters, malformed: true };
    const raw = b.subarray(start, start + len.value);
    let value: number | string | null = null;
    if (VARINT_PARAMETERS.has(id.value)) value = varint(raw, 0)?.value ?? null;
    else if (raw.length > 0) value = Buffer.from(raw.subarray(0, 64)).toString('hex');
    parameters.push({ id: id.value, name: transportParameterName(id.value), value, length: len.value });
    off = start + len.value;
  }
  return { parameters, malformed: false };
}

/** Parameters only a server may send (RFC 9000 §18.2). */
const SERVER_ONLY = [0x00, 0x02, 0x0d, 0x10];

/**
 * What RFC 9000 §18.2 forbids in one side's transport parameters: the reasons a peer closes
 * with TRANSPORT_PARAMETER_ERROR. Pure; an empty list when nothing is wrong.
 */
export function transportParameterProblems(params: readonly TransportParameter[], from: 'client' | 'server'): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (const p of params) {
    if (seen.has(p.id)) out.push(`${p.name} is sent twice`);
    seen.add(p.id);
    const v = typeof p.value === 'number' ? p.value : null;
    if (p.id === 0x03 && v !== null && v < 1200) out.push(`max_udp_payload_size ${v} is below the minimum of 1200`);
    if (p.id === 0x0a && v !== null && v > 20) out.push(`ack_delay_exponent ${v} is above the maximum of 20`);
    if (p.id === 0x0b && v !== null && v >= 2 ** 14) out.push(`max_ack_delay ${v} ms is not below 2^14`);
    if ((p.id === 0x08 || p.id === 0x09) && v !== null && v > 2 ** 60) out.push(`${p.name} ${v} is above the maximum of 2^60`);
    if (p.id === 0x0e && v !== null && v < 2) out.push(`active_connection_id_limit ${v} is below the minimum of 2`);
    if (from === 'client' && SERVER_ONLY.includes(p.id)) out.push(`${p.name} may only be sent by a server`);
  }
  if (params.length > 0 && !seen.has(0x0f)) out.push('initial_source_connection_id is missing');
  return out;
}
