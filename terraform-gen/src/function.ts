/**
 * Function: the DELETE handler on Lambda — Node.js 22 on arm64 from the zip `bun run build`
 * writes, published versions behind a `live` alias (the ALB targets the alias), its own log
 * group with retention, and bounded (reserved) concurrency.
 */
import { appEnvironment, functionVariables } from './app-environment.ts';
import type { AuthRefs } from './auth.ts';
import { LAMBDA } from './constants.ts';
import { lambdaRole } from './identity.ts';
import type { Settings } from './settings.ts';
import { type Expr, type Fragment, fn, raw, str, tpl } from './tf.ts';

export function lambdaFunction(
  f: Fragment,
  identity: Fragment,
  s: Settings,
  refs: { tableArn: Expr; tableName: Expr; auth: AuthRefs },
) {
  const zipPath = tpl`${raw('path.module')}/${LAMBDA.zipPath}`;
  const functionName = f.local('function_name', tpl`${s.v.environment.ref}-picus-delete`);
  const logGroup = f.resource<'arn' | 'name'>('aws_cloudwatch_log_group', 'lambda', {
    name: tpl`/aws/lambda/${functionName.ref}`,
    retention_in_days: s.v.logRetentionDays.ref,
  });
  const r = lambdaRole(identity, s, { logGroupArn: logGroup.attr('arn'), tableArn: refs.tableArn });

  const fnRes = f.resource<'arn' | 'function_name' | 'version'>(
    'aws_lambda_function',
    'delete_item',
    {
      function_name: functionName.ref,
      description: 'picus: DELETE /picus/{key}',
      role: r.arn,
      runtime: LAMBDA.runtime,
      architectures: [LAMBDA.architecture],
      handler: LAMBDA.handler,
      filename: zipPath,
      source_code_hash: fn('filebase64sha256', str(zipPath)),
      publish: true,
      memory_size: LAMBDA.memoryMb,
      timeout: LAMBDA.timeoutSeconds,
      // -1 is the provider's "no reservation".
      reserved_concurrent_executions: fn('coalesce', s.v.lambdaConcurrency.ref, -1),
      environment: {
        variables: functionVariables(appEnvironment(s, refs), { NODE_OPTIONS: '--enable-source-maps' }),
      },
      // The levels are Lambda's defaults for JSON, spelled out: left unset, the provider sees
      // them appear after every apply and, with publish = true, publishes a new version each time.
      logging_config: {
        log_format: 'JSON',
        log_group: logGroup.attr('name'),
        application_log_level: 'INFO',
        system_log_level: 'INFO',
      },
      tracing_config: { mode: 'PassThrough' },
    },
    {
      depends_on: [logGroup],
      // After the first apply the deploy workflow owns the code (update-function-code +
      // publish-version), so Terraform never rolls it back to whatever zip is on disk.
      lifecycle: { ignore_changes: ['filename', 'source_code_hash'] },
    },
  );

  const alias = f.resource<'arn' | 'name'>(
    'aws_lambda_alias',
    'live',
    {
      name: LAMBDA.aliasName,
      description: 'Version the ALB invokes; moved by the deploy workflow',
      function_name: fnRes.attr('function_name'),
      function_version: fnRes.attr('version'),
    },
    // The deploy workflow moves the alias (weighted canary, then fully) to each published version.
    { lifecycle: { ignore_changes: ['function_version', 'routing_config'] } },
  );

  return {
    functionName: fnRes.attr('function_name'),
    functionArn: fnRes.attr('arn'),
    aliasArn: alias.attr('arn'),
    aliasName: alias.attr('name'),
    logGroupName: logGroup.attr('name'),
  };
}

export type LambdaFn = ReturnType<typeof lambdaFunction>;
