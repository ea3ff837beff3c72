import type { Item, ItemPage } from '../../domain/item.ts';
import type { CreateResult, ItemRepository } from '../../domain/item-repository.ts';

/** Where a request's store time goes. */
export interface StoreClock {
  record(ms: number): void;
}

/**
 * `repository` with each call's time (failed calls included) recorded on `clock`: the store
 * latency of one request's metrics, the store's calls alone, without the domain's own checks.
 * A class, not closures: one is made per request, on the hot path.
 */
export class TimedRepository implements ItemRepository {
  constructor(
    private readonly repository: ItemRepository,
    private readonly clock: StoreClock,
  ) {}

  create(item: Item): Promise<CreateResult> {
    const started = performance.now();
    return this.#timed(this.repository.create(item), started);
  }

  get(objectId: string): Promise<Item | undefined> {
    const started = performance.now();
    return this.#timed(this.repository.get(objectId), started);
  }

  delete(objectId: string): Promise<boolean> {
    const started = performance.now();
    return this.#timed(this.repository.delete(objectId), started);
  }

  scan(limit: number, cursor: string | undefined): Promise<ItemPage> {
    const started = performance.now();
    return this.#timed(this.repository.scan(limit, cursor), started);
  }

  ping(): Promise<void> {
    const started = performance.now();
    return this.#timed(this.repository.ping(), started);
  }

  /** Records, when `call` settles, the time since `started` (taken before the call began). */
  #timed<T>(call: Promise<T>, started: number): Promise<T> {
    return call.finally(() => this.clock.record(performance.now() - started));
  }
}
