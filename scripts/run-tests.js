#!/usr/bin/env node
// Runs the compiled test files under dist/test with node's own test runner (node:test).
//
// Usage: node scripts/run-tests.js [unit | e2e] [substring …]
//   unit       only the files that run in the test process: pure logic, and the emulator,
//              redis-server and the commander program driven from the test itself
//   e2e        only the files that run the built CLI as a child process (helpers/cli.ts)
//   substring  only files whose path contains one of them
// With neither, every file: `npm test` runs both layers.
//
// Each file is a process of its own (`node <file>` with the spec and TAP reporters), several
// at a time, longest first. Not `node --test <files…>`: Node 20's runner sorts the files by
// name, so a long file that sorts last starts last and the suite waits for it alone.
//
// Files named *.serial.test.js measure timing (replication lag, stale reads) and run
// after the others, one at a time: on a 2-core machine a neighbouring test file's load
// would be measured instead of what the test is about.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import module from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const LAYERS = ['unit', 'e2e'];
const repo = new URL('..', import.meta.url).pathname;
const root = join(repo, 'dist', 'test');
// How long each file took last time, to start the longest first. Kept beside the installed
// packages (as other tools keep their caches); a clean checkout (CI) starts from the times
// committed in test/durations.json, refreshed by copying the cache there now and then.
const durationsFile = join(repo, 'node_modules', '.cache', 'elasticache-kit', 'test-durations.json');
const committedDurationsFile = join(repo, 'test', 'durations.json');
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

function readDurations() {
  const read = (file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return {};
    }
  };
  return { ...read(committedDurationsFile), ...read(durationsFile) };
}

/**
 * Seconds the file is expected to take: last run's time, or, for a file never timed, a
 * guess from what it starts (the CLI as a child process, the emulator, redis-server, a
 * cluster) and its size, which puts such files ahead of the pure-logic ones.
 */
function expectedSeconds(file, durations) {
  const known = durations[relative(root, file)];
  if (typeof known === 'number') return known;
  const source = readFileSync(file, 'utf8');
  const starts = [
    /helpers\/cli\.js/,
    /helpers\/emulator\.js/,
    /helpers\/redis\.js/,
    /node:child_process/,
    /[Cc]luster/,
  ].filter((pattern) => pattern.test(source)).length;
  return starts * 5 + statSync(file).size / 10_000;
}

const durations = readDurations();
const serial = files.filter((file) => file.endsWith('.serial.test.js')).sort();
const parallel = files
  .filter((file) => !serial.includes(file))
  .map((file) => ({ file, seconds: expectedSeconds(file, durations) }))
  .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file))
  .map(({ file }) => file);

// Node 22.1+ keeps compiled code on disk between processes (each file and each CLI it starts
// loads the same modules again); Node 20 has no such cache and ignores the variable.
const childEnv = module.enableCompileCache
  ? { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(dirname(durationsFile), 'compile') }
  : process.env;
const tapDir = mkdtempSync(join(tmpdir(), 'eck-tests-'));
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
const failedFiles = [];
/** What each failed file said about its failures, repeated at the end where a log's tail shows it. */
const failureReports = [];
const started = performance.now();
let interrupted = false;
process.on('SIGINT', () => {
  // The files get the Ctrl-C too (same process group) and stop their servers; wait for them.
  interrupted = true;
});

