import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RemoteKeySetOptions {
  /** Budget of one fetch of the key set, connection and body. */
  readonly timeoutMs?: number;
  /** At most one refetch for an unknown `kid` per this interval (a flood of forged kids costs one). */
  readonly cooldownMs?: number;
  /** Keys older than this are refreshed in the background while the old ones keep serving. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** The key set could not be fetched (timeout, network, HTTP error, not a JWKS). */
export class KeySetUnavailable extends Error {}

/**
 * The issuer's JWKS (RFC 7517), fetched once, cached, refetched when a token names a key it
 * does not hold (rotation) and refreshed in the background when old. A fetch never takes longer
 * than `timeoutMs`, and once keys are cached an outage of the issuer does not touch requests
 * signed with a known key: stale keys keep serving until a fetch succeeds.
 * jose's createRemoteJWKSet blocks every request on a refetch once its cache is old, and fails
 * them all while the issuer is down; that is why the cache is ours, over jose's local key set.
 */
export class RemoteKeySet {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #keys: JWTVerifyGetKey | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;

  constructor(url: string, options: RemoteKeySetOptions = {}) {
    this.#url = url;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** For jose's `jwtVerify`: the key that verifies this token's signature. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (this.#keys === undefined) await this.#refresh();
    else if (this.#now() - this.#fetchedAt > this.#maxAgeMs) this.#refresh().catch(() => {});
    const keys = this.#keys as JWTVerifyGetKey;
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (this.#now() - this.#attemptedAt < this.#cooldownMs) throw error;
      await this.#refresh();
      return (this.#keys as JWTVerifyGetKey)(header, token);
    }
  };

  #refresh(): Promise<void> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(): Promise<void> {
    this.#attemptedAt = this.#now();
    let body: unknown;
    try {
      const response = await fetch(this.#url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new KeySetUnavailable(`The key set at ${this.#url} could not be fetched: ${String(error)}`);
    }
    if (!isKeySet(body)) throw new KeySetUnavailable(`${this.#url} did not answer a JSON Web Key Set.`);
    this.#keys = createLocalJWKSet(body);
    this.#fetchedAt = this.#now();
  }
}

function isKeySet(body: unknown): body is JSONWebKeySet {
  const keys = (body as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) && keys.every((k) => typeof k === 'object' && k !== null);
}
