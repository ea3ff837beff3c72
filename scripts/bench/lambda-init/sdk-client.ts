/**
 * Cold-init reference (bench lambda section): the SDK loaded and one client made exactly as the
 * function's init makes it (the adapter's factory, config.ts's default timeouts and attempts),
 * without our config, auth, logging or handler code.
 */
import { createDynamoClient } from '../../../adapters/dynamodb/dynamodb-client.ts';

const client = createDynamoClient({
  region: process.env.AWS_REGION ?? 'us-east-1',
  connectTimeoutMs: 1_000,
  requestTimeoutMs: 1_000,
  maxAttempts: 3,
});
Object.assign(globalThis, { benchClient: client });
