/**
 * The scale of list: the binary pages through tables of two sizes in the embedded DynamoDB, and
 * its peak memory must not grow with the table (the service never loads the whole table).
 */
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sampleRss, statusMiB } from '../../support/child-processes.ts';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { type ListRow, type Target, target } from '../report.ts';
import { adminClient } from '../servers.ts';
import { TABLE } from '../settings.ts';

function storedItem(i: number): Record<string, AttributeValue> {
  return {
    object_id: { S: `bench-${i.toString().padStart(7, '0')}` },
    created_at: { S: '2025-01-01T00:00:00.000Z' },
    data: {
      M: {
        name: { S: 'bench' },
        n: { N: String(i) },
        tags: { L: [{ S: 'a' }, { S: 'b' }] },
        nested: { M: { ok: { BOOL: true } } },
      },
    },
  };
}

/** Writes items `from`..`to`-1 straight to the engine, 25 a batch, 8 batches in flight. */
async function loadItems(client: DynamoDBClient, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 25);
      let requests = Array.from({ length: next - start }, (_, k) => ({
        PutRequest: { Item: storedItem(start + k) },
      }));
      while (requests.length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function pageToEnd(
  url: string,
  authorized: Readonly<Record<string, string>>,
): Promise<{ seconds: number; items: number; pages: number }> {
  let cursor: string | null = null;
  let items = 0;
  let pages = 0;
  const start = performance.now();
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${url}/picus/list?limit=1000${q}`, { headers: authorized });
    if (!response.ok) throw new Error(`list failed: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { count: number; next_cursor: string | null };
    items += page.count;
    pages++;
    cursor = page.next_cursor;
  } while (cursor);
  return { seconds: (performance.now() - start) / 1000, items, pages };
}

export const benchList: SectionRunner<'list'> = async ({ settings: { listSizes }, auth, servers }) => {
  const engine = await servers.engine();
  const client = adminClient(engine.endpoint);
  const rows: ListRow[] = [];
  const targets: Target[] = [];
  const results: Array<{ size: number; hwm: number; onePassHwm: number }> = [];
  const equalPages = Math.ceil(Math.max(...listSizes) / 1000) + 1;
  let loaded = 0;
  for (const size of listSizes) {
    const t0 = performance.now();
    await loadItems(client, loaded, size);
    log(`list: loaded ${size - loaded} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    loaded = size;
    const picus = await servers.picus(
      { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint, DYNAMODB_TIMEOUT_MS: '10000' },
      `picus for list of ${size}`,
    );
    const idle = statusMiB(picus.pid, 'VmRSS');
    const stopSampling = sampleRss(picus.pid, 50);
    const run = await pageToEnd(picus.url, auth.headers);
    const onePassHwm = statusMiB(picus.pid, 'VmHWM');
    if (run.items !== size) throw new Error(`list returned ${run.items} items, expected ${size}`);
    // Peak RSS also rises with the number of requests served (the heap grows to a steady size
    // under load), so the table-size comparison gives both servers the same work: the smaller
    // table is paged through again until as many pages were served as the largest table has.
    let pages = run.pages;
    while (pages < equalPages) pages += (await pageToEnd(picus.url, auth.headers)).pages;
    const sampled = stopSampling();
    const hwm = statusMiB(picus.pid, 'VmHWM');
    results.push({ size, hwm, onePassHwm });
    rows.push({
      name: `list ${size.toLocaleString('en-US')} items, limit=1000 (${run.pages} pages)`,
      itemsPerSecond: run.items / run.seconds,
      peakRssMb: hwm,
      note:
        `total ${run.seconds.toFixed(2)} s; peak RSS ${onePassHwm.toFixed(1)} MB after one pass, ` +
        `${hwm.toFixed(1)} MB after ${pages} pages; idle RSS ${idle.toFixed(1)} MB, max sampled ${sampled.toFixed(1)} MB`,
    });
    await picus.stop();
  }
  client.destroy();
  const [small, big] = results;
  if (small && big) {
    const growth = big.hwm / small.hwm - 1;
    const onePass = big.onePassHwm / small.onePassHwm - 1;
    targets.push(
      target(
        `List peak RSS ${big.size / 1000}k vs ${small.size / 1000}k, same number of pages served`,
        'within 10%',
        `${(growth * 100).toFixed(1)}% (${small.hwm.toFixed(1)} → ${big.hwm.toFixed(1)} MB); ` +
          `one pass each: ${(onePass * 100).toFixed(1)}%`,
        growth <= 0.1,
      ),
    );
  }
  return { rows, targets };
};
