/**
 * The web tier: the compiled binary with the in-memory store against a bare Bun.serve (the
 * ceiling) and the same bare server sending picus's headers, with info logging, and without
 * token checks (what checking a token costs, in the same rounds).
 */
import { join } from 'node:path';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { type LoadRow, pct, ratioOf, ratioTarget, rowOf, type Target, target } from '../report.ts';
import { compare, type Summary, type Timing } from '../rounds.ts';
import { seedItem } from '../seed-item.ts';
import type { BenchServers, Served } from '../servers.ts';
import { BENCH_DIR } from '../settings.ts';

export const benchWeb: SectionRunner<'web'> = async ({ settings, auth, servers }) => {
  const authorized = auth.headers;
  const silent = await servers.picus({ PICUS_STORE: 'memory' }, 'picus (memory, LOG_LEVEL=silent)');
  const info = await servers.picus(
    { PICUS_STORE: 'memory', LOG_LEVEL: 'info' },
    'picus (memory, LOG_LEVEL=info)',
  );
  // The same process without token verification: what checking the token costs, in the same rounds.
  const open = await servers.picus(
    { PICUS_STORE: 'memory', AUTH_MODE: 'none' },
    'picus (memory, AUTH_MODE=none)',
  );
  // The log line in production: info level, stdout a pipe someone drains, with and without its
  // EMF metrics (APP_METRICS), measured in the same rounds.
  const emf = await servers.picus(
    { PICUS_STORE: 'memory', LOG_LEVEL: 'info', APP_METRICS: 'emf' },
    'picus (memory, LOG_LEVEL=info, drained pipe, APP_METRICS=emf)',
    true,
  );
  const plain = await servers.picus(
    { PICUS_STORE: 'memory', LOG_LEVEL: 'info', APP_METRICS: 'off' },
    'picus (memory, LOG_LEVEL=info, drained pipe, APP_METRICS=off)',
    true,
  );
  const item = await seedItem(silent.url, authorized);
  const emfItem = await seedItem(emf.url, authorized);
  const plainItem = await seedItem(plain.url, authorized);
  // Its own process, its own store: the same body, another id.
  const infoItem = await seedItem(info.url, authorized);
  const openItem = await seedItem(open.url, {});
  const ceiling = await servers.ceiling(item.json);
  // The same bare server, also sending the headers every picus response must carry.
  const headed = await servers.ceiling(item.json, { headers: true });
  // The production case's required work and nothing else: how close picus can come to `headed`.
  const floor = await servers.floor(item.json);
  const rows: LoadRow[] = [];
  const targets: Target[] = [];
  for (const [endpoint, path, infoPath, openPath] of [
    ['GET /health', '/health', '/health', '/health'],
    [
      'GET /picus/get/{id}',
      `/picus/get/${item.id}`,
      `/picus/get/${infoItem.id}`,
      `/picus/get/${openItem.id}`,
    ],
  ] as const) {
    log(`web: ${endpoint}`);
    const isItem = path !== '/health';
    const results = await compare(
      [
        { name: 'ceiling', url: `${ceiling.url}${path}`, pid: ceiling.pid },
        { name: 'headed', url: `${headed.url}${path}`, pid: headed.pid },
        { name: 'picus', url: `${silent.url}${path}`, pid: silent.pid, headers: authorized },
        { name: 'picus-info', url: `${info.url}${infoPath}`, pid: info.pid, headers: authorized },
        // The same request (token included: its bytes cost the parser alike), not checked.
        ...(isItem
          ? [
              { name: 'floor', url: `${floor.url}${path}`, pid: floor.pid, headers: authorized },
              { name: 'picus-open', url: `${open.url}${openPath}`, pid: open.pid, headers: authorized },
              {
                name: 'picus-emf',
                url: `${emf.url}/picus/get/${emfItem.id}`,
                pid: emf.pid,
                headers: authorized,
              },
              {
                name: 'picus-plain',
                url: `${plain.url}/picus/get/${plainItem.id}`,
                pid: plain.pid,
                headers: authorized,
              },
            ]
          : []),
      ],
      settings.timing,
    );
    const c = results.get('ceiling');
    const p = results.get('picus');
    rows.push(rowOf(`${endpoint} bare Bun.serve (ceiling)`, c, c));
    rows.push(
      rowOf(
        `${endpoint} reference: bare Bun.serve + x-request-id, nosniff, no-store`,
        results.get('headed'),
        c,
      ),
    );
    rows.push(rowOf(`${endpoint} picus binary, memory, LOG_LEVEL=silent`, p, c));
    const o = results.get('picus-open');
    if (o) rows.push(rowOf(`${endpoint} picus binary, memory, LOG_LEVEL=silent, AUTH_MODE=none`, o, c));
    rows.push(
      rowOf(
        `${endpoint} picus binary, memory, LOG_LEVEL=info (stdout to /dev/null)`,
        results.get('picus-info'),
        c,
      ),
    );
    const withEmf = results.get('picus-emf');
    const withoutEmf = results.get('picus-plain');
    if (withEmf && withoutEmf && c) {
      rows.push(
        rowOf(
          `${endpoint} picus binary, memory, LOG_LEVEL=info, drained pipe, APP_METRICS=off`,
          withoutEmf,
          c,
        ),
        rowOf(`${endpoint} picus binary, memory, LOG_LEVEL=info, drained pipe, APP_METRICS=emf`, withEmf, c),
      );
      const f = results.get('floor');
      if (f)
        rows.push(
          rowOf(
            `${endpoint} floor: bare Bun.serve doing only the required work (id, token, store, headers, log line)`,
            f,
            c,
            `picus (info, EMF): ${pct(ratioOf(withEmf, c) / ratioOf(f, c))} of this`,
          ),
        );
      // One CPU saturated by both: the rate ratio is the CPU ratio per request.
      const cost = 1 - ratioOf(withEmf, c) / ratioOf(withoutEmf, c);
      targets.push(
        target(
          'EMF metrics in the log line: cost over the plain line (info, drained pipe)',
          '<= 5%',
          pct(cost),
          cost <= 0.05,
        ),
      );
    }
    if (o && p && c) {
      // One CPU saturated by both: the rate ratio is the CPU ratio per request.
      const cost = 1 - ratioOf(p, c) / ratioOf(o, c);
      targets.push(
        target('Token verification, warm process: share of the request CPU', '< 10%', pct(cost), cost < 0.1),
      );
    }
    const h = results.get('headed');
    if (isItem && c && p && h && withEmf) {
      // Production's case: every request logged (info, with its metrics), stdout a drained pipe,
      // against the bare server that sends the same headers.
      targets.push(
        ratioTarget(
          'Web GET /picus/get/{id} at info (drained pipe) vs the header-matched bare server',
          ratioOf(withEmf, c) / ratioOf(h, c),
          0.85,
        ),
        target(
          'Web GET /picus/get/{id} at info (drained pipe): p99 at 32 connections',
          '<= 3 ms',
          `${withEmf.p99Ms.toFixed(2)} ms`,
          withEmf.p99Ms <= 3,
        ),
      );
      const rss = p.peakRssMb ?? Number.NaN;
      targets.push(target('Web RSS under load', '<= 80 MB', `${rss.toFixed(1)} MB`, rss <= 80));
    }
  }
  const bodies = await bodyRows(servers, settings.timing, emf, authorized, item.json);
  rows.push(...bodies.rows);
  targets.push(...bodies.targets);
  return { rows, targets };
};

