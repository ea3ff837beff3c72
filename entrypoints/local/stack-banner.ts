/** The last line `bun run dev` prints once every part of the local stack is serving. */
export const STACK_READY_LINE = '  Ctrl-C stops everything.';

/**
 * Reads a running local stack's stdout until its ready line, then keeps draining it
 * (so the child never blocks on a full pipe), handing each later chunk to `onOutput`.
 * Resolves with everything printed up to the ready line.
 */
export async function waitForStackReady(
  stdout: ReadableStream<Uint8Array>,
  timeoutMs: number,
  onOutput: (chunk: string) => void,
): Promise<string> {
  let text = '';
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  while (!text.includes(STACK_READY_LINE)) {
    if (Date.now() > deadline) throw new Error(`local stack did not start:\n${text}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`local stack exited while starting:\n${text}`);
    text += decoder.decode(value);
  }
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onOutput(decoder.decode(value));
    }
  })();
  return text;
}
