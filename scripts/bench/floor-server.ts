/**
 * The floor of `GET /picus/get/{id}` in the production case: a bare Bun.serve doing only what
 * that request must do, with picus's own modules, and nothing else. It takes the request id,
 * checks the token (the same authorizer, the run's issuer), reads the item from the memory store
 * through ItemService, and sends it with the same headers. It writes the same log line with its
 * EMF metrics, to stdout in batches. There is no routing beyond one prefix, no envelope, no
 * failure handling: what picus reaches against the header-matched server reads against what
 * this reaches.
 * Env: PORT, ITEM_JSON (the item to serve, stored under its object_id), and picus's own
 * configuration (AUTH_*, APP_METRICS) as the binary takes it.
 */

import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import { JSON_CONTENT_TYPE } from '../../contracts/http.ts';
import { SCOPES } from '../../contracts/scopes.ts';
import type { Item } from '../../domain/item.ts';
import { ItemService } from '../../domain/item-service.ts';
import { authSettingsFrom } from '../../entrypoints/shared/auth/auth-settings.ts';
import { createAuthorizer } from '../../entrypoints/shared/auth/authorizer.ts';
import { bufferedLines } from '../../entrypoints/shared/buffered-lines.ts';
import { loadConfig } from '../../entrypoints/shared/config.ts';
import { createLogger } from '../../entrypoints/shared/logger.ts';
import { decodePathKey } from '../../entrypoints/shared/path-key.ts';
import { requestIdFrom } from '../../entrypoints/shared/request-id.ts';
import { logRequest } from '../../entrypoints/shared/request-log.ts';
import { responseHeaders } from '../../entrypoints/shared/response-headers.ts';

const config = loadConfig();
const auth = createAuthorizer(authSettingsFrom(config));
const repository = new MemoryItemRepository();
await repository.create(JSON.parse(process.env.ITEM_JSON ?? '') as Item);
const service = new ItemService(repository);
const stdout = bufferedLines(1);
const logger = createLogger('info', stdout.write, { metrics: config.APP_METRICS === 'emf' });
const PREFIX = '/picus/get/';
const HEALTHY = JSON.stringify({ status: 'ok' });

Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  development: false,
  async fetch(request) {
    const startedAt = performance.now();
    const headers = request.headers;
    const requestId = requestIdFrom((name) => headers.get(name));
    const url = request.url;
    const path = url.slice(url.indexOf('/', 7));
    if (!path.startsWith(PREFIX)) return new Response(HEALTHY);
    const caller = await auth.authorize(headers.get('authorization'), SCOPES.read);
    const storeStarted = performance.now();
    const item = await service.get(decodePathKey(path.slice(PREFIX.length)));
    const storeMs = performance.now() - storeStarted;
    const sent = responseHeaders(requestId, undefined, null);
    sent['content-type'] = JSON_CONTENT_TYPE;
    const response = new Response(JSON.stringify(item), { headers: sent });
    logRequest(logger, {
      requestId,
      method: request.method,
      path,
      status: 200,
      startedAt,
      caller,
      operation: 'get',
      storeMs,
    });
    return response;
  },
});
process.on('SIGTERM', () => {
  stdout.flush();
  process.exit(0);
});
