import { ItemService } from '../../domain/item-service.ts';
import { authSettingsFrom } from '../shared/auth/auth-settings.ts';
import { createAuthorizer } from '../shared/auth/authorizer.ts';
import { bufferedLines } from '../shared/buffered-lines.ts';
import { loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { createLogger } from '../shared/logger.ts';
import { createApp } from './app.ts';
import { runHealthcheck } from './healthcheck.ts';
import { serveApp } from './server.ts';

/**
 * The container's process: serve until SIGTERM/SIGINT, then drain and exit 0,
 * so an ECS rolling deploy (or Ctrl-C) loses no request.
 * `--healthcheck` instead probes a running instance (the image has no curl).
 */
const config = loadConfig();

if (process.argv.includes('--healthcheck')) {
  process.exit(await runHealthcheck(config.PORT_APP));
}

// Request lines leave in batches (a write per request was the hot path's largest cost).
const stdout = bufferedLines(1);
const logger = createLogger(config.LOG_LEVEL, stdout.write, { metrics: config.APP_METRICS === 'emf' });
const auth = authSettingsFrom(config);
if (auth.mode === 'none') logger.event('warn', 'AUTH_MODE=none: every item operation is open to anyone');
const store = openItemStore(config);
const service = new ItemService(store.repository);
const app = createApp({ service, auth: createAuthorizer(auth) });
const host = config.HOST ?? '0.0.0.0';
const { server, drain } = listenOrExit();
logger.event('info', 'listening', {
  url: `http://${host}:${server.port}`,
  store: config.PICUS_STORE,
  auth: auth.mode === 'jwt' ? auth.issuer : 'none',
});

// Started by the local stack (an IPC channel): tell it the port this process bound, so it
// talks to this process and no other server that might answer on a port it guessed.
process.send?.({ type: 'listening', port: server.port });

/** Serves on PORT_APP, or exits 1 with one line naming the variable when the port is taken. */
function listenOrExit(): ReturnType<typeof serveApp> {
  try {
    return serveApp(app, {
      port: config.PORT_APP,
      hostname: host,
      logger,
      cors: config.CORS_ALLOWED_ORIGINS,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    logger.event(
      'error',
      `PORT_APP ${config.PORT_APP} is in use by another process; stop it or set PORT_APP`,
      { host },
    );
    process.exit(1);
  }
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.event('info', 'draining', {
    signal,
    timeout_ms: config.SHUTDOWN_TIMEOUT_MS,
    notice_ms: config.SHUTDOWN_NOTICE_MS,
  });
  const clean = await drain(config.SHUTDOWN_TIMEOUT_MS, { noticeMs: config.SHUTDOWN_NOTICE_MS });
  store.close();
  logger.event(clean ? 'info' : 'warn', 'stopped', { clean });
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// Started by the local stack: when the stack dies, even by SIGKILL, its channel closes; drain and go.
process.once('disconnect', () => void shutdown('disconnect'));
process.on('SIGINT', () => void shutdown('SIGINT'));
