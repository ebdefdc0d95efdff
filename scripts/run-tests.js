#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's own test runner.
// (Node 20's `node --test` takes no glob patterns, so the files are listed here.)
// Usage: node scripts/run-tests.js [substring …]   — only files whose path contains one of them.
import { readdirSync } from 'node:fs';
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
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
