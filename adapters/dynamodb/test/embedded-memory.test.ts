import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../dynamodb-client.ts';
import { startEmbeddedDynamo } from '../embedded/embedded-dynamodb.ts';
import { ensureTable } from '../table.ts';

/**
 * Issue 15, item 13: the embedded DynamoDB grew without bound under Scans of large items,
 * because dynalite 4.0.0 never closes the LevelDB iterators behind them (see
 * adapters/dynamodb/embedded/close-iterators.cjs). These tests pin the upstream fault and
 * the bound the workaround gives.
 */
const ROOT = join(import.meta.dir, '..', '..', '..');
const REPRO = join(ROOT, 'scripts', 'soak', 'repro-iterator-leak.cjs');
const MiB = 1024 * 1024;

interface ReproResult {
  readonly scanIteratorsOpened: number;
  readonly scanIteratorsClosed: number;
  readonly tableFilesOnDisk: number;
  readonly tableFilesLive: number | null;
  readonly tableFilesMapped: number;
  readonly rssFileMiB: number;
  readonly rssAnonMiB: number;
}

async function repro(args: string[]): Promise<ReproResult> {
  const child = Bun.spawn(['node', REPRO, ...args], { cwd: ROOT, stdout: 'pipe', stderr: 'inherit' });
  const [text, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(0);
  return JSON.parse(text) as ReproResult;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('embedded DynamoDB memory', () => {
  test('dynalite leaves every Scan iterator open; the workaround closes each one', async () => {
    const [published, patched] = [await repro([]), await repro(['--workaround'])];
    console.log(`iterator leak, dynalite as published: ${JSON.stringify(published)}`);
    console.log(`iterator leak, with the workaround:   ${JSON.stringify(patched)}`);
    // The upstream fault, pinned: when this fails, dynalite closes its iterators itself and
    // close-iterators.cjs can go.
    expect(published.scanIteratorsOpened).toBeGreaterThan(0);
    expect(published.scanIteratorsClosed).toBe(0);
    expect(patched.scanIteratorsOpened).toBe(published.scanIteratorsOpened);
    expect(patched.scanIteratorsClosed).toBe(patched.scanIteratorsOpened);
  }, 60_000);

  test('the engine keeps disk and RSS within 3x the data + 150 MiB through Scans and overwrites of 200 KiB items', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picus-embedded-memory-'));
    dirs.push(dir);
    const engine = await startEmbeddedDynamo({ dataDir: dir });
    const client = createDynamoClient({
      region: 'us-east-1',
      endpoint: engine.endpoint,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 10_000,
      maxAttempts: 3,
    });
    try {
      await ensureTable(client, 'picus_data');
      const ITEMS = 60;
      const VALUE_BYTES = 200 * 1024;
      const ROUNDS = 4;
      const put = (i: number) =>
        client.send(
          new PutItemCommand({
            TableName: 'picus_data',
            Item: {
              object_id: { S: `item-${i}` },
              v: { S: randomBytes((VALUE_BYTES * 3) / 4).toString('base64') },
            },
          }),
        );
      const rows: string[] = [];
      let rssMiB = 0;
      let diskMiB = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Every round overwrites each item (compaction then makes the old files obsolete)
        // and pages through the table as the API's list does.
        for (let i = 0; i < ITEMS; i += 6) await Promise.all([0, 1, 2, 3, 4, 5].map((j) => put(i + j)));
        for (let scan = 0; scan < 100; scan++) {
          await client.send(new ScanCommand({ TableName: 'picus_data', Limit: 25 }));
        }
        rssMiB = vmRssMiB(engine.pid);
        diskMiB = tableFilesBytes(dir) / MiB;
        rows.push(`round ${round + 1}: RSS ${rssMiB.toFixed(0)} MiB, table files ${diskMiB.toFixed(0)} MiB`);
      }
      const dataMiB = (ITEMS * VALUE_BYTES) / MiB;
      const limitMiB = 3 * dataMiB + 150;
      console.log(
        `embedded engine, ${ITEMS} items of ${VALUE_BYTES / 1024} KiB (${dataMiB.toFixed(1)} MiB), ` +
          `${ROUNDS} rounds of overwrites + 100 Scans: ${rows.join('; ')}; RSS limit ${limitMiB.toFixed(0)} MiB`,
      );
      // Without the workaround every round's obsolete files stay, and stay mapped: one run
      // here ended at 154 MiB of table files (13x the data) and 549 MiB RSS; with it, 41 MiB
      // (LevelDB keeps overwritten values until compaction reaches them) and 132 MiB.
      expect(diskMiB).toBeLessThan(6 * dataMiB);
      expect(rssMiB).toBeLessThan(limitMiB);
    } finally {
      client.destroy();
      await engine.stop();
    }
  }, 120_000);
});

function vmRssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

function tableFilesBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ldb'))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}