/** A setting from the environment (a whole number, at least 1), or `fallback` when unset. */
function wholeNumberFromEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number of at least 1 (got ${process.env[name]})`);
    process.exit(2);
  }
  return value;
}

/** The longest a file may run: the slowest takes ~30 s on 2 busy cores. */
const FILE_TIMEOUT_MS = wholeNumberFromEnv('TEST_FILE_TIMEOUT_MS', 300_000);

/** Runs one file; prints its report as one block when it ends (files run side by side). */
function runFile(file, index) {
  const tap = join(tapDir, `${index}.tap`);
  const fileStarted = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv },
    );
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    // A file that hangs (a promise nothing settles) fails here rather than holding CI to its
    // own limit; its servers go with it (nodes die with their parent, setpriv --pdeathsig).
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - fileStarted) / 1000;
      let counts = {};
      try {
        counts = Object.fromEntries(
          [...readFileSync(tap, 'utf8').matchAll(/^# (pass|fail|cancelled|skipped|todo) (\d+)$/gm)].map((m) => [
            m[1],
            Number(m[2]),
          ]),
        );
      } catch {
        // No TAP at all: the process died before its reporter wrote anything; counted as failed below.
      }
      for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
      const failed = code !== 0 || (counts.fail ?? 0) > 0 || (counts.cancelled ?? 0) > 0;
      if (failed) failedFiles.push(relative(repo, file));
      // Node's per-file summary lines (ℹ tests … ℹ duration_ms) would repeat a hundred times:
      // the one summary is printed at the end.
      const report = Buffer.concat(output)
        .toString('utf8')
        .replace(/(\n?ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+)+\s*$/u, '\n');
      const status = timedOut
        ? ` ✖ FAILED (killed after ${FILE_TIMEOUT_MS / 1000} s: it hung)`
        : failed
          ? ` ✖ FAILED (exit ${signal ?? code})`
          : '';
      process.stdout.write(`\n▶ ${relative(repo, file)} (${seconds.toFixed(1)} s)${status}\n${report}`);
      if (failed) failureReports.push(`\n▶ ${relative(repo, file)}${status}\n${failureSection(report)}`);
      durations[relative(root, file)] = Math.round(seconds * 10) / 10;
      resolve();
    });
  });
}

/**
 * The spec reporter's own "failing tests:" part (each failure with its error and stack),
 * or the report's last lines when the process died before writing one.
 */
function failureSection(report) {
  const start = report.lastIndexOf('✖ failing tests:');
  if (start >= 0) return `${report.slice(start).trimEnd()}\n`;
  return `${report.trimEnd().split('\n').slice(-40).join('\n')}\n`;
}

/** Runs `queue` with `lanes` files at a time. */
async function runAll(queue, lanes) {
  let next = 0;
  const lane = async () => {
    while (next < queue.length && !interrupted) {
      const index = next++;
      await runFile(queue[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));
}

// Two and a half files per core: a file mostly waits on redis-server, the emulator's clock
// or a child process, so one per core left the CPU idle much of the time. On 2 cores, back
// to back: 4 lanes 107 s, 5 lanes 100 s, both with the CPU busy ~90% of the run (3 lanes
// had been 177 s against 149 s with 4). More lanes only add contention.
const lanes = wholeNumberFromEnv('TEST_CONCURRENCY', Math.ceil(2.5 * availableParallelism()));
await runAll(parallel, lanes);
await runAll(serial, 1);
rmSync(tapDir, { recursive: true, force: true });
try {
  mkdirSync(dirname(durationsFile), { recursive: true });
  // Sorted and indented as the formatter wants, so a copy can be committed as it is.
  // Files since deleted or renamed are dropped.
  const sorted = Object.fromEntries(
    Object.entries(durations)
      .filter(([file]) => existsSync(join(root, file)))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(durationsFile, `${JSON.stringify(sorted, null, 2)}\n`);
} catch {
  // Only the next run's order depends on it.
}

for (const failure of failureReports) process.stdout.write(failure);
const wall = ((performance.now() - started) / 1000).toFixed(1);
const extra = ['cancelled', 'skipped', 'todo'].filter((key) => totals[key] > 0).map((key) => `, ${totals[key]} ${key}`);
console.log(`\n${totals.pass} passed, ${totals.fail} failed${extra.join('')} (${files.length} files, ${wall} s)`);
if (failedFiles.length > 0) console.log(`failed: ${failedFiles.join(', ')}`);
if (interrupted) console.log('interrupted: files not started were skipped');
process.exit(failedFiles.length > 0 || interrupted ? 1 : 0);
