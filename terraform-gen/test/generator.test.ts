// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests compare against Terraform interpolation strings.
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routingTable } from '../../contracts/routing.ts';
import { runCommand } from '../../scripts/support/child-processes.ts';
import { LAMBDA, SHUTDOWN } from '../src/constants.ts';
import { INFRA_DIR, renderStack, staleFiles } from '../src/generate.ts';
import { parseContainerDefinitions, parsedStack } from './stack.ts';

describe('generated infra/', () => {
  test('committed infra/*.tf.json files are up to date', () => {
    const problems = staleFiles();
    if (problems.length > 0) {
      throw new Error(`infra/ is stale — run bun run gen and commit the result:\n  ${problems.join('\n  ')}`);
    }
  });

  test('output is deterministic across runs', () => {
    expect([...renderStack()]).toEqual([...renderStack()]);
  });

  // For Terraform users without Bun: `npx tsx terraform-gen/main.ts` must write what `bun run gen` writes.
  test('plain Node (npx tsx terraform-gen/main.ts) writes the same bytes as bun run gen', async () => {
    const root = join(import.meta.dir, '..', '..');
    const main = join(root, 'terraform-gen', 'main.ts');
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const dirs = {
      bun: mkdtempSync(join(tmpdir(), 'picus-gen-bun-')),
      node: mkdtempSync(join(tmpdir(), 'picus-gen-node-')),
    };
    try {
      const runs = {
        bun: await runCommand([process.execPath, main, dirs.bun], { cwd: root }),
        // `node` itself, not Bun standing in for it: the runtime is part of what is compared.
        node: await runCommand(['node', tsx, main, dirs.node], { cwd: root }),
      };
      for (const run of Object.values(runs)) expect(run.code, run.stderr).toBe(0);
      const runtime = await runCommand(['node', '-p', 'process.versions.bun === undefined'], { cwd: root });
      expect(runtime.stdout.trim()).toBe('true');
      const committed = readdirSync(INFRA_DIR)
        .filter((f) => f.endsWith('.tf.json'))
        .sort();
      for (const dir of Object.values(dirs)) {
        expect(readdirSync(dir).sort()).toEqual(committed);
        for (const file of committed) {
          expect(readFileSync(join(dir, file), 'utf8'), file).toBe(
            readFileSync(join(INFRA_DIR, file), 'utf8'),
          );
        }
      }
    } finally {
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('one file per concern, only the hashicorp/aws provider, pinned', () => {
    const s = parsedStack();
    expect([...s.files.keys()].sort()).toEqual([
      'auth.tf.json',
      'compute.tf.json',
      'data.tf.json',
      'dns_tls.tf.json',
      'edge.tf.json',
      'function.tf.json',
      'identity.tf.json',
      'load_balancer.tf.json',
      'network.tf.json',
      'observability.tf.json',
      'outputs.tf.json',
      'registry.tf.json',
      'variables.tf.json',
      'versions.tf.json',
    ]);
    const tf = s.files.get('versions.tf.json').terraform;
    expect(Object.keys(tf.required_providers)).toEqual(['aws']);
    // 5.100 (what the emulated account applies) through the current 6.x.
    expect(tf.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '>= 5.100, < 7.0' });
    expect(tf.required_version).toMatch(/^>= 1\.1\d/);
    const providers = new Set<string>();
    for (const doc of s.files.values()) {
      for (const kind of ['resource', 'data'])
        for (const t of Object.keys(doc[kind] ?? {})) providers.add(t.split('_')[0] as string);
    }
    expect([...providers]).toEqual(['aws']);
  });

  test('no hand-written interpolation references an undeclared variable or local', () => {
    const all = [...renderStack().values()].join('\n');
    const s = parsedStack();
    const locals = new Set<string>();
    for (const doc of s.files.values()) for (const k of Object.keys(doc.locals ?? {})) locals.add(k);
    for (const m of all.matchAll(/var\.([a-z0-9_]+)/g)) expect(s.variable(m[1] as string)).toBeDefined();
    for (const m of all.matchAll(/local\.([a-z0-9_]+)/g)) expect(locals.has(m[1] as string)).toBe(true);
  });

  test('every deployment-specific variable is declared with a description, and validated where free-form', () => {
    const s = parsedStack();
    for (const name of [
      'aws_region',
      'environment',
      'domain_name',
      'hosted_zone_id',
      'certificate_arn',
      'image_tag',
      'alarm_email',
      'desired_count',
      'min_count',
      'max_count',
      'nat_gateway_mode',
      'github_repository',
      'github_environment',
    ]) {
      const v = s.variable(name);
      expect(v, name).toBeDefined();
      expect(v.description.length, name).toBeGreaterThan(10);
      expect(v.validation?.length ?? 0, name).toBeGreaterThan(0);
    }
  });

  test('useful outputs exist', () => {
    const s = parsedStack();
    for (const name of [
      'api_url',
      'alb_dns_name',
      'ecr_repository_url',
      'table_name',
      'ecs_cluster_name',
      'ecs_service_name',
      'lambda_function_name',
      'lambda_alias_name',
      'dashboard_url',
      'deploy_role_arn',
      'deploy_alarm_names',
    ]) {
      expect(s.outputs[name], name).toBeDefined();
    }
  });
});

describe('shutdown timings', () => {
  test('drain < deregistration delay < ECS stopTimeout <= Fargate maximum', () => {
    expect(SHUTDOWN.drainSeconds).toBeLessThan(SHUTDOWN.deregistrationDelaySeconds);
    expect(SHUTDOWN.deregistrationDelaySeconds).toBeLessThan(SHUTDOWN.stopTimeoutSeconds);
    expect(SHUTDOWN.stopTimeoutSeconds).toBeLessThanOrEqual(120);
  });

  test('the generated target group and task definition use those numbers', () => {
    const s = parsedStack();
    const tg = s.resource('aws_lb_target_group', 'container');
    expect(Number(tg.deregistration_delay)).toBe(SHUTDOWN.deregistrationDelaySeconds);
    const [container] = parseContainerDefinitions(
      s.resource('aws_ecs_task_definition', 'app').container_definitions,
    );
    expect(container.stopTimeout).toBe(SHUTDOWN.stopTimeoutSeconds);
  });
});

describe('ALB routing comes from contracts/routing.ts', () => {
  test('one listener rule per routing rule, same priority, methods, paths and target', () => {
    const s = parsedStack();
    const rules = s.resources('aws_lb_listener_rule');
    expect(Object.keys(rules).sort()).toEqual(routingTable.rules.map((r) => r.name).sort());
    const tgFor = {
      lambda: '${aws_lb_target_group.lambda.arn}',
      container: '${aws_lb_target_group.container.arn}',
    };
    for (const rule of routingTable.rules) {
      const r = rules[rule.name];
      expect(r.listener_arn).toBe('${aws_lb_listener.https.arn}');
      expect(r.priority).toBe(rule.priority);
      expect(r.condition).toContainEqual({ http_request_method: { values: [...rule.methods] } });
      expect(r.condition).toContainEqual({ path_pattern: { values: [...rule.pathPatterns] } });
      expect(r.action).toEqual([{ type: 'forward', target_group_arn: tgFor[rule.target] }]);
    }
    expect(s.resource('aws_lb_listener', 'https').default_action).toEqual([
      { type: 'forward', target_group_arn: tgFor[routingTable.defaultTarget] },
    ]);
  });

  test('DELETE /picus/* reaches the Lambda alias, with a permission scoped to the target group', () => {
    const s = parsedStack();
    const attach = s.resource('aws_lb_target_group_attachment', 'lambda_alias');
    expect(attach.target_id).toBe('${aws_lambda_alias.live.arn}');
    expect(attach.depends_on).toEqual(['aws_lambda_permission.alb_invoke']);
    const perm = s.resource('aws_lambda_permission', 'alb_invoke');
    expect(perm.principal).toBe('elasticloadbalancing.amazonaws.com');
    expect(perm.action).toBe('lambda:InvokeFunction');
    expect(perm.source_arn).toBe('${aws_lb_target_group.lambda.arn}');
    expect(perm.qualifier).toBe('${aws_lambda_alias.live.name}');
    expect(s.resource('aws_lambda_alias', 'live').name).toBe(LAMBDA.aliasName);
  });
});
