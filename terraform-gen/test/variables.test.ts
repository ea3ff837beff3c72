/**
 * The input variables' validation rules, run by terraform itself: `terraform plan` of
 * variables.tf.json alone (no resources, so no provider and no account) with one set of values
 * each. A value AWS would refuse halfway through an apply must be refused at plan instead.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FARGATE_SIZES, fargateMemoryFor } from '../src/fargate-sizes.ts';
import { renderStack } from '../src/generate.ts';
import { TERRAFORM, terraform, terraformEnv, warnSkipped } from './terraform-cli.ts';
import type { Vars } from './workspace.ts';

if (!TERRAFORM) warnSkipped('the variable validation tests', 'no `terraform` on PATH (Terraform >= 1.10)');

const REQUIRED: Vars = {
  aws_region: 'us-east-1',
  domain_name: 'api.example.com',
  hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
  image_tag: 'v1',
  alarm_email: 'oncall@example.com',
  github_repository: 'acme/picus',
};

const root = mkdtempSync(join(tmpdir(), 'picus-tf-vars-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cliConfig = join(root, 'terraformrc');
writeFileSync(cliConfig, '');
let runs = 0;

/** The variable errors terraform reports for these values (empty when they are accepted). */
async function errorsFor(vars: Vars): Promise<string[]> {
  const dir = join(root, `run-${runs++}`);
  await Bun.write(join(dir, 'variables.tf.json'), renderStack().get('variables.tf.json') as string);
  writeFileSync(join(dir, 'terraform.tfvars.json'), JSON.stringify({ ...REQUIRED, ...vars }));
  const r = await terraform(['plan', '-input=false', '-no-color'], dir, terraformEnv(cliConfig));
  if (r.code === 0) return [];
  const errors = [
    ...r.out.matchAll(/on variables\.tf\.json line \d+, in variable:[\s\S]*?\n\n([^\n]+)/g),
  ].map((m) => (m[1] as string).trim());
  return errors.length > 0 ? errors : [r.out];
}

describe.skipIf(!TERRAFORM)('variable validation (terraform plan of variables.tf.json alone)', () => {
  test('the defaults with the required values are accepted', async () => {
    expect(await errorsFor({})).toEqual([]);
  });

  test('every Fargate CPU/memory pair is accepted and its neighbours are not', async () => {
    const cases: [number, number, boolean][] = [];
    for (const cpu of FARGATE_SIZES.keys()) {
      const valid = fargateMemoryFor(cpu);
      const first = valid[0] as number;
      const last = valid[valid.length - 1] as number;
      cases.push([cpu, first, true], [cpu, last, true], [cpu, first - 512, false], [cpu, last + 1024, false]);
    }
    cases.push(
      [256, 4096, false],
      [8192, 20480, true],
      [8192, 18432, false],
      [1024, 1024, false],
      [300, 512, false],
    );
    const results = await Promise.all(
      cases.map(async ([cpu, memory, ok]) => ({
        cpu,
        memory,
        ok,
        errors: await errorsFor({ task_cpu: cpu, task_memory: memory }),
      })),
    );
    for (const r of results) {
      expect(
        r.errors.length === 0,
        `task_cpu=${r.cpu} task_memory=${r.memory}: ${r.errors.join(' | ')}`,
      ).toBe(r.ok);
    }
  }, 120_000);

  test.each<[string, Vars, string | undefined]>([
    ['no reserved Lambda concurrency by default', {}, undefined],
    ['a reserved Lambda concurrency', { lambda_reserved_concurrency: 20 }, undefined],
    [
      'a reserved Lambda concurrency of 0',
      { lambda_reserved_concurrency: 0 },
      'lambda_reserved_concurrency must be',
    ],
    [
      'a second environment with its own table',
      { environment: 'staging', table_name: 'staging_picus_data' },
      undefined,
    ],
    ['a table name DynamoDB refuses', { table_name: 'a' }, 'table_name must be'],
    ['a region opened after 2022', { aws_region: 'eu-central-2' }, undefined],
    ['a GovCloud region', { aws_region: 'us-gov-west-1' }, undefined],
    ['a hosted zone id that is not one', { hosted_zone_id: '/hostedzone/Z012' }, 'hosted_zone_id must be'],
    ['an IPv6 rate limit below the WAF minimum', { waf_ipv6_rate_limit: 5 }, 'waf_ipv6_rate_limit must be'],
    ['image tag latest', { image_tag: 'latest' }, 'image_tag must be'],
    [
      'CORS origins',
      { cors_allowed_origins: ['https://app.example.com', 'http://localhost:5173'] },
      undefined,
    ],
    ['CORS for any origin', { cors_allowed_origins: ['*'] }, undefined],
    [
      'a CORS origin with a path',
      { cors_allowed_origins: ['https://app.example.com/'] },
      'cors_allowed_origins must hold',
    ],
    [
      'a CORS origin without a scheme',
      { cors_allowed_origins: ['app.example.com'] },
      'cors_allowed_origins must hold',
    ],
    ['another GitHub environment for the deploy job', { github_environment: 'staging' }, undefined],
    [
      'a GitHub environment that would make the OIDC subject ambiguous',
      { github_environment: 'prod:ref:refs/heads/main' },
      'github_environment must be',
    ],
  ])(
    '%s',
    async (_what, vars, expected) => {
      const errors = await errorsFor(vars);
      if (expected === undefined) expect(errors).toEqual([]);
      else
        expect(
          errors.some((e) => e.includes(expected)),
          errors.join(' | '),
        ).toBe(true);
    },
    30_000,
  );
});
