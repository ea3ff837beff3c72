/**
 * Assembles every concern into one `*.tf.json` file each and renders them deterministically.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RoutingTable, routingTable } from '../../contracts/routing.ts';
import { auth } from './auth.ts';
import { compute } from './compute.ts';
import { LAMBDA } from './constants.ts';
import { data } from './data.ts';
import { aliasRecords, certificate } from './dns.ts';
import { accessLogs, waf } from './edge.ts';
import { lambdaFunction } from './function.ts';
import { deployRole } from './identity.ts';
import { loadBalancer } from './loadbalancer.ts';
import { network } from './network.ts';
import { observability } from './observability.ts';
import { registry } from './registry.ts';
import { settings } from './settings.ts';
import { Fragment, fn, stableStringify, tpl } from './tf.ts';

/** Build the whole stack; returns the fragments keyed by file name. */
export function buildStack(table: RoutingTable = routingTable): Fragment[] {
  const files = {
    versions: new Fragment('versions.tf.json'),
    variables: new Fragment('variables.tf.json'),
    network: new Fragment('network.tf.json'),
    data: new Fragment('data.tf.json'),
    registry: new Fragment('registry.tf.json'),
    identity: new Fragment('identity.tf.json'),
    fn: new Fragment('function.tf.json'),
    dns: new Fragment('dns_tls.tf.json'),
    edge: new Fragment('edge.tf.json'),
    lb: new Fragment('load_balancer.tf.json'),
    compute: new Fragment('compute.tf.json'),
    observability: new Fragment('observability.tf.json'),
    auth: new Fragment('auth.tf.json'),
    outputs: new Fragment('outputs.tf.json'),
  };

  const s = settings(files.versions, files.variables);
  const net = network(files.network, s);
  const table_ = data(files.data, s);
  const repo = registry(files.registry, s);
  const authRefs = auth(files.auth, s);
  const fnRefs = lambdaFunction(files.fn, files.identity, s, {
    tableArn: table_.arn,
    tableName: table_.name,
    auth: authRefs,
  });
  const tls = certificate(files.dns, s);
  const logs = accessLogs(files.edge, s);
  const lb = loadBalancer(
    files.lb,
    s,
    {
      net,
      fn: fnRefs,
      certificateArn: tls.certificateArn,
      accessLogsBucket: logs.bucket,
      accessLogsReady: logs.ready,
    },
    table,
  );
  aliasRecords(files.dns, s, {
    manageDns: tls.manageDns,
    albDnsName: lb.albDnsName,
    albZoneId: lb.albZoneId,
  });
  waf(files.edge, s, { albArn: lb.albArn });
  const ecs = compute(files.compute, files.identity, s, {
    net,
    lb,
    repositoryArn: repo.arn,
    repositoryUrl: repo.url,
    tableArn: table_.arn,
    tableName: table_.name,
    auth: authRefs,
  });
  const obs = observability(files.observability, s, {
    albArnSuffix: lb.albArnSuffix,
    containerTgArnSuffix: lb.containerTgArnSuffix,
    lambdaTgArnSuffix: lb.lambdaTgArnSuffix,
    clusterName: ecs.clusterName,
    serviceName: ecs.serviceName,
    functionName: fnRefs.functionName,
    aliasName: fnRefs.aliasName,
    tableName: table_.name,
    appLogGroup: ecs.logGroupName,
    lambdaLogGroup: fnRefs.logGroupName,
    accessLogBucket: logs.bucket,
  });

  const deploy = deployRole(files.identity, s, {
    repositoryArn: repo.arn,
    serviceArn: ecs.serviceArn,
    taskFamily: ecs.taskFamily,
    passRoleArns: [ecs.executionRoleArn, ecs.taskRoleArn],
    functionArn: fnRefs.functionArn,
    aliasArn: fnRefs.aliasArn,
    deployAlarmArns: obs.deployAlarmArns,
  });
  const o = files.outputs;
  o.output('api_url', tpl`https://${s.v.domainName.ref}`, 'Base URL of the API.');
  o.output(
    'alb_dns_name',
    lb.albDnsName,
    'DNS name of the load balancer (CNAME target when DNS is not managed here).',
  );
  o.output('ecr_repository_url', repo.url, 'ECR repository to push the container image to.');
  o.output('table_name', table_.name, 'DynamoDB table name.');
  o.output('ecs_cluster_name', ecs.clusterName, 'ECS cluster name.');
  o.output('ecs_service_name', ecs.serviceName, 'ECS service name.');
  o.output(
    'ecs_task_family',
    ecs.taskFamily,
    'Task definition family the deploy workflow registers revisions of.',
  );
  o.output('container_name', 'app', 'Name of the container in the task definition.');
  o.output('lambda_function_name', fnRefs.functionName, 'Name of the DELETE Lambda function.');
  o.output('lambda_alias_name', fnRefs.aliasName, `Alias the ALB invokes (${LAMBDA.aliasName}).`);
  o.output('dashboard_url', obs.dashboardUrl, 'CloudWatch golden-signals dashboard.');
  o.output('alarm_topic_arn', obs.topicArn, 'SNS topic the alarms notify.');
  o.output(
    'deploy_role_arn',
    deploy.arn,
    'IAM role the deploy job assumes (GitHub OIDC, environment github_environment only).',
  );
  o.output(
    'deploy_alarm_names',
    fn('join', ',', obs.deployAlarmNames),
    'Alarms a gradual Lambda shift watches, comma-separated (any in ALARM rolls it back).',
  );
  o.output('aws_region', s.v.region.ref, 'Region of the stack.');
  o.output('auth_issuer', authRefs.issuer, 'Issuer (iss) of the access tokens the API accepts.');
  o.output('token_url', authRefs.tokenUrl, 'OAuth 2.0 token endpoint (client credentials).');
  o.output(
    'auth_client_id',
    authRefs.clientId,
    'Client id of the pipeline client (client credentials, every scope); empty with an external issuer.',
  );
  o.output(
    'auth_client_secret',
    authRefs.clientSecret,
    'Secret of the pipeline client (read it with terraform output -raw auth_client_secret).',
    true,
  );

  return Object.values(files);
}

/** File name → file content, exactly as written to `infra/`. */
export function renderStack(table: RoutingTable = routingTable): Map<string, string> {
  const out = new Map<string, string>();
  for (const fragment of buildStack(table)) out.set(fragment.file, stableStringify(fragment.toJson()));
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

// A file URL, not Bun's import.meta.dir: `npx tsx terraform-gen/main.ts` runs the generator on plain Node.
export const INFRA_DIR = fileURLToPath(new URL('../../infra', import.meta.url));

/** Differences between the generated stack and the `*.tf.json` files on disk (empty when up to date). */
export function staleFiles(dir: string = INFRA_DIR): string[] {
  const expected = renderStack();
  const problems: string[] = [];
  const onDisk = new Set(readdirSync(dir).filter((f) => f.endsWith('.tf.json')));
  for (const [file, content] of expected) {
    if (!onDisk.has(file)) problems.push(`${file} is missing`);
    else if (readFileSync(join(dir, file), 'utf8') !== content) problems.push(`${file} is out of date`);
  }
  for (const file of onDisk) if (!expected.has(file)) problems.push(`${file} is no longer generated`);
  return problems;
}
