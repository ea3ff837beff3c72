import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './artifacts.ts';
import { writeOciArchive } from './oci-archive.ts';

/**
 * The deploy scripts' own checks, which stop them before any AWS call, and the handshake with
 * the gate job against a local stand-in for the two GitHub REST endpoints it reads. What the
 * scripts do to an account (ECS rollouts, the Lambda alias, the canary, every rollback, the
 * image push) runs with the real AWS CLI against an emulated account in
 * terraform-gen/test/emulated-account.test.ts (scenarios in ./deploy-scenarios.ts).
 */

const dir = mkdtempSync(join(tmpdir(), 'picus-deploy-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Any AWS call these make goes nowhere: a closed port, one attempt, no credentials of the
 * machine. So a script that calls AWS before its own checks fails differently (exit 255,
 * "Could not connect") than one that stops first (exit 1 or 2 with its message).
 */
const NO_AWS = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'none',
  AWS_SECRET_ACCESS_KEY: 'none',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const output = join(dir, `output-${crypto.randomUUID()}`);
  writeFileSync(output, '');
  const result = Bun.spawnSync(['bash', join(ROOT, 'scripts', 'deploy', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GITHUB_OUTPUT: output, ...NO_AWS, ...env },
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    outputs: readFileSync(output, 'utf8'),
  };
}
const noAwsCall = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/Could not connect|endpoint URL/);

describe('check-vars.sh', () => {
  test('names every missing variable at once, AWS_DEPLOY_ROLE_ARN included', () => {
    const r = run('check-vars.sh', ['AWS_REGION', 'AWS_DEPLOY_ROLE_ARN', 'ECS_CLUSTER', 'API_URL'], {
      AWS_REGION: 'eu-west-1',
      ECS_CLUSTER: 'prod-picus',
      API_URL: '',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::repository variable AWS_DEPLOY_ROLE_ARN is not set');
    expect(r.stdout).toContain('::error::repository variable API_URL is not set');
    expect(r.stdout).not.toContain('ECS_CLUSTER is not set');
    expect(r.stderr).toContain('2 of 4 deploy variables missing: AWS_DEPLOY_ROLE_ARN API_URL');
  });

  test('passes when all are set', () => {
    const r = run('check-vars.sh', ['A_VAR', 'B_VAR'], { A_VAR: 'a', B_VAR: 'b' });
    expect(r.code).toBe(0);
  });
});

describe('the scripts stop before any AWS call', () => {
  test.each([
    ['ecs-deploy.sh', ['repo:tag'], ['ECS_CLUSTER', 'ECS_SERVICE', 'ECS_TASK_FAMILY', 'ECS_CONTAINER_NAME']],
    ['ecs-rollback.sh', ['arn:aws:ecs:us-east-1:1:task-definition/x:1'], ['ECS_CLUSTER', 'ECS_SERVICE']],
    ['lambda-deploy.sh', ['--version', '3'], ['LAMBDA_FUNCTION_NAME', 'LAMBDA_ALIAS']],
    ['lambda-rollback.sh', ['3'], ['LAMBDA_FUNCTION_NAME', 'LAMBDA_ALIAS']],
    ['record-live.sh', [], ['ECS_CLUSTER', 'ECS_SERVICE', 'LAMBDA_FUNCTION_NAME', 'LAMBDA_ALIAS']],
    ['push-image.sh', ['image.tar', 'v1'], ['ECR_REPOSITORY_URL']],
  ] as const)('%s names every missing variable', (script, args, names) => {
    const r = run(script, [...args]);
    expect(r.code).toBe(2);
    for (const name of names) expect(r.stderr).toContain(`::error::${name} is not set`);
    noAwsCall(r);
  });

  const lambda = { LAMBDA_FUNCTION_NAME: 'prod-picus-delete', LAMBDA_ALIAS: 'live' };
  test.each([
    [{ LAMBDA_CANARY_PERCENT: '100' }, 'LAMBDA_CANARY_PERCENT=100'],
    [{ LAMBDA_CANARY_PERCENT: 'ten' }, 'LAMBDA_CANARY_PERCENT=ten'],
    [{ LAMBDA_CANARY_PERCENT: '10', LAMBDA_CANARY_SECONDS: '901' }, 'LAMBDA_CANARY_SECONDS=901: 0-900'],
    [
      { LAMBDA_CANARY_PERCENT: '10', LAMBDA_CANARY_SECONDS: '300', LAMBDA_CANARY_MAX_SECONDS: '120' },
      'LAMBDA_CANARY_SECONDS=300: 0-120',
    ],
    [{ LAMBDA_CANARY_PERCENT: '10' }, 'DEPLOY_ALARM_NAMES is not set'],
  ])('lambda-deploy.sh refuses a canary it cannot bound or watch: %o', (env, message) => {
    const r = run('lambda-deploy.sh', ['--version', '3'], { ...lambda, ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    noAwsCall(r);
  });

  test('lambda-deploy.sh wants a zip that exists, or --version', () => {
    expect(run('lambda-deploy.sh', [], lambda).code).toBe(2);
    const missing = run('lambda-deploy.sh', [join(dir, 'nope.zip')], lambda);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.zip not found');
  });

  test('push-image.sh refuses an archive whose digest is not the one CI recorded', () => {
    const archive = writeOciArchive(join(dir, 'image.tar'), [new TextEncoder().encode('layer')]);
    const r = run('push-image.sh', [archive.path, 'v1'], {
      ECR_REPOSITORY_URL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/prod-picus',
      IMAGE_DIGEST: `sha256:${'0'.repeat(64)}`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`holds ${archive.digest}, but CI recorded sha256:${'0'.repeat(64)}`);
    noAwsCall(r);
  });
});

describe('oci-digest.sh', () => {
  test('prints the image manifest digest of a buildx OCI archive', () => {
    const archive = writeOciArchive(join(dir, 'single.tar'), [
      new TextEncoder().encode('a'),
      new Uint8Array(10),
    ]);
    const r = run('oci-digest.sh', [archive.path]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(archive.digest);
  });

  test('picks the linux/arm64 manifest out of a multi-platform index', () => {
    const archive = writeOciArchive(join(dir, 'index.tar'), [new TextEncoder().encode('b')], { index: true });
    const r = run('oci-digest.sh', [archive.path]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(archive.digest);
  });
});

/**
 * The two GitHub REST endpoints gate-handshake.sh reads, answered from a script of states:
 * `artifacts` and `jobs` are consulted on every request, so a test can change them over time.
 */
interface GitHubState {
  artifacts: string[];
  jobs: { name: string; status: string; conclusion: string | null }[];
  failNext: number;
}
let github: ReturnType<typeof Bun.serve>;
let state: GitHubState;
const requests: string[] = [];

beforeAll(() => {
  github = Bun.serve({
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      requests.push(`${url.pathname}${url.search}`);
      if (request.headers.get('authorization') !== 'Bearer test-token')
        return Response.json({ message: 'Bad credentials' }, { status: 401 });
      if (state.failNext > 0) {
        state.failNext--;
        return Response.json({ message: 'Server Error' }, { status: 502 });
      }
      const run = '/repos/acme/picus/actions/runs/42';
      if (url.pathname === `${run}/artifacts`) {
        const name = url.searchParams.get('name');
        const artifacts = state.artifacts.filter((a) => a === name).map((a) => ({ name: a, expired: false }));
        return Response.json({ total_count: artifacts.length, artifacts });
      }
      if (url.pathname === `${run}/attempts/2/jobs`)
        return Response.json({ total_count: state.jobs.length, jobs: state.jobs });
      return Response.json({ message: 'Not Found' }, { status: 404 });
    },
  });
});
afterAll(() => github.stop(true));

async function handshake(args: string[], during?: () => void) {
  const child = Bun.spawn(['bash', join(ROOT, 'scripts', 'deploy', 'gate-handshake.sh'), ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: `http://127.0.0.1:${github.port}`,
      GITHUB_REPOSITORY: 'acme/picus',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '2',
      HANDSHAKE_POLL_SECONDS: '0.2',
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (during) setTimeout(during, 700);
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  return { code, stderr };
}

describe('gate-handshake.sh (against a stand-in for the GitHub REST API)', () => {
  const running = (name: string) => ({ name, status: 'in_progress', conclusion: null });

  test('wait-artifact returns once the other side has uploaded its signal, through API errors', async () => {
    state = { artifacts: [], jobs: [running('gate'), running('deploy')], failNext: 2 };
    const r = await handshake(['wait-artifact', 'gate-ready-2', '20', 'gate'], () => {
      state.artifacts.push('gate-ready-1', 'gate-ready-2');
    });
    expect(r.code, r.stderr).toBe(0);
    expect(requests).toContain('/repos/acme/picus/actions/runs/42/artifacts?name=gate-ready-2&per_page=100');
  });

  test('wait-artifact gives up after its bound', async () => {
    state = { artifacts: ['gate-ready-1'], jobs: [running('gate')], failNext: 0 };
    const started = performance.now();
    const r = await handshake(['wait-artifact', 'gate-ready-2', '1', 'gate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no artifact gate-ready-2 after 1 s');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('wait-artifact stops as soon as the other job has ended, even if it signalled first', async () => {
    state = {
      artifacts: ['gate-ready-2'],
      jobs: [{ name: 'gate', status: 'completed', conclusion: 'failure' }],
      failNext: 0,
    };
    const r = await handshake(['wait-artifact', 'gate-ready-2', '20', 'gate']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('job gate has ended (failure)');
  });

  test('wait-job: the gate’s success passes, anything else fails (the deploy job then rolls back)', async () => {
    state = { artifacts: [], jobs: [running('gate')], failNext: 1 };
    const ok = await handshake(['wait-job', 'gate', '20'], () => {
      state.jobs = [{ name: 'gate', status: 'completed', conclusion: 'success' }];
    });
    expect(ok.code, ok.stderr).toBe(0);
    for (const conclusion of ['failure', 'cancelled', 'timed_out']) {
      state = { artifacts: [], jobs: [{ name: 'gate', status: 'completed', conclusion }], failNext: 0 };
      const failed = await handshake(['wait-job', 'gate', '20']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`job gate ended: ${conclusion}`);
    }
    state = { artifacts: [], jobs: [running('gate')], failNext: 0 };
    const late = await handshake(['wait-job', 'gate', '1']);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('job gate still in_progress after 1 s');
  });

  test('refuses to run without the run it belongs to', () => {
    const r = Bun.spawnSync(
      ['bash', join(ROOT, 'scripts', 'deploy', 'gate-handshake.sh'), 'wait-job', 'gate', '1'],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain('GITHUB_TOKEN is not set');
  });
});
