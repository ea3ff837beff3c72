import { writeSync } from 'node:fs';

/** Lines written to a file descriptor in batches, and what flushes the batch now. */
export interface BufferedLines {
  readonly write: (line: string) => void;
  readonly flush: () => void;
}

export interface BufferedLinesOptions {
  /** Flush once this many characters wait (a pipe's atomic-ish unit is 64 KiB). */
  readonly maxChars?: number;
  /** Flush at most this long after the first waiting line. */
  readonly maxDelayMs?: number;
}

/**
 * Log lines batched into one write per `maxDelayMs` (or per `maxChars`) instead of one write
 * per line: a write syscall per request was the largest single cost on the container's hot
 * path at info level (README, Performance). Whole lines only, in order, so no line is split or
 * interleaved with another; each batch is written with a blocking write, so a slow reader
 * (the awslogs driver) slows the writer down rather than losing lines or growing memory. The
 * batch is flushed on process exit too; only a SIGKILL can lose the last `maxDelayMs` of lines.
 * Not for the Lambda: its process is frozen between invocations, so lines must leave at once.
 */
export function bufferedLines(fd = 1, options: BufferedLinesOptions = {}): BufferedLines {
  const maxChars = options.maxChars ?? 32 * 1024;
  const maxDelayMs = options.maxDelayMs ?? 10;
  let pending = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending === '') return;
    const batch = pending;
    pending = '';
    writeFully(fd, batch);
  };
  process.once('exit', flush);
  return {
    write: (line) => {
      pending += line;
      if (pending.length >= maxChars) flush();
      else timer ??= setTimeout(flush, maxDelayMs);
    },
    flush,
  };
}

/**
 * Writes all of `text`, waiting out a full non-blocking pipe rather than dropping anything. The
 * text goes to the kernel as is; only a partial write (rare) makes it bytes to resume from.
 */
function writeFully(fd: number, text: string): void {
  const written = retryingWrite(() => writeSync(fd, text));
  const total = Buffer.byteLength(text, 'utf8');
  if (written === total) return;
  const bytes = Buffer.from(text, 'utf8');
  let offset = written;
  while (offset < total) offset += retryingWrite(() => writeSync(fd, bytes, offset));
}

function retryingWrite(write: () => number): number {
  for (;;) {
    try {
      return write();
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
