import { describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createZip } from '../lib/deterministic-zip.ts';
import { lambdaArtifacts, runBuild } from './artifacts.ts';
import { readZip } from './zip-reader.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the Lambda zip', () => {
  test('holds index.cjs at the root, byte for byte the bundle, with fixed metadata', async () => {
    const { bundle, zip } = await lambdaArtifacts();
    const entries = readZip(readFileSync(zip.path));
    expect(entries.map((entry) => entry.name)).toEqual(['index.cjs']);
    const [entry] = entries;
    if (!entry) throw new Error('empty zip');
    expect(sha256(entry.data)).toBe(bundle.sha256);
    expect(entry.method).toBe(8); // deflate
    expect(entry.dosDate).toBe(0x21); // 1980-01-01
    expect(entry.dosTime).toBe(0);
    expect(entry.versionMadeBy >> 8).toBe(3); // Unix, so the mode below is honoured
    expect(entry.externalAttributes >>> 16).toBe(0o100644);
    expect(entry.extraLength).toBe(0);
    expect(zip.bytes).toBeLessThan(bundle.bytes);
  });

  test('is reproducible: a second build gives the same bytes and sha256', async () => {
    const { zip } = await lambdaArtifacts();
    const again = await runBuild(['--lambda-only']);
    const second = again.artifacts.find((artifact) => artifact.kind === 'lambda-zip');
    expect(second?.path).not.toBe(zip.path);
    expect(second?.sha256).toBe(zip.sha256);
    expect(sha256(readFileSync(second?.path as string))).toBe(sha256(readFileSync(zip.path)));
  }, 60_000);

  test('does not depend on the order entries are given in', () => {
    const a = { name: 'a.txt', data: new TextEncoder().encode('alpha '.repeat(50)) };
    const b = { name: 'dir/b.bin', data: new Uint8Array([0, 1, 2, 3]) };
    const one = createZip([a, b]);
    expect(sha256(createZip([b, a]))).toBe(sha256(one));
    const entries = readZip(Buffer.from(one));
    expect(entries.map((entry) => [entry.name, entry.method])).toEqual([
      ['a.txt', 8],
      ['dir/b.bin', 0], // incompressible: stored
    ]);
    expect(() => createZip([a, a])).toThrow(/duplicate/);
    expect(() => createZip([{ name: '/abs', data: new Uint8Array() }])).toThrow(/unsupported/);
  });

  // An independent reader, not ours: readZip above could share a misreading with createZip.
  // Without unzip this fails rather than passing unchecked (scripts/ensure-system-deps.sh installs it).
  test('unzip accepts it', async () => {
    const unzip = Bun.which('unzip');
    if (!unzip) {
      throw new Error('unzip is not on PATH, so the zip cannot be checked by it: apt-get install unzip');
    }
    const { zip } = await lambdaArtifacts();
    const check = Bun.spawnSync([unzip, '-t', zip.path]);
    expect(check.exitCode).toBe(0);
    expect(check.stdout.toString()).toContain('No errors detected');
  });
});
