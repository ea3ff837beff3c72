import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../adapters/dynamodb/dynamodb-item-repository.ts';
import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import type { ItemRepository } from '../../domain/item-repository.ts';
import type { Config } from './config.ts';

export interface ItemStore {
  readonly repository: ItemRepository;
  /** Releases sockets; the process can then exit without waiting on keep-alives. */
  close(): void;
}

/** The composition root's one decision: which adapter backs the ItemRepository port. */
export function openItemStore(config: Config): ItemStore {
  if (config.PICUS_STORE === 'memory') {
    return { repository: new MemoryItemRepository(), close: () => {} };
  }
  const client = createDynamoClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
    connectTimeoutMs: config.DYNAMODB_TIMEOUT_MS,
    requestTimeoutMs: config.DYNAMODB_TIMEOUT_MS,
    maxAttempts: config.DYNAMODB_MAX_ATTEMPTS,
  });
  return { repository: new DynamoItemRepository(client, config.TABLE_NAME), close: () => client.destroy() };
}
