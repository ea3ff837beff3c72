import { crc32, inflateRawSync } from 'node:zlib';

/** One entry as the central directory records it, with its data checked against its CRC. */
export interface ZipEntryInfo {
  readonly name: string;
  readonly method: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly versionMadeBy: number;
  readonly externalAttributes: number;
  readonly extraLength: number;
  readonly data: Buffer;
}

/** Reads a zip the way unzip does (central directory first), for checking what the build wrote. */
export function readZip(zip: Buffer): ZipEntryInfo[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end-of-central-directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntryInfo[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const localStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(localStart, localStart + compressed);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (data.length !== size || crc32(data) >>> 0 !== crc) throw new Error(`${name}: size or CRC mismatch`);
    entries.push({
      name,
      method,
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      versionMadeBy: zip.readUInt16LE(at + 4),
      externalAttributes: zip.readUInt32LE(at + 38),
      extraLength: extraLength + zip.readUInt16LE(local + 28),
      data,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
