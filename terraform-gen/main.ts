/**
 * `bun run gen`: writes the Terraform JSON for the whole AWS stack to `infra/*.tf.json` and
 * removes `*.tf.json` files it no longer generates. Runs on plain Node too, for Terraform users
 * without Bun: `npx tsx terraform-gen/main.ts` writes the same bytes.
 *
 * An optional argument names another directory to write to (the tests compare runtimes there).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INFRA_DIR, renderStack } from './src/generate.ts';

const outDir = process.argv[2] ? resolve(process.argv[2]) : INFRA_DIR;
const files = renderStack();
mkdirSync(outDir, { recursive: true });
for (const [file, content] of files) writeFileSync(join(outDir, file), content);
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.tf.json') && !files.has(file)) {
    rmSync(join(outDir, file));
    console.log(`removed stale ${file}`);
  }
}
console.log(`wrote ${files.size} files to ${outDir}`);
