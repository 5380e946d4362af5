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
