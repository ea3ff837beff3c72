import { HttpProblem } from './http-problem.ts';

/**
 * A request body read whole, but never more than `maxBytes` of it: the declared length is
 * checked first, then the bytes as they arrive (a chunked body cannot sneak past the limit).
 * Over the limit it stops reading and throws a 413 HttpProblem saying `detail`.
 */
export async function readCappedBody(
  request: Request,
  maxBytes: number,
  detail: string,
): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw new HttpProblem('PayloadTooLarge', detail);
  // A declared length within the limit bounds the body already (HTTP/1.1 framing: what follows
  // is the next request), so it is read whole at once: streaming it through a reader cost a
  // small put more than all the rest of its handling (README, Performance). `request.body` is
  // not touched on this path: asking for it makes the body a stream, which costs a put too.
  if (declared !== null && /^\d+$/.test(declared)) return new Uint8Array(await request.arrayBuffer());
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new HttpProblem('PayloadTooLarge', detail);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
