/** What every section runs with: the run's settings, its token issuer, and servers to start. */
import type { RunAuth } from './auth.ts';
import type { SectionResult } from './report.ts';
import type { BenchServers } from './servers.ts';
import type { BenchSettings, Section } from './settings.ts';

export interface BenchContext {
  readonly settings: BenchSettings;
  readonly auth: RunAuth;
  /** Stopped by main.ts when the section ends, however it ends. */
  readonly servers: BenchServers;
}

export type SectionRunner<S extends Section> = (context: BenchContext) => Promise<SectionResult<S>>;
