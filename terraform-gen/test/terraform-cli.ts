/**
 * Running the real Terraform CLI with the real hashicorp/aws provider, offline where the machine
 * image carries the provider in a filesystem mirror (`/opt/tf-plugins`, or TF_PROVIDER_MIRROR).
 * Where there is no mirror, `PICUS_TF_PROVIDER=registry` lets `terraform init` download it (CI on
 * GitHub does); otherwise the tests that need it are skipped with `providerUnavailable`'s reason.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../scripts/support/child-processes.ts';
import { AWS_PROVIDER_TESTED_VERSION } from '../src/constants.ts';

export const TERRAFORM = Bun.which('terraform');
export const PROVIDER_MIRROR = process.env.TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
const FROM_REGISTRY = process.env.PICUS_TF_PROVIDER === 'registry';
const mirrored = existsSync(join(PROVIDER_MIRROR, AWS_PROVIDER, AWS_PROVIDER_TESTED_VERSION));

/** Why the real provider cannot be used here, or undefined when it can. */
export function providerUnavailable(): string | undefined {
  if (!TERRAFORM) return 'no `terraform` on PATH (Terraform >= 1.10)';
  if (!mirrored && !FROM_REGISTRY) {
    return `no hashicorp/aws ${AWS_PROVIDER_TESTED_VERSION} in the provider mirror ${PROVIDER_MIRROR} (set PICUS_TF_PROVIDER=registry to let terraform init download it)`;
  }
  return undefined;
}

/** Prints a banner that cannot be missed in the test output. */
export function warnSkipped(what: string, reason: string): void {
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!! SKIPPED: ${what}\n!! because: ${reason}\n${bar}\n`);
}

/**
 * A CLI configuration: the aws provider from the mirror (or the registry), every other provider
 * refused, and a plugin cache shared by the workspaces under `dir` so the 700 MB provider is
 * copied once per run and linked from there (the cache is not safe for concurrent inits: run
 * `terraform init` one workspace at a time).
 */
export function writeCliConfig(dir: string): string {
  const cache = join(dir, 'plugin-cache');
  mkdirSync(cache, { recursive: true });
  const installation =
    FROM_REGISTRY && !mirrored
      ? `  direct {\n    include = ["${AWS_PROVIDER}"]\n  }`
      : `  filesystem_mirror {\n    path    = "${PROVIDER_MIRROR}"\n    include = ["${AWS_PROVIDER}"]\n  }\n  direct {\n    exclude = ["${AWS_PROVIDER}"]\n  }`;
  const file = join(dir, 'terraformrc');
  writeFileSync(file, `plugin_cache_dir = "${cache}"\nprovider_installation {\n${installation}\n}\n`);
  return file;
}

/**
 * Pins the provider to the tested version in a copied configuration: the generated constraint
 * allows 5.100 to 6.x, and the emulator's patches are written against what 5.100 calls.
 */
export function pinTestedProvider(infraDir: string): void {
  writeFileSync(
    join(infraDir, 'zz_tested_provider_override.tf.json'),
    `${JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_TESTED_VERSION } } } }, null, 2)}\n`,
  );
}

export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly seconds: number;
}

/** Runs terraform in `cwd` with `env`; never throws (callers assert on the result). */
export async function terraform(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<RunResult> {
  const r = await runCommand([TERRAFORM as string, ...args], { cwd, env });
  return { code: r.code, out: r.stdout + r.stderr, seconds: r.seconds };
}

/** The environment every terraform run gets: no prompts, no update checks, our CLI config. */
export function terraformEnv(cliConfig: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_CLI_CONFIG_FILE: cliConfig,
    ...extra,
  };
}
