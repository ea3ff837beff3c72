/**
 * The deploy scripts (scripts/deploy/*.sh) run as the workflow runs them, with the real AWS CLI,
 * against an emulated account that `terraform apply` built: push the image CI tested, roll a
 * new task definition onto the ECS service, publish a Lambda version and move the `live` alias
 * (all at once, gradually, gradually into an alarm), and every rollback, each followed by a
 * look at the account's state.
 *
 * terraform-gen/test/emulated-account.test.ts registers these on its applied `prod` stack, so
 * the apply is shared (see deployScriptTests).
 */
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedAws } from '../../terraform-gen/emulator/emulated-aws.ts';
import { createZip } from '../lib/deterministic-zip.ts';
import { type CommandResult, runCommand } from '../support/child-processes.ts';
import { ROOT } from './artifacts.ts';
import { writeOciArchive } from './oci-archive.ts';

/** What the scenarios need of the applied stack. */
export interface DeployTarget {
  readonly aws: EmulatedAws;
  /** `terraform output` of the applied stack. */
  readonly outputs: Record<string, string>;
  /** Its infra/ directory (github-vars.sh runs `terraform output` there). */
  readonly infraDir: string;
  /** The environment terraform runs with there (CLI config, AWS endpoint). */
  readonly terraformEnv: Record<string, string>;
}

