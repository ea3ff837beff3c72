/**
 * `bun run build`: every artifact that ships, under dist/.
 *
 *   dist/picus-server                 the container app compiled for this machine (what the tests run)
 *   dist/picus-server-linux-arm64     the same, for the Fargate task (ARM64)
 *   dist/lambda/index.cjs             the DELETE handler and the AWS SDK it uses, minified CommonJS for Node (nodejs22.x)
 *   dist/lambda/delete-item.zip       ...zipped deterministically, where infra/function.tf.json expects it
 *
 * The Dockerfile runs this same script (`--container-only --target=linux-$TARGETARCH`), so the
 * image holds exactly the binary these flags make; scripts/test/dockerfile.test.ts keeps the two
 * in step.
 *
 * Options:
 *   --container-only | --lambda-only
 *   --target=host,linux-arm64,linux-amd64   container targets (default: host,linux-arm64)
 *   --outdir=dist                            output directory (tests build into a temporary one)
 *   --json                                   print the summary as JSON on stdout (logs go to stderr)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { BunPlugin } from 'bun';
import { MAX_REQUEST_HEADER_FLAG } from '../entrypoints/http/server.ts';
import { createZip } from './lib/deterministic-zip.ts';

export const ROOT = resolve(import.meta.dir, '..');

export const CONTAINER_ENTRY = 'entrypoints/http/main.ts';
export const LAMBDA_ENTRY = 'entrypoints/lambda/index.ts';

/** Container targets, named as Docker's TARGETARCH names them, and the Bun runtime each embeds. */
export const CONTAINER_TARGETS = {
  host: 'bun',
  'linux-arm64': 'bun-linux-arm64',
  'linux-amd64': 'bun-linux-x64',
} as const;
export type ContainerTarget = keyof typeof CONTAINER_TARGETS;
export const DEFAULT_CONTAINER_TARGETS: readonly ContainerTarget[] = ['host', 'linux-arm64'];

/**
 * One executable, Swagger UI assets included (Bun embeds `with { type: 'file' }` imports).
 * Whitespace and syntax are minified but identifiers kept, as Elysia's deployment guide
 * advises: stack traces stay readable and nothing that inspects function names breaks.
 * The executable starts with the header limit the ALB forwards (see MAX_REQUEST_HEADER_BYTES).
 */
export const CONTAINER_FLAGS = [
  '--compile',
  '--minify-whitespace',
  '--minify-syntax',
  '--sourcemap=none',
  `--compile-exec-argv=${MAX_REQUEST_HEADER_FLAG}`,
] as const;

/**
 * The Lambda bundle carries its own AWS SDK: the pinned `@aws-sdk/client-dynamodb` the tests
 * ran, not whichever version the runtime happens to ship (the adapter relies on
 * `throwOnRequestTimeout`, which only recent `@smithy/node-http-handler` releases honour), as AWS
 * recommends for production. Nothing is external, so the bundle requires Node built-ins only.
 *
 * The SDK is bundled from its ES-module build, so unused commands and shapes are tree-shaken
 * away (≈ 490 KB instead of ≈ 690 KB from its single-file CommonJS builds): `module` is added to
 * the export conditions, and packages without an `exports` map (the client among them) are
 * resolved through their `module` field, as esbuild's `--main-fields=module,main` does. The
 * output stays minified CommonJS: one file, `index.cjs`, no module linking at cold start.
 */
export const LAMBDA_BUILD = {
  target: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: 'none',
  conditions: ['module'],
} as const;

/** Scopes whose packages resolve to their `module` entry when they have no `exports` map. */
const SDK_PACKAGE = /^@(?:aws-sdk|smithy|aws)\/[^/]+$/;

