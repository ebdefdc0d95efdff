#!/usr/bin/env node
/**
 * Bundles the shipped CLI (src/cli.ts and everything it imports, npm dependencies included)
 * into dist/bundle/ with esbuild. Why: start-up is dominated by resolving and compiling
 * hundreds of small SDK modules; one tree-shaken bundle, split into a chunk per lazily
 * imported command, loads only what the command run needs. Tests keep using tsc's dist/src.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

// `new URL('<relative>', import.meta.url)` in src/ is relative to the tsc output
// (dist/src/<dir>/file.js); in a chunk it would be relative to dist/bundle/. Rewrite each
// such path so it names the same file from the bundle (the bin, package.json, the lag
// worker, which stays tsc output since a Worker needs a file of its own).
const relativeUrls = {
  name: 'relative-import-meta-urls',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const compiledDir = dirname(join(root, 'dist', relative(root, args.path)));
      const contents = source.replace(/new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g, (_match, quote, target) => {
        let fromBundle = relative(outdir, resolve(compiledDir, target)).split('\\').join('/');
        if (!fromBundle.startsWith('.')) fromBundle = './' + fromBundle;
        return `new URL(${quote}${fromBundle}${quote}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

const external = process.argv.includes('--external-deps');
await build({
  entryPoints: { cli: join(root, 'src', 'cli.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.17',
  packages: external ? 'external' : undefined,
  // The SDK's ES module builds (dist-es) tree-shake, and a dynamic import() of them yields
  // named exports; its CommonJS builds (esbuild's default on node) do neither.
  mainFields: ['module', 'main'],
  // Whitespace and syntax only: names stay, so stack traces remain readable.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: 'linked',
  chunkNames: '[name]-[hash]',
  // Bundled CommonJS dependencies (ioredis, …) call require() for node built-ins.
  banner: {
    js: "import { createRequire as __ekCreateRequire } from 'node:module'; const require = __ekCreateRequire(import.meta.url);",
  },
  plugins: [relativeUrls],
  logLevel: 'warning',
});
