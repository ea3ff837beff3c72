import { join } from 'node:path';
import { ensureTableAt } from '../../adapters/dynamodb/table.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../http/app.ts';
import { serveApp } from '../http/server.ts';
import { createDeleteHandler } from '../lambda/delete-handler.ts';
import { authSettingsFrom } from '../shared/auth/auth-settings.ts';
import { type AuthSettings, createAuthorizer } from '../shared/auth/authorizer.ts';
import { type Config, loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { createLogger } from '../shared/logger.ts';
import { startContainer } from './container-process.ts';
import { superviseEngine } from './engine-supervisor.ts';
import { freePort } from './free-port.ts';
import { startLoadBalancer } from './load-balancer.ts';
import { LOCAL_METRICS_PATH, MetricsWindow } from './metrics-window.ts';
import {
  createLocalIssuer,
  DEFAULT_LOCAL_CLIENT,
  ISSUER_PATHS,
  type LocalIssuer,
  localClients,
} from './oauth-issuer.ts';
import { STACK_READY_LINE } from './stack-banner.ts';
import { listenOn, startupFailureMessage } from './startup-failure.ts';

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
 *
 * The container's port is whatever free port it binds, unless PORT_APP is set; it tells
 * this process which over an IPC channel (see container-process.ts). The embedded DynamoDB
 * is restarted when it dies, within a bound (engine-supervisor.ts). Any failure to start,
 * or giving up on the engine, prints one line saying what to do and exits 1.
 *
 * Authentication works as in AWS: unless AUTH_ISSUER names another issuer (or AUTH_MODE=none),
 * the load balancer's origin also serves a local OAuth 2.0 issuer (client credentials), and
 * the container and the Lambda handler verify its tokens through its JWKS, over HTTP.
 */
const config = loadConfig();
/** What CloudWatch would make of the stack's request lines, at LOCAL_METRICS_PATH. */
const metrics = new MetricsWindow();
const logger = createLogger(
  config.LOG_LEVEL,
  (line) => {
    process.stdout.write(line);
    metrics.observe(line);
  },
  { metrics: config.APP_METRICS === 'emf' },
);
/** The load balancer answers this machine only, unless HOST says otherwise. */
const LB_HOST = config.HOST ?? '127.0.0.1';
const stops: Array<() => Promise<unknown>> = [];
/** PORT_APP as set, or 0 (any free port) when unset: 8000 may well belong to something else. */
const appPort = (process.env.PORT_APP ?? '') === '' ? 0 : config.PORT_APP;

/** The issuer and the settings every part of the stack verifies tokens with. */
async function localAuth(port: number): Promise<{ settings: AuthSettings; issuer?: LocalIssuer }> {
  if (config.AUTH_MODE === 'none' || config.AUTH_ISSUER !== undefined) {
    return { settings: authSettingsFrom(config) };
  }
  const issuer = await createLocalIssuer({
    issuer: `http://localhost:${port}`,
    clients: localClients(config.PICUS_LOCAL_CLIENTS),
  });
  // The container fetches the keys from the load balancer, as a task fetches Cognito's.
  const settings: AuthSettings = {
    mode: 'jwt',
    issuer: issuer.issuer,
    jwksUrl: `http://127.0.0.1:${port}${ISSUER_PATHS.jwks}`,
    tokenUrl: issuer.tokenUrl,
  };
  return { settings, issuer };
}

function authEnv(settings: AuthSettings): Record<string, string> {
  if (settings.mode === 'none') return { AUTH_MODE: 'none' };
  return {
    AUTH_MODE: 'jwt',
    AUTH_ISSUER: settings.issuer,
    AUTH_JWKS_URL: settings.jwksUrl,
    AUTH_TOKEN_URL: settings.tokenUrl,
    ...(settings.audience !== undefined ? { AUTH_AUDIENCE: settings.audience } : {}),
  };
}

async function start(): Promise<void> {
  let lambdaConfig: Config = config;
  let containerUrl: string;
  let storeDescription: string;
  // The issuer's URL names the port, so it is fixed before anything starts.
  const port = config.PORT === 0 ? await freePort() : config.PORT;
  const { settings: auth, issuer } = await localAuth(port);
  if (auth.mode === 'none') logger.event('warn', 'AUTH_MODE=none: every item operation is open to anyone');

  if (config.PICUS_STORE === 'memory') {
    const store = openItemStore(config);
    const service = new ItemService(store.repository);
    const authorizer = createAuthorizer(auth);
    const app = listenOn('PORT_APP', appPort, () =>
      serveApp(createApp({ service, auth: authorizer }), {
        port: appPort,
        hostname: '127.0.0.1',
        logger,
        cors: config.CORS_ALLOWED_ORIGINS,
      }),
    );
    stops.push(() => app.drain(config.SHUTDOWN_TIMEOUT_MS));
    containerUrl = `http://127.0.0.1:${app.server.port}`;
    storeDescription = 'in-memory (lost on exit)';
    const lb = listenOn('PORT', port, () =>
      startLoadBalancer({
        port,
        hostname: LB_HOST,
        containerUrl,
        lambda: createDeleteHandler(service, logger, authorizer, config.CORS_ALLOWED_ORIGINS),
        logger,
        issuer,
        metrics,
      }),
    );
    stops.unshift(() => lb.drain(config.SHUTDOWN_TIMEOUT_MS, { noticeMs: config.SHUTDOWN_NOTICE_MS }));
    announce(port, containerUrl, storeDescription, auth, issuer);
    return;
  }

  let endpoint = config.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    const dataDir = join(config.DATA_DIR, 'dynamodb');
    const engine = await superviseEngine({ dataDir }, logger);
    stops.push(() => engine.stop());
    void engine.gaveUp.then((why) => fail(`${why}; stopping the stack`));
    endpoint = engine.endpoint;
    storeDescription = `embedded DynamoDB at ${endpoint}, data in ${dataDir}/`;
  } else {
    storeDescription = `DynamoDB at ${endpoint}`;
  }
  await ensureTableAt(endpoint, config.TABLE_NAME, config.AWS_REGION);

  lambdaConfig = { ...config, DYNAMODB_ENDPOINT: endpoint };
  const container = await startContainer(
    {
      PORT_APP: String(appPort),
      HOST: '127.0.0.1',
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: config.TABLE_NAME,
      AWS_REGION: config.AWS_REGION,
      LOG_LEVEL: config.LOG_LEVEL,
      APP_METRICS: config.APP_METRICS,
      SHUTDOWN_TIMEOUT_MS: String(config.SHUTDOWN_TIMEOUT_MS),
      ...authEnv(auth),
    },
    undefined,
    (line) => metrics.observe(line),
  );
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
  const lb = listenOn('PORT', port, () =>
    startLoadBalancer({
      port,
      hostname: LB_HOST,
      containerUrl,
      lambda: createDeleteHandler(
        new ItemService(lambdaStore.repository),
        logger,
        createAuthorizer(auth),
        config.CORS_ALLOWED_ORIGINS,
      ),
      logger,
      issuer,
      metrics,
    }),
  );
  stops.unshift(() => lb.drain(config.SHUTDOWN_TIMEOUT_MS, { noticeMs: config.SHUTDOWN_NOTICE_MS }));
  announce(port, containerUrl, storeDescription, auth, issuer);
}

