/**
 * The second step of scripts/bundle.js: rollup regroups the files esbuild split the CLI into,
 * so that a command loads few files, and writes them as CommonJS.
 *
 * Why regroup: esbuild makes a chunk for every set of dynamic-import targets that share code,
 * and it does not know that what `cli.js` imports is always loaded before any command. So
 * `--help` loaded 11 files and `endpoints` 46, and Node spends about a millisecond per file
 * resolving, reading and linking it (Node 20 more than 24). After this step `--help` loads
 * cli.js alone, and `endpoints` 3 files: cli.js, the chunk the light commands share, and its own.
 *
 * Rollup only regroups whole files of esbuild's output (each is one rollup module), and only
 * the light ones (see chunkGroups): each heavy file (the EC2 client, ioredis, the emulator, …)
 * stays a chunk of its own.
 *
 * Why CommonJS (esbuild cannot split CommonJS, rollup can): Node 20 has no cache for compiled
 * code, and an ES module cannot be handed one; a CommonJS file can (bin/compile-cache.js).
 * On Node 20 that took `endpoints` from 218 to 174 ms, and `--help` from 117 to 104 ms; a
 * CommonJS entry also spares Node 20 starting its ES module loader. (Node 22+ has a cache of
 * its own for both kinds, but it keeps less: see bin/compile-cache.js.)
 */
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { rollup } from 'rollup';

/**
 * The npm code the `common` chunk may hold: the SDK's core and the ElastiCache client. Every
 * other package (the EC2, S3 and SSM clients, ioredis, inquirer, ora, the XML parser) stays in
 * chunks of its own, loaded by the commands that use it.
 */
const COMMON_PACKAGES = /\/node_modules\/(?:@smithy\/|@aws\/|@aws-crypto\/|@aws-sdk\/(?!client-(?:ec2|s3|ssm)\/))/;
/** Source the light commands never run: the emulator, and bench (it loads ioredis anyway). */
const HEAVY_SOURCE = /^src\/(local|bench)\//;

/**
 * Writes the shipped bundle to `outdir` from esbuild's split output (`metafile`, paths
 * relative to `root`): the light files regrouped, each heavy file a chunk of its own.
 * `threadPaths`: bench's worker-thread entries, which must load neither cli.js nor `common`.
 */