/** A deploy script's run: what it printed and the step outputs it wrote to GITHUB_OUTPUT. */
export interface ScriptRun extends CommandResult {
  readonly outputs: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: AWS CLI JSON is inspected structurally.
type Any = any;

const SCRIPTS = join(ROOT, 'scripts', 'deploy');
/** Archives, zips and GITHUB_OUTPUT files of this run; removed when the file's tests end. */
const scratch = mkdtempSync(join(tmpdir(), 'picus-deploy-scenarios-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const outputFile = () => {
  const file = join(scratch, `github-output-${crypto.randomUUID()}`);
  writeFileSync(file, '');
  return file;
};

function readOutputs(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The deploy variables the workflow maps from repository variables, for the applied stack. */
export function deployEnv(target: DeployTarget) {
  const o = target.outputs;
  return {
    ECR_REPOSITORY_URL: o.ecr_repository_url as string,
    ECS_CLUSTER: o.ecs_cluster_name as string,
    ECS_SERVICE: o.ecs_service_name as string,
    ECS_TASK_FAMILY: o.ecs_task_family as string,
    ECS_CONTAINER_NAME: o.container_name as string,
    LAMBDA_FUNCTION_NAME: o.lambda_function_name as string,
    LAMBDA_ALIAS: o.lambda_alias_name as string,
    DEPLOY_ALARM_NAMES: o.deploy_alarm_names as string,
    // Short polls: the emulated rollouts take seconds.
    ECS_POLL_SECONDS: '0.5',
    CANARY_POLL_SECONDS: '0.5',
  };
}

function scriptEnv(target: DeployTarget, env: Record<string, string>, githubOutput: string) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...target.aws.env,
    GITHUB_OUTPUT: githubOutput,
    ...deployEnv(target),
    ...env,
  };
}

/** Runs scripts/deploy/<script> to its end. */
export async function runDeployScript(
  target: DeployTarget,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ScriptRun> {
  const output = outputFile();
  const run = await runCommand(['bash', join(SCRIPTS, script), ...args], {
    cwd: ROOT,
    env: scriptEnv(target, env, output),
  });
  return { ...run, outputs: readOutputs(output) };
}

/**
 * Starts scripts/deploy/<script>, waits until its log (stderr) matches `until`, then stops it
 * with SIGTERM, as a cancelled run or a job timeout stops a step.
 */
async function interruptDeployScript(
  target: DeployTarget,
  script: string,
  args: string[],
  until: RegExp,
): Promise<ScriptRun> {
  const output = outputFile();
  const started = performance.now();
  const child = Bun.spawn(['bash', join(SCRIPTS, script), ...args], {
    cwd: ROOT,
    env: scriptEnv(target, {}, output),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const stdout = new Response(child.stdout).text();
  let stderr = '';
  const reader = child.stderr.getReader();
  const deadline = Date.now() + 60_000;
  while (!until.test(stderr) && Date.now() < deadline) {
    const next = await reader.read();
    if (next.done) break;
    stderr += new TextDecoder().decode(next.value);
  }
  child.kill('SIGTERM');
  const code = await child.exited;
  return {
    code,
    stdout: await stdout,
    stderr,
    outputs: readOutputs(output),
    seconds: (performance.now() - started) / 1000,
  };
}

const output = (run: ScriptRun) => `exit ${run.code}\n${run.stdout}${run.stderr}`;

/** A Lambda zip whose code differs by `marker` (the emulator never runs it). */
function lambdaZip(dir: string, marker: string): string {
  const path = join(dir, `delete-item-${marker}.zip`);
  const source = `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(marker)} });\n`;
  writeFileSync(path, createZip([{ name: 'index.cjs', data: new TextEncoder().encode(source) }]));
  return path;
}

/**
 * Registers the scenarios as tests, in order; they run against `target()` (set once the stack
 * is applied) and leave the service and the alias where a finished deploy would.
 */
export function deployScriptTests(target: () => DeployTarget, skip: boolean): void {
  const scenario = (name: string, body: (t: DeployTarget) => Promise<void>, timeout = 180_000) =>
    test.skipIf(skip)(name, () => body(target()), timeout);
  const shared: { image?: string; digest?: string; revision?: string } = {};

  const service = async (t: DeployTarget) => {
    const env = deployEnv(t);
    return (
      await t.aws.aws<Any>([
        'ecs',
        'describe-services',
        '--cluster',
        env.ECS_CLUSTER,
        '--services',
        env.ECS_SERVICE,
      ])
    ).services[0];
  };
  const primary = (svc: Any) => svc.deployments.find((d: Any) => d.status === 'PRIMARY');
  const alias = async (t: DeployTarget) => {
    const env = deployEnv(t);
    return t.aws.aws<Any>([
      'lambda',
      'get-alias',
      '--function-name',
      env.LAMBDA_FUNCTION_NAME,
      '--name',
      env.LAMBDA_ALIAS,
    ]);
  };
  const weights = (a: Any) => a.RoutingConfig?.AdditionalVersionWeights ?? {};
  const callsSince = async (t: DeployTarget, before: number) => (await t.aws.apiCalls()).slice(before);

  scenario(
    'github-vars.sh maps the applied stack’s outputs to the variables the workflow reads',
    async (t) => {
      const run = await runDeployScript(t, 'github-vars.sh', [], {
        ...t.terraformEnv,
        INFRA_DIR: t.infraDir,
      });
      expect(run.code, output(run)).toBe(0);
      const set = Object.fromEntries(
        // printf %q quotes for the shell (a comma becomes "\,"): undo it.
        [...run.stdout.matchAll(/^gh variable set (\w+) --body (.*)$/gm)].map((m) => [
          m[1],
          (m[2] as string).replace(/\\(.)/g, '$1'),
        ]),
      );
      expect(set.AWS_DEPLOY_ROLE_ARN).toBe(t.outputs.deploy_role_arn);
      expect(set.ECS_SERVICE).toBe(t.outputs.ecs_service_name);
      expect(set.DEPLOY_ALARM_NAMES).toBe(t.outputs.deploy_alarm_names);
      expect(t.outputs.deploy_alarm_names?.split(',')).toEqual([
        'prod-picus-lambda-alias-errors',
        'prod-picus-lambda-alias-throttles',
        'prod-picus-alb-target-5xx',
        'prod-picus-alb-elb-5xx',
      ]);
      // The secret goes by a pipe, never into the printed commands.
      expect(run.stdout).toContain(
        'terraform -chdir=infra output -raw auth_client_secret | gh secret set AUTH_CLIENT_SECRET',
      );
      expect(run.stdout).not.toContain(t.outputs.auth_client_secret as string);
    },
  );

  scenario(
    'push-image.sh pushes the archive CI tested byte for byte, once; a tag is never repointed',
    async (t) => {
      const env = deployEnv(t);
      // Three parts per layer: the emulator asks for 1 KiB parts (see the test's emulator options).
      const archive = writeOciArchive(join(scratch, 'v2.tar'), [
        new Uint8Array(2500).fill(7),
        new TextEncoder().encode('second layer'),
      ]);
      const wrong = await runDeployScript(t, 'push-image.sh', [archive.path, 'v2'], {
        IMAGE_DIGEST: `sha256:${'0'.repeat(64)}`,
      });
      expect(wrong.code, output(wrong)).toBe(1);
      expect(wrong.stderr).toContain('but CI recorded');

      const before = (await t.aws.apiCalls()).length;
      const push = await runDeployScript(t, 'push-image.sh', [archive.path, 'v2'], {
        IMAGE_DIGEST: archive.digest,
      });
      expect(push.code, output(push)).toBe(0);
      expect(push.outputs.digest).toBe(archive.digest);
      const calls = await callsSince(t, before);
      // The config (one part), 2500 bytes in three parts, 12 bytes in one.
      expect(calls.filter((c) => c.endsWith('.UploadLayerPart')).length).toBe(5);
      const stored = await t.aws.aws<Any>([
        'ecr',
        'describe-images',
        '--repository-name',
        env.ECR_REPOSITORY_URL.split('/')[1] as string,
        '--image-ids',
        'imageTag=v2',
      ]);
      expect(stored.imageDetails[0].imageDigest).toBe(archive.digest);

      // A re-run of the deploy finds it there and uploads nothing.
      const mark = (await t.aws.apiCalls()).length;
      const again = await runDeployScript(t, 'push-image.sh', [archive.path, 'v2'], {
        IMAGE_DIGEST: archive.digest,
      });
      expect(again.code, output(again)).toBe(0);
      expect(again.stderr).toContain('already in ECR');
      expect((await callsSince(t, mark)).some((c) => c.includes('LayerUpload'))).toBe(false);

      // Other bytes under the same tag: refused (tags are immutable).
      const other = writeOciArchive(join(scratch, 'other.tar'), [new TextEncoder().encode('other')]);
      const clash = await runDeployScript(t, 'push-image.sh', [other.path, 'v2']);
      expect(clash.code, output(clash)).toBe(1);
      expect(clash.stderr).toContain('tags are immutable');
      shared.image = `${env.ECR_REPOSITORY_URL}:v2`;
      shared.digest = archive.digest;
    },
  );

  scenario(
    'ecs-deploy.sh registers the family’s latest revision with the new image and rolls the service onto it',
    async (t) => {
      const env = deployEnv(t);
      await t.aws.ecsRollout({ progression: 'time', seconds: 2 });
      const before = await service(t);
      const template = (
        await t.aws.aws<Any>(['ecs', 'describe-task-definition', '--task-definition', env.ECS_TASK_FAMILY])
      ).taskDefinition;

      // A tag that was never pushed, or other bytes than CI tested: stopped before anything changes.
      for (const [image, digest, message] of [
        [`${env.ECR_REPOSITORY_URL}:never-pushed`, '', 'is not in ECR'],
        [shared.image as string, `sha256:${'1'.repeat(64)}`, 'but the image CI tested is'],
      ] as const) {
        const refused = await runDeployScript(t, 'ecs-deploy.sh', [image], { IMAGE_DIGEST: digest });
        expect(refused.code, output(refused)).toBe(1);
        expect(refused.stderr).toContain(message);
      }
      expect((await service(t)).taskDefinition).toBe(before.taskDefinition);

      const run = await runDeployScript(t, 'ecs-deploy.sh', [shared.image as string], {
        IMAGE_DIGEST: shared.digest as string,
      });
      expect(run.code, output(run)).toBe(0);
      expect(run.stderr).toMatch(/IN_PROGRESS/); // it watched the rollout, not just its start
      expect(run.outputs.previous_task_definition).toBe(before.taskDefinition);
      const after = await service(t);
      expect(after.taskDefinition).toBe(run.outputs.task_definition);
      expect(primary(after)).toMatchObject({ id: run.outputs.deployment, rolloutState: 'COMPLETED' });
      const registered = (
        await t.aws.aws<Any>(['ecs', 'describe-task-definition', '--task-definition', after.taskDefinition])
      ).taskDefinition;
      expect(registered.revision).toBe(template.revision + 1);
      expect(registered.containerDefinitions[0].image).toBe(shared.image);
      // Everything but the image is the template's (Terraform's latest revision).
      expect({ ...registered.containerDefinitions[0], image: '' }).toEqual({
        ...template.containerDefinitions[0],
        image: '',
      });
      expect(registered.cpu).toBe(template.cpu);
      expect(registered.executionRoleArn).toBe(template.executionRoleArn);
      shared.revision = after.taskDefinition;
    },
  );

  scenario(
    'a rollout the circuit breaker fails: ecs-rollback.sh waits for its rollback instead of starting another',
    async (t) => {
      const env = deployEnv(t);
      await t.aws.ecsRollout({ progression: 'time', seconds: 4 });
      // An image the tasks cannot pull (ECR_REPOSITORY_URL unset skips the script's own check,
      // so the service gets to try): the circuit breaker fails the deployment and rolls back.
      const unpullable = `${env.ECR_REPOSITORY_URL}:not-in-ecr`;
      const deploy = await runDeployScript(t, 'ecs-deploy.sh', [unpullable], { ECR_REPOSITORY_URL: '' });
      expect(deploy.code, output(deploy)).toBe(1);
      expect(deploy.stderr).toContain('circuit breaker');
      expect(deploy.outputs.previous_task_definition).toBe(shared.revision);
      const rolling = primary(await service(t));
      expect(rolling).toMatchObject({ taskDefinition: shared.revision, rolloutState: 'IN_PROGRESS' });

      const before = (await t.aws.apiCalls()).length;
      const rollback = await runDeployScript(t, 'ecs-rollback.sh', [shared.revision as string]);
      expect(rollback.code, output(rollback)).toBe(0);
      expect(rollback.stderr).toContain('already rolling back');
      expect((await callsSince(t, before)).filter((c) => c.endsWith('.UpdateService'))).toEqual([]);
      const after = await service(t);
      expect(after.taskDefinition).toBe(shared.revision);
      expect(primary(after)).toMatchObject({ id: rolling.id, rolloutState: 'COMPLETED' });
    },
  );

  scenario(
    'a rollout stopped mid-way (cancelled run, job timeout): ecs-rollback.sh puts the previous revision back',
    async (t) => {
      await t.aws.ecsRollout({ progression: 'manual', times: 1_000_000 }); // never finishes by itself
      const stopped = await interruptDeployScript(
        t,
        'ecs-deploy.sh',
        [shared.image as string],
        /IN_PROGRESS/,
      );
      expect(stopped.code, output(stopped)).not.toBe(0);
      const midway = await service(t);
      expect(midway.taskDefinition).not.toBe(shared.revision);
      expect(primary(midway).rolloutState).toBe('IN_PROGRESS');

      await t.aws.ecsRollout({ progression: 'time', seconds: 2 });
      const before = (await t.aws.apiCalls()).length;
      const rollback = await runDeployScript(t, 'ecs-rollback.sh', [shared.revision as string]);
      expect(rollback.code, output(rollback)).toBe(0);
      expect((await callsSince(t, before)).filter((c) => c.endsWith('.UpdateService'))).toHaveLength(1);
      const after = await service(t);
      expect(after.taskDefinition).toBe(shared.revision);
      expect(primary(after).rolloutState).toBe('COMPLETED');

      // Run again (both rollback steps of a workflow may run): nothing to do.
      const again = await runDeployScript(t, 'ecs-rollback.sh', [shared.revision as string]);
      expect(again.code, output(again)).toBe(0);
      expect(again.stderr).toContain('already runs');
      await t.aws.ecsRollout({ progression: 'immediate' });
    },
  );

  scenario(
    'record-live.sh records the live task definition and alias version before anything changes',
    async (t) => {
      const run = await runDeployScript(t, 'record-live.sh', []);
      expect(run.code, output(run)).toBe(0);
      expect(run.outputs).toEqual({
        task_definition: shared.revision as string,
        lambda_version: (await alias(t)).FunctionVersion,
      });
    },
  );

  scenario('lambda-deploy.sh all at once, then lambda-rollback.sh', async (t) => {
    const start = (await alias(t)).FunctionVersion as string;
    const run = await runDeployScript(t, 'lambda-deploy.sh', [lambdaZip(scratch, 'all-at-once')]);
    expect(run.code, output(run)).toBe(0);
    expect(run.outputs.previous_version).toBe(start);
    expect(Number(run.outputs.version)).toBeGreaterThan(Number(start));
    const live = await alias(t);
    expect(live.FunctionVersion).toBe(run.outputs.version);
    expect(weights(live)).toEqual({});

    const rollback = await runDeployScript(t, 'lambda-rollback.sh', [start]);
    expect(rollback.code, output(rollback)).toBe(0);
    expect((await alias(t)).FunctionVersion).toBe(start);

    // A redeploy of a known version (workflow_dispatch lambda_version): no upload, no publish.
    const before = (await t.aws.apiCalls()).length;
    const redeploy = await runDeployScript(t, 'lambda-deploy.sh', [
      '--version',
      run.outputs.version as string,
    ]);
    expect(redeploy.code, output(redeploy)).toBe(0);
    expect((await alias(t)).FunctionVersion).toBe(run.outputs.version);
    const calls = await callsSince(t, before);
    expect(calls.some((c) => c.includes('/code') || c.includes('/versions'))).toBe(false);
  });

  scenario(
    'lambda-deploy.sh gradually: a weighted alias while the alarms stay OK, then all of it',
    async (t) => {
      const start = (await alias(t)).FunctionVersion as string;
      const deploy = runDeployScript(t, 'lambda-deploy.sh', [lambdaZip(scratch, 'canary-ok')], {
        LAMBDA_CANARY_PERCENT: '10',
        LAMBDA_CANARY_SECONDS: '6',
      });
      let seen: Any;
      const deadline = Date.now() + 30_000;
      while (!seen && Date.now() < deadline) {
        const now = await alias(t);
        if (Object.keys(weights(now)).length > 0) seen = now;
        else await Bun.sleep(200);
      }
      expect(seen, 'the alias was never weighted').toBeDefined();
      expect(seen.FunctionVersion).toBe(start);
      const run = await deploy;
      expect(run.code, output(run)).toBe(0);
      expect(weights(seen)).toEqual({ [run.outputs.version as string]: 0.1 });
      const live = await alias(t);
      expect(live.FunctionVersion).toBe(run.outputs.version);
      expect(weights(live)).toEqual({});
    },
  );

  scenario(
    'lambda-deploy.sh gradually into an alarm: the alias goes back before the shift completes',
    async (t) => {
      const start = (await alias(t)).FunctionVersion as string;
      const [errorsAlarm] = deployEnv(t).DEPLOY_ALARM_NAMES.split(',') as [string];
      const deploy = runDeployScript(t, 'lambda-deploy.sh', [lambdaZip(scratch, 'canary-alarm')], {
        LAMBDA_CANARY_PERCENT: '25',
        LAMBDA_CANARY_SECONDS: '120',
      });
      const deadline = Date.now() + 30_000;
      while (Object.keys(weights(await alias(t))).length === 0 && Date.now() < deadline) await Bun.sleep(100);
      await t.aws.aws([
        'cloudwatch',
        'set-alarm-state',
        '--alarm-name',
        errorsAlarm,
        '--state-value',
        'ALARM',
        '--state-reason',
        'errors in the canary',
      ]);
      const run = await deploy;
      expect(run.code, output(run)).toBe(1);
      expect(run.seconds).toBeLessThan(60); // long before the 120 s shift would have completed
      expect(run.stderr).toContain(`${errorsAlarm} (errors in the canary)`);
      const live = await alias(t);
      expect(live.FunctionVersion).toBe(start);
      expect(weights(live)).toEqual({});

      // Still in ALARM: the next canary does not start at all.
      const blocked = await runDeployScript(t, 'lambda-deploy.sh', [lambdaZip(scratch, 'canary-blocked')], {
        LAMBDA_CANARY_PERCENT: '10',
        LAMBDA_CANARY_SECONDS: '5',
      });
      expect(blocked.code, output(blocked)).toBe(1);
      expect(blocked.stderr).toContain('already in ALARM');
      expect(weights(await alias(t))).toEqual({});
      expect((await alias(t)).FunctionVersion).toBe(start);
      await t.aws.aws([
        'cloudwatch',
        'set-alarm-state',
        '--alarm-name',
        errorsAlarm,
        '--state-value',
        'OK',
        '--state-reason',
        'test over',
      ]);

      // A misnamed alarm is a configuration error, not a quiet pass.
      const misnamed = await runDeployScript(t, 'lambda-deploy.sh', [lambdaZip(scratch, 'canary-misnamed')], {
        LAMBDA_CANARY_PERCENT: '10',
        LAMBDA_CANARY_SECONDS: '5',
        DEPLOY_ALARM_NAMES: `${errorsAlarm},no-such-alarm`,
      });
      expect(misnamed.code, output(misnamed)).not.toBe(0);
      expect(misnamed.stderr).toContain('no such alarm: no-such-alarm');
      expect((await alias(t)).FunctionVersion).toBe(start);
    },
  );
}
