import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoClientSettings {
  readonly region: string;
  /** Custom endpoint (the embedded DynamoDB); unset in AWS. */
  readonly endpoint?: string | undefined;
  /** Per-attempt budget for connecting, in ms. */
  readonly connectTimeoutMs: number;
  /** Per-attempt budget for the whole request, in ms. */
  readonly requestTimeoutMs: number;
  /** Attempts including the first, with the SDK's standard backoff between them. */
  readonly maxAttempts: number;
}

/**
 * One client per process: sockets are kept alive and reused, so a request pays
 * no TCP/TLS handshake. Timeouts are bounded per attempt, so with `maxAttempts` a
 * dead store costs a caller at most about attempts x timeout, never a hang.
 */
export function createDynamoClient(settings: DynamoClientSettings): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new DynamoDBClient({
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    ...(settings.endpoint
      ? {
          endpoint: settings.endpoint,
          // The embedded DynamoDB ignores credentials but the SDK insists on some.
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          },
        }
      : {}),
    // Options for the SDK's own Node HTTP handler (an object, not an instance: the client
    // builds its handler from them, so nothing here imports @smithy/node-http-handler).
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without this the handler only logs a warning when the budget is exceeded and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}
