import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_SESSION_SECONDS, GITHUB_DEPLOY_ENVIRONMENT } from '../../terraform-gen/src/constants.ts';
import { LAMBDA_ZIP } from '../build.ts';
import { ROOT } from './artifacts.ts';

/**
 * The workflows against infra/ and against how GitHub Actions behaves: who may assume the
 * deploy role, what runs with its credentials, that every wait is bounded inside its job's
 * timeout, that a failure, a cancellation or a timeout rolls back, and that the deploy ships
 * what CI built and tested.
 */

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  'timeout-minutes'?: number;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  'timeout-minutes'?: number;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  env?: Record<string, string | number>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const workflow = (name: string) => Bun.YAML.parse(read(`.github/workflows/${name}`)) as Workflow;
const infra = (file: string) => JSON.parse(read(`infra/${file}`));

const ci = workflow('ci.yml');
const deploy = workflow('deploy.yml');
const deployText = read('.github/workflows/deploy.yml');
const deployJob = deploy.jobs.deploy as Job;
const gateJob = deploy.jobs.gate as Job;
const steps = deployJob.steps ?? [];
const gateSteps = gateJob.steps ?? [];
const stepRunning = (fragment: string, in_ = steps) => in_.find((step) => step.run?.includes(fragment));
const stepUsing = (action: string, in_ = steps) => in_.filter((step) => step.uses?.startsWith(`${action}@`));
const indexOf = (step: Step | undefined, in_ = steps) => (step ? in_.indexOf(step) : -1);
const environmentName = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;
const seconds = (job: Job, name: string) => Number(job.env?.[name]);
const minutes = (step: Step | undefined) => step?.['timeout-minutes'] ?? Number.POSITIVE_INFINITY;

/**
 * Every third-party action, pinned by full commit SHA. Each SHA was read from the action's own
 * repository (the commit its release tag points at), and each of these releases runs on Node 24
 * (`runs.using: node24` in its action.yml). Changing a pin means checking both again.
 */
