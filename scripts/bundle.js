#!/usr/bin/env node
/**
 * Bundles the shipped CLI (src/cli.ts and everything it imports, npm dependencies included)
 * into dist/bundle/, with bench's two worker threads as entry points of their own. Why:
 * start-up is dominated by resolving and compiling hundreds of small SDK modules; a
 * tree-shaken bundle, split so that a command loads only what it needs, in few files, is
 * quicker. And the package then needs no dependency at run time: installing it (npx)
 * fetches one tarball, not a hundred packages. The licences of what is bundled go into
 * dist/bundle/THIRD-PARTY-NOTICES.txt. Tests use dist/src, which scripts/transpile.js
 * writes file by file.
 *
 * Two steps: esbuild compiles and bundles, split at every dynamic import, into a staging
 * directory; scripts/regroup-chunks.js then groups those files into the chunks shipped.
 */
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { regroupChunks } from './regroup-chunks.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
const stageDir = join(root, 'dist', 'bundle-stage');
/** Entry points: the CLI, and the files bench starts as worker threads (a Worker needs a file). */
const entryPoints = {
  cli: join(root, 'src', 'cli.ts'),
  'load-worker': join(root, 'src', 'bench', 'load-worker.ts'),
  'lag-worker': join(root, 'src', 'bench', 'lag-worker.ts'),
};
/**
 * The file-by-file output (dist/src, scripts/transpile.js) of each entry point, which src/
 * names in `new URL(…, import.meta.url)`.
 */
const entryByCompiledPath = new Map(
  Object.entries(entryPoints).map(([name, source]) => [
    join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js'),
    `./${name}.js`,
  ]),
);

// `new URL('<relative>', import.meta.url)` in src/ is relative to the file-by-file output
// (dist/src/<dir>/file.js); in a chunk it would be relative to dist/bundle/. Rewrite each
// such path so it names the same file from the bundle: a worker's own entry point, or
// (the bin, package.json) the file itself.
const relativeUrls = {
  name: 'relative-import-meta-urls',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const compiledDir = dirname(join(root, 'dist', relative(root, args.path)));
      const contents = source.replace(/new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g, (_match, quote, target) => {
        const compiled = resolve(compiledDir, target);
        let fromBundle = entryByCompiledPath.get(compiled) ?? relative(outdir, compiled).split('\\').join('/');
        if (!fromBundle.startsWith('.')) fromBundle = './' + fromBundle;
        return `new URL(${quote}${fromBundle}${quote}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

// commander loads node:child_process up front, for subcommands that are separate executables,
// which this CLI does not have: 2.6 ms of a 50 ms `--help` on Node 24, 4.5 ms on Node 20. Load
// it when commander first spawns one instead.
const commanderSpawnsLazily = {
  name: 'commander-spawns-lazily',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(eager))
        throw new Error(`${args.path} no longer has "${eager}": update commanderSpawnsLazily in scripts/bundle.js`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await rm(stageDir, { recursive: true, force: true });
const result = await build({
  entryPoints,
  outdir: stageDir,
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.17',
  // The SDK's ES module builds (dist-es) tree-shake, and a dynamic import() of them yields
  // named exports; its CommonJS builds (esbuild's default on node) do neither.
  mainFields: ['module', 'main'],
  // Whitespace and syntax only: names stay, so stack traces remain readable.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: 'linked',
  chunkNames: '[name]-[hash]',
  plugins: [relativeUrls, commanderSpawnsLazily],
  metafile: true,
  logLevel: 'warning',
});

await regroupChunks({
  metafile: result.metafile,
  root,
  outdir,
  cliPath: join(stageDir, 'cli.js'),
  threadPaths: ['load-worker', 'lag-worker'].map((name) => join(stageDir, `${name}.js`)),
});
await rm(stageDir, { recursive: true });
// The chunks are CommonJS (see regroup-chunks.js) in a package whose .js files are ES modules.
await writeFile(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
await writeFile(join(outdir, 'THIRD-PARTY-NOTICES.txt'), await notices(result.metafile));

/**
 * Every npm package with code in the bundle (name, version, licence) and the licence
 * files they ship, as their licences ask of a redistribution. A text several packages
 * share (the SDK's Apache-2.0) is printed once, under all of their names.
 */
async function notices(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  const byText = new Map();
  for (const dir of [...dirs].sort()) {
    const manifest = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
    const files = readdirSync(join(root, dir))
      .filter((name) => /^(licen[cs]e|copying|notice)/i.test(name))
      .sort();
    const texts = await Promise.all(files.map(async (name) => (await readFile(join(root, dir, name), 'utf8')).trim()));
    const text =
      texts.join('\n\n') || `(${manifest.name} ships no licence file; its package.json says ${manifest.license})`;
    const names = byText.get(text) ?? [];
    names.push(`${manifest.name} ${manifest.version} (${manifest.license ?? 'see below'})`);
    byText.set(text, names);
  }
  const separator = `\n\n${'-'.repeat(78)}\n\n`;
  const sections = [...byText].map(([text, names]) => `${names.join('\n')}\n\n${text}`);
  return `elasticache-kit bundles the following packages.${separator}${sections.join(separator)}\n`;
}
