/**
 * Reproduces a data-integrity fault the 256 KiB soak ran into, now fixed (see
 * ItemRepository.create/delete and adapters/test/dynamodb-item-repository.test.ts, which
 * injects the fault deterministically): when a DynamoDB attempt outlives DYNAMODB_TIMEOUT_MS
 * but the engine still applies it, the SDK retries the same request, and
 * - a put without Idempotency-Key: the retried conditional PutItem fails (the item is there,
 *   written by the first attempt); ItemService took that for an id collision and created the
 *   item again under a new id, which no client was told about. The store now recognizes its
 *   own item and reports it created;
 * - a delete: the retried DeleteItem found nothing and the client got 404 for a delete that
 *   happened. A retried delete that finds nothing now reports the item deleted.
 * A put whose every attempt times out still answers 503 though it may have landed: a client
 * that retries must send an Idempotency-Key.
 *
 *   bun scripts/soak/repro-retried-writes.ts [attempt budget ms, default 4]
 *
 * It runs the embedded engine in memory, puts 40 items of 200 KiB through ItemService with a
 * per-attempt budget shorter than such a put takes, lists the table, deletes every
 * acknowledged id, and prints one JSON line. A correct service ends with itemsInTable equal
 * to acknowledged plus at most the failed puts, no 404 for acknowledged ids, and nothing left
 * but what failed puts may have stored.
 */
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../adapters/dynamodb/dynamodb-item-repository.ts';
import { startEmbeddedDynamo } from '../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ensureTable } from '../../adapters/dynamodb/table.ts';
import { ItemNotFound } from '../../domain/errors.ts';
import { ItemService } from '../../domain/item-service.ts';

const budgetMs = Number(process.argv[2] ?? 4);
const PUTS = 40;
const engine = await startEmbeddedDynamo();
const client = (requestTimeoutMs: number) =>
  createDynamoClient({
    region: 'us-east-1',
    endpoint: engine.endpoint,
    connectTimeoutMs: 2000,
    requestTimeoutMs,
    maxAttempts: 3,
  });
const patient = client(10_000);
const hurried = client(budgetMs);
try {
  await ensureTable(patient, 'picus_data');
  const service = new ItemService(new DynamoItemRepository(hurried, 'picus_data'));
  const reader = new ItemService(new DynamoItemRepository(patient, 'picus_data'));
  const countItems = async () => {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await reader.list(100, cursor);
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return count;
  };

  const acknowledged: string[] = [];
  let failed = 0;
  for (let i = 0; i < PUTS; i++) {
    try {
      const { item } = await service.put({ i, pad: `${'x'.repeat(200 * 1024)}${Math.random()}` });
      acknowledged.push(item.object_id);
    } catch {
      failed++;
    }
  }
  const itemsInTable = await countItems();
  let deletesAnswered404 = 0;
  for (const id of acknowledged) {
    try {
      await service.delete(id);
    } catch (error) {
      if (error instanceof ItemNotFound) deletesAnswered404++;
    }
  }
  console.log(
    JSON.stringify({
      attemptBudgetMs: budgetMs,
      puts: PUTS,
      acknowledged: acknowledged.length,
      failed,
      itemsInTable,
      deletesOfAcknowledgedIdsAnswered404: deletesAnswered404,
      itemsLeftAfterDeletingEveryAcknowledgedId: await countItems(),
    }),
  );
} finally {
  hurried.destroy();
  patient.destroy();
  await engine.stop();
}
