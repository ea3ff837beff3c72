/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for processes that need a
 * fixed port up front (the local stack's children, tests, soak). Another process
 * could take it in between; on loopback in a test run that has not been seen.
 */
export async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = probe.port as number;
  await probe.stop(true);
  return port;
}
