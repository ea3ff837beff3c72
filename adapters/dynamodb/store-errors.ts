import { InvalidItem, InvalidPageRequest, StoreUnavailable } from '../../domain/errors.ts';

/** Service errors that mean "try again later", whatever their HTTP status. */
const RETRYABLE_SERVICE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  // A missing or still-creating table is an outage of the store, not a client error.
  'ResourceNotFoundException',
  'ResourceInUseException',
]);

/** The retryable errors that say the table's capacity, not its health, refused the call. */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Seconds a client should wait before retrying after the store failed. */
export const STORE_RETRY_AFTER_SECONDS = 1;

interface SdkErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Translates a failure of a DynamoDB call into a domain error. SDK messages never
 * travel further (they can name tables, endpoints and internal hosts): the original
 * stays attached as `cause` for the log line only.
 */
export function toDomainError(
  error: unknown,
  operation: 'create' | 'get' | 'delete' | 'scan' | 'ping',
): Error {
  const { name, $metadata } = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = $metadata?.httpStatusCode;
  if (name === 'ValidationException' && operation === 'create') {
    return new InvalidItem('The store cannot hold this item (too large or not representable).', {
      cause: error,
    });
  }
  if (name === 'ValidationException' && operation === 'scan') {
    return new InvalidPageRequest('cursor does not resume a scan of this table.', { cause: error });
  }
  const clientFault = status !== undefined && status >= 400 && status < 500;
  if (!clientFault || (name !== undefined && RETRYABLE_SERVICE_ERRORS.has(name))) {
    // Network errors, timeouts, 5xx and throttling: the store is unavailable for now.
    const throttled = name !== undefined && THROTTLING_ERRORS.has(name);
    return new StoreUnavailable(STORE_RETRY_AFTER_SECONDS, { cause: error, throttled });
  }
  // Anything else (access denied, malformed request) is our bug or misconfiguration.
  return error instanceof Error ? error : new Error('DynamoDB call failed', { cause: error });
}
