import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_ZIP } from '../build.ts';
import { ROOT } from './artifacts.ts';

/** The workflows against infra/: names, the OIDC trust, and what Terraform leaves to them. */

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string>;
  env?: Record<string, string>;
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
const steps = deployJob.steps ?? [];
const stepRunning = (fragment: string) => steps.find((step) => step.run?.includes(fragment));

describe('ci.yml', () => {
  test('runs on pull requests and pushes, and can be called by deploy.yml', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
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
    const builds = Object.values(ci.jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.uses?.startsWith('docker/build-push-action'));
    expect(builds.some((step) => step.with?.platforms === 'linux/arm64' && step.with?.push === false)).toBe(
      true,
    );
  });
});

describe('deploy.yml', () => {
  test('runs on pushes to main and by hand, one at a time, after CI and an approval', () => {
    expect(deploy.on).toHaveProperty('workflow_dispatch');
    expect((deploy.on.push as { branches: string[] }).branches).toEqual(['main']);
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false);
    expect(deploy.concurrency?.group).toBe('deploy-production');
    expect(deploy.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    expect(deploy.jobs.approve?.needs).toBe('ci');
    expect(deploy.jobs.approve?.environment).toMatchObject({ name: 'production' });
    expect(deployJob.needs).toBe('approve');
    expect(deployJob.if).toBe(`github.ref == 'refs/heads/main'`);
  });

  test('authenticates with GitHub OIDC only: no stored AWS keys', () => {
    expect(deployJob.permissions?.['id-token']).toBe('write');
    // The one stored secret is the API's test client, and only the contract suite sees it.
    expect([...deployText.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])).toEqual(['AUTH_CLIENT_SECRET']);
    expect(stepRunning('playwright test')?.env?.AUTH_CLIENT_SECRET).toBe(
      `\${{ secrets.AUTH_CLIENT_SECRET }}`,
    );
    expect(deployText).not.toMatch(/AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)/);
    const login = steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(login?.with?.['role-to-assume']).toBe(`\${{ vars.AWS_DEPLOY_ROLE_ARN }}`);
  });

  test('the job that assumes the role gets the OIDC subject the deploy role trusts', () => {
    const trust = infra('identity.tf.json').data.aws_iam_policy_document.deploy_assume.statement[0];
    const sub = trust.condition.find((c: { variable: string }) => c.variable.endsWith(':sub'));
    const subjects = sub.values as string[];
    const environment = deployJob.environment;
    if (environment === undefined) {
      // GitHub issues repo:<owner>/<name>:ref:refs/heads/main to a job without an environment.
      expect(subjects).toContain(`repo:\${var.github_repository}:ref:refs/heads/main`);
      expect(deployJob.if).toContain(`github.ref == 'refs/heads/main'`);
    } else {
      const name = typeof environment === 'string' ? environment : environment.name;
      expect(subjects).toContain(`repo:\${var.github_repository}:environment:${name}`);
    }
  });

  test('reads every name it needs from variables that github-vars.sh sets from Terraform outputs', () => {
    const script = read('scripts/deploy/github-vars.sh');
    const mapping = Object.fromEntries(
      [...script.matchAll(/^\s+([A-Z_]+)=([a-z_]+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    const outputs = Object.keys(infra('outputs.tf.json').output);
    for (const output of Object.values(mapping)) expect(outputs).toContain(output);
    const optional = ['LAMBDA_CANARY_PERCENT', 'LAMBDA_CANARY_SECONDS'];
    const used = new Set([...deployText.matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1] as string));
    for (const name of used) if (!optional.includes(name)) expect(Object.keys(mapping)).toContain(name);
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

  test('rolls ECS, then Lambda, then runs the contract suite; rolls both back on failure', () => {
    const order = [
      stepRunning('ecs-deploy.sh'),
      stepRunning('lambda-deploy.sh'),
      stepRunning('playwright test'),
      stepRunning('lambda-rollback.sh'),
      stepRunning('ecs-rollback.sh'),
    ].map((step) => (step ? steps.indexOf(step) : -1));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(stepRunning('playwright test')?.env?.BASE_URL).toBe(`\${{ vars.API_URL }}`);
    expect(stepRunning('lambda-rollback.sh')?.if).toBe(
      `failure() && steps.lambda.outputs.previous_version != ''`,
    );
    expect(stepRunning('ecs-rollback.sh')?.if).toBe(
      `failure() && steps.ecs.outputs.previous_task_definition != ''`,
    );
    const push = steps.find((step) => step.uses?.startsWith('docker/build-push-action'));
    expect(push?.with).toMatchObject({ platforms: 'linux/arm64', push: true, tags: `\${{ env.IMAGE }}` });
    expect(deployJob.env?.IMAGE).toBe(`\${{ vars.ECR_REPOSITORY_URL }}:\${{ github.sha }}`);
  });
});
