import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseContainerDefinitions } from '../../terraform-gen/test/stack.ts';
import { CONTAINER_ENTRY, CONTAINER_TARGETS, containerOutfile } from '../build.ts';
import { ROOT } from './artifacts.ts';

/**
 * The Dockerfile cannot be built here (no Docker engine), so this pins down what matters:
 * it builds with the same script and flags as `bun run build`, and its final stage agrees
 * with the ECS task definition Terraform generates (user, port, health check, binary path).
 */

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const all = instructions(dockerfile);
const finalStageStart = all.findLastIndex((i) => i.keyword === 'FROM');
const buildStage = all.slice(0, finalStageStart);
const finalStage = all.slice(finalStageStart);
const runs = buildStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const argDefault = (name: string) =>
  all.find((i) => i.keyword === 'ARG' && i.args.startsWith(`${name}=`))?.args.slice(name.length + 1);

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  packageManager: string;
};
const bunVersion = packageJson.packageManager.replace(/^bun@/, '');

interface ContainerDefinition {
  user: string;
  portMappings: { containerPort: number }[];
  healthCheck: { command: string[] };
  name: string;
}
const compute = JSON.parse(readFileSync(join(ROOT, 'infra', 'compute.tf.json'), 'utf8'));
const taskContainer = (
  parseContainerDefinitions(
    compute.resource.aws_ecs_task_definition.app.container_definitions,
  ) as ContainerDefinition[]
)[0] as ContainerDefinition;
const runtimePlatform = compute.resource.aws_ecs_task_definition.app.runtime_platform as {
  cpu_architecture: string;
};

describe('Dockerfile build stage', () => {
  test('runs on the build platform with the pinned Bun of package.json', () => {
    expect(buildStage.find((i) => i.keyword === 'FROM')?.args).toBe(
      `--platform=$BUILDPLATFORM \${BUN_IMAGE} AS build`,
    );
    expect(argDefault('BUN_IMAGE')).toBe(`oven/bun:${bunVersion}-slim`);
  });

  test('installs from the lockfile, frozen, before copying the sources (cached layer)', () => {
    const install = buildStage.findIndex(
      (i) => i.keyword === 'RUN' && /\bbun install --frozen-lockfile\b/.test(i.args),
    );
    expect(install).toBeGreaterThan(-1);
    const copies = buildStage.map((i, index) => ({ ...i, index })).filter((i) => i.keyword === 'COPY');
    for (const copy of copies) {
      if (copy.index < install) expect(copy.args).toBe('package.json bun.lock bunfig.toml ./');
    }
    expect(copies.some((copy) => copy.index > install && copy.args.startsWith('entrypoints'))).toBe(true);
  });

  test('compiles with the same script and flags as `bun run build`', () => {
    expect(all.filter((i) => /\bbun build\b/.test(i.args))).toEqual([]); // the flags live in scripts/build.ts only
    const build = runs.find((run) => run.includes('scripts/build.ts'));
    expect(build).toContain(`bun scripts/build.ts --container-only --target=linux-\${TARGETARCH} `);
    expect(build).toContain(`cp dist/picus-server-linux-\${TARGETARCH} /picus-server`);
    // Docker's TARGETARCH values are build targets, and name the files the script writes.
    for (const arch of ['arm64', 'amd64'] as const) {
      expect(`linux-${arch}` in CONTAINER_TARGETS).toBe(true);
      expect(containerOutfile(`linux-${arch}`)).toBe(`picus-server-linux-${arch}`);
    }
  });

  test('copies every repository file the container entry and the build script import', () => {
    const out = mkdtempSync(join(tmpdir(), 'picus-metafile-'));
    try {
      const copied = buildStage
        .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
        .flatMap((i) => i.args.split(' ').slice(0, -1));
      for (const [index, entry] of [CONTAINER_ENTRY, 'scripts/build.ts'].entries()) {
        const meta = join(out, `meta-${index}.json`);
        const result = Bun.spawnSync(
          [
            process.execPath,
            'build',
            entry,
            '--target=bun',
            `--metafile=${meta}`,
            `--outdir=${join(out, String(index))}`,
          ],
          { cwd: ROOT },
        );
        expect(result.exitCode).toBe(0);
        const inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: object }).inputs);
        const ours = inputs.filter((path) => !path.includes('node_modules/'));
        expect(ours).toContain(entry);
        const uncopied = ours.filter(
          (path) => !copied.some((source) => path === source || path.startsWith(`${source}/`)),
        );
        expect(uncopied).toEqual([]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('.dockerignore keeps every copied source in the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const required of ['node_modules', 'dist', '.git', '.env']) expect(ignored).toContain(required);
    const sources = buildStage
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    for (const source of sources) expect(ignored).not.toContain(source);
  });
});

describe('Dockerfile final stage', () => {
  const find = (keyword: string) => finalStage.filter((i) => i.keyword === keyword).map((i) => i.args);

  test('is distroless, pinned by tag and digest', () => {
    expect(finalStage[0]?.args).toBe(`\${RUNTIME_IMAGE}`);
    expect(argDefault('RUNTIME_IMAGE')).toMatch(
      /^gcr\.io\/distroless\/[a-z0-9-]+:[a-z0-9.-]+@sha256:[0-9a-f]{64}$/,
    );
    expect(dockerfile).not.toMatch(/:latest\b/);
    expect(find('RUN')).toEqual([]); // nothing to run in there: no shell
  });

  test('agrees with the ECS task definition: user, port, health check, binary', () => {
    expect(find('USER')).toEqual([taskContainer.user]);
    expect(taskContainer.user).not.toMatch(/^0(:|$)|^root/);
    expect(find('EXPOSE')).toEqual([String(taskContainer.portMappings[0]?.containerPort)]);
    const [kind, ...command] = taskContainer.healthCheck.command;
    expect(kind).toBe('CMD');
    const healthcheck = find('HEALTHCHECK')[0] ?? '';
    expect(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)).toBe(
      JSON.stringify(command).replaceAll(',', ', '),
    );
    expect(find('ENTRYPOINT')).toEqual([JSON.stringify([command[0]])]);
    expect(find('COPY')[0]).toBe(`--from=build --chown=0:0 --chmod=0555 /picus-server ${command[0]}`);
    expect(find('ENV').join(' ')).toContain(`PORT_APP=${taskContainer.portMappings[0]?.containerPort}`);
    expect(runtimePlatform.cpu_architecture).toBe('ARM64'); // hence linux/arm64 in the workflows
  });
});

describe('one Bun version everywhere', () => {
  test('package.json, devDependencies, Dockerfile and workflows agree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.devDependencies.bun).toBe(bunVersion);
    expect(Bun.version).toBe(bunVersion);
    for (const workflow of ['ci.yml', 'deploy.yml']) {
      const text = readFileSync(join(ROOT, '.github', 'workflows', workflow), 'utf8');
      expect(text).toContain(`BUN_VERSION: ${bunVersion}`);
    }
  });
});
