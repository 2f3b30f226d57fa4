// Builds the published entry points into dist/: CommonJS (.cjs) and ESM (.mjs) JavaScript per
// entry, plus type declarations (tsc, tsconfig.build.json). The AWS SDK and the Optimizely SDK stay
// external (they are dependencies / an optional peer of the consumer), and the Optimizely entry
// imports the reader entry's own file so both share one copy of the error classes.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const entries = { reader: 'lib/reader/index.ts', optimizely: 'lib/reader/optimizely.ts' };
const formats = { cjs: '.cjs', esm: '.mjs' };

rmSync(dist, { recursive: true, force: true });

for (const [format, ext] of Object.entries(formats)) {
  for (const [name, entry] of Object.entries(entries)) {
    await build({
      entryPoints: [join(root, entry)],
      outfile: join(dist, `${name}${ext}`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      external: ['@aws-sdk/*', '@optimizely/optimizely-sdk'],
      plugins: name === 'reader' ? [] : [readerAsSibling(ext)],
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
}

const tsc = join(root, 'node_modules', '.bin', 'tsc');
execFileSync(tsc, ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** In the optimizely entry, `./index` (the reader entry) resolves to the built reader file. */
function readerAsSibling(ext) {
  return {
    name: 'reader-as-sibling',
    setup(b) {
      b.onResolve({ filter: /^\.\/index$/ }, () => ({ path: `./reader${ext}`, external: true }));
    },
  };
}
