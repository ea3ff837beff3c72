// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the samples contain Terraform interpolation strings.
/**
 * `terraform init -backend=false && terraform validate` of the generated stack, offline, twice:
 *
 * - with the real hashicorp/aws 5.100 provider (from the machine's provider mirror), which also
 *   runs the provider's own value checks (enums, conflicting arguments); broken samples show it
 *   rejects them;
 * - against the aws 6.x schema, served by a schema-only stand-in (tfplugin6 over gRPC, handed to
 *   Terraform through TF_REATTACH_PROVIDERS), since no 6.x provider binary is available offline:
 *   this is what keeps the configuration valid for both majors. Broken samples show Terraform
 *   rejects schema mistakes through it.
 *
 * Needs the `terraform` CLI (1.10+) on PATH (and the provider for the first); without them these
 * tests are skipped with a loud note.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reattachEnv } from '../provider-stub/server.ts';
import { renderStack } from '../src/generate.ts';
import type { Any } from './stack.ts';
import {
  pinTestedProvider,
  providerUnavailable,
  TERRAFORM as terraform,
  terraformEnv,
  warnSkipped,
  writeCliConfig,
} from './terraform-cli.ts';

if (!terraform)
  warnSkipped('the offline terraform validate tests', 'no `terraform` on PATH (Terraform >= 1.10)');
const realProviderUnavailable = providerUnavailable();
if (terraform && realProviderUnavailable) {
  warnSkipped('terraform validate with the real aws provider', realProviderUnavailable);
}

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
}
interface Result {
  valid: boolean;
  diagnostics: Diagnostic[];
  output: string;
}

let work = '';
let socket = '';
let server: ReturnType<typeof Bun.spawn> | undefined;
let env: Record<string, string> = {};

async function startStub(): Promise<void> {
  work = mkdtempSync(join(tmpdir(), 'picus-tf-'));
  socket = join(work, 'aws.sock');
  const proc = Bun.spawn(
    [process.execPath, join(import.meta.dir, '..', 'provider-stub', 'server.ts'), socket],
    {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'inherit',
    },
  );
  server = proc;
  const reader = proc.stdout.getReader();
  let seen = '';
  const deadline = Date.now() + 15_000;
  while (!seen.includes('|grpc|')) {
    if (Date.now() > deadline) throw new Error(`provider stand-in did not start: ${seen}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`provider stand-in exited: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const cliConfig = join(work, 'terraformrc');
  writeFileSync(cliConfig, '');
  env = {
    ...(process.env as Record<string, string>),
    ...reattachEnv(socket, proc.pid),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_CLI_CONFIG_FILE: cliConfig,
  };
}

/** Lays out `*.tf.json` files like the repo (infra/ next to dist/lambda/); returns infra/. */
function layout(root: string, files: Map<string, string>): string {
  const dir = join(root, 'infra');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, 'dist', 'lambda'), { recursive: true });
  // `terraform validate` evaluates filebase64sha256() on the Lambda zip `bun run build` makes.
  writeFileSync(join(root, 'dist', 'lambda', 'delete-item.zip'), 'placeholder');
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return dir;
}

