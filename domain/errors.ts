/**
 * The failures the domain can name. Entrypoints map each `kind` to a protocol
 * response in one place; nothing outside the domain invents new failure kinds.
 */
export type DomainErrorKind =
  | 'ItemNotFound'
  | 'InvalidKey'
  | 'InvalidItem'
  | 'InvalidPageRequest'
  | 'InvalidIdempotencyKey'
  | 'IdempotencyConflict'
  | 'StoreUnavailable'
  | 'ShuttingDown';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export class ItemNotFound extends DomainError {
  readonly kind = 'ItemNotFound';
  constructor(readonly objectId: string) {
    super(`No item has object_id ${JSON.stringify(objectId)}.`);
  }
}

/** The key cannot be stored as a DynamoDB partition key. */
export class InvalidKey extends DomainError {
  readonly kind = 'InvalidKey';
}

/** The item's data is not something the store can hold exactly. */
export class InvalidItem extends DomainError {
  readonly kind = 'InvalidItem';
}

/** A page size or cursor that cannot be honoured. */
export class InvalidPageRequest extends DomainError {
  readonly kind = 'InvalidPageRequest';
}

/** An Idempotency-Key that cannot name a request. */
export class InvalidIdempotencyKey extends DomainError {
  readonly kind = 'InvalidIdempotencyKey';
}

/** The idempotency key was already used with a different body. */
export class IdempotencyConflict extends DomainError {
  readonly kind = 'IdempotencyConflict';
  constructor(readonly objectId: string) {
    super('This Idempotency-Key was already used with a different request body.');
  }
}

/**
 * The store is throttling, down or too slow. Callers may retry later.
 * The message is ours; the cause (kept for logs) never reaches a client.
 */
export class StoreUnavailable extends DomainError {
  readonly kind = 'StoreUnavailable';
  /** The store refused for capacity (throttling), rather than failing or not answering. */
  readonly throttled: boolean;
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown; throttled?: boolean },
  ) {
    super('The item store is temporarily unavailable.', options);
    this.throttled = options?.throttled ?? false;
  }
}

/**
 * This instance is stopping: it finishes what it has and takes nothing new, so its readiness
 * says no and a load balancer sends the caller elsewhere. Callers may retry at once.
 */
export class ShuttingDown extends DomainError {
  readonly kind = 'ShuttingDown';
  constructor(readonly retryAfterSeconds: number) {
    super('This instance is shutting down.');
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
