import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  lintDelivery,
  lintDockerfile,
  lintShell,
  lintWorkflowsWithActionlint,
  withoutExpressions,
} from '../lint-delivery.ts';

/** The Dockerfile, the workflows and their shell pass their linters; and the linters do bite. */

describe('delivery lint', () => {
  test('Dockerfile, workflows, run: steps and scripts/**/*.sh are clean', () => {
    const findings = lintDelivery();
    if (findings.length > 0)
      console.error(findings.map((f) => `[${f.tool}] ${f.file}: ${f.message}`).join('\n'));
    expect(findings).toEqual([]);
  }, 60_000);

  test('catches a broken Dockerfile, workflow and shell step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picus-lint-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine\nHEALTHCHECK --intervalx=1s CMD true\n');
      expect(
        lintDockerfile(join(dir, 'Dockerfile'))
          .map((f) => f.message)
          .join(),
      ).toContain('intervalx');

      const workflow = join(dir, 'bad.yml');
      writeFileSync(
        workflow,
        [
          'on: push',
          'jobs:',
          '  x:',
          '    runs-on: ubuntu-24.04',
          '    steps:',
          `      - run: echo \${{ github.nonexistent_thing }}`,
          '      - run: |',
          '          for f in $(ls *.txt); do echo $f; done',
          '',
        ].join('\n'),
      );
      const actionlint = lintWorkflowsWithActionlint([workflow, workflow]);
      expect(actionlint).toHaveLength(2); // each file gets its own instance
      expect(actionlint[0]?.message).toContain('nonexistent_thing');
      const shell = lintShell([workflow], []);
      expect(shell.map((f) => f.message).join()).toContain('SC2045');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('expressions become same-length placeholders before shellcheck', () => {
    expect(withoutExpressions(`echo "\${{ vars.X }}" $A`)).toBe(`echo "${'_'.repeat(13)}" $A`);
  });
});