const ACTION_PINS: Record<string, { sha: string; tag: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', tag: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', tag: 'v7.0.0' },
  'actions/setup-python': { sha: '5fda3b95a4ea91299a34e894583c3862153e4b97', tag: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', tag: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', tag: 'v8.0.1' },
  'oven-sh/setup-bun': { sha: '0c5077e51419868618aeaa5fe8019c62421857d6', tag: 'v2.2.0' },
  'hashicorp/setup-terraform': { sha: 'dfe3c3f87815947d99a8997f908cb6525fc44e9e', tag: 'v4.0.1' },
  'docker/setup-qemu-action': { sha: '96fe6ef7f33517b61c61be40b68a1882f3264fb8', tag: 'v4.2.0' },
  'docker/setup-buildx-action': { sha: '37fe631027851001ddb9b187196cc803df7f5f0e', tag: 'v4.3.0' },
  'docker/build-push-action': { sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', tag: 'v7.3.0' },
  'aws-actions/configure-aws-credentials': { sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c', tag: 'v6.2.3' },
};

describe('every workflow', () => {
  const files = readdirSync(join(ROOT, '.github', 'workflows')).filter((f) => /\.ya?ml$/.test(f));

  test('pins each action by full commit SHA, with its tag in a comment, at a verified Node 24 release', () => {
    for (const file of files) {
      const uses = [...read(`.github/workflows/${file}`).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        if ((ref as string).startsWith('./')) continue; // a workflow of this repository
        const [action, sha] = (ref as string).split('@') as [string, string];
        const pin = ACTION_PINS[action];
        expect(pin, `${file}: ${action} is not a verified pin`).toBeDefined();
        expect(sha, `${file}: ${action}`).toBe(pin?.sha as string);
        expect((rest as string).trim(), `${file}: ${action}`).toBe(`# ${pin?.tag}`);
      }
    }
  });

  test('checks out without leaving the token in .git/config', () => {
    for (const wf of [ci, deploy])
      for (const job of Object.values(wf.jobs))
        for (const step of stepUsing('actions/checkout', job.steps ?? []))
          expect(step.with?.['persist-credentials']).toBe(false);
  });
});

describe('ci.yml', () => {
  test('runs on pull requests and pushes, and can be called by deploy.yml, which gets the image digest', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    const call = ci.on.workflow_call as { outputs: Record<string, { value: string }> };
    expect(call.outputs.image_digest?.value).toBe(`\${{ jobs.image.outputs.digest }}`);
  });

  test('checks what the issue asks for', () => {
    const runs = Object.values(ci.jobs)
      .flatMap((job) => job.steps ?? [])
      .map((step) => [step.uses, step.run].filter(Boolean).join(' '))
      .join('\n');
    for (const fragment of [
      'bun install --frozen-lockfile',
      'bun run test',
      'bun run gen',
      'git diff --exit-code',
      'terraform -chdir=infra init -backend=false',
      'terraform -chdir=infra validate',
      'terraform fmt -check',
      'docker/build-push-action',
    ])
      expect(runs).toContain(fragment);
  });

  test('audit: a high advisory in what ships fails; one in the tooling only warns', () => {
    const test_ = ci.jobs.test as Job;
    const prod = stepRunning('bun audit', test_.steps);
    expect(prod?.run?.trim()).toBe('bun audit --audit-level=high --production');
    const all = (test_.steps ?? []).filter((s) => s.run?.includes('bun audit'))[1];
    expect(all?.run).toMatch(/if ! bun audit --audit-level=high; then\s+echo "::warning::/);
  });

  test('builds the arm64 image once, starts it under emulation from the very archive it keeps, with its digest', () => {
    const image = ci.jobs.image as Job;
    const imageSteps = image.steps ?? [];
    expect(stepUsing('docker/setup-qemu-action', imageSteps)[0]?.with?.platforms).toBe('arm64');
    const builds = stepUsing('docker/build-push-action', imageSteps);
    expect(builds).toHaveLength(1); // no second (amd64) build standing in for the one that ships
    expect(builds[0]?.with).toMatchObject({
      platforms: 'linux/arm64',
      outputs: 'type=oci,dest=dist/image/picus-arm64.oci.tar',
      provenance: false,
    });
    const load = stepRunning('skopeo copy', imageSteps);
    expect(load?.run).toContain('oci-archive:dist/image/picus-arm64.oci.tar docker-daemon:picus:ci-arm64');
    const start = stepRunning('docker run -d', imageSteps);
    expect(start?.run).toContain('--platform linux/arm64');
    expect(start?.run).toContain('--read-only');
    expect(start?.run).toMatch(/State\.Health\.Status[\s\S]*healthy/);
    expect(indexOf(load, imageSteps)).toBeLessThan(indexOf(start, imageSteps));
    const digest = imageSteps.find((s) => s.id === 'digest');
    expect(digest?.run).toContain('scripts/deploy/oci-digest.sh dist/image/picus-arm64.oci.tar');
    expect(image.outputs?.digest).toBe(`\${{ steps.digest.outputs.digest }}`);
    const keep = stepUsing('actions/upload-artifact', imageSteps)[0];
    expect(keep?.with).toMatchObject({ name: 'image-linux-arm64', path: 'dist/image/' });
    expect(indexOf(keep, imageSteps)).toBeGreaterThan(indexOf(start, imageSteps));
    const zip = stepUsing('actions/upload-artifact', (ci.jobs.test as Job).steps)[0];
    expect(zip?.with).toMatchObject({ name: 'lambda-zip', path: `dist/${LAMBDA_ZIP}` });
  });
});

describe('deploy.yml: who may deploy', () => {
  test('runs on pushes to main and by hand, where it can redeploy a known image tag or Lambda version', () => {
    expect((deploy.on.push as { branches: string[] }).branches).toEqual(['main']);
    const inputs = (deploy.on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs;
    expect(Object.keys(inputs).sort()).toEqual(['image_tag', 'lambda_version']);
    expect(deploy.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    // A redeploy skips CI (no rebuild, no audit): the deploy and the gate still run then.
    expect(deploy.jobs.ci?.if).toBe(`inputs.image_tag == '' && inputs.lambda_version == ''`);
    for (const job of [deployJob, gateJob]) {
      expect(job.needs).toBe('ci');
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      expect(job.if).toContain(
        `needs.ci.result == 'skipped' && (inputs.image_tag != '' || inputs.lambda_version != '')`,
      );
    }
  });

  test('the role trusts exactly the environment of the one job that can assume it: approval is bound to the credentials', () => {
    const trust = infra('identity.tf.json').data.aws_iam_policy_document.deploy_assume.statement;
    expect(trust).toHaveLength(1);
    const sub = trust[0].condition.find((c: { variable: string }) => c.variable.endsWith(':sub'));
    expect(sub.test).toBe('StringEquals');
    expect(sub.values).toEqual([`repo:\${var.github_repository}:environment:\${var.github_environment}`]);
    expect(infra('variables.tf.json').variable.github_environment.default).toBe(GITHUB_DEPLOY_ENVIRONMENT);

    // Only jobs granted id-token can get an OIDC token; that is the deploy job, in that environment.
    expect(deploy.permissions).toEqual({ contents: 'read' });
    const minting = Object.entries(deploy.jobs).filter(
      ([, job]) => job.permissions?.['id-token'] === 'write',
    );
    expect(minting.map(([name]) => name)).toEqual(['deploy']);
    expect(environmentName(deployJob)).toBe(GITHUB_DEPLOY_ENVIRONMENT);
    expect(stepUsing('aws-actions/configure-aws-credentials')).toHaveLength(1);
    for (const [name, job] of Object.entries(deploy.jobs))
      if (name !== 'deploy')
        expect(stepUsing('aws-actions/configure-aws-credentials', job.steps ?? [])).toEqual([]);
    // No separate approval job: the reviewers approve the job that holds the credentials.
    expect(Object.keys(deploy.jobs).sort()).toEqual(['ci', 'deploy', 'gate']);
    expect(deployText).not.toMatch(/AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)/);
  });

  test("credentials outlive the deploy job, within the role's longest session", () => {
    const login = stepUsing('aws-actions/configure-aws-credentials')[0];
    expect(login?.with?.['role-to-assume']).toBe(`\${{ vars.AWS_DEPLOY_ROLE_ARN }}`);
    const duration = Number(login?.with?.['role-duration-seconds']);
    expect(duration).toBeGreaterThanOrEqual((deployJob['timeout-minutes'] as number) * 60);
    expect(duration).toBeLessThanOrEqual(DEPLOY_SESSION_SECONDS);
    expect(infra('identity.tf.json').resource.aws_iam_role.deploy.max_session_duration).toBe(
      DEPLOY_SESSION_SECONDS,
    );
  });

  test('one deploy at a time, held by the deploy job alone, never cancelled mid-rollout', () => {
    expect(deploy.concurrency).toBeUndefined();
    expect(deployJob.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
    for (const [name, job] of Object.entries(deploy.jobs))
      if (name !== 'deploy') expect(job.concurrency).toBeUndefined();
  });

  test('the variables check names every variable the deploy needs, AWS_DEPLOY_ROLE_ARN included', () => {
    const check = stepRunning('scripts/deploy/check-vars.sh');
    const checked = (check?.run ?? '')
      .replace(/\\\n/g, ' ')
      .split(/\s+/)
      .filter((w) => /^[A-Z][A-Z0-9_]+$/.test(w));
    const optional = ['LAMBDA_CANARY_PERCENT', 'LAMBDA_CANARY_SECONDS'];
    const used = new Set([...deployText.matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1] as string));
    expect(checked).toContain('AWS_DEPLOY_ROLE_ARN');
    for (const name of used) if (!optional.includes(name)) expect(checked, name).toContain(name);
    for (const name of checked)
      expect(deployJob.env?.[name], `${name} reaches the check`).toBe(`\${{ vars.${name} }}`);
    expect(indexOf(check)).toBe(1); // right after the checkout, before anything else
  });

  test('reads every variable from those github-vars.sh sets from Terraform outputs', () => {
    const script = read('scripts/deploy/github-vars.sh');
    const mapping = Object.fromEntries(
      [...script.matchAll(/^\s+([A-Z_]+)=([a-z_]+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    const outputs = Object.keys(infra('outputs.tf.json').output);
    for (const output of Object.values(mapping)) expect(outputs).toContain(output);
    const optional = ['LAMBDA_CANARY_PERCENT', 'LAMBDA_CANARY_SECONDS'];
    const used = new Set([...deployText.matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1] as string));
    for (const name of used) if (!optional.includes(name)) expect(Object.keys(mapping)).toContain(name);
    expect(mapping.DEPLOY_ALARM_NAMES).toBe('deploy_alarm_names');
  });
});

describe('deploy.yml: what runs with the credentials', () => {
  const commands = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');

  test('the deploy job runs no package manager, build tool, test runner or browser: only our scripts and the AWS CLI', () => {
    expect(commands(deployJob)).not.toMatch(
      /\b(bun|bunx|npm|npx|node|yarn|pnpm|playwright|docker|chromium)\b/,
    );
    for (const action of [
      'oven-sh/setup-bun',
      'actions/setup-node',
      'docker/build-push-action',
      'docker/setup-buildx-action',
    ])
      expect(stepUsing(action)).toEqual([]);
    for (const step of steps) if (step.run) expect(step.run).toMatch(/scripts\/deploy\/|\$RUNNER_TEMP/);
  });

  test('the gate job runs the suite with the test client’s secret and no way to the deploy role', () => {
    expect(gateJob.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(gateJob.env?.AUTH_CLIENT_SECRET).toBe(`\${{ secrets.AUTH_CLIENT_SECRET }}`);
    expect(gateJob.env?.BASE_URL).toBe(`\${{ vars.API_URL }}`);
    // The one secret in the workflow is the test client's, and only the gate job sees it.
    expect([...deployText.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])).toEqual(['AUTH_CLIENT_SECRET']);
    expect(JSON.stringify(deployJob)).not.toContain('secrets.');
    // Approved with the deploy job, in one review, since both wait for the same environment.
    expect(environmentName(gateJob)).toBe(environmentName(deployJob));
  });
});

describe('deploy.yml: the gate', () => {
  test('everything the gate needs is installed and checked before anything changes in AWS', () => {
    const install = stepRunning('bun install --frozen-lockfile', gateSteps);
    const check = stepRunning('--list', gateSteps);
    const ready = gateSteps.find((s) => s.with?.name === `gate-ready-\${{ github.run_attempt }}`);
    const waitRollout = stepRunning('wait-artifact "rolled-out-$GITHUB_RUN_ATTEMPT"', gateSteps);
    const suite = stepRunning(
      'playwright test --project api --grep @smoke',
      gateSteps.slice(indexOf(waitRollout, gateSteps)),
    );
    const order = [install, check, ready, waitRollout, suite].map((s) => indexOf(s, gateSteps));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Nothing is installed after the rollout: the last two steps only wait and run.
    for (const step of gateSteps.slice(indexOf(waitRollout, gateSteps))) expect(step.uses).toBeUndefined();
    expect(check?.run).toContain('curl -fsS --max-time 30 "$BASE_URL/health"');
    expect(check?.run).toContain('grant_type=client_credentials "$AUTH_TOKEN_URL"');
    expect(waitRollout?.run).toMatch(/ deploy$/); // stops waiting when the deploy job ended without a rollout

    // The deploy job touches AWS only once the gate said it is ready.
    const waitReady = stepRunning('wait-artifact "gate-ready-$GITHUB_RUN_ATTEMPT"');
    expect(waitReady?.run).toMatch(/ gate$/);
    const login = stepUsing('aws-actions/configure-aws-credentials')[0];
    expect(indexOf(waitReady)).toBeLessThan(indexOf(login));
    expect(indexOf(waitReady)).toBeLessThan(indexOf(stepRunning('record-live.sh')));
  });

  test('the handshake names the jobs and artifacts that exist', () => {
    expect(deployJob.name).toBe('deploy');
    expect(gateJob.name).toBe('gate');
    const rolledOut = steps.find((s) => s.with?.name === `rolled-out-\${{ github.run_attempt }}`);
    const verdict = stepRunning('gate-handshake.sh wait-job gate');
    const lastChange = Math.max(
      indexOf(stepRunning('ecs-deploy.sh')),
      indexOf(stepRunning('lambda-deploy.sh')),
    );
    expect(indexOf(rolledOut)).toBeGreaterThan(lastChange);
    expect(indexOf(verdict)).toBeGreaterThan(indexOf(rolledOut));
    for (const step of [verdict, stepRunning('wait-artifact "gate-ready')])
      expect(step?.env?.GITHUB_TOKEN).toBe(`\${{ github.token }}`);
    expect(deployJob.permissions?.actions).toBe('read');
  });

  test('the smoke subset never pages through the table: its cost does not grow with it', () => {
    const specs = readdirSync(join(ROOT, 'e2e')).filter((f) => f.endsWith('.spec.ts'));
    let tagged = 0;
    for (const file of specs) {
      const text = read(`e2e/${file}`);
      const starts = [...text.matchAll(/\btest(?:\.describe)?\(/g)].map((m) => m.index as number);
      starts.forEach((start, i) => {
        const block = text.slice(start, starts[i + 1] ?? text.length);
        if (!/^test\([\s\S]*?tag: '@smoke'/.test(block.slice(0, 300))) return;
        tagged++;
        // Paging: a helper that lists everything, or a loop that follows next_cursor.
        expect(block, `${file}: ${block.slice(0, 80)}`).not.toMatch(/listAll\(|while \([^)]*cursor/);
        const limits = [...block.matchAll(/limit: (\d+)/g)].map((m) => Number(m[1]));
        for (const limit of limits) expect(limit, `${file}: a page of the gate`).toBeLessThanOrEqual(5);
      });
    }
    expect(tagged).toBeGreaterThanOrEqual(10);
  });

  test('against a deployment Playwright records nothing of it: no traces, screenshots or HTML report', () => {
    const resolved = (baseUrl: string | undefined) => {
      const script = `const c = (await import(${JSON.stringify(join(ROOT, 'playwright.config.ts'))})).default;
        console.log(JSON.stringify({ trace: c.use.trace, screenshot: c.use.screenshot, reporters: c.reporter.map((r) => r[0]) }));`;
      const env: Record<string, string | undefined> = { ...process.env, CI: '1', BASE_URL: baseUrl };
      const r = Bun.spawnSync([process.execPath, '-e', script], { cwd: ROOT, env });
      expect(r.exitCode, r.stderr.toString()).toBe(0);
      return JSON.parse(r.stdout.toString());
    };
    expect(resolved('https://api.example.com')).toEqual({
      trace: 'off',
      screenshot: 'off',
      reporters: ['list'],
    });
    // The local stack and loopback targets (the compiled binary) keep their traces.
    expect(resolved(undefined)).toEqual({
      trace: 'retain-on-failure',
      screenshot: 'off',
      reporters: ['list', 'html'],
    });
    expect(resolved('http://127.0.0.1:18000').trace).toBe('retain-on-failure');
  });

  test('the gate is the smoke subset, through the load balancer, uploading nothing', () => {
    const suite = stepRunning('playwright test --project api --grep @smoke', gateSteps.slice(-1));
    expect(suite).toBeDefined();
    expect(deployText).not.toMatch(/test-results|playwright-report/);
    const uploads = Object.values(deploy.jobs).flatMap((job) =>
      stepUsing('actions/upload-artifact', job.steps ?? []),
    );
    for (const upload of uploads)
      expect(String(upload.with?.path)).toMatch(/^\$\{\{ runner\.temp \}\}\/(gate-ready|rolled-out)$/);
  });
});

describe('deploy.yml: bounded waits, rollback on every failure', () => {
  test('every step of the deploy and gate jobs has a timeout, and they add up to less than the job’s', () => {
    for (const job of [deployJob, gateJob]) {
      const all = job.steps ?? [];
      for (const step of all) expect(step['timeout-minutes'], step.name ?? step.uses).toBeNumber();
      const sum = all.reduce((total, step) => total + minutes(step), 0);
      expect(sum).toBeLessThanOrEqual(job['timeout-minutes'] as number);
    }
  });

  test('each wait’s own bound fits inside its step’s timeout', () => {
    const within = (step: Step | undefined, boundSeconds: number) =>
      expect(minutes(step) * 60).toBeGreaterThan(boundSeconds);
    within(stepRunning('wait-artifact "gate-ready'), seconds(deployJob, 'GATE_READY_WAIT_SECONDS'));
    within(stepRunning('ecs-deploy.sh'), seconds(deployJob, 'ECS_WAIT_SECONDS'));
    // lambda-deploy.sh: the function-updated waiter (300 s at most), then the canary.
    within(stepRunning('lambda-deploy.sh'), 300 + seconds(deployJob, 'LAMBDA_CANARY_MAX_SECONDS'));
    within(stepRunning('gate-handshake.sh wait-job gate'), seconds(deployJob, 'GATE_WAIT_SECONDS'));
    within(stepRunning('ecs-rollback.sh'), seconds(deployJob, 'ECS_ROLLBACK_WAIT_SECONDS'));
    within(stepRunning('wait-artifact "rolled-out', gateSteps), seconds(gateJob, 'ROLLOUT_WAIT_SECONDS'));
  });

  test('the two jobs wait for each other long enough', () => {
    // The gate waits for as long as the deploy job may take to roll out (its own wait for the
    // gate aside, which ends once the gate is ready)...
    const rolledOut = steps.findIndex((s) => s.with?.name === `rolled-out-\${{ github.run_attempt }}`);
    const waitReady = stepRunning('wait-artifact "gate-ready');
    const toRollout = steps
      .slice(0, rolledOut + 1)
      .filter((s) => s !== waitReady)
      .reduce((total, step) => total + minutes(step), 0);
    expect(seconds(gateJob, 'ROLLOUT_WAIT_SECONDS')).toBeGreaterThanOrEqual(toRollout * 60);
    // ...and the deploy job waits for the verdict longer than the suite may run.
    const suite = stepRunning('playwright test --project api --grep @smoke', gateSteps.slice(-1));
    expect(seconds(deployJob, 'GATE_WAIT_SECONDS')).toBeGreaterThan(minutes(suite) * 60);
  });

  test('rolls ECS, then Lambda, then waits for the gate; any failure, cancellation or timeout rolls both back to what was recorded first', () => {
    const live = steps.find((s) => s.id === 'live');
    expect(live?.run).toBe('scripts/deploy/record-live.sh');
    const order = [
      live,
      stepRunning('push-image.sh'),
      stepRunning('ecs-deploy.sh'),
      stepRunning('lambda-deploy.sh'),
      stepRunning('gate-handshake.sh wait-job gate'),
      stepRunning('lambda-rollback.sh'),
      stepRunning('ecs-rollback.sh'),
    ].map((step) => indexOf(step));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // failure() alone is false when the run is cancelled or the job times out mid-rollout.
    expect(stepRunning('lambda-rollback.sh')?.if).toBe(
      `(failure() || cancelled()) && steps.live.outputs.lambda_version != ''`,
    );
    expect(stepRunning('lambda-rollback.sh')?.env?.PREVIOUS_VERSION).toBe(
      `\${{ steps.live.outputs.lambda_version }}`,
    );
    expect(stepRunning('ecs-rollback.sh')?.if).toBe(
      `(failure() || cancelled()) && steps.live.outputs.task_definition != ''`,
    );
    expect(stepRunning('ecs-rollback.sh')?.env?.PREVIOUS_TASK_DEFINITION).toBe(
      `\${{ steps.live.outputs.task_definition }}`,
    );
    // Each rollback script gets the bound the arithmetic above counts on.
    expect(deployJob.env?.ECS_ROLLBACK_WAIT_SECONDS).toBeDefined();
  });
});

describe('deploy.yml: build once', () => {
  test('pushes the image CI built and started (same digest) instead of building one', () => {
    expect(stepUsing('docker/build-push-action')).toEqual([]);
    const image = stepUsing('actions/download-artifact').find((s) => s.with?.name === 'image-linux-arm64');
    expect(image?.with?.path).toBe('dist/image');
    const push = stepRunning('push-image.sh');
    expect(push?.run).toBe('scripts/deploy/push-image.sh dist/image/picus-arm64.oci.tar "$IMAGE_TAG"');
    expect(push?.env?.IMAGE_DIGEST).toBe(`\${{ needs.ci.outputs.image_digest }}`);
    expect(stepRunning('ecs-deploy.sh')?.env?.IMAGE_DIGEST).toBe(`\${{ needs.ci.outputs.image_digest }}`);
    expect(deployJob.env?.IMAGE_TAG).toBe(`\${{ inputs.image_tag || github.sha }}`);
  });

  test('makes live the Lambda zip CI built, or a version already published', () => {
    expect(deployText).not.toContain('scripts/build.ts');
    const zip = stepUsing('actions/download-artifact').find((s) => s.with?.name === 'lambda-zip');
    expect(zip?.with?.path).toBe('dist/lambda');
    const lambda = stepRunning('lambda-deploy.sh');
    expect(lambda?.run).toContain(`scripts/deploy/lambda-deploy.sh dist/${LAMBDA_ZIP}`);
    expect(lambda?.run).toContain('scripts/deploy/lambda-deploy.sh --version "$LAMBDA_VERSION"');
    expect(lambda?.env?.LAMBDA_VERSION).toBe(`\${{ inputs.lambda_version }}`);
    // The canary and the alarms it watches reach the script.
    for (const name of [
      'LAMBDA_CANARY_PERCENT',
      'LAMBDA_CANARY_SECONDS',
      'DEPLOY_ALARM_NAMES',
      'LAMBDA_CANARY_MAX_SECONDS',
    ])
      expect(deployJob.env?.[name]).toBeDefined();
  });

  test('changes only what Terraform ignores, with the names infra/ uses', () => {
    const service = infra('compute.tf.json').resource.aws_ecs_service.app;
    expect(service.lifecycle.ignore_changes).toContain('task_definition');
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    const fn = infra('function.tf.json').resource;
    expect(fn.aws_lambda_alias.live.name).toBe('live');
    expect(fn.aws_lambda_alias.live.lifecycle.ignore_changes).toContain('function_version');
    const lambda = fn.aws_lambda_function.delete_item;
    expect(lambda.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['filename', 'source_code_hash']));
    expect(lambda).toMatchObject({
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
    });
    expect(lambda.filename).toBe(`\${path.module}/../dist/${LAMBDA_ZIP}`);
    expect(infra('outputs.tf.json').output.container_name.value).toBe('app');
    expect(infra('registry.tf.json').resource.aws_ecr_repository.app.image_tag_mutability).toBe('IMMUTABLE');
  });
});
