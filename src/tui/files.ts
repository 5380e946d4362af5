// The TUI's two file effects: `s` saves the selected connection's packets to a pcapng file
// (the verdict as the first packet's comment, written by the same saveConnection() as
// --save-failures), `e` exports its record as JSON. Files go to the
// given directory, named after the connection, never overwriting an existing file.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import type { Connection } from '../engine/connection.js';
import type { ConnectionRecord } from '../report/record.js';
import { saveConnection } from '../cli/setup.js';

/** A free file name: hsi-7.pcapng, else hsi-7-2.pcapng, ... */
export function freeName(dir: string, base: string, ext: string): string {
  for (let i = 1; ; i++) {
    const p = join(dir, `${base}${i === 1 ? '' : `-${i}`}.${ext}`);
    if (!existsSync(p)) return p;
  }
}

const baseName = (r: ConnectionRecord) => `hsi-${r.id}-${r.verdict.code.replace(/[^a-z0-9_.-]/gi, '_')}`;

/** Save a connection's kept packets; returns the message for the status line. */
export function savePackets(rec: ConnectionRecord, conn: Connection | null, dir: string): string {
  const packets = conn?.packetLog?.length ?? 0;
  if (!conn || packets === 0) return `#${rec.id}: no packets kept for this connection`;
  const path = freeName(dir, baseName(rec), 'pcapng');
  const writer = PcapngWriter.toFile(path);
  saveConnection(writer, rec, conn);
  writer.close();
  const cut = conn.packetLogBytes > 0 && conn.packetLog!.length < conn.packets ? ' (the kept packets: the log was capped)' : '';
  return `#${rec.id}: ${packets} packets saved to ${path}${cut}`;
}

/** Write a connection's record as JSON; returns the message for the status line. */
export function exportRecord(rec: ConnectionRecord, dir: string): string {
  const path = freeName(dir, baseName(rec), 'json');
  writeFileSync(path, JSON.stringify(rec, null, 2) + '\n', { flag: 'wx' });
  return `#${rec.id}: record exported to ${path}`;
}
