/**
 * The CPU/memory pairs Fargate accepts for a Linux task (AWS ECS developer guide, "Task CPU and
 * memory"). RegisterTaskDefinition refuses any other pair, so the variables are validated against
 * this table at plan time instead of failing halfway through an apply.
 */

/** Memory (MiB) offered for one CPU size: an explicit list, or first..last in steps. */
type MemoryOptions =
  | readonly number[]
  | { readonly first: number; readonly last: number; readonly step: number };

export const FARGATE_SIZES: ReadonlyMap<number, MemoryOptions> = new Map<number, MemoryOptions>([
  [256, [512, 1024, 2048]],
  [512, { first: 1024, last: 4096, step: 1024 }],
  [1024, { first: 2048, last: 8192, step: 1024 }],
  [2048, { first: 4096, last: 16384, step: 1024 }],
  [4096, { first: 8192, last: 30720, step: 1024 }],
  [8192, { first: 16384, last: 61440, step: 4096 }],
  [16384, { first: 32768, last: 122880, step: 8192 }],
]);

export const FARGATE_CPU_UNITS: readonly number[] = [...FARGATE_SIZES.keys()];

const isList = (o: MemoryOptions): o is readonly number[] => Array.isArray(o);

/** Every memory size valid with `cpu` (empty for an unknown CPU size). */
export function fargateMemoryFor(cpu: number): number[] {
  const options = FARGATE_SIZES.get(cpu);
  if (!options) return [];
  if (isList(options)) return [...options];
  const out: number[] = [];
  for (let m = options.first; m <= options.last; m += options.step) out.push(m);
  return out;
}

/** An HCL condition that holds when the two expressions are a valid pair. */
export function fargateMemoryCondition(cpu: string, memory: string): string {
  const entries = [...FARGATE_SIZES].map(([c, options]) => {
    const list = isList(options)
      ? `[${options.join(', ')}]`
      : `range(${options.first}, ${options.last + options.step}, ${options.step})`;
    return `"${c}" = ${list}`;
  });
  return `contains(lookup({ ${entries.join(', ')} }, tostring(${cpu}), []), ${memory})`;
}

/** The table in words, for descriptions and error messages. */
export function fargateSizesText(): string {
  return [...FARGATE_SIZES]
    .map(([c, options]) =>
      isList(options)
        ? `${c} → ${options.join('/')}`
        : `${c} → ${options.first}-${options.last} in steps of ${options.step}`,
    )
    .join('; ');
}
