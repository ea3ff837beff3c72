import { InvalidKey } from '../../domain/errors.ts';

/** Why a key taken from a path is refused before the domain sees it (both backends say this). */
export const MALFORMED_KEY = 'The key is not valid percent-encoded UTF-8.';

/** The item key a path segment names, percent-decoded. */
export function decodePathKey(encoded: string): string {
  // Most keys (every UUID the API hands out) have nothing to decode, and decoding costs GET more
  // than finding the key's item in memory.
  if (!encoded.includes('%')) return encoded;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidKey(MALFORMED_KEY);
  }
}
