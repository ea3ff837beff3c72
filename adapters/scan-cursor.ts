import { InvalidPageRequest } from '../domain/errors.ts';
import { assertValidKey, MAX_CURSOR_LENGTH } from '../domain/item-rules.ts';

/**
 * The opaque `next_cursor` both adapters hand out: the last key of a page,
 * versioned and base64url-encoded so clients treat it as a token, not a key.
 * It is not signed, on purpose: a cursor only says where a scan resumes, and anyone
 * allowed to list may read every item from the first page anyway, so a forged cursor
 * (one that decodes to a valid key) is honoured like an issued one and grants nothing.
 */
interface CursorPayload {
  v: 1;
  k: string;
}

export function encodeCursor(lastKey: string): string {
  const payload: CursorPayload = { v: 1, k: lastKey };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The key a cursor resumes after; text that does not decode to one is the caller's error. */
export function decodeCursor(cursor: string): string {
  const invalid = () => new InvalidPageRequest('cursor is not a value this API returned as next_cursor.');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid();
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof payload !== 'object' || payload === null) throw invalid();
  const { v, k } = payload as Partial<CursorPayload>;
  if (v !== 1 || typeof k !== 'string') throw invalid();
  try {
    assertValidKey(k);
  } catch {
    throw invalid();
  }
  return k;
}
