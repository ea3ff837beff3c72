import { join } from 'node:path';
import {
  type EmbeddedDynamo,
  startEmbeddedDynamo,
} from '../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ensureTableAt } from '../../adapters/dynamodb/table.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../http/app.ts';
import { drain, serveApp } from '../http/server.ts';
import { createDeleteHandler } from '../lambda/delete-handler.ts';
import { createLogger } from '../shared/access-log.ts';
import { type Config, loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { startContainer } from './container-process.ts';
import { startLoadBalancer } from './load-balancer.ts';
import { STACK_READY_LINE } from './stack-banner.ts';

/**
 * `bun run dev`: the AWS topology on one machine. A load balancer on PORT routes
 * by the shared routing table: DELETE /picus/* to the Lambda handler (in this
 * process, called with ALB events), everything else over HTTP to the container
 * app (its own process, as on ECS). Storage is the embedded DynamoDB under
 * DATA_DIR unless DYNAMODB_ENDPOINT points elsewhere.
 *
 * With PICUS_STORE=memory there is no shared store between processes, so the
 * container app runs inside this process to share the in-memory store with the
 * Lambda handler.
 */
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const stops: Array<() => Promise<unknown>> = [];

async function start(): Promise<void> {
  let lambdaConfig: Config = config;
  let containerUrl: string;
  let storeDescription: string;

  if (config.PICUS_STORE === 'memory') {
    const store = openItemStore(config);
    const service = new ItemService(store.repository);
    const app = serveApp(createApp({ service }), { port: config.PORT_APP, hostname: '127.0.0.1', logger });
    stops.push(() => drain(app, config.SHUTDOWN_TIMEOUT_MS));
    containerUrl = `http://127.0.0.1:${app.port}`;
    storeDescription = 'in-memory (lost on exit)';
    const lb = startLoadBalancer({
      port: config.PORT,
      hostname: '0.0.0.0',
      containerUrl,
      lambda: createDeleteHandler(service, logger),
      logger,
    });
    stops.unshift(() => drain(lb, config.SHUTDOWN_TIMEOUT_MS));
    announce(lb.port ?? config.PORT, containerUrl, storeDescription);
    return;
  }

  let endpoint = config.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    const dataDir = join(config.DATA_DIR, 'dynamodb');
    const engine: EmbeddedDynamo = await startEmbeddedDynamo({ dataDir });
    stops.push(() => engine.stop());
    endpoint = engine.endpoint;
    storeDescription = `embedded DynamoDB at ${endpoint}, data in ${dataDir}/`;
  } else {
    storeDescription = `DynamoDB at ${endpoint}`;
  }
  await ensureTableAt(endpoint, config.TABLE_NAME, config.AWS_REGION);

  lambdaConfig = { ...config, DYNAMODB_ENDPOINT: endpoint };
  const container = await startContainer({
    PORT_APP: String(config.PORT_APP),
    HOST: '127.0.0.1',
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_NAME: config.TABLE_NAME,
    AWS_REGION: config.AWS_REGION,
    LOG_LEVEL: config.LOG_LEVEL,
    SHUTDOWN_TIMEOUT_MS: String(config.SHUTDOWN_TIMEOUT_MS),
  });
  stops.unshift(() => container.stop());
  void container.process.exited.then((code) => {
    if (!shuttingDown) {
      logger.event('error', 'container process exited; stopping the stack', { code });
      void stopAll(1);
    }
  });
  containerUrl = container.url;

  const lambdaStore = openItemStore(lambdaConfig);
  stops.push(async () => lambdaStore.close());
  const lb = startLoadBalancer({
    port: config.PORT,
    hostname: '0.0.0.0',
    containerUrl,
    lambda: createDeleteHandler(new ItemService(lambdaStore.repository), logger),
    logger,
  });
  stops.unshift(() => drain(lb, config.SHUTDOWN_TIMEOUT_MS));
  announce(lb.port ?? config.PORT, containerUrl, storeDescription);
}

function announce(port: number, containerUrl: string, store: string): void {
  const base = `http://localhost:${port}`;
  process.stdout.write(
    [
      '',
      `picus local stack is up`,
      `  API (load balancer)  ${base}   e.g. curl ${base}/health`,
      `  container app        ${containerUrl}`,
      `  DELETE /picus/*      Lambda handler, invoked with ALB events`,
      `  store                ${store}`,
      STACK_READY_LINE,
      '',
    ].join('\n'),
  );
}

let shuttingDown = false;
async function stopAll(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const stop of stops) {
    try {
      await stop();
    } catch (error) {
      logger.event('warn', 'stop step failed', { error: String(error) });
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await start();
} catch (error) {
  logger.event('error', 'local stack failed to start', { error: String(error) });
  await stopAll(1);
}
