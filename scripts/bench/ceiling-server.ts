/**
 * The web tier's ceiling: a bare Bun.serve answering the same routes with the same
 * JSON from a Map, with no framework, validation, logging or store behind it.
 * Env: PORT, ITEM_JSON (the item GET /picus/get/{id} returns, keyed by its object_id),
 * WITH_HEADERS=1 to also send what every picus response carries (the caller's
 * x-request-id or a new one, nosniff, no-store): the reference that shows what those
 * headers alone cost.
 */
const item = JSON.parse(process.env.ITEM_JSON ?? '{"object_id":"x","data":{},"created_at":""}') as {
  object_id: string;
};
const items = new Map<string, unknown>([[item.object_id, item]]);
const PREFIX = '/picus/get/';
const withHeaders = process.env.WITH_HEADERS === '1';

const init = (request: Request, status = 200): ResponseInit | undefined =>
  withHeaders
    ? {
        status,
        headers: {
          'x-request-id': request.headers.get('x-request-id') ?? crypto.randomUUID(),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        },
      }
    : status === 200
      ? undefined
      : { status };

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch(request) {
    const path = request.url.slice(request.url.indexOf('/', 7));
    if (path === '/health') return Response.json({ status: 'ok' }, init(request));
    if (path.startsWith(PREFIX)) {
      const found = items.get(decodeURIComponent(path.slice(PREFIX.length)));
      if (found) return Response.json(found, init(request));
    }
    return Response.json({ title: 'Not Found' }, init(request, 404));
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => process.exit(0));