function run(dir: string, runEnv: Record<string, string>, args: string[]) {
  const p = Bun.spawnSync([terraform as string, ...args], {
    cwd: dir,
    env: runEnv,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
}

function validateIn(dir: string, runEnv: Record<string, string>): Result {
  const v = run(dir, runEnv, ['validate', '-json', '-no-color']);
  const parsed = JSON.parse(v.out.slice(v.out.indexOf('{'))) as { valid: boolean; diagnostics: Diagnostic[] };
  return { valid: parsed.valid, diagnostics: parsed.diagnostics, output: v.out };
}

function init(dir: string, runEnv: Record<string, string>): void {
  const r = run(dir, runEnv, ['init', '-backend=false', '-input=false', '-no-color']);
  if (r.code !== 0) throw new Error(`terraform init failed:\n${r.out}`);
}

let sample = 0;
/** Validate a set of `*.tf.json` files against the stand-in. */
function validate(files: Map<string, string>): Result {
  const dir = layout(join(work, `sample-${sample++}`), files);
  init(dir, env);
  return validateIn(dir, env);
}

function describeDiagnostics(r: Result): string {
  return r.diagnostics
    .map((d) => `${d.severity}: ${d.summary}${d.detail ? `\n    ${d.detail}` : ''}`)
    .join('\n');
}

/** The generated stack with one file's JSON changed. */
function mutated(file: string, change: (doc: Any) => void): Map<string, string> {
  const files = new Map(renderStack());
  const doc = JSON.parse(files.get(file) as string);
  change(doc);
  files.set(file, JSON.stringify(doc, null, 2));
  return files;
}

function hasError(r: Result, expected: string): boolean {
  const [summary, detail] = expected.split(': ') as [string, string | undefined];
  return r.diagnostics.some(
    (d) =>
      d.severity === 'error' &&
      (d.summary === summary || d.summary === expected) &&
      (!detail || d.summary === expected || (d.detail ?? '').includes(detail)),
  );
}

describe.skipIf(!terraform || realProviderUnavailable !== undefined)(
  'terraform validate with the real hashicorp/aws provider (5.100, from the mirror)',
  () => {
    let root = '';
    let dir = '';
    let realEnv: Record<string, string> = {};
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'picus-tf-real-'));
      realEnv = terraformEnv(writeCliConfig(root));
      dir = layout(root, renderStack());
      pinTestedProvider(dir);
      init(dir, realEnv);
    }, 120_000);
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });
    /** Validates `files` in the initialised directory (the providers stay the same). */
    const validateReal = (files: Map<string, string>): Result => {
      for (const [name, content] of files) writeFileSync(join(dir, name), content);
      return validateIn(dir, realEnv);
    };

    test('the generated infra/ is valid', () => {
      const r = validateReal(renderStack());
      if (!r.valid) console.error(`terraform validate diagnostics:\n${describeDiagnostics(r)}`);
      expect(r.valid).toBe(true);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }, 60_000);

    // Terraform stops validating what depends on a resource that failed, so one mistake per run.
    const providerChecks: [string, string, () => Map<string, string>][] = [
      [
        'an enum value',
        'expected billing_mode to be one of ["PROVISIONED" "PAY_PER_REQUEST"], got SOMETIMES',
        () =>
          mutated(
            'data.tf.json',
            (d) => (d.resource.aws_dynamodb_table.picus_data.billing_mode = 'SOMETIMES'),
          ),
      ],
      [
        'another enum value',
        'expected desync_mitigation_mode to be one of ["monitor" "defensive" "strictest"], got lenient',
        () =>
          mutated('load_balancer.tf.json', (d) => (d.resource.aws_lb.api.desync_mitigation_mode = 'lenient')),
      ],
      [
        'conflicting arguments',
        'Conflicting configuration arguments: "metric_name": conflicts with metric_query',
        () =>
          mutated(
            'observability.tf.json',
            (d) =>
              (d.resource.aws_cloudwatch_metric_alarm.dynamodb_throttles.metric_name = 'ReadThrottleEvents'),
          ),
      ],
    ];

    test.each(providerChecks)(
      'rejects %s, which only the provider checks (%s)',
      (_what, expected, make) => {
        const r = validateReal(make());
        expect(r.valid).toBe(false);
        if (!hasError(r, expected)) console.error(`expected "${expected}", got:\n${describeDiagnostics(r)}`);
        expect(hasError(r, expected)).toBe(true);
      },
      60_000,
    );
  },
);

describe.skipIf(!terraform)('terraform validate against the aws 6.x schema (offline stand-in)', () => {
  beforeAll(startStub, 20_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the generated infra/ is valid', () => {
    const r = validate(renderStack());
    if (!r.valid) console.error(`terraform validate diagnostics:\n${describeDiagnostics(r)}\n${r.output}`);
    expect(r.valid).toBe(true);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  const broken: [string, string, () => Map<string, string>][] = [
    [
      'an unknown argument',
      'Extraneous JSON object property: No argument or block type is named "drop_invalid_headers"',
      () => mutated('load_balancer.tf.json', (d) => (d.resource.aws_lb.api.drop_invalid_headers = true)),
    ],
    [
      'a missing required argument',
      'Missing required argument',
      () =>
        mutated('load_balancer.tf.json', (d) => delete d.resource.aws_lb_listener.https.load_balancer_arn),
    ],
    [
      'a value of the wrong type',
      'Incorrect attribute value type',
      () =>
        mutated(
          'data.tf.json',
          (d) => (d.resource.aws_dynamodb_table.picus_data.deletion_protection_enabled = 'sometimes'),
        ),
    ],
    [
      'a string where a nested block is expected',
      'Incorrect JSON value type',
      () =>
        mutated('data.tf.json', (d) => (d.resource.aws_dynamodb_table.picus_data.attribute = 'object_id')),
    ],
    [
      'too many blocks of a max-1 nested block',
      'Too many health_check blocks',
      () =>
        mutated('load_balancer.tf.json', (d) => {
          const tg = d.resource.aws_lb_target_group.container;
          tg.health_check = [tg.health_check, tg.health_check];
        }),
    ],
    [
      'a block nested where it does not belong',
      'Extraneous JSON object property: No argument or block type is named "load_balancer"',
      () =>
        mutated('compute.tf.json', (d) => {
          d.resource.aws_ecs_service.app.network_configuration.load_balancer = { container_port: 1 };
        }),
    ],
    [
      'a reference to an undeclared resource',
      'Reference to undeclared resource',
      () =>
        mutated(
          'load_balancer.tf.json',
          (d) => (d.resource.aws_lb.api.security_groups = ['${aws_security_group.nope.id}']),
        ),
    ],
    [
      'a reference to an attribute the resource does not have',
      'Unsupported attribute',
      () => mutated('outputs.tf.json', (d) => (d.output.alb_dns_name.value = '${aws_lb.api.dns_hostname}')),
    ],
    [
      'a resource type the provider does not have',
      'Invalid resource type',
      () => mutated('data.tf.json', (d) => (d.resource.aws_dynamodb_tabel = { x: { name: 'x' } })),
    ],
  ];

  test.each(broken)('rejects %s (%s)', (_what, expected, make) => {
    const r = validate(make());
    expect(r.valid).toBe(false);
    const found = hasError(r, expected);
    if (!found) console.error(`expected "${expected}", got:\n${describeDiagnostics(r)}`);
    expect(found).toBe(true);
  });
});
