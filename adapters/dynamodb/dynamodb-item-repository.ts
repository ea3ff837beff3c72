import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { StoreUnavailable } from '../../domain/errors.ts';
import { sameItem } from '../../domain/idempotency.ts';
import type { Item, ItemPage } from '../../domain/item.ts';
import type { CreateResult, ItemRepository } from '../../domain/item-repository.ts';
import { decodeCursor, encodeCursor } from '../scan-cursor.ts';
import { fromAttributeMap, toAttributeMap } from './json-attribute-value.ts';
import { STORE_RETRY_AFTER_SECONDS, toDomainError } from './store-errors.ts';

type StoredItem = Record<string, AttributeValue>;

/**
 * An item as stored: the key, timestamp and creator as strings, `data` as a native map. An
 * anonymous item has no `created_by` attribute (nor have items stored before it existed).
 */
function toStored(item: Item): StoredItem {
  const stored: StoredItem = {
    object_id: { S: item.object_id },
    created_at: { S: item.created_at },
    data: { M: toAttributeMap(item.data) },
  };
  if (item.created_by !== null) stored.created_by = { S: item.created_by };
  return stored;
}

function fromStored(stored: StoredItem): Item {
  const { object_id, created_at, created_by, data } = stored;
  if (object_id?.S === undefined || created_at?.S === undefined || data?.M === undefined) {
    throw new TypeError('A stored item lacks object_id, created_at or data.');
  }
  return {
    object_id: object_id.S,
    created_at: created_at.S,
    created_by: created_by?.S ?? null,
    data: fromAttributeMap(data.M),
  };
}

const keyOf = (objectId: string) => ({ object_id: { S: objectId } });

/** A create that lost a race to a delete is retried this many times before giving up. */
const MAX_CREATE_ATTEMPTS = 3;

export class DynamoItemRepository implements ItemRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async create(item: Item): Promise<CreateResult> {
    for (let attempt = 1; attempt <= MAX_CREATE_ATTEMPTS; attempt++) {
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: toStored(item),
            ConditionExpression: 'attribute_not_exists(object_id)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { created: true };
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') {
          throw toDomainError(error, 'create');
        }
        const old = (error as { Item?: StoredItem }).Item;
        const existing = old ? fromStored(old) : await this.#getConsistent(item.object_id);
        // The condition failed on a retry and the item there is ours to the millisecond: an
        // earlier attempt of this very call landed (then timed out on the way back). On a first
        // attempt the same item is another request's (an Idempotency-Key replay), not ours.
        if (existing && retried(error) && sameItem(existing, item)) return { created: true };
        // Deleted between our write and our read: the key is free again, so try once more.
        if (existing) return { created: false, existing };
      }
    }
    throw new StoreUnavailable(STORE_RETRY_AFTER_SECONDS);
  }

  async get(objectId: string): Promise<Item | undefined> {
    return this.#read(objectId, false);
  }

  async delete(objectId: string): Promise<boolean> {
    try {
      // ALL_OLD answers "was there one" in the same atomic call; the old item is not decoded.
      const { Attributes, $metadata } = await this.#client.send(
        new DeleteItemCommand({ TableName: this.#table, Key: keyOf(objectId), ReturnValues: 'ALL_OLD' }),
      );
      // After a retry an earlier attempt may have deleted it (see ItemRepository.delete).
      return Attributes !== undefined || ($metadata.attempts ?? 1) > 1;
    } catch (error) {
      throw toDomainError(error, 'delete');
    }
  }

  async scan(limit: number, cursor: string | undefined): Promise<ItemPage> {
    const startKey = cursor === undefined ? undefined : keyOf(decodeCursor(cursor));
    try {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new ScanCommand({ TableName: this.#table, Limit: limit, ExclusiveStartKey: startKey }),
      );
      const last = LastEvaluatedKey?.object_id?.S;
      return {
        items: Items.map(fromStored),
        nextCursor: last === undefined ? undefined : encodeCursor(last),
      };
    } catch (error) {
      throw toDomainError(error, 'scan');
    }
  }

  async ping(): Promise<void> {
    try {
      const { Table } = await this.#client.send(new DescribeTableCommand({ TableName: this.#table }));
      if (Table?.TableStatus !== 'ACTIVE' && Table?.TableStatus !== 'UPDATING') {
        throw new StoreUnavailable(STORE_RETRY_AFTER_SECONDS);
      }
    } catch (error) {
      throw error instanceof StoreUnavailable ? error : toDomainError(error, 'ping');
    }
  }

  #getConsistent(objectId: string): Promise<Item | undefined> {
    return this.#read(objectId, true);
  }

  async #read(objectId: string, consistent: boolean): Promise<Item | undefined> {
    try {
      const { Item: stored } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyOf(objectId), ConsistentRead: consistent }),
      );
      return stored ? fromStored(stored) : undefined;
    } catch (error) {
      throw toDomainError(error, 'get');
    }
  }
}

/** Whether the SDK sent this call more than once (it records the attempts on the error). */
function retried(error: unknown): boolean {
  return ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1;
}
