import { describe, expect, test } from 'bun:test';
import { InvalidItem, StoreUnavailable } from '../../domain/errors.ts';
import { toDomainError } from '../dynamodb/store-errors.ts';

const sdkError = (name: string, httpStatusCode?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

describe('DynamoDB failures as domain errors', () => {
  test.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    '%s: the store is unavailable because it throttles',
    (name) => {
      const error = toDomainError(sdkError(name, 400), 'get');
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as StoreUnavailable).throttled).toBe(true);
    },
  );

  test.each([
    ['a timeout', sdkError('TimeoutError')],
    ['a 500', sdkError('InternalServerError', 500)],
    ['a missing table', sdkError('ResourceNotFoundException', 400)],
  ])('%s: unavailable, not throttled', (_, failure) => {
    const error = toDomainError(failure, 'scan');
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as StoreUnavailable).throttled).toBe(false);
  });

  test('what the store cannot hold is the item’s fault; other client faults are ours', () => {
    expect(toDomainError(sdkError('ValidationException', 400), 'create')).toBeInstanceOf(InvalidItem);
    const denied = sdkError('AccessDeniedException', 400);
    expect(toDomainError(denied, 'get')).toBe(denied);
  });
});
