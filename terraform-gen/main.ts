/**
 * `bun run gen`: writes the Terraform JSON for the whole AWS stack to `infra/*.tf.json` and
 * removes `*.tf.json` files it no longer generates.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_DIR, renderStack } from './src/generate.ts';

const files = renderStack();
mkdirSync(INFRA_DIR, { recursive: true });
for (const [file, content] of files) writeFileSync(join(INFRA_DIR, file), content);
for (const file of readdirSync(INFRA_DIR)) {
  if (file.endsWith('.tf.json') && !files.has(file)) {
    rmSync(join(INFRA_DIR, file));
    console.log(`removed stale ${file}`);
  }
}
console.log(`wrote ${files.size} files to ${INFRA_DIR}`);