function announce(
  port: number,
  containerUrl: string,
  store: string,
  auth: AuthSettings,
  issuer: LocalIssuer | undefined,
): void {
  const base = `http://localhost:${port}`;
  const host = `localhost:${port}`;
  const { id, secret } = DEFAULT_LOCAL_CLIENT;
  const authLines =
    auth.mode === 'none'
      ? ['  auth                 none (AUTH_MODE=none): every operation is open']
      : issuer === undefined
        ? [`  auth                 access tokens from ${auth.issuer}`]
        : [
            `  auth                 local OAuth 2.0 issuer ${issuer.issuer} (client ${id} / ${secret})`,
            `  get a token          TOKEN=$(curl -s -u ${id}:${secret} -d grant_type=client_credentials ${host}/oauth2/token | jq -r .access_token)`,
            `  then                 curl -H "Authorization: Bearer $TOKEN" ${host}/picus/list`,
          ];
  process.stdout.write(
    [
      '',
      `picus local stack is up`,
      `  API (load balancer)  ${base}   e.g. curl ${base}/health`,
      `  API docs             ${base}/docs`,
      `  metrics              ${base}${LOCAL_METRICS_PATH}   (the last minute per operation, as CloudWatch will see it)`,
      `  container app        ${containerUrl}`,
      `  DELETE /picus/*      Lambda handler, invoked with ALB events`,
      `  store                ${store}`,
      ...authLines,
      STACK_READY_LINE,
      '',
    ].join('\n'),
  );
}

/** One line on stderr saying what went wrong and what to do, then stop with exit code 1. */
function fail(message: string): Promise<void> {
  if (!shuttingDown) process.stderr.write(`picus local stack: ${message}\n`);
  return stopAll(1);
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
  logger.event('info', 'local stack stopped', { code });
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await start();
} catch (error) {
  await fail(startupFailureMessage(error, { dataDir: config.DATA_DIR }));
}
