import type { Server } from 'bun';
import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../http/app.ts';
import { serveApp } from '../http/server.ts';
import { createDeleteHandler } from '../lambda/delete-handler.ts';
import { startLoadBalancer } from '../local/load-balancer.ts';
import { createLogger } from '../shared/access-log.ts';
import { createAuthorizer } from '../shared/auth/authorizer.ts';

/**
 * The local stack's servers in the test's own process, on loopback ports: the container app and
 * the load balancer in front of it (DELETE to the Lambda handler), over one memory store, with
 * authentication off and every log line kept in `lines`.
 */
export interface InProcessStack {
  readonly container: Server<undefined>;
  readonly lb: Server<undefined>;
  readonly repository: MemoryItemRepository;
  readonly service: ItemService;
  readonly lines: string[];
  stop(): Promise<void>;
}

export function startInProcessStack(): InProcessStack {
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));
  const auth = createAuthorizer({ mode: 'none' });
  const repository = new MemoryItemRepository();
  const service = new ItemService(repository);
  const container = serveApp(createApp({ service, auth }), { port: 0, hostname: '127.0.0.1', logger });
  const lb = startLoadBalancer({
    port: 0,
    hostname: '127.0.0.1',
    containerUrl: `http://127.0.0.1:${container.port}`,
    lambda: createDeleteHandler(service, logger, auth),
    logger,
  });
  return {
    container,
    lb,
    repository,
    service,
    lines,
    stop: async () => {
      await lb.stop(true);
      await container.stop(true);
    },
  };
}