/** What Bun's resolver lacks: a `mainFields` preference for `module` (see LAMBDA_BUILD). */
export const preferSdkModuleEntry: BunPlugin = {
  name: 'prefer-sdk-module-entry',
  setup(builder) {
    builder.onResolve({ filter: SDK_PACKAGE }, (args) => {
      let manifestPath: string;
      try {
        manifestPath = Bun.resolveSync(`${args.path}/package.json`, dirname(args.importer));
      } catch {
        return undefined; // an `exports` map that hides package.json: the conditions decide
      }
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        exports?: unknown;
        module?: unknown;
      };
      if (manifest.exports !== undefined || typeof manifest.module !== 'string') return undefined;
      return { path: join(dirname(manifestPath), manifest.module) };
    });
  },
};

/**
 * Bundles a Lambda entry to one CommonJS file. `sdk: 'runtime'` builds it as it was built before
 * the SDK was bundled: `@aws-sdk/*` and `@smithy/*` external, required at run time (from
 * NODE_PATH, where the Lambda runtime provides its own SDK's CommonJS builds). The benchmark
 * compares that with the bundled SDK; nothing that ships uses it.
 */
export async function bundleLambdaEntry(
  entry: string,
  outfile: string,
  sdk: 'bundled' | 'runtime' = 'bundled',
): Promise<void> {
  const common = { ...LAMBDA_BUILD, entrypoints: [resolve(ROOT, entry)], root: ROOT, throw: false as const };
  const result = await Bun.build(
    sdk === 'bundled'
      ? { ...common, conditions: [...LAMBDA_BUILD.conditions], plugins: [preferSdkModuleEntry] }
      : { ...common, conditions: [], external: ['@aws-sdk/*', '@smithy/*'] },
  );
  const [output] = result.outputs;
  if (!result.success || !output || result.outputs.length !== 1) {
    throw new Error(`bundling ${entry} failed:\n${result.logs.map(String).join('\n')}`);
  }
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, new Uint8Array(await output.arrayBuffer()));
}

/** Paths relative to the output directory. Terraform reads ../dist/lambda/delete-item.zip. */
export const LAMBDA_BUNDLE = 'lambda/index.cjs';
export const LAMBDA_ZIP = 'lambda/delete-item.zip';

export function containerOutfile(target: ContainerTarget): string {
  return target === 'host' ? 'picus-server' : `picus-server-${target}`;
}

export interface Artifact {
  readonly kind: 'container' | 'lambda-bundle' | 'lambda-zip';
  readonly target?: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly gzipBytes?: number;
  readonly seconds: number;
}

