/**
 * Identity: least-privilege IAM. Every statement names its resources; `*` appears only for
 * actions that support no resource-level permissions (ecr:GetAuthorizationToken,
 * ecs:RegisterTaskDefinition, ecs:DescribeTaskDefinition).
 */
import { DEPLOY_SESSION_SECONDS, GITHUB_OIDC_URL } from './constants.ts';
import type { Settings } from './settings.ts';
import { cond, type Expr, type Fragment, fn, policyDocument, type Statement, tpl } from './tf.ts';

function assumeRole(f: Fragment, name: string, service: string, s: Settings) {
  return f.dataSource<'json'>(
    'aws_iam_policy_document',
    `${name}_assume`,
    policyDocument([
      {
        sid: 'AssumeFromService',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
        conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [s.accountId] }],
      },
    ]),
  );
}

function role(
  f: Fragment,
  s: Settings,
  key: string,
  suffix: string,
  service: string,
  description: string,
  statements: Statement[],
) {
  const trust = assumeRole(f, key, service, s);
  const r = f.resource<'arn' | 'name'>('aws_iam_role', key, {
    name: tpl`${s.name}-${suffix}`,
    description,
    assume_role_policy: trust.attr('json'),
    max_session_duration: 3600,
  });
  const doc = f.dataSource<'json'>('aws_iam_policy_document', key, policyDocument(statements));
  f.resource('aws_iam_role_policy', key, { name: suffix, role: r.attr('id'), policy: doc.attr('json') });
  return r;
}

// The statement builders are exported so the tests can assert them exactly.
export const TASK_TABLE_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
];
export const LAMBDA_TABLE_ACTIONS = ['dynamodb:DeleteItem'];

export function ecsRoles(
  f: Fragment,
  s: Settings,
  refs: { repositoryArn: Expr; logGroupArn: Expr; tableArn: Expr },
) {
  const execution = role(
    f,
    s,
    'task_execution',
    'task-execution',
    'ecs-tasks.amazonaws.com',
    'ECS agent: pull the picus image, write its logs',
    [
      { sid: 'EcrAuth', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
      {
        sid: 'PullImage',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [refs.repositoryArn],
      },
      {
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [tpl`${refs.logGroupArn}:log-stream:*`],
      },
    ],
  );
  const task = role(
    f,
    s,
    'task',
    'task',
    'ecs-tasks.amazonaws.com',
    'picus container: read/write items in picus_data',
    [{ sid: 'TableAccess', actions: TASK_TABLE_ACTIONS, resources: [refs.tableArn] }],
  );
  return { executionRoleArn: execution.attr('arn'), taskRoleArn: task.attr('arn') };
}

export function lambdaRole(f: Fragment, s: Settings, refs: { logGroupArn: Expr; tableArn: Expr }) {
  const r = role(
    f,
    s,
    'lambda',
    'delete-fn',
    'lambda.amazonaws.com',
    'picus delete function: delete items, write its logs',
    [
      { sid: 'DeleteItem', actions: LAMBDA_TABLE_ACTIONS, resources: [refs.tableArn] },
      {
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [tpl`${refs.logGroupArn}:log-stream:*`],
      },
    ],
  );
  return { arn: r.attr('arn'), name: r.attr('name') };
}

export function deployRole(
  f: Fragment,
  s: Settings,
  refs: {
    repositoryArn: Expr;
    serviceArn: Expr;
    taskFamily: Expr;
    passRoleArns: Expr[];
    functionArn: Expr;
    aliasArn: Expr;
    /** The alarms a gradual Lambda shift watches (cloudwatch:DescribeAlarms on these only). */
    deployAlarmArns: Expr[];
  },
) {
  const create = s.v.createGithubOidcProvider.ref;
  const provider = f.resource<'arn'>(
    'aws_iam_openid_connect_provider',
    'github',
    { url: GITHUB_OIDC_URL, client_id_list: ['sts.amazonaws.com'] },
    { count: cond(create, 1, 0) },
  );
  const existing = f.dataSource<'arn'>(
    'aws_iam_openid_connect_provider',
    'github',
    { url: GITHUB_OIDC_URL },
    { count: cond(create, 0, 1) },
  );
  const providerArn = fn('one', fn('concat', provider.all('arn'), existing.all('arn')));

  const trust = f.dataSource<'json'>(
    'aws_iam_policy_document',
    'deploy_assume',
    policyDocument([
      {
        // Only a job in this GitHub environment gets this subject (a job without one gets
        // repo:<owner>/<name>:ref:refs/heads/<branch>), so the environment's protection rules
        // (required reviewers, deployment branches) approve every use of these credentials.
        sid: 'GitHubDeployEnvironmentOnly',
        actions: ['sts:AssumeRoleWithWebIdentity'],
        principals: [{ type: 'Federated', identifiers: [providerArn] }],
        conditions: [
          {
            test: 'StringEquals',
            variable: 'token.actions.githubusercontent.com:aud',
            values: ['sts.amazonaws.com'],
          },
          {
            test: 'StringEquals',
            variable: 'token.actions.githubusercontent.com:sub',
            values: [tpl`repo:${s.v.githubRepository.ref}:environment:${s.v.githubEnvironment.ref}`],
          },
        ],
      },
    ]),
  );
  const taskDefinitionArnPattern = tpl`arn:${s.partition}:ecs:${s.v.region.ref}:${s.accountId}:task-definition/${refs.taskFamily}:*`;
  const r = f.resource<'arn' | 'name'>('aws_iam_role', 'deploy', {
    name: tpl`${s.name}-github-deploy`,
    description:
      'GitHub Actions (the approved deploy job): push the image, roll the ECS service and the Lambda alias',
    assume_role_policy: trust.attr('json'),
    // The deploy job runs up to 105 minutes and rolls back at its end: its credentials
    // (role-duration-seconds in deploy.yml) must outlive it.
    max_session_duration: DEPLOY_SESSION_SECONDS,
  });
  const doc = f.dataSource<'json'>(
    'aws_iam_policy_document',
    'deploy',
    policyDocument([
      { sid: 'EcrAuth', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
      {
        sid: 'PushImage',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:DescribeImages',
          'ecr:GetDownloadUrlForLayer',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        resources: [refs.repositoryArn],
      },
      {
        // These two ECS actions support no resource-level permissions.
        sid: 'TaskDefinitionsNoResourceLevel',
        actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
        resources: ['*'],
      },
      { sid: 'TagOwnTaskDefinitions', actions: ['ecs:TagResource'], resources: [taskDefinitionArnPattern] },
      {
        sid: 'RollService',
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [refs.serviceArn],
      },
      {
        sid: 'PassOnlyOurEcsRoles',
        actions: ['iam:PassRole'],
        resources: refs.passRoleArns,
        conditions: [
          { test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] },
        ],
      },
      {
        sid: 'UpdateFunction',
        actions: [
          'lambda:GetAlias',
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:PublishVersion',
          'lambda:UpdateAlias',
          'lambda:UpdateFunctionCode',
        ],
        resources: [refs.functionArn, refs.aliasArn],
      },
      { sid: 'WatchDeployAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: refs.deployAlarmArns },
    ]),
  );
  f.resource('aws_iam_role_policy', 'deploy', {
    name: 'deploy',
    role: r.attr('id'),
    policy: doc.attr('json'),
  });
  return { arn: r.attr('arn') };
}