export async function regroupChunks({ metafile, root, outdir, cliPath, threadPaths }) {
  const graph = outputGraph(metafile, root);
  const { groups, threadFiles, copiedForThreads } = chunkGroups(graph, cliPath, threadPaths);
  const heavy = [...graph.keys()].filter((file) => !groups.has(file));
  // Each heavy file is an entry, so its chunk keeps esbuild's name (bench's worker files must
  // be load-worker.js and lag-worker.js); the light groups are rollup's manual chunks.
  const input = { cli: cliPath };
  for (const file of heavy) input[stem(file)] = file;

  const bundle = await rollup({
    input,
    plugins: [threadCopies(threadFiles, copiedForThreads), esbuildSourceMaps(), importMetaUrlInCommonJs()],
    // Built-ins stay require() calls, each in the chunk that uses it: a built-in loads only
    // with a chunk that needs it (`common`'s node:crypto does not load with cli.js).
    external: (id) => builtins.has(id.replace(/^node:/, '')),
    // An entry's chunk may export more than the esbuild file did: no facade file to load.
    preserveEntrySignatures: 'allow-extension',
    // esbuild already tree-shook; a second pass would find nothing and take seconds.
    treeshake: false,
    onwarn(warning, warn) {
      // esbuild's output has import cycles among chunks; they were there before rollup.
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  await bundle.write({
    dir: outdir,
    format: 'cjs',
    generatedCode: 'es2015',
    exports: 'named',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    // `import('node:https')` as require() too: the chunks run through vm.Script (bin/compile-cache.js),
    // which Node 20 gives no dynamic import() without --experimental-vm-modules.
    dynamicImportInCjs: false,
    manualChunks: (id) => (id.endsWith('?thread') ? 'thread-helpers' : groups.get(id)),
  });
  await bundle.close();
}

/** esbuild's output files (absolute paths) → the output files each imports, statically or not. */
function outputGraph(metafile, root) {
  const graph = new Map();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    const imports = (output.imports ?? []).filter((i) => !i.external);
    graph.set(resolve(root, file), {
      inputs: Object.keys(output.inputs),
      imports: imports.map((i) => resolve(root, i.path)),
      staticImports: imports.filter((i) => i.kind === 'import-statement').map((i) => resolve(root, i.path)),
    });
  }
  return graph;
}

/**
 * Which chunk each light file goes to (absolute path → chunk name). The others are heavy,
 * and stay as esbuild split them.
 * - `cli`: what cli.js imports statically, loaded by every run, `--help` included.
 * - `common`: the rest of the code the commands share, when it is light: source outside
 *   HEAVY_SOURCE and the COMMON_PACKAGES code it imports statically. A file is light when
 *   it and all it imports statically is, so `common` never drags a heavy file in. The SDK's
 *   own lazy imports (the credential providers other than env) stay lazy.
 * - `<command>.run`: the light source only that command reaches, so that `endpoints` does
 *   not parse the plans of create-cluster and scale.
 * What bench's worker threads load at their start (`threadPaths` and their static imports,
 * `threadFiles`) is in none of these, except the files cli.js loads too (esbuild's helpers,
 * `copiedForThreads`), of which the threads get a copy (threadCopies). A thread that
 * required cli.js and `common` for those 2 KB of helpers and the 1 KB of tls-context.ts
 * parsed commander and the SDK too, 640 KB, at each start: 230 ms of CPU against 166.
 */
function chunkGroups(graph, cliPath, threadPaths) {
  const isPackageCode = (file) => graph.get(file).inputs.some((input) => input.includes('node_modules/'));
  /** `start` and what it imports statically, following only the imports `follow` accepts. */
  const staticClosure = (start, follow = () => true) => {
    const reached = [start];
    for (const file of reached)
      for (const next of graph.get(file).staticImports) if (!reached.includes(next) && follow(next)) reached.push(next);
    return reached;
  };
  const threadFiles = new Set(threadPaths.flatMap((path) => staticClosure(path)));
  const copiedForThreads = new Set(staticClosure(cliPath).filter((file) => threadFiles.has(file)));
  for (const file of copiedForThreads)
    if (graph.get(file).staticImports.length > 0)
      throw new Error(`${file}, loaded by cli.js and bench's threads, imports other files: copy those too`);
  const groups = new Map();
  const addWithStaticImports = (start, group) => {
    const follow = (next) => !groups.has(next) && (!threadFiles.has(next) || copiedForThreads.has(next));
    for (const file of staticClosure(start, follow)) groups.set(file, group);
  };
  addWithStaticImports(cliPath, 'cli');

  const lightMemo = new Map();
  const isLight = (file) => {
    if (groups.get(file) === 'cli') return true; // loaded anyway
    if (!lightMemo.has(file)) {
      lightMemo.set(file, true); // an import cycle does not make a file heavy
      const own = graph
        .get(file)
        .inputs.every((input) =>
          input.includes('node_modules/') ? COMMON_PACKAGES.test(`/${input}`) : !HEAVY_SOURCE.test(input),
        );
      lightMemo.set(file, own && graph.get(file).staticImports.every(isLight));
    }
    return lightMemo.get(file);
  };

  for (const file of graph.keys())
    if (!groups.has(file) && !threadFiles.has(file) && !isPackageCode(file) && isLight(file))
      addWithStaticImports(file, 'common');

  // Source in `common` that a single command reaches goes to that command's chunk. Whatever
  // reaches a file reaches what it imports statically, so `common` never imports such a chunk.
  // The light files that heavy ones import count as reached by one more user: 'heavy'.
  const entries = []; // [a file in common, the user it stands for]
  for (const [file, group] of groups)
    if (group === 'cli')
      for (const target of graph.get(file).imports) if (groups.get(target) === 'common') entries.push([target, target]);
  for (const [file, { imports }] of graph)
    if (!groups.has(file))
      for (const target of imports) if (groups.get(target) === 'common') entries.push([target, 'heavy']);
  const users = new Map(); // a file in common → the users that reach it
  for (const [entry, user] of entries) {
    const reached = [entry];
    for (const file of reached) {
      users.set(file, (users.get(file) ?? new Set()).add(user));
      for (const next of graph.get(file).imports)
        if (groups.get(next) === 'common' && !reached.includes(next)) reached.push(next);
    }
  }
  for (const [file, reachedBy] of users) {
    const [user] = reachedBy;
    if (reachedBy.size === 1 && user !== 'heavy' && !isPackageCode(file))
      groups.set(file, stem(user).replace(/-[A-Z0-9]{8}$/, '')); // esbuild's hash off: endpoints.run
  }
  return { groups, threadFiles, copiedForThreads };
}

/**
 * A thread file's import of a file cli.js also loads resolves to a copy of it (`<file>?thread`,
 * a module of its own to rollup), so the thread's chunks never require cli.js.
 */
function threadCopies(threadFiles, copiedForThreads) {
  return {
    name: 'thread-copies',
    async resolveId(source, importer) {
      if (!importer || !threadFiles.has(importer) || copiedForThreads.has(importer)) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      return resolved && copiedForThreads.has(resolved.id) ? `${resolved.id}?thread` : null;
    },
  };
}

const builtins = new Set(builtinModules);
const stem = (file) => basename(file, '.js');

/** `import.meta.url` (worker files, package.json) is the chunk's own file URL; rollup's default also checks for a browser. */
function importMetaUrlInCommonJs() {
  return {
    name: 'import-meta-url-in-commonjs',
    resolveImportMeta: (property) => (property === 'url' ? "require('node:url').pathToFileURL(__filename).href" : null),
  };
}

/** Reads each esbuild file with its source map, so the bundle's maps point at src/ and node_modules/. */
function esbuildSourceMaps() {
  return {
    name: 'esbuild-source-maps',
    async load(id) {
      if (id.startsWith('\0')) return null;
      id = id.replace(/\?thread$/, '');
      const code = await readFile(id, 'utf8');
      const comment = /\n\/\/# sourceMappingURL=([^\n]+)\s*$/.exec(code);
      if (!comment) return code;
      const map = JSON.parse(await readFile(join(id, '..', comment[1]), 'utf8'));
      return { code: code.slice(0, comment.index), map };
    },
  };
}
