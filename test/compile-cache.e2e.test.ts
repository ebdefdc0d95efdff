/**
 * The CLI keeps the code its bundle compiles to between runs (bin/compile-cache.js): Node 22+
 * through module.enableCompileCache, Node 20 through vm.Script's cachedData. These run the
 * built CLI with NODE_COMPILE_CACHE pointing at a fresh directory, as a user can.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import module from 'node:module';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

/** Node 20: the CLI's own cache (bin/compile-cache.js), whose files it names and can be checked. */
const ownCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

function cacheDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'eck-compile-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a run leaves compiled code that the next run uses; a damaged cache costs only time', async (t) => {
  const dir = cacheDir(t);
  const env = { NODE_COMPILE_CACHE: dir };
  const first = await runCli(['endpoints', '--help'], { env });
  assert.equal(first.code, 0, first.stderr);
  const files = filesUnder(dir);
  assert.ok(files.length > 0, 'the first run wrote its compiled code');
  if (!ownCache) {
    // Node's own cache: it works the same way, but its files are its business.
    const again = await runCli(['endpoints', '--help'], { env });
    assert.equal(again.stdout, first.stdout);
    return;
  }

  // Only this user can read or change code that the CLI will run.
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const cli = files.find((file) => /\/cli-[^/]*\.v8$/.test(file));
  assert.ok(cli, `a cache file for cli.js among ${files.join(' ')}`);
  for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o600, file);

  // Accepted: the second run leaves the file as it was (a rejected one is written again).
  const { ino } = statSync(cli);
  const second = await runCli(['endpoints', '--help'], { env });
  assert.equal(second.stdout, first.stdout);
  assert.equal(statSync(cli).ino, ino, 'the second run used the cache and did not rewrite it');

  // Damaged: V8 rejects it, the run compiles from source as if there were none, and rewrites it.
  writeFileSync(cli, Buffer.alloc(statSync(cli).size, 0x5a));
  const damaged = await runCli(['endpoints', '--help'], { env });
  assert.equal(damaged.code, 0, damaged.stderr);
  assert.equal(damaged.stdout, first.stdout);
  assert.notEqual(statSync(cli).ino, ino, 'the rejected cache file was written again');
});

test('NODE_DISABLE_COMPILE_CACHE=1 writes no cache', async (t) => {
  const dir = cacheDir(t);
  const result = await runCli(['--version'], { env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(filesUnder(dir), []);
});

test('a cache directory others can write to is not used (code read from it would run)', {
  skip: !ownCache && 'Node 22+ keeps its own cache',
}, async (t) => {
  const dir = cacheDir(t);
  chmodSync(dir, 0o777);
  const result = await runCli(['--version'], { env: { NODE_COMPILE_CACHE: dir } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(filesUnder(dir), []);
});
