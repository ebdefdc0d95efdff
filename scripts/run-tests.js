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
// The files run in batches, each batch one process (`node scripts/test-batch.js <files…>`
// with the spec and TAP reporters; each file in a suite named after it, one after the
// other), several batches at a time, longest first. Not `node --test <files…>`: Node 20's
// runner sorts the files by name, so a long file that sorts last starts last and the suite
// waits for it alone. Why batches (see parallelJobs): starting Node and loading the test
// runner, the SDK and the project's modules again for each file cost a third of the suite's CPU.
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
  statfsSync,
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

// Two and a half files per core: a file mostly waits on redis-server, the emulator's clock
// or a child process, so one per core left the CPU idle much of the time. On 2 cores, back
// to back: 4 lanes 107 s, 5 lanes 100 s, both with the CPU busy ~90% of the run (3 lanes
// had been 177 s against 149 s with 4). More lanes only add contention.
const lanes = wholeNumberFromEnv('TEST_CONCURRENCY', Math.ceil(2.5 * availableParallelism()));
/**
 * How many processes the parallel files share: two per lane, so a lane that drew a slow
 * batch still has the others catch up, and few enough that most files share a process.
 */
const batchCount = wholeNumberFromEnv('TEST_BATCHES', 2 * lanes);

/**
 * What runs in parallel: the files dealt into `batchCount` batches of about equal expected
 * time (each file, longest first, to the batch with the least so far), each batch one
 * process; the longest batch starts first. Why batches and not a process per file: the
 * suite is CPU-bound on 2 cores, and a test process costs ~0.5 s of CPU before its first
 * test (Node, the test runner, the SDK, the emulator's modules) and more to tear down.
 * Side by side on 2 cores (/usr/bin/time over the whole run): a process per file (and
 * batches of the files under 1.5 s only) 340 s of CPU, 179 s; 13 batches, 231 s, 131 s.
 */
function parallelJobs() {
  const timed = files
    .filter((file) => !serial.includes(file))
    .map((file) => ({ file, seconds: expectedSeconds(file, durations) }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
  const batches = Array.from({ length: Math.min(batchCount, timed.length) }, () => ({ files: [], seconds: 0 }));
  for (const { file, seconds } of timed) {
    const emptiest = batches.reduce((least, batch) => (batch.seconds < least.seconds ? batch : least));
    emptiest.files.push(file);
    emptiest.seconds += seconds;
  }
  return batches.sort((a, b) => b.seconds - a.seconds || a.files[0].localeCompare(b.files[0]));
}
const parallel = parallelJobs();

/**
 * The test processes' temp folder: one on a memory file system (Linux's /dev/shm) when it has
 * room to spare, unless TMPDIR names one. Why: the tests write thousands of small files
 * there (emulator state, node dirs and logs, TLS material, config files), and both the
 * emulator (its state) and redis-server in cluster mode (nodes.conf) fsync theirs; on a
 * disk those waits stalled every file at once (four files ran 3x their usual time while
 * a cluster missed its 30 s start deadline). Removed with everything in it at the end.
 */
function scratchFolder() {
  if (process.env.TMPDIR === undefined) {
    try {
      const { bavail, bsize } = statfsSync('/dev/shm');
      // A container's default /dev/shm is 64 MB; the suite needs a few hundred at most.
      if (bavail * bsize >= 1024 ** 3) return mkdtempSync('/dev/shm/eck-tests-');
    } catch {
      // no /dev/shm (macOS): the usual temp folder
    }
  }
  return mkdtempSync(join(tmpdir(), 'eck-tests-'));
}
const scratch = scratchFolder();
const tapDir = join(scratch, 'tap');
mkdirSync(tapDir);
// Node 22.1+ keeps compiled code on disk between processes (each file and each CLI it starts
// loads the same modules again); Node 20 has no such cache and ignores the variable.
const childEnv = {
  ...process.env,
  TMPDIR: join(scratch, 'tmp'),
  ...(module.enableCompileCache
    ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(dirname(durationsFile), 'compile') }
    : {}),
};
mkdirSync(childEnv.TMPDIR);
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

/** The longest a batch may run: the slowest takes ~75 s on 2 busy cores (a file alone, ~35 s). */
const FILE_TIMEOUT_MS = wholeNumberFromEnv('TEST_FILE_TIMEOUT_MS', 300_000);

let jobsStarted = 0;

/**
 * Runs one job (a batch of files in one process, or a file alone); prints its report as one
 * block when it ends (jobs run side by side).
 */
function runJob({ files: jobFiles }) {
  const tap = join(tapDir, `${jobsStarted++}.tap`);
  const batch = jobFiles.length > 1;
  const name = batch
    ? `${jobFiles.length} files: ${jobFiles.map((file) => relative(root, file)).join(', ')}`
    : relative(repo, jobFiles[0]);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        // The SDK's packages name no module type, and each of their files that a test imports
        // (the clients' large index files) Node 20.19+ parses once more to tell CommonJS from ESM
        // syntax: about 60 ms a process. They are CommonJS, as Node assumes without detection.
        '--no-experimental-detect-module',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        ...(batch ? [join(repo, 'scripts', 'test-batch.js')] : []),
        ...jobFiles,
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
      const seconds = (performance.now() - started) / 1000;
      let tapText = '';
      try {
        tapText = readFileSync(tap, 'utf8');
      } catch {
        // No TAP at all: the process died before its reporter wrote anything; counted as failed below.
      }
      const counts = Object.fromEntries(
        [...tapText.matchAll(/^# (pass|fail|cancelled|skipped|todo) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
      );
      for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
      const failed = code !== 0 || (counts.fail ?? 0) > 0 || (counts.cancelled ?? 0) > 0;
      // A batch's files are its top-level suites: each one's outcome and time.
      const suites = new Map(
        [...tapText.matchAll(/^(not )?ok \d+ - (.+)\n {2}---\n {2}duration_ms: ([\d.]+)/gm)].map((m) => [
          m[2],
          { ok: m[1] === undefined, seconds: Number(m[3]) / 1000 },
        ]),
      );
      const failedBefore = failedFiles.length;
      for (const file of jobFiles) {
        // In a batch, a file whose suite never ended (the process died or hung) failed too.
        const suite = batch ? suites.get(relative(repo, file)) : { ok: !failed, seconds };
        if (!suite?.ok) failedFiles.push(relative(repo, file));
        if (suite) durations[relative(root, file)] = Math.round(suite.seconds * 10) / 10;
      }
      // Every suite passed, yet the process failed (an error after the last test): the batch did.
      if (failed && failedFiles.length === failedBefore) failedFiles.push(name);
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
      process.stdout.write(`\n▶ ${name} (${seconds.toFixed(1)} s)${status}\n${report}`);
      if (failed) failureReports.push(`\n▶ ${name}${status}\n${failureSection(report)}`);
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

/** Runs `queue` (jobs) with `lanes` processes at a time. */
async function runAll(queue, lanes) {
  let next = 0;
  const lane = async () => {
    while (next < queue.length && !interrupted) await runJob(queue[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));
}

await runAll(parallel, lanes);
await runAll(
  serial.map((file) => ({ files: [file] })),
  1,
);
rmSync(scratch, { recursive: true, force: true });
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
