import type { MetricOperation } from '../../contracts/metrics.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { ANONYMOUS, type Caller } from '../shared/auth/caller.ts';
import { type StoreClock, TimedRepository } from '../shared/timed-repository.ts';

/** One request's state inside the app: who called, its view of the store, what was measured. */
export class Exchange implements StoreClock {
  caller: Caller = ANONYMOUS;
  storeMs: number | undefined = undefined;
  replayed: boolean | undefined = undefined;
  #timed: ItemService | undefined;

  constructor(
    private readonly shared: ItemService,
    readonly operation: MetricOperation | undefined,
  ) {}

  /**
   * The item service over a store whose calls add to `storeMs`, made on first use: /health, the
   * docs and refused requests never reach the store, and pay nothing for it.
   */
  get service(): ItemService {
    this.#timed ??= this.shared.withRepository((repository) => new TimedRepository(repository, this));
    return this.#timed;
  }

  record(ms: number): void {
    this.storeMs = (this.storeMs ?? 0) + ms;
  }
}
