/** The report as the Markdown tables the benchmark prints. */

import { LOAD_CPU, SERVER_CPU } from './pinned-process.ts';
import { type ListRow, type LoadRow, type MeasureRow, pct, type Report, type SectionRows } from './report.ts';
import type { Section } from './settings.ts';

const num = (x: number | undefined, digits = 0) =>
  x === undefined || Number.isNaN(x) ? '' : x.toLocaleString('en-US', { maximumFractionDigits: digits });

const LOAD_HEADER = [
  'Case',
  'req/s',
  'p50 ms',
  'p99 ms',
  'peak RSS MB',
  'vs ceiling (paired)',
  'errors',
  'note',
];
const loadCells = (r: LoadRow) => [
  r.name,
  num(r.rps),
  num(r.p50Ms, 2),
  num(r.p99Ms, 2),
  num(r.rssMb, 1),
  pct(r.ratio),
  num(r.errors),
  r.note ?? '',
];

/** Each section's title, column headers and cells of a row. */
const TABLES: {
  [S in Section]: { title: string; header: string[]; cells: (row: SectionRows[S][number]) => string[] };
} = {
  web: { title: 'Web tier (compiled binary, in-memory store)', header: LOAD_HEADER, cells: loadCells },
  dynamo: {
    title: 'DynamoDB path (embedded DynamoDB on CPU 1, with wrk)',
    header: LOAD_HEADER,
    cells: loadCells,
  },
  writes: { title: 'Writes', header: LOAD_HEADER, cells: loadCells },
  lb: { title: 'Through the local load balancer', header: LOAD_HEADER, cells: loadCells },
  lambda: {
    title: 'Lambda',
    header: ['Measure', 'value', 'note'],
    cells: (r: MeasureRow) => [r.name, num(r.value, 2), r.note ?? ''],
  },
  list: {
    title: 'Scale of list',
    header: ['Case', 'items/s', 'server peak RSS (VmHWM) MB', 'note'],
    cells: (r: ListRow) => [r.name, num(r.itemsPerSecond), num(r.peakRssMb, 1), r.note],
  },
};

function table<S extends Section>(section: S, rows: SectionRows[S]): string[] {
  const { title, header, cells } = TABLES[section];
  return [
    `### ${title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cells(row).join(' | ')} |`),
    '',
  ];
}

export function markdown(report: Report): string {
  const { machine: m, settings } = report;
  const { timing } = settings;
  const lines: string[] = [
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB; bun ${m.bun}, node ${m.node}, ${m.wrk}. ` +
      `Server on CPU ${SERVER_CPU}, wrk on CPU ${LOAD_CPU}; ${timing.connections} connections, ` +
      `${timing.rounds} rounds x ${timing.roundSeconds} s after ${timing.warmupSeconds} s warm-up; medians.`,
    '',
  ];
  for (const section of Object.keys(report.sections) as Section[]) {
    const rows = report.sections[section];
    if (rows) lines.push(...table(section, rows));
  }
  if (report.targets.length) {
    lines.push('### Targets', '', '| Target | Goal | Measured | Result |', '|---|---|---|---|');
    for (const t of report.targets)
      lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'met' : 'NOT met'} |`);
    lines.push('');
  }
  return lines.join('\n');
}
