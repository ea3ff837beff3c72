/**
 * The two ways a Lambda function can get its AWS SDK, laid out for the bench's cold-init runs
 * in a temporary directory outside the repository, so nothing resolves a package through a
 * node_modules above it:
 *
 *   bundled/   what ships: the SDK inside each bundle, NODE_PATH empty
 *   runtime/   the SDK left external and required from NODE_PATH, where a symlink to our
 *              node_modules stands in for the runtime's /var/runtime/node_modules
 *
 * Each way has three bundles built the same way (scripts/build.ts bundleLambdaEntry), so their
 * differences split cold init into SDK load, client creation and our own code.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambdaEntry, LAMBDA_ENTRY } from '../build.ts';
import { BENCH_DIR, BUNDLE, ROOT } from './settings.ts';

export type SdkWay = 'bundled' | 'runtime';

/** Each step adds one thing to the one before; the bundle's own init is the last. */
export const INIT_STEPS = ['sdkLoad', 'sdkClient', 'function'] as const;
export type InitStep = (typeof INIT_STEPS)[number];

const ENTRIES: Record<Exclude<InitStep, 'function'>, string> = {
  sdkLoad: join(BENCH_DIR, 'lambda-init/sdk-load.ts'),
  sdkClient: join(BENCH_DIR, 'lambda-init/sdk-client.ts'),
};

export interface SdkWayFiles {
  /** The bundle for each step. */
  readonly bundles: Record<InitStep, string>;
  /** NODE_PATH for this way: empty when bundled. */
  readonly nodePath: string;
}

export interface LambdaSandbox {
  /** The working directory for every run: no node_modules in it or above it. */
  readonly cwd: string;
  readonly ways: Record<SdkWay, SdkWayFiles>;
  remove(): void;
}

/** Builds the five reference bundles next to a copy of the shipped one (BUNDLE). */
export async function layOutLambdaSandbox(): Promise<LambdaSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'picus-bench-lambda-'));
  const runtimeModules = join(dir, 'runtime-sdk', 'node_modules');
  mkdirSync(runtimeModules, { recursive: true });
  for (const scope of ['@aws-sdk', '@smithy'])
    symlinkSync(join(ROOT, 'node_modules', scope), join(runtimeModules, scope));
  const layOut = async (way: SdkWay): Promise<SdkWayFiles> => {
    const at = (name: string) => join(dir, way, `${name}.cjs`);
    const bundles = { sdkLoad: at('sdk-load'), sdkClient: at('sdk-client'), function: at('index') };
    await bundleLambdaEntry(ENTRIES.sdkLoad, bundles.sdkLoad, way);
    await bundleLambdaEntry(ENTRIES.sdkClient, bundles.sdkClient, way);
    // The shipped bundle itself, byte for byte; the runtime way builds the same entry with the SDK external.
    if (way === 'bundled') copyFileSync(BUNDLE, bundles.function);
    else await bundleLambdaEntry(LAMBDA_ENTRY, bundles.function, way);
    return { bundles, nodePath: way === 'bundled' ? '' : runtimeModules };
  };
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd);
  return {
    cwd,
    ways: { bundled: await layOut('bundled'), runtime: await layOut('runtime') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
