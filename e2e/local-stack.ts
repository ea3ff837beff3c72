/**
 * The contract suite's web server when BASE_URL is unset: the local stack
 * (`bun run dev`) on PORT with the embedded DynamoDB in a fresh temporary data
 * directory, removed when the stack stops. Playwright stops it with SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../entrypoints/local/free-port.ts';
import { LOCAL_OTHER_CLIENT } from './support/auth.ts';
import { LOCAL_CORS_ORIGIN } from './support/cors.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'picus-e2e-'));
const child = Bun.spawn([process.execPath, join(import.meta.dir, '..', 'entrypoints', 'local', 'main.ts')], {
  env: {
    ...process.env,
    PORT: process.env.PORT ?? '8080',
    // The container app's port is internal to the stack: any free one, so runs never collide.
    PORT_APP: process.env.PORT_APP ?? String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SHUTDOWN_TIMEOUT_MS: process.env.SHUTDOWN_TIMEOUT_MS ?? '2000',
    // A second client, so the suite can show that idempotency keys belong to their caller.
    PICUS_LOCAL_CLIENTS: JSON.stringify([LOCAL_OTHER_CLIENT]),
    // The origin the CORS browser test loads its page from (e2e/cors.browser.spec.ts).
    CORS_ALLOWED_ORIGINS: LOCAL_CORS_ORIGIN,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => child.kill(signal));
}

const code = await child.exited;
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
