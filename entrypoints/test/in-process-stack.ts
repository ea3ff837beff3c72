import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../http/app.ts';
import { type ServedApp, serveApp } from '../http/server.ts';
import { createDeleteHandler } from '../lambda/delete-handler.ts';
import { type LoadBalancer, startLoadBalancer } from '../local/load-balancer.ts';
import { createAuthorizer } from '../shared/auth/authorizer.ts';
import { createLogger } from '../shared/logger.ts';

/**
 * The local stack's servers in the test's own process, on loopback ports: the container app and
 * the load balancer in front of it (DELETE to the Lambda handler), over one memory store, with
 * authentication off and every log line kept in `lines`.
 */
export interface InProcessStack {
  readonly container: ServedApp;
  readonly lb: LoadBalancer;
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
    containerUrl: `http://127.0.0.1:${container.server.port}`,
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
      await lb.stop();
      await container.server.stop(true);
    },
  };
}
