/**
 * The CLI keeps the code its bundle compiles to between runs (bin/compile-cache.js, V8's code
 * cache through vm.Script). These run the built CLI with a fresh temporary directory (the
 * default place) or NODE_COMPILE_CACHE naming one, as a user can. (Node 22+ also writes its
 * own cache where NODE_COMPILE_CACHE says, for the two files of bin/: the CLI's are the .v8 ones.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** The CLI's own cache files under `dir`. */
function v8Files(dir: string): string[] {
  return filesUnder(dir).filter((file) => file.endsWith('.v8'));
}

function cacheDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'eck-compile-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a run leaves compiled code that the next run uses; a damaged cache costs only time', async (t) => {
  const tmp = cacheDir(t);
  // The default place, in the temporary directory (the test runner names its own for Node 22+).
  const env = { TMPDIR: tmp, NODE_COMPILE_CACHE: undefined };
  const first = await runCli(['endpoints', '--help'], { env });
  assert.equal(first.code, 0, first.stderr);
  const dir = join(tmp, `elasticache-kit-compile-cache-${process.getuid!()}`);
  const files = v8Files(dir);
  assert.ok(files.length > 0, 'the first run wrote its compiled code');
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

test('a cache directory others can write to is not used (code read from it would run)', async (t) => {
  const dir = cacheDir(t);
  chmodSync(dir, 0o777);
  const result = await runCli(['--version'], { env: { NODE_COMPILE_CACHE: dir } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(v8Files(dir), []);
});
