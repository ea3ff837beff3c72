import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { BUN, ROOT } from './e2e/support/bun.ts';
import { CHROMIUM_PATH } from './e2e/support/chromium.ts';
import { BASE_URL, DEPLOYMENT_TARGET } from './e2e/support/target.ts';

/**
 * The API contract suite (e2e/).
 *
 *   bun run e2e                                       against the local stack, started here
 *   BASE_URL=https://api.example.com bun run e2e      against any deployment, unchanged
 *   PORT=18080 bun run e2e                            local stack on another port
 *   bun run e2e --grep @smoke                         the smoke subset: what the deploy gate runs,
 *                                                     at a cost that does not grow with the table
 *
 * Tests create their own items and delete them afterwards, so they are safe to run
 * in parallel and against a shared deployment. Against a deployment (BASE_URL not on
 * loopback) no traces or screenshots are written: they would record production responses.
 */
const target = BASE_URL;
const port = process.env.PORT ?? '8080';
const ci = !!process.env.CI;
const baseURL = target ?? `http://localhost:${port}`;

export default defineConfig({
  testDir: 'e2e',
  // One directory per target: runs against different targets (other ports, a deployment)
  // can share a checkout without one wiping the other's traces and screenshots.
  outputDir: join('test-results', new URL(baseURL).host.replace(/[^\w.-]/g, '_')),
  fullyParallel: true,
  workers: 2,
  forbidOnly: ci,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // The HTML report would embed failure details (and traces) of a deployment: list only there.
  reporter: ci && !DEPLOYMENT_TARGET ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    trace: DEPLOYMENT_TARGET ? 'off' : 'retain-on-failure',
    screenshot: 'off',
  },
  projects: [
    { name: 'api', testIgnore: /\.browser\.spec\.ts$/ },
    {
      name: 'browser',
      testMatch: /\.browser\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 900 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-quic',
            '--no-first-run',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: target
    ? undefined
    : {
        command: `"${BUN}" e2e/local-stack.ts`,
        cwd: ROOT,
        url: `http://127.0.0.1:${port}/ready`,
        env: { PORT: port },
        reuseExistingServer: !ci,
        timeout: 60_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
