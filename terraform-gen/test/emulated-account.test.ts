/**
 * `terraform apply` for real: the generated stack applied with the real aws provider to an
 * emulated AWS account (moto plus terraform-gen/emulator's patches), planned again (it must show
 * no changes), checked on the account through the AWS CLI, then destroyed to an empty state.
 *
 * Two environments share the account and region (prod creates the GitHub OIDC provider, staging
 * looks it up and names its own table), a third configuration plans in a region opened after
 * 2022, and a Lambda configuration change is published by Terraform and made live by the deploy
 * script. Then the deploy scripts run on the applied prod with the real AWS CLI
 * (scripts/test/deploy-scenarios.ts), sharing this apply rather than making their own. The
 * tests run in order and share the account; each after the first fails, saying so, when the
 * apply did not happen. Skipped, with the reason, where terraform, the provider, moto or the
 * AWS CLI is absent.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../scripts/support/child-processes.ts';
import { lambdaArtifacts, ROOT } from '../../scripts/test/artifacts.ts';
import { deployScriptTests } from '../../scripts/test/deploy-scenarios.ts';
import { type EmulatedAws, emulatorUnavailable, startEmulatedAws } from '../emulator/emulated-aws.ts';
import { ELB_LEGACY_LOG_ACCOUNTS } from '../src/elb-log-delivery.ts';
import { SAVED_QUERIES } from '../src/saved-queries.ts';
import { BURN_ALERTS, SLOS, windowLabel } from '../src/slos.ts';
import { providerUnavailable, warnSkipped, writeCliConfig } from './terraform-cli.ts';
import { type Vars, Workspace } from './workspace.ts';

const unavailable = providerUnavailable() ?? emulatorUnavailable();
if (unavailable) warnSkipped('the emulated-account test (apply, re-plan, destroy)', unavailable);

const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';

let root = '';
let account: EmulatedAws | undefined;
afterAll(async () => {
  await account?.stop();
  if (root && !process.env.PICUS_KEEP_EMULATED) rmSync(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: AWS CLI JSON is inspected structurally.
type Any = any;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  give: Promise<unknown>,
): Promise<T> {
  let failed = false;
  give.catch(() => {
    failed = true;
  });
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline && !failed) {
    const value = await probe();
    if (value !== undefined) return value;
    await Bun.sleep(500);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The applied account, shared by the tests below (they run in order). */
interface Applied {
  readonly aws: EmulatedAws;
  readonly prod: Workspace;
  readonly staging: Workspace;
  readonly zurich: Workspace;
  readonly zip: string;
  readonly prodOutputs: Record<string, string>;
  readonly started: number;
}
let applied: Applied | undefined;
function stack(): Applied {
  if (!applied) throw new Error('the stack was not applied (see the first test of this file)');
  return applied;
}
const skip = unavailable !== undefined;

