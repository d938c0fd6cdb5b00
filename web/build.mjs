// Builds the dashboard into dist/web: one ES module bundle (esbuild) and the static files.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, '..', 'dist', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  // the source map is for us, not for the internet: written beside, outside what is served (dist/web-sourcemaps)
  sourcemap: 'external',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  legalComments: 'linked',
});
cpSync(join(root, 'public'), out, { recursive: true });
const maps = join(root, '..', 'dist', 'web-sourcemaps');
mkdirSync(maps, { recursive: true });
for (const name of readdirSync(out)) if (name.endsWith('.map')) renameSync(join(out, name), join(maps, name));
// served pre-compressed (brotli, gzip) to the browsers that accept it: the bundle is ~0.5 MB
// (old compressed files go first: removing them while compressing would delete the fresh ones of a rebuild)
for (const name of readdirSync(out)) if (name.endsWith('.br') || name.endsWith('.gz')) rmSync(join(out, name));
for (const name of readdirSync(out)) {
  if (/\.(js|css|html|svg|txt)$/.test(name)) {
    const body = readFileSync(join(out, name));
    writeFileSync(join(out, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(join(out, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}
