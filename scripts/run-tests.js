#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's own test runner.
// (Node 20's `node --test` takes no glob patterns, so the files are listed here.)
// Usage: node scripts/run-tests.js [substring …]   — only files whose path contains one of them.
//
// Files named *.serial.test.js measure timing (replication lag, stale reads) and run
// after the others, one at a time: on a 2-core machine a neighbouring test file's load
// would be measured instead of what the test is about.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const filters = process.argv.slice(2);
let files;
try {
  files = readdirSync(root, { recursive: true })
    .map((file) => join(root, String(file)))
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
    .sort();
} catch {
  console.error('no compiled tests in dist/test: run `npm run build` first');
  process.exit(1);
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const serial = files.filter((file) => file.endsWith('.serial.test.js'));
const parallel = files.filter((file) => !serial.includes(file));
const tapDir = mkdtempSync(join(tmpdir(), 'eck-tests-'));
const totals = { pass: 0, fail: 0, skipped: 0 };
let status = 0;
for (const [name, group, concurrency] of [
  ['parallel', parallel, process.env.TEST_CONCURRENCY ?? 2],
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
