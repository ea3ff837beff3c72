import type { z } from 'zod';
import type { HealthResponse, ReadyResponse } from '../../contracts/health.ts';

import { ListItemsQuery, type ListItemsResponse, type PutItemResponse } from '../../contracts/item.ts';
import { OPERATION_ROUTES, type OperationRoute } from '../../contracts/operation-routes.ts';
import { templatePrefix } from '../../contracts/path-template.ts';
import { InvalidPageRequest } from '../../domain/errors.ts';
import { assertValidIdempotencyKey } from '../../domain/item-rules.ts';
import { decodePathKey } from '../shared/path-key.ts';
import type { Reply } from '../shared/reply.ts';
import type { Exchange } from './exchange.ts';
import { readJsonBody } from './json-body.ts';
import { queryOf } from './query.ts';

/** Serves one operation: its request (the caller already authorized), its path, its exchange. */
export type ServeOperation = (request: Request, path: string, exchange: Exchange) => Promise<Reply>;

const HEALTHY: Reply = {
  status: 200,
  body: JSON.stringify({ status: 'ok' } satisfies z.infer<typeof HealthResponse>),
};
const READY: Reply = {
  status: 200,
  body: JSON.stringify({ status: 'ready' } satisfies z.infer<typeof ReadyResponse>),
};

/** `/picus/get/`: what precedes the key in the getItem path. */
const GET_ITEM_PREFIX = templatePrefix(OPERATION_ROUTES.getItem.path);

/**
 * The operations the container serves, dispatched straight from the operations table: no
 * framework between a request and its use case (a framework's routing, context and response
 * mapping were a fifth of GET's time, README Performance). DELETE is the Lambda's and is not
 * here. Requests are checked against the contract: the list query by its schema; keys, bodies
 * and Idempotency-Keys by the domain's rules, which the schemas are made from.
 */
export const CONTAINER_OPERATIONS: ReadonlyMap<OperationRoute, ServeOperation> = new Map<
  OperationRoute,
  ServeOperation
>([
  [OPERATION_ROUTES.health, async () => HEALTHY],
  [
    OPERATION_ROUTES.ready,
    async (_request, _path, exchange) => {
      await exchange.service.ready();
      return READY;
    },
  ],
  [
    OPERATION_ROUTES.listItems,
    async (request, _path, exchange) => {
      const query = ListItemsQuery.safeParse(queryOf(request.url));
      if (!query.success) {
        // Each issue names its parameter (contracts/query-parameter.ts).
        throw new InvalidPageRequest(`${query.error.issues.map((issue) => issue.message).join('; ')}.`);
      }
      const page = await exchange.service.list(query.data.limit, query.data.cursor);
      const body: ListItemsResponse = {
        items: [...page.items],
        count: page.items.length,
        next_cursor: page.nextCursor ?? null,
      };
      return { status: 200, body: JSON.stringify(body) };
    },
  ],
  [
    OPERATION_ROUTES.putItem,
    async (request, _path, exchange) => {
      const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
      // A bad key is refused before the body is read: the cheaper check, and the body unread.
      if (idempotencyKey !== undefined) assertValidIdempotencyKey(idempotencyKey);
      const data = await readJsonBody(request);
      const createdBy = exchange.caller.subject;
      const { item, replayed } = await exchange.service.put(data, { idempotencyKey, createdBy });
      exchange.replayed = replayed;
      const body: PutItemResponse = { object_id: item.object_id, created_at: item.created_at };
      const location = `${GET_ITEM_PREFIX}${encodeURIComponent(item.object_id)}`;
      const headers: Record<string, string> = { location };
      if (replayed) headers['idempotent-replayed'] = 'true';
      return { status: 201, body: JSON.stringify(body), headers };
    },
  ],
  [
    OPERATION_ROUTES.getItem,
    async (_request, path, exchange) => {
      const item = await exchange.service.get(decodePathKey(path.slice(GET_ITEM_PREFIX.length)));
      return { status: 200, body: JSON.stringify(item) };
    },
  ],
]);
