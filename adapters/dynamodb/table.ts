import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from './dynamodb-client.ts';

/**
 * Creates the items table if it is absent, with the same key schema and billing
 * mode Terraform gives it in AWS. Used by the local stack and the tests only:
 * in AWS the service never creates tables.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'object_id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'object_id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    // Another process created it between our describe and our create.
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.5 },
    { TableName: tableName },
  );
}

/** `ensureTable` through a short-lived client of its own, for callers that only need the table to exist. */
export async function ensureTableAt(
  endpoint: string,
  tableName: string,
  region = 'us-east-1',
): Promise<void> {
  const admin = createDynamoClient({
    region,
    endpoint,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    maxAttempts: 3,
  });
  try {
    await ensureTable(admin, tableName);
  } finally {
    admin.destroy();
  }
}
