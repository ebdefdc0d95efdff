#!/usr/bin/env node
// Runs the compiled test files under dist/test with node's own test runner.
// (Node 20's `node --test` takes no glob patterns, so the files are listed here.)
//
// Usage: node scripts/run-tests.js [unit | e2e] [substring …]
//   unit       only the files that run in the test process: pure logic, and the emulator,
//              redis-server and the commander program driven from the test itself
//   e2e        only the files that run the built CLI as a child process (helpers/cli.ts)
//   substring  only files whose path contains one of them
// With neither, every file: `npm test` runs both layers.
//
// Files named *.serial.test.js measure timing (replication lag, stale reads) and run
// after the others, one at a time: on a 2-core machine a neighbouring test file's load
// would be measured instead of what the test is about.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const LAYERS = ['unit', 'e2e'];
const root = new URL('../dist/test/', import.meta.url).pathname;
const args = process.argv.slice(2);
const layer = LAYERS.includes(args[0]) ? args.shift() : undefined;
const filters = args;
let files;
try {
  files = readdirSync(root, { recursive: true })
    .map((file) => join(root, String(file)))
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
    .filter((file) => layer === undefined || layerOf(file) === layer);
} catch {
  console.error('no compiled tests in dist/test: run `npm run build` first');
  process.exit(1);
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

/**
 * e2e when the file runs the built binary: it imports the child-process helper
 * (helpers/cli.ts) or the terminal one (commands/pty.ts), or it is the package test (npm
 * pack, install, npx). Everything else runs in-process.
 */
function layerOf(file) {
  if (file.endsWith('/package.test.js')) return 'e2e';
  const source = readFileSync(file, 'utf8');
  return /from ['"][./]*(helpers\/cli|commands\/pty)\.js['"]/.test(source) ? 'e2e' : 'unit';
}

/**
 * Longest first, so that two lanes end together instead of one waiting on a long file
 * that started last. Without timings at hand, what makes a file long is what it starts:
 * the CLI as a child process, the emulator, redis-server; then its size.
 */
function expectedCost(file) {
  const source = readFileSync(file, 'utf8');
  const starts = [/helpers\/cli\.js/, /helpers\/emulator\.js/, /helpers\/redis\.js/, /node:child_process/].filter(
    (pattern) => pattern.test(source),
  ).length;
  return starts * 1_000_000 + statSync(file).size;
}

const serial = files.filter((file) => file.endsWith('.serial.test.js')).sort();
const parallel = files
  .filter((file) => !serial.includes(file))
  .map((file) => ({ file, cost: expectedCost(file) }))
  .sort((a, b) => b.cost - a.cost || a.file.localeCompare(b.file))
  .map(({ file }) => file);
const tapDir = mkdtempSync(join(tmpdir(), 'eck-tests-'));
const totals = { pass: 0, fail: 0, skipped: 0 };
let status = 0;
for (const [name, group, concurrency] of [
  // Three lanes on any machine: a file mostly waits on redis-server, the emulator's clock or a
  // child process, so two lanes left a 2-core machine's CPU idle about half the time.
  ['parallel', parallel, process.env.TEST_CONCURRENCY ?? 3],
  ['serial', serial, 1],
]) {
  if (group.length === 0) continue;
  const tap = join(tapDir, `${name}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...group,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) status = result.status ?? 1;
  const summary = readFileSync(tap, 'utf8');
  for (const key of Object.keys(totals))
    totals[key] += Number(summary.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
}
rmSync(tapDir, { recursive: true, force: true });
// One closing line for the whole suite (both runs).
console.log(`\n${totals.pass} passed, ${totals.fail} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(status);