const PUT_1K = join(BENCH_DIR, 'put-1k.lua');
const LIST_PAGE = 100;

/**
 * The request and response bodies of the production case (`server`: info, metrics on, drained
 * pipe): `POST /picus/put` with 1 KiB of JSON against a bare server that parses the same body and
 * answers 201 with the same headers (and the same server keeping each item, as a store must), and `GET /picus/list?limit=100` against a bare server
 * serializing the same page (bytes/s from the page's size).
 */
async function bodyRows(
  servers: BenchServers,
  timing: Timing,
  server: Served,
  authorized: Readonly<Record<string, string>>,
  itemJson: string,
): Promise<{ rows: LoadRow[]; targets: Target[] }> {
  // The list first: puts below add items that would change the first page.
  for (let i = 0; i < LIST_PAGE; i++) await seedItem(server.url, authorized);
  const listPath = `/picus/list?limit=${LIST_PAGE}`;
  const pageJson = await (await fetch(`${server.url}${listPath}`, { headers: authorized })).text();
  const bare = await servers.ceiling(itemJson, { headers: true, list: pageJson });
  // What keeping items costs by itself: the same bare server, also keeping each put's item as
  // the memory store does (its JSON text in a Map that grows for the whole run).
  const keeping = await servers.ceiling(itemJson, { headers: true, keepItems: true });
  log(`web: GET ${listPath}`);
  const list = await compare(
    [
      { name: 'bare', url: `${bare.url}${listPath}`, pid: bare.pid },
      { name: 'picus', url: `${server.url}${listPath}`, pid: server.pid, headers: authorized },
    ],
    timing,
  );
  log('web: POST /picus/put (1 KiB)');
  const put = await compare(
    [
      { name: 'bare', url: `${bare.url}/picus/put`, pid: bare.pid, script: PUT_1K },
      { name: 'keeping', url: `${keeping.url}/picus/put`, pid: keeping.pid, script: PUT_1K },
      { name: 'picus', url: `${server.url}/picus/put`, pid: server.pid, script: PUT_1K, headers: authorized },
    ],
    timing,
  );
  const rows: LoadRow[] = [];
  const targets: Target[] = [];
  const pageBytes = Buffer.byteLength(pageJson);
  const [lb, lp] = [list.get('bare'), list.get('picus')];
  const perSecond = (s: Summary | undefined) =>
    s === undefined
      ? ''
      : `${((s.rps * pageBytes) / 1024 / 1024).toFixed(1)} MiB/s of ${(pageBytes / 1024).toFixed(1)} KiB pages`;
  rows.push(
    rowOf(`GET ${listPath} bare Bun.serve serializing the same page, same headers`, lb, lb, perSecond(lb)),
    rowOf(`GET ${listPath} picus binary, memory, info, drained pipe`, lp, lb, perSecond(lp)),
  );
  const [pb, pk, pp] = [put.get('bare'), put.get('keeping'), put.get('picus')];
  rows.push(
    rowOf('POST /picus/put (1 KiB) bare Bun.serve parsing the body, 201, same headers', pb, pb),
    rowOf('POST /picus/put (1 KiB) the same, keeping each item as JSON text in a Map', pk, pb),
    rowOf(
      'POST /picus/put (1 KiB) picus binary, memory, info, drained pipe',
      pp,
      pb,
      pk && pp && pb ? `${pct(ratioOf(pp, pb) / ratioOf(pk, pb))} of the server keeping items` : undefined,
    ),
  );
  if (pb && pp)
    targets.push(
      ratioTarget('Web POST /picus/put (1 KiB) vs the bare server parsing it', ratioOf(pp, pb), 0.7),
    );

  return { rows, targets };
}
