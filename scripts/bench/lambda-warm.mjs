// Warm cost of the Lambda bundle under Node: import it once (the init phase), then
// call `handler` with ALB DELETE events (carrying BENCH_AUTHORIZATION, the same token every
// time, as one client sends it). Run as: node lambda-warm.mjs <bundle.cjs> <n>
// with PICUS_STORE=memory. Prints one JSON line with microseconds per event.
import { createRequire } from 'node:module';

const [bundle, count] = process.argv.slice(2);
const n = Number(count ?? 20000);
const { handler } = createRequire(import.meta.url)(bundle);
const event = (i) => ({
  requestContext: {
    elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bench/1' },
  },
  httpMethod: 'DELETE',
  path: `/picus/bench-${i}`,
  queryStringParameters: {},
  headers: {
    host: 'bench.local',
    'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000',
    authorization: process.env.BENCH_AUTHORIZATION ?? '',
  },
  body: '',
  isBase64Encoded: false,
});
const statuses = {};
for (let i = 0; i < Math.min(n, 5000); i++) await handler(event(i)); // warm-up (JIT)
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const result = await handler(event(i));
  statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
}
const micros = Number(process.hrtime.bigint() - start) / 1000 / n;
process.stdout.write(`${JSON.stringify({ usPerEvent: micros, events: n, statuses })}\n`);