describe('the generated stack on an emulated AWS account', () => {
  test.skipIf(skip)(
    'applies (two environments side by side) and plans no changes',
    async () => {
      const started = performance.now();
      root = mkdtempSync(join(tmpdir(), 'picus-emulated-'));
      // 1 KiB layer parts, so the deploy scenarios push an image in several parts.
      account = await startEmulatedAws(root, REGION, { ecrPartSize: 1024 });
      const aws = account;
      const { zip } = await lambdaArtifacts();
      const options = { lambdaZip: zip.path, cliConfig: writeCliConfig(root), awsEnv: aws.env };
      const zone = await aws.aws<Any>([
        'route53',
        'create-hosted-zone',
        '--name',
        'example.test',
        '--caller-reference',
        'picus-emulated-account-test',
      ]);
      const zoneId = String(zone.HostedZone.Id).replace('/hostedzone/', '');
      const common: Vars = {
        aws_region: REGION,
        image_tag: 'v1',
        alarm_email: 'oncall@example.test',
        github_repository: 'acme/picus',
        alb_deletion_protection: false,
        table_deletion_protection: false,
      };
      const prod = new Workspace(
        root,
        'prod',
        { ...common, environment: 'prod', domain_name: 'api.example.test', hosted_zone_id: zoneId },
        options,
      );
      const staging = new Workspace(
        root,
        'staging',
        {
          ...common,
          environment: 'staging',
          domain_name: 'staging.example.test',
          hosted_zone_id: zoneId,
          table_name: 'staging_picus_data',
          create_github_oidc_provider: false,
          // Tokens from an external identity provider instead of a Cognito user pool.
          auth_issuer: 'https://login.example.test',
          auth_audience: 'picus-api',
          cors_allowed_origins: ['https://app.example.test', 'http://localhost:5173'],
        },
        options,
      );
      // Zurich opened in 2022: it has no legacy Elastic Load Balancing account.
      const zurich = new Workspace(
        root,
        'zurich',
        {
          ...common,
          aws_region: 'eu-central-2',
          environment: 'zrh',
          domain_name: 'api.zrh.example.test',
          certificate_arn: `arn:aws:acm:eu-central-2:${ACCOUNT_ID}:certificate/00000000-0000-4000-8000-000000000000`,
        },
        options,
      );
      expect(ELB_LEGACY_LOG_ACCOUNTS['eu-central-2']).toBeUndefined();
      for (const w of [prod, staging, zurich]) await w.init();

      // prod creates the account's one GitHub OIDC provider; staging looks it up, so it starts
      // as soon as that exists and the two applies overlap.
      const prodApply = prod.apply();
      const oidcProvider = until(
        'the GitHub OIDC provider',
        async () => {
          const list = await aws.aws<Any>(['iam', 'list-open-id-connect-providers']);
          return list.OpenIDConnectProviderList?.length > 0 ? true : undefined;
        },
        prodApply,
      );
      const [, , , zurichPlan] = await Promise.all([
        prodApply,
        oidcProvider,
        oidcProvider.then(() => staging.apply()),
        zurich.plan('plan (eu-central-2)'),
      ]);
      expect(zurichPlan.changes).toBe(true);

      for (const w of [prod, staging]) {
        const again = await w.plan('re-plan');
        expect(
          again.changes,
          `${w.name}: the second plan wants changes:\n${Workspace.summary(again.out)}`,
        ).toBe(false);
      }

      applied = { aws, prod, staging, zurich, zip: zip.path, prodOutputs: await prod.outputs(), started };
    },
    15 * 60_000,
  );

  test.skipIf(skip)(
    'the account holds what the configuration says',
    async () => {
      const { aws, prod, staging } = stack();
      await checkAccount(aws, prod, staging);
    },
    120_000,
  );

  test.skipIf(skip)(
    'a Lambda configuration change is published by Terraform and made live by the deploy',
    async () => {
      const { aws, prod, zip } = stack();
      await lambdaConfigChangeGoesLiveWithTheDeploy(aws, prod, zip);
    },
    300_000,
  );

  describe('the deploy scripts, with the real AWS CLI, on prod', () => {
    deployScriptTests(() => {
      const { aws, prod, prodOutputs } = stack();
      return { aws, outputs: prodOutputs, infraDir: prod.dir, terraformEnv: prod.env };
    }, skip);
  });

  test.skipIf(skip)(
    'destroys both to an empty state',
    async () => {
      const { aws, prod, staging, zurich, started, prodOutputs } = stack();
      // As the README's teardown says: empty the ECR repository first (the deploy scenarios
      // pushed images to prod's).
      const repository = (prodOutputs.ecr_repository_url as string).split('/')[1] as string;
      const images = (await aws.aws<Any>(['ecr', 'list-images', '--repository-name', repository])).imageIds;
      if (images.length > 0)
        await aws.aws([
          'ecr',
          'batch-delete-image',
          '--repository-name',
          repository,
          '--image-ids',
          JSON.stringify(images),
        ]);
      await staging.destroy();
      await prod.destroy();
      expect(await staging.stateList()).toEqual([]);
      expect(await prod.stateList()).toEqual([]);
      expect((await aws.aws<Any>(['dynamodb', 'list-tables'])).TableNames).toEqual([]);
      expect((await aws.aws<Any>(['elbv2', 'describe-load-balancers'])).LoadBalancers).toEqual([]);
      expect(
        (await aws.aws<Any>(['cognito-idp', 'list-user-pools', '--max-results', '10'])).UserPools,
      ).toEqual([]);
      const alarmsLeft = await aws.aws<Any>(['cloudwatch', 'describe-alarms']);
      expect([...alarmsLeft.MetricAlarms, ...alarmsLeft.CompositeAlarms]).toEqual([]);
      expect((await aws.aws<Any>(['logs', 'describe-query-definitions'])).queryDefinitions).toEqual([]);

      const seconds = (performance.now() - started) / 1000;
      const rows = [prod, staging, zurich].map(
        (w) =>
          `  ${w.name.padEnd(8)} ${Object.entries(w.timings)
            .map(([step, s]) => `${step} ${s.toFixed(1)} s`)
            .join(', ')}`,
      );
      console.log(`emulated-account test: ${seconds.toFixed(0)} s in all\n${rows.join('\n')}`);
    },
    20 * 60_000,
  );
});

