import { ItemService } from '../../domain/item-service.ts';
import { createLogger } from '../shared/access-log.ts';
import { loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { createApp } from './app.ts';
import { runHealthcheck } from './healthcheck.ts';
import { drain, serveApp } from './server.ts';

/**
 * The container's process: serve until SIGTERM/SIGINT, then drain and exit 0,
 * so an ECS rolling deploy (or Ctrl-C) loses no request.
 * `--healthcheck` instead probes a running instance (the image has no curl).
 */
const config = loadConfig();
/**
 * How long a SIGTERMed instance keeps serving, with /ready at 503, before it closes
 * its listener: time for a load balancer that health-checks /ready to take it out.
 * 0 (the default) on ECS, where the ALB deregisters the task before SIGTERM.
 * Read here until it joins the config schema.
 */
const SHUTDOWN_NOTICE_MS = noticeFrom(process.env.SHUTDOWN_NOTICE_MS);
function noticeFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`Invalid configuration: SHUTDOWN_NOTICE_MS: ${value}`);
  return ms;
}

if (process.argv.includes('--healthcheck')) {
  process.exit(await runHealthcheck(config.PORT_APP));
}

const logger = createLogger(config.LOG_LEVEL);
const store = openItemStore(config);
const service = new ItemService(store.repository);
const server = serveApp(createApp({ service }), { port: config.PORT_APP, hostname: config.HOST, logger });
logger.event('info', 'listening', { url: `http://${config.HOST}:${server.port}`, store: config.PICUS_STORE });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.event('info', 'draining', {
    signal,
    timeout_ms: config.SHUTDOWN_TIMEOUT_MS,
    notice_ms: SHUTDOWN_NOTICE_MS,
  });
  const clean = await drain(server, config.SHUTDOWN_TIMEOUT_MS, { noticeMs: SHUTDOWN_NOTICE_MS });
  store.close();
  logger.event(clean ? 'info' : 'warn', 'stopped', { clean });
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
