/**
 * One copy of the committed configuration laid out as in the repository (infra/ next to
 * dist/lambda/delete-item.zip), with its own variables and state, driven by the real terraform.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_DIR } from '../src/generate.ts';
import { pinTestedProvider, type RunResult, terraform, terraformEnv } from './terraform-cli.ts';

/** Values of the stack's input variables, as terraform.tfvars.json holds them. */
export type Vars = Record<string, string | number | boolean | null | readonly string[]>;

export class Workspace {
  readonly dir: string;
  readonly timings: Record<string, number> = {};
  /** The environment terraform runs with here (CLI config, the emulated account's endpoint). */
  readonly env: Record<string, string>;

  constructor(
    root: string,
    readonly name: string,
    private vars: Vars,
    options: { lambdaZip: string; cliConfig: string; awsEnv: Record<string, string> },
  ) {
    this.dir = join(root, name, 'infra');
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(join(root, name, 'dist', 'lambda'), { recursive: true });
    copyFileSync(options.lambdaZip, join(root, name, 'dist', 'lambda', 'delete-item.zip'));
    // What users apply: the committed infra/ (generator.test.ts keeps it equal to the generator's output).
    for (const file of readdirSync(INFRA_DIR).filter((f) => f.endsWith('.tf.json'))) {
      copyFileSync(join(INFRA_DIR, file), join(this.dir, file));
    }
    pinTestedProvider(this.dir);
    this.env = terraformEnv(options.cliConfig, options.awsEnv);
    this.writeVars();
  }

  /** Changes variables for the next run. */
  set(vars: Vars): void {
    this.vars = { ...this.vars, ...vars };
    this.writeVars();
  }

  private writeVars(): void {
    writeFileSync(join(this.dir, 'terraform.tfvars.json'), `${JSON.stringify(this.vars, null, 2)}\n`);
  }

  /** Runs terraform, records its time under `step`, and throws with its output if it fails. */
  async run(step: string, args: string[], okCodes: number[] = [0]): Promise<RunResult> {
    const r = await terraform([...args, '-no-color'], this.dir, this.env);
    this.timings[step] = (this.timings[step] ?? 0) + r.seconds;
    if (!okCodes.includes(r.code)) {
      throw new Error(`[${this.name}] terraform ${args.join(' ')} exited ${r.code}:\n${r.out.slice(-6000)}`);
    }
    return r;
  }

  init(): Promise<RunResult> {
    return this.run('init', ['init', '-backend=false', '-input=false']);
  }

  apply(step = 'apply'): Promise<RunResult> {
    return this.run(step, ['apply', '-auto-approve', '-input=false']);
  }

  /** `plan -detailed-exitcode`: 0 means no changes, 2 means changes. */
  async plan(step = 'plan'): Promise<{ changes: boolean; out: string }> {
    const r = await this.run(step, ['plan', '-detailed-exitcode', '-input=false'], [0, 2]);
    return { changes: r.code === 2, out: r.out };
  }

  destroy(): Promise<RunResult> {
    return this.run('destroy', ['destroy', '-auto-approve', '-input=false']);
  }

  async stateList(): Promise<string[]> {
    const r = await this.run('state', ['state', 'list'], [0]);
    return r.out.split('\n').filter((line) => line.trim() !== '');
  }

  async outputs(): Promise<Record<string, string>> {
    const r = await terraform(['output', '-json'], this.dir, this.env);
    const parsed = JSON.parse(r.out) as Record<string, { value: string }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
  }

  /** The resource changes of a plan, as `address: actions` lines (for failure messages). */
  static summary(planOut: string): string {
    return planOut
      .split('\n')
      .filter((line) => /^\s+# |^Plan:/.test(line))
      .join('\n');
  }
}
