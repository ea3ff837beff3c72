import { describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The layers of README's Architecture, enforced by `bun run lint` (biome.json's overrides):
 * each case lints one import in a scratch tree that has this repository's Biome configuration,
 * so a rule that stopped matching (a renamed folder, a changed pattern) fails here.
 */
const ROOT = join(import.meta.dir, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

function configForScratchTree(): string {
  const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
  delete config.$schema;
  // The scratch tree is no git checkout.
  config.vcs = { enabled: false };
  return JSON.stringify(config);
}

/** Whether Biome refuses `from` in a file at `file` for a restricted import. */
function refused(file: string, from: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'picus-layers-'));
  try {
    writeFileSync(join(dir, 'biome.json'), configForScratchTree());
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `import { x } from '${from}';\n\nexport const y = [x];\n`);
    const run = Bun.spawnSync([BIOME, 'lint', '--max-diagnostics=50', file], {
      cwd: dir,
      stderr: 'pipe',
      stdout: 'pipe',
    });
    const output = `${run.stdout.toString()}${run.stderr.toString()}`;
    if (!output.includes('Checked 1 file')) throw new Error(`biome did not lint ${file}:\n${output}`);
    return output.includes('noRestrictedImports');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the layers are enforced by the linter', () => {
  test.each([
    ['domain/item-service.ts', '../adapters/memory/memory-item-repository.ts'],
    ['domain/item-service.ts', '../entrypoints/http/app.ts'],
    ['domain/item-service.ts', '../contracts/item.ts'],
    ['domain/item-service.ts', 'elysia'],
    ['domain/item-service.ts', '@aws-sdk/client-dynamodb'],
    ['adapters/dynamodb/dynamodb-item-repository.ts', '../../entrypoints/shared/config.ts'],
    ['contracts/operations.ts', '../entrypoints/http/app.ts'],
  ])('%s may not import %s', (file, from) => {
    expect(refused(file, from)).toBe(true);
  });

  test.each([
    ['domain/item-service.ts', './item-rules.ts'],
    ['domain/test/item-service.test.ts', '../../adapters/memory/memory-item-repository.ts'],
    ['adapters/dynamodb/dynamodb-item-repository.ts', '../../domain/item.ts'],
    ['contracts/operations.ts', '../domain/item-rules.ts'],
    ['entrypoints/http/app.ts', '../../adapters/memory/memory-item-repository.ts'],
  ])('%s may import %s', (file, from) => {
    expect(refused(file, from)).toBe(false);
  });
});
