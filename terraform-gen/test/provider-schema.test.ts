import { describe, expect, test } from 'bun:test';
import { loadSchema } from '../provider-stub/server.ts';
import { AWS_PROVIDER_SCHEMA_VERSION } from '../src/constants.ts';
import { parsedStack } from './stack.ts';

describe('committed aws provider schema', () => {
  const schema = loadSchema();
  test('is the pinned provider version and covers every type the stack uses (runs without terraform)', () => {
    expect(schema.version).toBe(AWS_PROVIDER_SCHEMA_VERSION);
    expect(Object.keys(schema.resources).length).toBeGreaterThan(1500);
    const s = parsedStack();
    for (const doc of s.files.values()) {
      for (const type of Object.keys(doc.resource ?? {})) expect(schema.resources[type], type).toBeDefined();
      for (const type of Object.keys(doc.data ?? {})) expect(schema.dataSources[type], type).toBeDefined();
    }
  });

  test('knows arguments, computed attributes and nesting', () => {
    const listener = schema.resources.aws_lb_listener;
    expect(listener?.a?.load_balancer_arn).toEqual({ t: 'string', r: 1 });
    expect(listener?.a?.arn?.c).toBe(1);
    expect(listener?.b?.default_action?.min).toBe(1);
    expect(schema.resources.aws_lb_target_group?.b?.health_check).toMatchObject({ n: 'list', max: 1 });
    expect(schema.resources.aws_acm_certificate?.a?.domain_validation_options?.t).toEqual([
      'set',
      ['object', expect.objectContaining({ resource_record_name: 'string' })],
    ]);
  });
});
