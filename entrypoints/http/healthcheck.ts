/** Exit code for the container HEALTHCHECK: 0 when /health answers 200 within 2 s. */
export async function runHealthcheck(port: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}