/** What the account holds after both applies, read back through the AWS CLI. */
async function checkAccount(aws: EmulatedAws, prod: Workspace, staging: Workspace): Promise<void> {
  const out = await prod.outputs();
  const albs = (await aws.aws<Any>(['elbv2', 'describe-load-balancers', '--names', 'prod-picus-alb']))
    .LoadBalancers;
  const alb = albs[0];
  expect(out.alb_dns_name).toBe(alb.DNSName);

  // DELETE /picus/* is forwarded to the Lambda target group, which holds the `live` alias.
  const listeners = (
    await aws.aws<Any>(['elbv2', 'describe-listeners', '--load-balancer-arn', alb.LoadBalancerArn])
  ).Listeners;
  const https = listeners.find((l: Any) => l.Port === 443);
  expect(https.Protocol).toBe('HTTPS');
  expect(listeners.find((l: Any) => l.Port === 80).DefaultActions[0].Type).toBe('redirect');
  const rules = (await aws.aws<Any>(['elbv2', 'describe-rules', '--listener-arn', https.ListenerArn])).Rules;
  const deleteRule = rules.find((r: Any) =>
    r.Conditions.some(
      (c: Any) => c.Field === 'http-request-method' && c.HttpRequestMethodConfig.Values[0] === 'DELETE',
    ),
  );
  expect(deleteRule.Conditions).toContainEqual(
    expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/picus/*'] } }),
  );
  const lambdaTg = deleteRule.Actions[0].TargetGroupArn;
  const tg = (await aws.aws<Any>(['elbv2', 'describe-target-groups', '--target-group-arns', lambdaTg]))
    .TargetGroups[0];
  expect(tg.TargetType).toBe('lambda');
  const alias = await aws.aws<Any>([
    'lambda',
    'get-alias',
    '--function-name',
    'prod-picus-delete',
    '--name',
    'live',
  ]);
  const targets = (await aws.aws<Any>(['elbv2', 'describe-target-health', '--target-group-arn', lambdaTg]))
    .TargetHealthDescriptions;
  expect(targets.map((t: Any) => t.Target.Id)).toEqual([alias.AliasArn]);
  const container = https.DefaultActions[0].TargetGroupArn;
  expect(
    (await aws.aws<Any>(['elbv2', 'describe-target-groups', '--target-group-arns', container]))
      .TargetGroups[0],
  ).toMatchObject({ TargetType: 'ip', Port: 8000, HealthCheckPath: '/health' });

  // The WAF guards the ALB; size and body rules that would refuse valid requests only count.
  const acl = (
    await aws.aws<Any>(['wafv2', 'get-web-acl-for-resource', '--resource-arn', alb.LoadBalancerArn])
  ).WebACL;
  expect(acl.Name).toBe('prod-picus-api');
  const common = acl.Rules.find((r: Any) => r.Name === 'aws-common');
  const counted = common.Statement.ManagedRuleGroupStatement.RuleActionOverrides.map((o: Any) => o.Name);
  expect(counted).toEqual(expect.arrayContaining(['SizeRestrictions_BODY', 'SizeRestrictions_URIPATH']));
  const logging = (await aws.aws<Any>(['wafv2', 'get-logging-configuration', '--resource-arn', acl.ARN]))
    .LoggingConfiguration;
  expect(logging.LoggingFilter.DefaultBehavior).toBe('DROP');

  // Each environment has its own table and its task and function are told which.
  for (const [env, table] of [
    ['prod', 'picus_data'],
    ['staging', 'staging_picus_data'],
  ] as const) {
    const described = (await aws.aws<Any>(['dynamodb', 'describe-table', '--table-name', table])).Table;
    expect(described.KeySchema).toEqual([{ AttributeName: 'object_id', KeyType: 'HASH' }]);
    expect(described.AttributeDefinitions).toEqual([{ AttributeName: 'object_id', AttributeType: 'S' }]);
    const task = (
      await aws.aws<Any>(['ecs', 'describe-task-definition', '--task-definition', `${env}-picus`])
    ).taskDefinition;
    expect(task.containerDefinitions[0].environment).toContainEqual({ name: 'TABLE_NAME', value: table });
    const fn = await aws.aws<Any>([
      'lambda',
      'get-function-configuration',
      '--function-name',
      `${env}-picus-delete`,
    ]);
    expect(fn.Environment.Variables.TABLE_NAME).toBe(table);
  }
  expect((await staging.outputs()).table_name).toBe('staging_picus_data');

  // Who issues tokens: a Cognito user pool for prod, an external issuer for staging.
  await checkAuth(aws, out, await staging.outputs());

  // The SLO alerts and the saved queries, each environment its own.
  for (const env of ['prod', 'staging']) await checkSlosAndQueries(aws, env, out.alarm_topic_arn as string);

  // No reserved concurrency by default (new accounts cannot reserve any).
  const fn = await aws.aws<Any>(['lambda', 'get-function', '--function-name', 'prod-picus-delete']);
  expect(fn.Concurrency).toBeUndefined();

  // DNS-validated EC certificate, A/AAAA aliases to the ALB.
  const cert = (
    await aws.aws<Any>([
      'acm',
      'describe-certificate',
      '--certificate-arn',
      https.Certificates[0].CertificateArn,
    ])
  ).Certificate;
  expect(cert).toMatchObject({
    DomainName: 'api.example.test',
    Status: 'ISSUED',
    KeyAlgorithm: 'EC_prime256v1',
  });
  const zones = (await aws.aws<Any>(['route53', 'list-hosted-zones'])).HostedZones;
  const records = (
    await aws.aws<Any>(['route53', 'list-resource-record-sets', '--hosted-zone-id', zones[0].Id])
  ).ResourceRecordSets;
  for (const type of ['A', 'AAAA']) {
    const record = records.find((r: Any) => r.Name === 'api.example.test.' && r.Type === type);
    expect(record.AliasTarget.DNSName.replace(/\.$/, '')).toBe(alb.DNSName);
  }

  // ECR layers and table traffic stay off the NAT; the legacy ELB account may write access logs here.
  const vpcId = alb.VpcId;
  const endpoints = (
    await aws.aws<Any>(['ec2', 'describe-vpc-endpoints', '--filters', `Name=vpc-id,Values=${vpcId}`])
  ).VpcEndpoints.map((e: Any) => e.ServiceName);
  expect(endpoints.sort()).toEqual([`com.amazonaws.${REGION}.dynamodb`, `com.amazonaws.${REGION}.s3`]);
  const policy = JSON.parse(
    (await aws.aws<Any>(['s3api', 'get-bucket-policy', '--bucket', `prod-picus-alb-logs-${ACCOUNT_ID}`]))
      .Policy,
  );
  const writers = policy.Statement.filter((s: Any) => s.Action === 's3:PutObject').map(
    (s: Any) => s.Principal,
  );
  expect(writers).toContainEqual({ AWS: `arn:aws:iam::${ELB_LEGACY_LOG_ACCOUNTS[REGION]}:root` });
  expect(writers).toContainEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
}

/**
 * Per environment: a composite alarm per SLO and alert, whose rule names that environment's two
 * window alarms and which notifies the topic; the saved queries over its own log groups.
 */
async function checkSlosAndQueries(aws: EmulatedAws, env: string, prodTopicArn: string): Promise<void> {
  const topic = prodTopicArn.replace(':prod-picus-alarms', `:${env}-picus-alarms`);
  const { MetricAlarms: windows, CompositeAlarms: composites } = await aws.aws<Any>([
    'cloudwatch',
    'describe-alarms',
    '--alarm-name-prefix',
    `${env}-picus-slo-`,
  ]);
  const windowNames = windows.map((a: Any) => a.AlarmName);
  expect(composites.map((c: Any) => c.AlarmName).sort()).toEqual(
    SLOS.flatMap((slo) => BURN_ALERTS.map((a) => `${env}-picus-slo-${slo.key}-${a.speed}-burn`)).sort(),
  );
  for (const c of composites) {
    expect(c.AlarmActions).toEqual([topic]);
    const named = [...(c.AlarmRule as string).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(named).toHaveLength(2);
    for (const n of named) expect(windowNames).toContain(n);
  }
  const latency = windows.find(
    (a: Any) => a.AlarmName === `${env}-picus-slo-latency-burn-${windowLabel(300)}`,
  );
  expect(latency.Metrics).toContainEqual({
    Id: 'within',
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: 'Picus',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'Operation', Value: 'get' }],
      },
      Period: 300,
      Stat: 'PR(:100)',
    },
  });
  const queries = (
    await aws.aws<Any>([
      'logs',
      'describe-query-definitions',
      '--query-definition-name-prefix',
      `${env}-picus/`,
    ])
  ).queryDefinitions;
  expect(queries.map((q: Any) => q.name).sort()).toEqual(
    SAVED_QUERIES.map((q) => `${env}-picus/${q.key}`).sort(),
  );
  const story = queries.find((q: Any) => q.name === `${env}-picus/request-story`);
  expect(story.logGroupNames).toEqual([`/ecs/${env}-picus`, `/aws/lambda/${env}-picus-delete`]);
  expect(story.queryString).toContain(`s3://${env}-picus-alb-logs-${ACCOUNT_ID}/alb/`);
}

