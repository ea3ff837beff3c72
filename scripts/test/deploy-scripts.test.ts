import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './artifacts.ts';

/**
 * The deploy workflow's logic lives in scripts/deploy/*.sh so it can run here: a fake `aws`
 * (and `terraform`) on PATH answers from canned JSON and records every call.
 */

const FAKE_CLI = `#!/usr/bin/env bash
# Answers from $FAKE_DIR/<key>.<n>.json (the n-th such call) or <key>.json, where <key> is
# "<service>-<command>" for aws and "<tool>-<first word>" otherwise; logs argv as JSON lines.
set -euo pipefail
name=$(basename "$0")
if [[ "$name" == aws ]]; then
  key="$1-$2"
else
  word=""
  for arg in "$@"; do [[ "$arg" != -* ]] && { word=$arg; break; }; done
  key="$name-$word"
fi
jq -cn '$ARGS.positional' --args -- "$name" "$@" >>"$FAKE_DIR/calls.jsonl"
count_file="$FAKE_DIR/.count-$key"
n=$(($(cat "$count_file" 2>/dev/null || echo 0) + 1))
echo "$n" >"$count_file"
for candidate in "$FAKE_DIR/$key.$n.json" "$FAKE_DIR/$key.json"; do
  if [[ -f "$candidate" ]]; then
    cat "$candidate"
    exit 0
  fi
done
echo "fake $name: no answer for $key (call $n)" >&2
exit 99
`;

let dir: string;
let fake: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'picus-deploy-'));
  fake = join(dir, 'fake');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(fake);
  for (const name of ['aws', 'terraform', 'gh']) {
    writeFileSync(join(dir, 'bin', name), FAKE_CLI);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function answer(key: string, body: unknown, call?: number): void {
  writeFileSync(join(fake, call === undefined ? `${key}.json` : `${key}.${call}.json`), JSON.stringify(body));
}

function calls(): string[][] {
  const log = join(fake, 'calls.jsonl');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[]);
}

