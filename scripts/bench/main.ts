/**
 * `bun scripts/bench/main.ts`: what the service costs and how it scales, each figure
 * next to a ceiling measured in the same run (the machine is shared and noisy).
 * Servers run on CPU 0 (`taskset -c 0`), wrk on CPU 1; rounds are interleaved
 * between the contenders and reported as medians. Writes dist/bench/report.json and
 * prints Markdown tables and the targets as met / not met.
 *
 * Options (settings.ts):
 *   --only=web,dynamo,writes,lb,lambda,list   run a subset (default: all)
 *   --quick                                   short rounds and a smaller list table
 *   --connections=32
 *   --no-build                                reuse dist/bench/build
 *
 * Each section is a module of sections/; report.ts is what they report, markdown.ts prints it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../support/child-processes.ts';
import { startRunIssuer } from './auth.ts';
import type { BenchContext, SectionRunner } from './context.ts';
import { log } from './log.ts';
import { markdown } from './markdown.ts';
import { describeMachine, type Report } from './report.ts';
import { benchDynamo } from './sections/dynamo.ts';
import { benchLambda } from './sections/lambda.ts';
import { benchList } from './sections/list.ts';
import { benchLoadBalancer } from './sections/load-balancer.ts';
import { benchWeb } from './sections/web.ts';
import { benchWrites } from './sections/writes.ts';
import { BenchServers } from './servers.ts';
import { BUILD_DIR, OUT_DIR, ROOT, SECTIONS, type Section, settingsFrom } from './settings.ts';

const RUNNERS: { [S in Section]: SectionRunner<S> } = {
  web: benchWeb,
  dynamo: benchDynamo,
  writes: benchWrites,
  lb: benchLoadBalancer,
  lambda: benchLambda,
  list: benchList,
};

const settings = settingsFrom(Bun.argv.slice(2));
const report: Report = {
  machine: describeMachine(),
  settings: { quick: settings.quick, timing: settings.timing, sections: [...settings.sections] },
  sections: {},
  extra: {},
  targets: [],
};

/** The servers of the section running now, stopped on Ctrl-C too. */
let running: BenchServers | undefined;
process.on('SIGINT', () => void (running?.stopAll() ?? Promise.resolve()).then(() => process.exit(130)));

/** Runs one section and files what it reports; a failure is recorded as `<section>_error`. */
async function runSection<S extends Section>(
  section: S,
  context: Omit<BenchContext, 'servers'>,
): Promise<void> {
  const servers = new BenchServers(context.auth);
  running = servers;
  const t0 = performance.now();
  try {
    const result = await RUNNERS[section]({ ...context, servers });
    report.sections[section] = result.rows;
    report.targets.push(...result.targets);
    Object.assign(report.extra, result.extra);
  } catch (error) {
    report.extra[`${section}_error`] = String(error);
    log(`${section} FAILED: ${String(error)}`);
  } finally {
    await servers.stopAll();
    running = undefined;
  }
  log(`${section} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

mkdirSync(OUT_DIR, { recursive: true });
if (settings.build) {
  log('building with scripts/build.ts --target=host');
  const b = await runCommand(
    ['bun', join(ROOT, 'scripts/build.ts'), '--target=host', `--outdir=${BUILD_DIR}`],
    { cwd: ROOT },
  );
  if (b.code !== 0) throw new Error(`build failed: ${b.stderr}`);
}
const issuer = await startRunIssuer();
try {
  for (const section of SECTIONS) {
    if (settings.sections.has(section)) await runSection(section, { settings, auth: issuer });
  }
} finally {
  await issuer.stop();
}
const table = markdown(report);
writeFileSync(join(OUT_DIR, 'report.json'), `${JSON.stringify({ ...report, markdown: table }, null, 2)}\n`);
process.stdout.write(`${table}\nReport: dist/bench/report.json\n`);
process.exit(Object.keys(report.extra).some((k) => k.endsWith('_error')) ? 1 : 0);