/** The token issuers, and the AUTH_* settings the tasks and functions got. */
async function checkAuth(
  aws: EmulatedAws,
  prod: Record<string, string>,
  staging: Record<string, string>,
): Promise<void> {
  const pools = (await aws.aws<Any>(['cognito-idp', 'list-user-pools', '--max-results', '10'])).UserPools;
  expect(pools.map((p: Any) => p.Name)).toEqual(['prod-picus-api']);
  const poolId = pools[0].Id;
  expect(prod.auth_issuer).toBe(`https://cognito-idp.${REGION}.amazonaws.com/${poolId}`);
  expect(prod.token_url).toBe(
    `https://prod-picus-${ACCOUNT_ID}.auth.${REGION}.amazoncognito.com/oauth2/token`,
  );
  const server = (
    await aws.aws<Any>([
      'cognito-idp',
      'describe-resource-server',
      '--user-pool-id',
      poolId,
      '--identifier',
      'picus',
    ])
  ).ResourceServer;
  expect(server.Scopes.map((s: Any) => s.ScopeName).sort()).toEqual(['delete', 'read', 'write']);
  const client = (
    await aws.aws<Any>([
      'cognito-idp',
      'describe-user-pool-client',
      '--user-pool-id',
      poolId,
      '--client-id',
      prod.auth_client_id as string,
    ])
  ).UserPoolClient;
  expect(client.AllowedOAuthFlows).toEqual(['client_credentials']);
  expect([...client.AllowedOAuthScopes].sort()).toEqual(['picus/delete', 'picus/read', 'picus/write']);
  expect(client.ClientSecret).toBe(prod.auth_client_secret);
  expect(staging.auth_issuer).toBe('https://login.example.test');
  expect(staging.auth_client_id).toBe('');

  const expected = {
    prod: {
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: prod.auth_issuer,
      AUTH_JWKS_URL: `${prod.auth_issuer}/.well-known/jwks.json`,
      AUTH_TOKEN_URL: prod.token_url,
    },
    staging: {
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: 'https://login.example.test',
      AUTH_JWKS_URL: 'https://login.example.test/.well-known/jwks.json',
      AUTH_TOKEN_URL: 'https://login.example.test/oauth2/token',
      AUTH_AUDIENCE: 'picus-api',
    },
  } as const;
  for (const [env, auth] of Object.entries(expected)) {
    const task = (
      await aws.aws<Any>(['ecs', 'describe-task-definition', '--task-definition', `${env}-picus`])
    ).taskDefinition;
    const taskAuth = Object.fromEntries(
      task.containerDefinitions[0].environment
        .filter((e: Any) => e.name.startsWith('AUTH_'))
        .map((e: Any) => [e.name, e.value]),
    );
    expect(taskAuth).toEqual(auth);
    const fn = await aws.aws<Any>([
      'lambda',
      'get-function-configuration',
      '--function-name',
      `${env}-picus-delete`,
    ]);
    const fnAuth = Object.fromEntries(
      Object.entries(fn.Environment.Variables).filter(([name]) => name.startsWith('AUTH_')),
    );
    expect(fnAuth).toEqual(auth);
    // CORS only where configured: prod's task and function are as they were without it.
    const cors = env === 'staging' ? 'https://app.example.test,http://localhost:5173' : undefined;
    expect(
      task.containerDefinitions[0].environment.find((e: Any) => e.name === 'CORS_ALLOWED_ORIGINS')?.value,
    ).toBe(cors);
    expect(fn.Environment.Variables.CORS_ALLOWED_ORIGINS).toBe(cors);
  }
}