function argAfter(call: string[] | undefined, flag: string): string | undefined {
  if (!call) return undefined;
  const at = call.indexOf(flag);
  return at < 0 ? undefined : call[at + 1];
}

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const outputFile = join(dir, 'github-output');
  writeFileSync(outputFile, '');
  const result = Bun.spawnSync(['bash', join(ROOT, 'scripts', 'deploy', script), ...args], {
    cwd: ROOT,
    env: {
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      FAKE_DIR: fake,
      GITHUB_OUTPUT: outputFile,
      ECS_POLL_SECONDS: '0',
      ...env,
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    code: result.exitCode,
    stderr: result.stderr.toString(),
    stdout: result.stdout.toString(),
    outputs,
  };
}

const ARN = (revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-picus:${revision}`;
const ECS_ENV = {
  ECS_CLUSTER: 'prod-picus',
  ECS_SERVICE: 'prod-picus',
  ECS_TASK_FAMILY: 'prod-picus',
  ECS_CONTAINER_NAME: 'app',
};
const services = (taskDefinition: string, deployments: object[]) => ({
  services: [{ taskDefinition, deployments }],
});

function ecsHappyPath(finalState: 'COMPLETED' | 'FAILED'): void {
  answer(
    'ecs-describe-services',
    services(ARN(3), [{ id: 'ecs-svc/old', status: 'PRIMARY', rolloutState: 'COMPLETED' }]),
    1,
  );
  answer('ecs-describe-task-definition', {
    taskDefinition: {
      taskDefinitionArn: ARN(4),
      family: 'prod-picus',
      revision: 4,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'x' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:sts::123456789012:assumed-role/x',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'repo:v0.1.0', environment: [{ name: 'TABLE_NAME', value: 'picus_data' }] },
        { name: 'sidecar', image: 'other:1' },
      ],
    },
    tags: [{ key: 'Project', value: 'picus' }],
  });
  answer('ecs-register-task-definition', { taskDefinition: { taskDefinitionArn: ARN(5) } });
  answer('ecs-update-service', {
    service: {
      deployments: [
        { id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/old', status: 'ACTIVE', rolloutState: 'COMPLETED' },
      ],
    },
  });
  answer(
    'ecs-describe-services',
    services(ARN(5), [
      { id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2 },
    ]),
    2,
  );
  answer(
    'ecs-describe-services',
    services(ARN(5), [
      { id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: finalState, rolloutStateReason: 'why' },
    ]),
    3,
  );
}

describe('ecs-deploy.sh', () => {
  test('registers the latest revision with only the image changed, rolls the service, waits for COMPLETED', () => {
    ecsHappyPath('COMPLETED');
    const result = run('ecs-deploy.sh', ['repo:abc123'], ECS_ENV);
    expect(result.stderr).toContain('completed');
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ previous_task_definition: ARN(3), task_definition: ARN(5) });

    const register = calls().find((call) => call[2] === 'register-task-definition');
    const input = JSON.parse(argAfter(register, '--cli-input-json') ?? '{}');
    expect(input.containerDefinitions).toEqual([
      { name: 'app', image: 'repo:abc123', environment: [{ name: 'TABLE_NAME', value: 'picus_data' }] },
      { name: 'sidecar', image: 'other:1' },
    ]);
    for (const readOnly of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ])
      expect(input).not.toHaveProperty(readOnly);
    expect(input).not.toHaveProperty('tags');
    expect(input).toMatchObject({ family: 'prod-picus', cpu: '256', memory: '512' });

    const update = calls().find((call) => call[2] === 'update-service');
    expect(argAfter(update, '--task-definition')).toBe(ARN(5));
    const describe = calls().find((call) => call[2] === 'describe-task-definition');
    expect(argAfter(describe, '--task-definition')).toBe('prod-picus'); // the family's latest
  });

  test('fails when the circuit breaker marks the rollout FAILED, with the previous revision recorded', () => {
    ecsHappyPath('FAILED');
    const result = run('ecs-deploy.sh', ['repo:abc123'], ECS_ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('failed: why');
    expect(result.outputs.previous_task_definition).toBe(ARN(3));
  });

  test('refuses a task definition without the named container', () => {
    ecsHappyPath('COMPLETED');
    const result = run('ecs-deploy.sh', ['repo:abc123'], { ...ECS_ENV, ECS_CONTAINER_NAME: 'nope' });
    expect(result.code).not.toBe(0);
    expect(calls().some((call) => call[2] === 'register-task-definition')).toBe(false);
  });

  test('stops early when a variable is missing', () => {
    const result = run('ecs-deploy.sh', ['repo:abc123'], { ...ECS_ENV, ECS_CLUSTER: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ECS_CLUSTER is not set');
    expect(calls()).toEqual([]);
  });
});

describe('ecs-rollback.sh', () => {
  test('does nothing when the circuit breaker already restored the revision', () => {
    answer(
      'ecs-describe-services',
      services(ARN(3), [{ id: 'ecs-svc/rb', status: 'PRIMARY', rolloutState: 'COMPLETED' }]),
    );
    const result = run('ecs-rollback.sh', [ARN(3)], ECS_ENV);
    expect(result.code).toBe(0);
    expect(calls().some((call) => call[2] === 'update-service')).toBe(false);
  });

  test('rolls back to the given revision and waits for it', () => {
    answer(
      'ecs-describe-services',
      services(ARN(5), [{ id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: 'COMPLETED' }]),
      1,
    );
    answer('ecs-update-service', { service: { deployments: [{ id: 'ecs-svc/rb', status: 'PRIMARY' }] } });
    answer(
      'ecs-describe-services',
      services(ARN(3), [{ id: 'ecs-svc/rb', status: 'PRIMARY', rolloutState: 'COMPLETED' }]),
      2,
    );
    const result = run('ecs-rollback.sh', [ARN(3)], ECS_ENV);
    expect(result.code).toBe(0);
    expect(
      argAfter(
        calls().find((call) => call[2] === 'update-service'),
        '--task-definition',
      ),
    ).toBe(ARN(3));
  });
});

describe('lambda-deploy.sh / lambda-rollback.sh', () => {
  const LAMBDA_ENV = { LAMBDA_FUNCTION_NAME: 'prod-picus-delete', LAMBDA_ALIAS: 'live' };
  let zip: string;
  let codeSha: string;

  beforeEach(() => {
    zip = join(dir, 'delete-item.zip');
    writeFileSync(zip, 'not really a zip, but bytes with a hash');
    codeSha = createHash('sha256').update(readFileSync(zip)).digest('base64');
    answer('lambda-get-alias', { Name: 'live', FunctionVersion: '7' });
    answer('lambda-wait', {});
    answer('lambda-update-alias', {});
  });

  test('uploads, waits, publishes that exact code and moves the alias', () => {
    answer('lambda-update-function-code', { CodeSha256: codeSha });
    answer('lambda-publish-version', { Version: '8' });
    const result = run('lambda-deploy.sh', [zip], LAMBDA_ENV);
    expect(result.stderr).toContain('pointing live at version 8');
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ previous_version: '7', version: '8' });
    const order = calls().map((call) => call.slice(1, 3).join(' '));
    expect(order).toEqual([
      'lambda get-alias',
      'lambda update-function-code',
      'lambda wait',
      'lambda publish-version',
      'lambda update-alias',
    ]);
    const all = calls();
    expect(argAfter(all[1], '--zip-file')).toBe(`fileb://${zip}`);
    expect(argAfter(all[3], '--code-sha256')).toBe(codeSha);
    expect(argAfter(all[4], '--function-version')).toBe('8');
    expect(argAfter(all[4], '--name')).toBe('live');
  });

  test('an optional canary first routes a share of traffic to the new version', () => {
    answer('lambda-update-function-code', { CodeSha256: codeSha });
    answer('lambda-publish-version', { Version: '8' });
    const result = run('lambda-deploy.sh', [zip], {
      ...LAMBDA_ENV,
      LAMBDA_CANARY_PERCENT: '10',
      LAMBDA_CANARY_SECONDS: '0',
    });
    expect(result.code).toBe(0);
    const aliases = calls().filter((call) => call[2] === 'update-alias');
    expect(aliases).toHaveLength(2);
    expect(argAfter(aliases[0], '--function-version')).toBe('7');
    expect(JSON.parse(argAfter(aliases[0], '--routing-config') ?? '{}')).toEqual({
      AdditionalVersionWeights: { '8': 0.1 },
    });
    expect(argAfter(aliases[1], '--function-version')).toBe('8');
  });

  test('unchanged code publishes nothing new and leaves the alias alone', () => {
    answer('lambda-update-function-code', { CodeSha256: codeSha });
    answer('lambda-publish-version', { Version: '7' });
    const result = run('lambda-deploy.sh', [zip], LAMBDA_ENV);
    expect(result.code).toBe(0);
    expect(calls().some((call) => call[2] === 'update-alias')).toBe(false);
  });

  test('stops before publishing when Lambda stored other bytes', () => {
    answer('lambda-update-function-code', { CodeSha256: 'something-else' });
    const result = run('lambda-deploy.sh', [zip], LAMBDA_ENV);
    expect(result.code).toBe(1);
    expect(calls().some((call) => call[2] === 'publish-version')).toBe(false);
    expect(result.outputs.previous_version).toBe('7');
  });

  test('rollback points the alias back, with no weighted routing left', () => {
    const result = run('lambda-rollback.sh', ['7'], LAMBDA_ENV);
    expect(result.code).toBe(0);
    const [call] = calls();
    expect(argAfter(call, '--function-version')).toBe('7');
    expect(JSON.parse(argAfter(call, '--routing-config') ?? '')).toEqual({ AdditionalVersionWeights: {} });
  });
});

describe('github-vars.sh', () => {
  test('maps every Terraform output the workflow needs to a variable', () => {
    const outputs = JSON.parse(readFileSync(join(ROOT, 'infra', 'outputs.tf.json'), 'utf8')).output as Record<
      string,
      unknown
    >;
    answer(
      'terraform-output',
      Object.fromEntries(
        Object.keys(outputs).map((name) => [name, { value: `value-of-${name}`, type: 'string' }]),
      ),
    );
    const result = run('github-vars.sh', []);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('gh variable set ECS_TASK_FAMILY --body value-of-ecs_task_family');
    expect(result.stdout).toContain('gh variable set LAMBDA_ALIAS --body value-of-lambda_alias_name');
    expect(result.stdout).toContain('gh variable set AUTH_TOKEN_URL --body value-of-token_url');
    expect(result.stdout).toContain('| gh secret set AUTH_CLIENT_SECRET');
    expect(result.stdout).not.toContain('value-of-auth_client_secret');
    expect(result.stdout.trim().split('\n')).toHaveLength(13);
  });
});
