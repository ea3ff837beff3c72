/**
 * Through the local load balancer: the local stack's app direct and through its load balancer,
 * in the same process, and what the proxy's own upstream fetch() costs alone.
 */
import { join } from 'node:path';
import { runCommand } from '../../support/child-processes.ts';
import { tokenFrom } from '../auth.ts';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { onCpu, SERVER_CPU } from '../pinned-process.ts';
import { type LoadRow, ratioOf, ratioTarget, rowOf, type Target } from '../report.ts';
import { compare } from '../rounds.ts';
import { seedItem } from '../seed-item.ts';
import { BENCH_DIR } from '../settings.ts';

interface FetchClientCost {
  readonly cpuUsPerRequest: number;
  readonly rps: number;
}

/** fetch-client-cost.ts on the server CPU: the CPU one Bun fetch() of `url` takes. */
async function fetchClientCost(
  url: string,
  headers: Record<string, string>,
  connections: number,
): Promise<FetchClientCost> {
  const r = await runCommand(onCpu(SERVER_CPU, ['bun', join(BENCH_DIR, 'fetch-client-cost.ts')]), {
    env: {
      ...process.env,
      TARGET: url,
      CONCURRENCY: String(connections),
      HEADERS: JSON.stringify(headers),
    },
  });
  if (r.code !== 0) throw new Error(`fetch-client-cost failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as FetchClientCost;
}

export const benchLoadBalancer: SectionRunner<'lb'> = async ({ settings: { timing }, servers }) => {
  const stack = await servers.localStack();
  const { lb, app } = stack;
  // The local stack is its own issuer: a token from it, as a user would get one.
  const authorized = { Authorization: `Bearer ${await tokenFrom(`${lb}/oauth2/token`)}` };
  const item = await seedItem(lb, authorized);
  const rows: LoadRow[] = [];
  const targets: Target[] = [];
  const extra: Record<string, unknown> = {};
  for (const [endpoint, path] of [
    ['GET /health', '/health'],
    ['GET /picus/get/{id}', `/picus/get/${item.id}`],
  ] as const) {
    log(`lb: ${endpoint}`);
    const r = await compare(
      [
        { name: 'direct', url: `${app}${path}`, pid: stack.pid, headers: authorized },
        { name: 'lb', url: `${lb}${path}`, pid: stack.pid, headers: authorized },
      ],
      timing,
    );
    const direct = r.get('direct');
    const via = r.get('lb');
    rows.push(rowOf(`${endpoint} direct to the app (local stack, memory)`, direct, direct));
    rows.push(rowOf(`${endpoint} through the local load balancer`, via, direct));
    if (path !== '/health') {
      // The proxy's own upstream call, measured alone on the same CPU: one fetch() per request.
      const client = await fetchClientCost(`${app}${path}`, authorized, timing.connections);
      const appUs = direct ? ` vs the app direct: ${(1e6 / direct.rps).toFixed(1)} µs` : '';
      rows.push({
        name: 'reference: Bun fetch() client alone, same request',
        note: `${client.cpuUsPerRequest.toFixed(1)} µs CPU per request${appUs}`,
      });
      extra.fetchClient = client;
      if (direct && via) {
        targets.push(ratioTarget('Through the local load balancer vs direct', ratioOf(via, direct), 0.5));
      }
    }
  }
  return { rows, targets, extra };
};
