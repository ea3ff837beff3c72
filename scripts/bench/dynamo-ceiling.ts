/**
 * The DynamoDB path's ceiling: GetItem straight at the engine, from the same SDK
 * client the service builds (createDynamoClient, same settings), with the same
 * number of requests in flight as wrk has connections. Prints one JSON line.
 * Env: DYNAMODB_ENDPOINT, TABLE_NAME, KEY, CONCURRENCY, WARMUP_S, SECONDS.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';

const env = process.env;
const client = createDynamoClient({
  region: env.AWS_REGION ?? 'us-east-1',
  endpoint: env.DYNAMODB_ENDPOINT,
  connectTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  maxAttempts: 3,
});
const command = () =>
  new GetItemCommand({ TableName: env.TABLE_NAME ?? 'picus_data', Key: { object_id: { S: env.KEY ?? '' } } });

async function drive(seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const start = performance.now();
      const out = await client.send(command());
      if (!out.Item) throw new Error('GetItem found no item');
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: Number(env.CONCURRENCY ?? 32) }, worker));
  return latencies;
}

await drive(Number(env.WARMUP_S ?? 1));
const seconds = Number(env.SECONDS ?? 5);
const latencies = (await drive(seconds)).sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({ rps: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), requests: latencies.length })}\n`,
);
client.destroy();
