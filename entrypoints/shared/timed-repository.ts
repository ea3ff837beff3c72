import type { ItemRepository } from '../../domain/item-repository.ts';

/**
 * `repository` with each call's time (failed calls included) handed to `record`: the store
 * latency of one request's metrics, the store's calls alone, without the domain's own checks.
 */
export function timedRepository(repository: ItemRepository, record: (ms: number) => void): ItemRepository {
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      record(performance.now() - started);
    }
  };
  return {
    create: (item) => timed(() => repository.create(item)),
    get: (objectId) => timed(() => repository.get(objectId)),
    delete: (objectId) => timed(() => repository.delete(objectId)),
    scan: (limit, cursor) => timed(() => repository.scan(limit, cursor)),
    ping: () => timed(() => repository.ping()),
  };
}
