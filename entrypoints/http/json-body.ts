import { InvalidItem } from '../../domain/errors.ts';
import { parseExactJson } from '../../domain/exact-number.ts';
import { MAX_BODY_BYTES, MAX_DATA_DEPTH } from '../../domain/item-rules.ts';
import { readCappedBody } from '../shared/capped-body.ts';
import { HttpProblem } from '../shared/http-problem.ts';

/** `application/json` or any `application/*+json`, with optional parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a request body as JSON with every limit enforced before parsing: the media
 * type first, then the declared length, then the bytes actually received (a
 * chunked body cannot sneak past the limit). Failures are HttpProblems:
 * 415, 413, or 400 for bytes that are not UTF-8 JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number = MAX_BODY_BYTES): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpProblem(
      'UnsupportedMediaType',
      'Send the item as JSON with Content-Type: application/json.',
    );
  }
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpProblem('UnsupportedMediaType', 'JSON bodies must be UTF-8.');
  }
  const bytes = await readCappedBody(request, maxBytes, `The body must be at most ${maxBytes} bytes.`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpProblem('MalformedRequest', 'The body is not valid UTF-8.');
  }
  try {
    // Numbers keep their exact decimal text: the domain stores them without rounding.
    return parseExactJson(text);
  } catch (error) {
    if (error instanceof RangeError) {
      // The parser ran out of stack: nesting far beyond anything the store accepts.
      throw new InvalidItem(`The item is nested deeper than ${MAX_DATA_DEPTH} levels.`);
    }
    throw new HttpProblem('MalformedRequest', 'The body is not valid JSON.');
  }
}
