/**
 * What Bun's fetch() client costs per request, the bulk of the local load balancer's
 * work: CPU microseconds per GET against TARGET at CONCURRENCY, after a warm-up.
 * Prints one JSON line {cpuUsPerRequest, rps}. Run pinned to the load balancer's CPU.
 */
const target = process.env.TARGET ?? '';
const requests = Number(process.env.REQUESTS ?? 40_000);
const concurrency = Number(process.env.CONCURRENCY ?? 32);
/** Request headers as JSON (e.g. the Authorization the proxied request carries). */
const headers = JSON.parse(process.env.HEADERS ?? '{}') as Record<string, string>;
if (!target) throw new Error('TARGET is required');

async function drive(count: number): Promise<void> {
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued++ < count) {
        const response = await fetch(target, { headers });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${target} answered ${response.status}`);
      }
    }),
  );
}

await drive(Math.ceil(requests / 4));
const cpu = process.cpuUsage();
const started = performance.now();
await drive(requests);
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ cpuUsPerRequest: (used.user + used.system) / requests, rps: requests / seconds })}\n`,
);
