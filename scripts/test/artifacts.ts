import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Artifact } from '../build.ts';
import { runCommand } from '../support/child-processes.ts';

/**
 * The artifacts under test, built once per `bun test` run by the real CLI
 * (`bun scripts/build.ts`) into a temporary directory, so a test never races another
 * engineer's dist/ and every test file shares one build.
 */
export const ROOT = resolve(import.meta.dir, '..', '..');
const BUILD_SCRIPT = join(ROOT, 'scripts', 'build.ts');

const scratch = mkdtempSync(join(tmpdir(), 'picus-artifacts-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

export interface BuildResult {
  readonly seconds: number;
  readonly artifacts: Artifact[];
}

let counter = 0;

/** Runs `bun scripts/build.ts <args> --outdir=<fresh dir> --json`. */
export async function runBuild(args: readonly string[]): Promise<BuildResult & { outdir: string }> {
  const outdir = join(scratch, `build-${++counter}`);
  const { code, stdout, stderr } = await runCommand(
    [process.execPath, BUILD_SCRIPT, ...args, `--outdir=${outdir}`, '--json'],
    { cwd: ROOT },
  );
  if (code !== 0) throw new Error(`build failed (exit ${code}):\n${stderr}${stdout}`);
  return { ...(JSON.parse(stdout) as BuildResult), outdir };
}

function artifact(result: BuildResult, kind: Artifact['kind']): Artifact {
  const found = result.artifacts.find((a) => a.kind === kind);
  if (!found) throw new Error(`the build made no ${kind}`);
  return found;
}

let hostBuild: Promise<BuildResult> | undefined;
/** The compiled container binary for this machine: what ships, built the way it ships. */
export async function hostBinary(): Promise<Artifact> {
  hostBuild ??= runBuild(['--container-only', '--target=host']);
  return artifact(await hostBuild, 'container');
}

let lambdaBuild: Promise<BuildResult> | undefined;
export async function lambdaArtifacts(): Promise<{ bundle: Artifact; zip: Artifact }> {
  lambdaBuild ??= runBuild(['--lambda-only']);
  const result = await lambdaBuild;
  return { bundle: artifact(result, 'lambda-bundle'), zip: artifact(result, 'lambda-zip') };
}
