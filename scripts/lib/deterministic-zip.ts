import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A minimal, deterministic zip writer: the same entries give the same bytes on
 * every machine running the same Bun (the deflate stream comes from its zlib).
 *
 * What makes it reproducible, compared with `zip` or most libraries:
 * - entries are written sorted by name, whatever order they were given in;
 * - every timestamp is the DOS epoch (1980-01-01 00:00:00);
 * - permissions are fixed (regular file, 0644) and recorded as made on Unix;
 * - no extra fields (no extended timestamps, uid/gid), no comments, no data descriptors.
 */

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, ASCII, no leading `/`. */
  readonly name: string;
  readonly data: Uint8Array;
}

export type ZipMethod = 'deflate' | 'store';

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // 3 = Unix, so the external attributes carry a mode
const REGULAR_FILE_0644 = 0o100644;

/** The deflate level; part of the format: changing it changes every artifact's hash. */
export const DEFLATE_LEVEL = 9;

export function createZip(entries: readonly ZipEntry[], method: ZipMethod = 'deflate'): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Set<string>();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;

  for (const entry of sorted) {
    if (!/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(entry.name) || entry.name.startsWith('/'))
      throw new Error(`zip: unsupported entry name ${JSON.stringify(entry.name)}`);
    if (seen.has(entry.name)) throw new Error(`zip: duplicate entry ${entry.name}`);
    seen.add(entry.name);

    const name = Buffer.from(entry.name, 'ascii');
    const checksum = crc32(entry.data) >>> 0;
    let body: Uint8Array = entry.data;
    let methodCode = 0;
    if (method === 'deflate') {
      const deflated = deflateRawSync(entry.data, { level: DEFLATE_LEVEL });
      if (deflated.length < entry.data.length) {
        body = deflated;
        methodCode = 8;
      }
    }
    if (body.length > 0xfffffffe || offset > 0xfffffffe) throw new Error('zip: zip64 is not supported');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(methodCode, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    chunks.push(local, name, body);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(0, 8); // flags
    header.writeUInt16LE(methodCode, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(checksum, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(0, 30); // extra length
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE((REGULAR_FILE_0644 << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);

    offset += local.length + name.length + body.length;
  }

  const centralSize = central.reduce((sum, chunk) => sum + chunk.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length

  return Buffer.concat([...chunks, ...central, end]);
}
