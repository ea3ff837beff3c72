import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout the suite runs from. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const localBun = join(ROOT, 'node_modules', '.bin', 'bun');
/**
 * Playwright runs on Node; what the suite starts runs on Bun: the devDependency's binary, so npm
 * alone suffices, else one on PATH.
 */
export const BUN = existsSync(localBun) ? localBun : 'bun';
