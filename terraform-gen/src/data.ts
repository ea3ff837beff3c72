/** Data: the table (`table_name`, default `picus_data`): on-demand, PITR, SSE, deletion protection. */
import { TABLE } from './constants.ts';
import type { Settings } from './settings.ts';
import type { Fragment } from './tf.ts';

export function data(f: Fragment, s: Settings) {
  const table = f.resource<'arn' | 'name'>('aws_dynamodb_table', 'picus_data', {
    name: s.v.tableName.ref,
    billing_mode: 'PAY_PER_REQUEST',
    hash_key: TABLE.partitionKey,
    attribute: [{ name: TABLE.partitionKey, type: 'S' }],
    point_in_time_recovery: { enabled: true },
    // KMS encryption with the AWS managed key (aws/dynamodb), auditable in CloudTrail.
    server_side_encryption: { enabled: true },
    deletion_protection_enabled: s.v.tableDeletionProtection.ref,
    table_class: 'STANDARD',
    tags: { Name: s.v.tableName.ref },
  });
  return { arn: table.attr('arn'), name: table.attr('name') };
}

export type Data = ReturnType<typeof data>;
