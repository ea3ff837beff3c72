/**
 * The web tier's ceiling: a bare Bun.serve answering the same routes with the same
 * JSON from a Map, with no framework, validation, logging or store behind it.
 * Env: PORT, ITEM_JSON (the item GET /picus/get/{id} returns, keyed by its object_id),
 * LIST_JSON (the page GET /picus/list answers, serialized anew for each request),
 * WITH_HEADERS=1 to also send what every picus response carries (the caller's
 * x-request-id or a new one, nosniff, no-store): the reference that shows what those
 * headers alone cost. POST /picus/put parses the JSON body and answers 201 with a new id,
 * as picus does, with nothing stored; with KEEP_ITEMS=1 it keeps each item as the memory store
 * does (its JSON text in a Map), so the cost of keeping items alone can be told apart.
 */
const item = JSON.parse(process.env.ITEM_JSON ?? '{"object_id":"x","data":{},"created_at":""}') as {
  object_id: string;
};
const items = new Map<string, unknown>([[item.object_id, item]]);
const page: unknown = process.env.LIST_JSON ? JSON.parse(process.env.LIST_JSON) : undefined;
const PREFIX = '/picus/get/';
const withHeaders = process.env.WITH_HEADERS === '1';
const kept = process.env.KEEP_ITEMS === '1' ? new Map<string, string>() : undefined;

const init = (
  request: Request,
  status = 200,
  extra: Record<string, string> = {},
): ResponseInit | undefined =>
  withHeaders
    ? {
        status,
        headers: {
          'x-request-id': request.headers.get('x-request-id') ?? crypto.randomUUID(),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
          ...extra,
        },
      }
    : status === 200
      ? undefined
      : { status, headers: extra };

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  async fetch(request) {
    const path = request.url.slice(request.url.indexOf('/', 7));
    if (path === '/health') return Response.json({ status: 'ok' }, init(request));
    if (request.method === 'POST' && path === '/picus/put') {
      const data: unknown = await request.json();
      const object_id = crypto.randomUUID();
      const created_at = new Date().toISOString();
      kept?.set(object_id, JSON.stringify({ object_id, data, created_at, created_by: null }));
      const location = { location: `/picus/get/${object_id}` };
      return Response.json({ object_id, created_at }, init(request, 201, location));
    }
    if (page !== undefined && path.startsWith('/picus/list')) return Response.json(page, init(request));
    if (path.startsWith(PREFIX)) {
      const found = items.get(decodeURIComponent(path.slice(PREFIX.length)));
      if (found) return Response.json(found, init(request));
    }
    return Response.json({ title: 'Not Found' }, init(request, 404));
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => process.exit(0));
