/**
 * The second step of scripts/bundle.js: rollup regroups the files esbuild split the CLI into,
 * so that a command loads few files.
 *
 * Why: esbuild makes a chunk for every set of dynamic-import targets that share code, and it
 * does not know that what `cli.js` imports is always loaded before any command. So `--help`
 * loaded 11 files and `endpoints` 46, and Node spends about a millisecond per file
 * resolving, reading and linking it (Node 20 more than 24). After this step `--help` loads
 * cli.js alone, and `endpoints` 5 files: cli.js, the chunk the light commands share, its own,
 * and two facades (see regroupChunks).
 *
 * Rollup only regroups whole files of esbuild's output (each is one rollup module), and
 * only the light ones (see chunkGroups): the heavy files (the EC2 client, ioredis, the
 * emulator, …) are copied as esbuild wrote them, since regrouping all 3.5 MB would make
 * the build seconds slower for no start-up gain.
 */
import { copyFile, readFile } from 'node:fs/promises';
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
 * relative to `root`): the light files regrouped by rollup, the others copied.
 */
export async function regroupChunks({ metafile, root, outdir, cliPath }) {
  const graph = outputGraph(metafile, root);
  const groups = chunkGroups(graph, cliPath);
  const heavy = [...graph.keys()].filter((file) => !groups.has(file));
  // A heavy file still imports light files by esbuild's names: each such file gets a facade of
  // that name, re-exporting its exports from the chunk it went to (rollup writes one for an entry).
  // Rollup also points a light chunk's dynamic import of such a file at its facade: one more
  // small file to load (endpoints loads two: aws/clients and aws/any-topology).
  const input = {};
  for (const file of heavy)
    for (const imported of graph.get(file).imports) if (groups.has(imported)) input[stem(imported)] = imported;

  const bundle = await rollup({
    input,
    plugins: [cliEntry(cliPath), heavyFilesAsIs(new Set(heavy)), builtinsWithoutFacades(groups), esbuildSourceMaps()],
    // A facade exports exactly what the esbuild file did.
    preserveEntrySignatures: 'strict',
    // esbuild already tree-shook; a second pass would find nothing and take seconds.
    treeshake: false,
    onwarn(warning, warn) {
      // esbuild's output has import cycles among chunks; they were there before rollup.
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  await bundle.write({
    dir: outdir,
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    manualChunks: (id) =>
      groups.get(id) ?? (id.startsWith(BUILTIN) ? id.slice(BUILTIN.length).split(':')[0] : undefined),
    paths: (id) => (graph.has(id) ? `./${basename(id)}` : id),
  });
  await bundle.close();
  for (const file of heavy)
    for (const name of [basename(file), `${basename(file)}.map`])
      await copyFile(join(file, '..', name), join(outdir, name));
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
 */
function chunkGroups(graph, cliPath) {
  const isPackageCode = (file) => graph.get(file).inputs.some((input) => input.includes('node_modules/'));
  const groups = new Map();
  const addWithStaticImports = (start, group) => {
    const reached = [start];
    for (const file of reached) {
      groups.set(file, group);
      for (const next of graph.get(file).staticImports)
        if (!groups.has(next) && !reached.includes(next)) reached.push(next);
    }
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
    if (!groups.has(file) && !isPackageCode(file) && isLight(file)) addWithStaticImports(file, 'common');

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
  return groups;
}

const BUILTIN = '\0builtin:';
const stem = (file) => basename(file, '.js');

/** cli.js is the `cli` chunk itself (it may export more than src/cli.ts does): no facade file to load. */
function cliEntry(cliPath) {
  return {
    name: 'cli-entry',
    buildStart() {
      this.emitFile({ type: 'chunk', id: cliPath, name: stem(cliPath), preserveSignature: 'allow-extension' });
    },
  };
}

/** Imports of a heavy file stay imports of that file, which is copied beside the chunks. */
function heavyFilesAsIs(heavy) {
  return {
    name: 'heavy-files-as-is',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const file = resolve(importer, '..', source);
      return heavy.has(file) ? { id: file, external: true } : null;
    },
  };
}

/**
 * `import { x } from 'node:fs'` becomes `process.getBuiltinModule('node:fs').x` (Node 20.16+).
 * Why: to import a built-in as an ES module, Node builds a facade of all its exports and so
 * runs every lazy getter; `node:fs`'s loads streams, readline and fs/promises, about 3 ms of a
 * 50 ms `--help`. The functions are the same ones either way.
 *
 * Each chunk gets its own one-line module per built-in, so a built-in is still loaded only
 * when a chunk that imports it is (`common`'s node:crypto must not load with cli.js).
 */
function builtinsWithoutFacades(groups) {
  const builtins = new Set(builtinModules);
  return {
    name: 'builtins-without-facades',
    resolveId(source, importer) {
      const name = source.replace(/^node:/, '');
      if (!builtins.has(name) || !importer) return null;
      return { id: `${BUILTIN}${groups.get(importer)}:${name}`, moduleSideEffects: false };
    },
    load(id) {
      if (!id.startsWith(BUILTIN)) return null;
      const name = id.slice(BUILTIN.length).split(':')[1];
      return {
        code: `export default process.getBuiltinModule(${JSON.stringify(`node:${name}`)});`,
        syntheticNamedExports: 'default',
      };
    },
  };
}

/** Reads each esbuild file with its source map, so the bundle's maps point at src/ and node_modules/. */
function esbuildSourceMaps() {
  return {
    name: 'esbuild-source-maps',
    async load(id) {
      if (id.startsWith('\0')) return null;
      const code = await readFile(id, 'utf8');
      const comment = /\n\/\/# sourceMappingURL=([^\n]+)\s*$/.exec(code);
      if (!comment) return code;
      const map = JSON.parse(await readFile(join(id, '..', comment[1]), 'utf8'));
      return { code: code.slice(0, comment.index), map };
    },
  };
}
