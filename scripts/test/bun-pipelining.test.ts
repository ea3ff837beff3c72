import { expect, test } from 'bun:test';
import { join } from 'node:path';

/**
 * Pins the upstream bug the README documents ("HTTP/1.1 pipelining"). When a Bun upgrade
 * answers pipelined requests, this fails: then update the README and drop the local load
 * balancer's refusal (`nextTurn` in entrypoints/local/load-balancer.ts).
 */
test('Bun answers no pipelined request to an async handler (documented upstream bug)', async () => {
  const repro = Bun.spawn([process.execPath, join(import.meta.dir, '..', 'repro', 'bun-pipelining.ts')], {
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const output = await new Response(repro.stdout).text();
  expect(await repro.exited).toBe(0);
  expect(output.trim()).toBe(`Bun ${Bun.version}: 0 of 2 pipelined requests answered`);
});
