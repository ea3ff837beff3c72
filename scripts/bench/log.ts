/** Progress lines of the benchmark, on stderr: stdout holds only the report. */
export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}
