'use strict';
/**
 * Keeps the V8 code the bundle's chunks compile to between runs, so that a command does not
 * parse half a megabyte of SDK again each time it starts.
 *
 * Each chunk of `bundleDir` is compiled by vm.Script with the code the previous run left
 * (`cachedData`); a chunk compiled without it leaves its code when the process exits, with
 * every function the run compiled. `endpoints` against the emulator, medians of runs taken side
 * by side (`node dist/bench/endpoints-latency.js` has the same comparison):
 * - Node 20, which has no compile cache of its own: 230 ms without, 198 ms with it.
 * - Node 24: 225 ms without, 203 ms with Node's own (module.enableCompileCache), 188 ms with
 *   this one. Node's keeps a file's code as compiled before it runs, that is without the
 *   functions V8 compiles only when they are first called, which is most of them.
 *
 * As for Node's own cache: NODE_DISABLE_COMPILE_CACHE=1 turns it off and NODE_COMPILE_CACHE
 * names the directory. The default directory is per user, in the temporary directory. Code
 * read from a cache is code run, so a directory another user could write to is not used,
 * and a cache file names the chunk's device, inode, size and change time: a chunk rewritten
 * or installed again never meets the code of the old one (V8 itself checks only the length).
 */
const Module = require('node:module');
const fs = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, dirname, join, sep } = require('node:path');
const vm = require('node:vm');

/** Caches the compiled code of the CommonJS files under `bundleDir`. Never throws: a cache only saves time. */
function cacheCompiledCode(bundleDir) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const cacheDir = ownedCacheDirectory();
  if (cacheDir) compileWithCachedCode(bundleDir + sep, cacheDir);
}

/** The cache directory, created for this user alone; undefined when it is not safe or cannot be made. */
function ownedCacheDirectory() {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = process.env.NODE_COMPILE_CACHE || join(tmpdir(), `elasticache-kit-compile-cache-${uid ?? 'user'}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = fs.lstatSync(dir);
    if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0)
      return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

function compileWithCachedCode(bundlePrefix, cacheDir) {
  const compiled = []; // [script, cache file] for chunks that had no usable cache
  const loadJs = Module._extensions['.js'];
  Module._extensions['.js'] = function loadWithCachedCode(module, filename) {
    if (!filename.startsWith(bundlePrefix)) return loadJs(module, filename);
    const fd = fs.openSync(filename, 'r');
    let source;
    let stats;
    try {
      stats = fs.fstatSync(fd);
      source = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
    const key = [
      basename(filename, '.js'),
      stats.dev,
      stats.ino,
      stats.size,
      stats.ctimeMs,
      process.version,
      process.arch,
    ];
    const cacheFile = join(cacheDir, `${key.join('-')}.v8`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // First run of this chunk (or of this Node): compile it and keep its code at exit.
    }
    const script = new vm.Script(Module.wrap(source), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) compiled.push([script, cacheFile]);
    const wrapper = script.runInThisContext({ displayErrors: true });
    wrapper.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
  };
  // At exit, not after the chunk's first run: the code of every function run so far is kept.
  process.once('exit', () => {
    for (const [script, cacheFile] of compiled) {
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
      } catch {
        fs.rmSync(temporary, { force: true });
      }
    }
  });
}

module.exports = { cacheCompiledCode };
