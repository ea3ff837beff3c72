/**
 * The CloudWatch Embedded Metric Format specification as a checker: what CloudWatch Logs needs
 * of a log event to extract its metrics (and what makes it reject them). Returns the problems.
 */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);
const MAX_DIMENSIONS_PER_SET = 30;
const MAX_METRICS_PER_DIRECTIVE = 100;
const MAX_VALUES_PER_METRIC = 100;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A dimension value CloudWatch accepts: 1..1024 ASCII characters, not all white space, no controls. */
const validDimensionValue = (value: unknown) =>
  typeof value === 'string' && value.length <= 1024 && /^[\x20-\x7e]*$/.test(value) && value.trim() !== '';

export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['the log event is not one JSON object'];
  }
  if (!isObject(root)) return ['the root is not an object'];
  const meta = root._aws;
  if (!isObject(meta)) return ['no _aws metadata object'];
  if (typeof meta.Timestamp !== 'number' || !Number.isInteger(meta.Timestamp) || meta.Timestamp <= 0) {
    problems.push('_aws.Timestamp is not epoch milliseconds');
  }
  if (!Array.isArray(meta.CloudWatchMetrics) || meta.CloudWatchMetrics.length === 0) {
    return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];
  }
  for (const directive of meta.CloudWatchMetrics as unknown[]) {
    if (!isObject(directive)) {
      problems.push('a MetricDirective is not an object');
      continue;
    }
    const { Namespace, Dimensions, Metrics } = directive;
    if (
      typeof Namespace !== 'string' ||
      Namespace.length < 1 ||
      Namespace.length > 255 ||
      Namespace.startsWith(':')
    ) {
      problems.push(`Namespace ${JSON.stringify(Namespace)} is not 1..255 characters`);
    }
    if (!Array.isArray(Dimensions)) problems.push('Dimensions is not an array of DimensionSets');
    for (const set of Array.isArray(Dimensions) ? (Dimensions as unknown[]) : []) {
      if (!Array.isArray(set) || set.some((name) => typeof name !== 'string')) {
        problems.push('a DimensionSet is not an array of strings');
        continue;
      }
      if (set.length > MAX_DIMENSIONS_PER_SET) problems.push(`a DimensionSet has ${set.length} dimensions`);
      for (const name of set as string[]) {
        if (!validDimensionValue(root[name])) problems.push(`dimension ${name} has no valid string member`);
      }
    }
    if (!Array.isArray(Metrics) || Metrics.length === 0) {
      problems.push('Metrics is not a non-empty array');
      continue;
    }
    if (Metrics.length > MAX_METRICS_PER_DIRECTIVE)
      problems.push(`${Metrics.length} metrics in one directive`);
    for (const metric of Metrics as unknown[]) {
      if (
        !isObject(metric) ||
        typeof metric.Name !== 'string' ||
        metric.Name.length < 1 ||
        metric.Name.length > 1024
      ) {
        problems.push('a MetricDefinition has no Name of 1..1024 characters');
        continue;
      }
      if (metric.Unit !== undefined && !UNITS.has(metric.Unit as string)) {
        problems.push(`${metric.Name}: unit ${String(metric.Unit)} is not a CloudWatch unit`);
      }
      if (
        metric.StorageResolution !== undefined &&
        metric.StorageResolution !== 1 &&
        metric.StorageResolution !== 60
      ) {
        problems.push(`${metric.Name}: StorageResolution is neither 1 nor 60`);
      }
      const value = root[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      if (
        values.length === 0 ||
        values.length > MAX_VALUES_PER_METRIC ||
        values.some((v) => typeof v !== 'number' || !Number.isFinite(v))
      ) {
        problems.push(`${metric.Name}: the member is not a number (or an array of at most 100)`);
      }
    }
  }
  return problems;
}