/**
 * Terraform publishes a version when the function's configuration changes, but the alias is the
 * deploy's: it stays where it was until the next deploy moves it, code unchanged or not.
 */
async function lambdaConfigChangeGoesLiveWithTheDeploy(
  aws: EmulatedAws,
  prod: Workspace,
  lambdaZip: string,
): Promise<void> {
  const getAlias = () =>
    aws.aws<Any>(['lambda', 'get-alias', '--function-name', 'prod-picus-delete', '--name', 'live']);
  expect((await getAlias()).FunctionVersion).toBe('1');

  prod.set({ log_level: 'debug' });
  await prod.apply('apply (log_level=debug)');
  const versions = (
    await aws.aws<Any>(['lambda', 'list-versions-by-function', '--function-name', 'prod-picus-delete'])
  ).Versions.filter((v: Any) => v.Version !== '$LATEST');
  expect(versions.map((v: Any) => v.Version)).toEqual(['1', '2']);
  expect(versions[1].Environment.Variables.LOG_LEVEL).toBe('debug');
  expect((await getAlias()).FunctionVersion).toBe('1');
  const again = await prod.plan('re-plan');
  expect(again.changes, Workspace.summary(again.out)).toBe(false);

  const deploy = await runCommand(['bash', join(ROOT, 'scripts', 'deploy', 'lambda-deploy.sh'), lambdaZip], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...aws.env,
      LAMBDA_FUNCTION_NAME: 'prod-picus-delete',
      LAMBDA_ALIAS: 'live',
    },
  });
  const { stdout } = deploy;
  expect(deploy.code, `lambda-deploy.sh failed:\n${stdout}${deploy.stderr}`).toBe(0);
  expect(stdout).toContain('previous_version=1');
  expect(stdout).toContain('version=2');
  expect((await getAlias()).FunctionVersion).toBe('2');
  // The same code again publishes nothing new and leaves the alias alone.
  const versionsAfter = (
    await aws.aws<Any>(['lambda', 'list-versions-by-function', '--function-name', 'prod-picus-delete'])
  ).Versions.filter((v: Any) => v.Version !== '$LATEST');
  expect(versionsAfter).toHaveLength(2);
}