export interface BuildOptions {
  readonly outdir: string;
  readonly container: boolean;
  readonly lambda: boolean;
  readonly targets: readonly ContainerTarget[];
  readonly log: (line: string) => void;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function bunBuild(args: readonly string[], log: (line: string) => void): Promise<void> {
  const command = [process.execPath, 'build', ...args];
  log(`$ bun build ${args.join(' ')}`);
  const child = Bun.spawn(command, { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', env: process.env });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`bun build failed (exit ${code}):\n${out}${err}`);
}

export async function buildContainer(
  target: ContainerTarget,
  outdir: string,
  log: (line: string) => void,
): Promise<Artifact> {
  const started = performance.now();
  const outfile = join(outdir, containerOutfile(target));
  rmSync(outfile, { force: true });
  await bunBuild(
    [...CONTAINER_FLAGS, `--target=${CONTAINER_TARGETS[target]}`, CONTAINER_ENTRY, '--outfile', outfile],
    log,
  );
  const bytes = readFileSync(outfile);
  return {
    kind: 'container',
    target,
    path: outfile,
    bytes: bytes.length,
    sha256: sha256(bytes),
    seconds: (performance.now() - started) / 1000,
  };
}

export async function buildLambda(outdir: string, log: (line: string) => void): Promise<Artifact[]> {
  const started = performance.now();
  const bundlePath = join(outdir, LAMBDA_BUNDLE);
  const zipPath = join(outdir, LAMBDA_ZIP);
  rmSync(join(outdir, 'lambda'), { recursive: true, force: true });
  mkdirSync(join(outdir, 'lambda'), { recursive: true });
  log(`bundling ${LAMBDA_ENTRY} (${JSON.stringify(LAMBDA_BUILD)}, AWS SDK included)`);
  await bundleLambdaEntry(LAMBDA_ENTRY, bundlePath);
  const bundle = readFileSync(bundlePath);
  const bundled = performance.now();
  const zip = createZip([{ name: 'index.cjs', data: bundle }]);
  writeFileSync(zipPath, zip);
  const done = performance.now();
  return [
    {
      kind: 'lambda-bundle',
      path: bundlePath,
      bytes: bundle.length,
      gzipBytes: gzipSync(bundle, { level: 9 }).length,
      sha256: sha256(bundle),
      seconds: (bundled - started) / 1000,
    },
    {
      kind: 'lambda-zip',
      path: zipPath,
      bytes: zip.length,
      sha256: sha256(zip),
      seconds: (done - bundled) / 1000,
    },
  ];
}

export async function build(options: BuildOptions): Promise<Artifact[]> {
  mkdirSync(options.outdir, { recursive: true });
  const artifacts: Artifact[] = [];
  // Sequential on purpose: the machines this runs on are small, and each step is seconds.
  if (options.lambda) artifacts.push(...(await buildLambda(options.outdir, options.log)));
  if (options.container) {
    for (const target of options.targets)
      artifacts.push(await buildContainer(target, options.outdir, options.log));
  }
  return artifacts;
}

function parseTargets(values: readonly string[]): ContainerTarget[] {
  const names = values.flatMap((value) => value.split(',')).filter((name) => name !== '');
  for (const name of names) {
    if (!(name in CONTAINER_TARGETS))
      throw new Error(
        `unknown --target ${name}; expected one of ${Object.keys(CONTAINER_TARGETS).join(', ')}`,
      );
  }
  return [...new Set(names)] as ContainerTarget[];
}

export function parseCli(argv: readonly string[]): BuildOptions & { json: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'container-only': { type: 'boolean', default: false },
      'lambda-only': { type: 'boolean', default: false },
      target: { type: 'string', multiple: true },
      outdir: { type: 'string', default: 'dist' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values['container-only'] && values['lambda-only'])
    throw new Error('--container-only and --lambda-only exclude each other');
  const targets = values.target ? parseTargets(values.target) : [...DEFAULT_CONTAINER_TARGETS];
  const json = values.json === true;
  return {
    outdir: resolve(ROOT, values.outdir),
    container: !values['lambda-only'],
    lambda: !values['container-only'],
    targets,
    json,
    log: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
  };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${(bytes / 1024).toFixed(1)} KiB`;
}

if (import.meta.main) {
  try {
    const options = parseCli(Bun.argv.slice(2));
    const started = performance.now();
    const artifacts = await build(options);
    const seconds = (performance.now() - started) / 1000;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ seconds, artifacts }, null, 2)}\n`);
    } else {
      for (const artifact of artifacts) {
        const gzip = artifact.gzipBytes === undefined ? '' : ` (gzip ${formatBytes(artifact.gzipBytes)})`;
        options.log(
          `${relative(process.cwd(), artifact.path).padEnd(36)} ${formatBytes(artifact.bytes).padStart(10)}${gzip}  ` +
            `sha256 ${artifact.sha256.slice(0, 16)}…  ${artifact.seconds.toFixed(1)} s`,
        );
      }
      const zip = artifacts.find((artifact) => artifact.kind === 'lambda-zip');
      if (zip) {
        const base64 = Buffer.from(zip.sha256, 'hex').toString('base64');
        options.log(`Lambda CodeSha256 of ${relative(process.cwd(), zip.path)}: ${base64}`);
      }
      options.log(`built ${artifacts.length} artifact(s) in ${seconds.toFixed(1)} s`);
    }
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
