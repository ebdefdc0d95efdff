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
// A few test processes run side by side (lanes: `node scripts/test-lane.js` with the spec
// and TAP reporters), and each runs file after file, taken from one queue, longest first,
// as it finishes the last (each file in a suite named after it). Not `node --test
// <files…>`: Node 20's runner sorts the files by name, so a long file that sorts last starts
// last and the suite waits for it alone. Why not a process per file (see `parallel`):
// starting Node and loading the test runner, the SDK and the project's modules again for
// each file cost a third of the suite's CPU.
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

// Two and a half test processes per core: a file mostly waits on redis-server, the
// emulator's clock or a child process, so one per core left the CPU idle much of the time.
// On 2 cores, back to back: 4 lanes 107 s, 5 lanes 100 s, both with the CPU busy ~90% of
// the run (3 lanes had been 177 s against 149 s with 4). More lanes only add contention.
const lanes = wholeNumberFromEnv('TEST_CONCURRENCY', Math.ceil(2.5 * availableParallelism()));

/**
 * The files that run side by side, longest expected first. Each lane is one test process
 * that takes the next file from the front of this queue whenever it has finished one, until
 * none is left. Why one process for many files: the suite is CPU-bound on 2 cores, and a
 * process costs ~0.5 s of CPU before its first test (Node, the test runner, the SDK, the
 * emulator's modules) and more to tear down. Side by side (/usr/bin/time over a whole run):
 * a process per file, 340 s of CPU and 179 s; ten fixed batches of equal expected time,
 * 242 s and 131 s. Why a queue rather than fixed batches: files are slower when a heavy
 * neighbour runs, so batches that should have taken as long as each other ended up to a
 * fifth apart, and the last ones ran on an idle core.
 */
const expected = new Map(files.map((file) => [file, expectedSeconds(file, durations)]));
const parallel = files
  .filter((file) => !serial.includes(file))
  .sort((a, b) => expected.get(b) - expected.get(a) || a.localeCompare(b));

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
// NODE_EXTRA_CA_CERTS: Node 20 reads those certificates (and builds its root store) as it
// starts, before any code runs, where Node 22+ waits for the first TLS connection. A machine
// that points it at the system's CA bundle (this one does, for its proxy: 144 certificates)
// makes each of the suite's 250-odd Node processes 40 ms of CPU slower to start, 100 ms in
// all instead of 60. Nothing a test process talks to is checked against them: loopback
// servers, trusted through the emulator's CA given explicitly. npm, in package.test, gets
// them back (ECK_TEST_NODE_EXTRA_CA_CERTS), in case it goes to the registry.
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...inherited } = process.env;
const childEnv = {
  ...inherited,
  ...(extraCaCerts !== undefined ? { ECK_TEST_NODE_EXTRA_CA_CERTS: extraCaCerts } : {}),
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

/** The longest a file may run: the slowest takes ~35 s on 2 busy cores. */
const FILE_TIMEOUT_MS = wholeNumberFromEnv('TEST_FILE_TIMEOUT_MS', 300_000);

let processesStarted = 0;

/**
 * Runs files from the front of `queue`, one after another, in test processes
 * (scripts/test-lane.js) until the queue is empty: a process that dies, or is killed for a
 * hung file, fails the file it was running, and a new one takes the rest of the queue.
 */
async function runLane(queue) {
  while (queue.length > 0 && !interrupted) await runLaneProcess(queue);
}

/**
 * One test process of a lane. It asks for a file over IPC when it is ready and whenever it
 * has finished one; the file's report (the spec reporter's block, whose first line at the
 * left margin after the file's own result line begins the next) is printed whole, under its
 * name and time, as soon as it is complete.
 */
function runLaneProcess(queue) {
  const tap = join(tapDir, `${processesStarted++}.tap`);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        // The SDK's packages name no module type, and each of their files that a test imports
        // (the clients' large index files) Node 20.19+ parses once more to tell CommonJS from ESM
        // syntax: about 60 ms a process. They are CommonJS, as Node assumes without detection.
        '--no-experimental-detect-module',
        // node:test without its async_hooks destroy hook (see the file).
        '--require',
        join(repo, 'scripts', 'lane-async-hooks.cjs'),
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        join(repo, 'scripts', 'test-lane.js'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: childEnv },
    );
    /** The spec report not printed yet. */
    let output = '';
    /** The file being run: { file, name, started }. */
    let current;
    /** Files finished whose report is not complete yet: { file, name, seconds }. */
    const finished = [];
    /** The names of every file this process finished. */
    const ran = [];
    let timer;
    let hung;
    const printBlock = (entry, block) => {
      const ok = !new RegExp(`^✖ ${escapeRegExp(entry.name)} \\(`, 'm').test(block);
      const status = ok ? '' : ' ✖ FAILED';
      // The header replaces the spec reporter's own first line, the same name without the time.
      const body = block.replace(new RegExp(`^▶ ${escapeRegExp(entry.name)}\n`, 'm'), '');
      process.stdout.write(`\n▶ ${entry.name} (${entry.seconds.toFixed(1)} s)${status}\n${body}`);
      if (!ok) failureReports.push(`\n▶ ${entry.name}${status}\n${body}`);
    };
    /** Prints each finished file's report once the next one has begun (or the process ended). */
    const printFinished = (ended) => {
      while (finished.length > 0) {
        const entry = finished[0];
        const result = new RegExp(`^[✔✖﹣] ${escapeRegExp(entry.name)} \\(.*\n`, 'm').exec(output);
        let end;
        if (result) {
          const next = /^\S/m.exec(output.slice(result.index + result[0].length));
          if (next) end = result.index + result[0].length + next.index;
        }
        if (end === undefined && !ended) return;
        // At the end, what follows the last file is the process's own summary (ℹ tests …, its
        // failing tests): left out, as the run prints one summary of all the processes at its end.
        end ??= finished.length === 1 ? summaryStart(output) : output.length;
        printBlock(finished.shift(), output.slice(0, end));
        output = output.slice(end);
      }
    };
    const sendNext = () => {
      clearTimeout(timer);
      const file = interrupted ? undefined : queue.shift();
      if (file === undefined) {
        current = undefined;
        // Told so, the process closes its channel, ends its run and exits. (Not disconnect() from
        // here: the child process object would then never emit 'close'.)
        if (child.connected) child.send({ done: true });
        return;
      }
      current = { file, name: relative(repo, file), started: performance.now() };
      child.send({ file });
      // A file that hangs (a promise nothing settles) fails here rather than holding CI to its
      // own limit; its servers go with it (nodes die with their parent, setpriv --pdeathsig).
      timer = setTimeout(() => {
        hung = current;
        child.kill('SIGKILL');
      }, FILE_TIMEOUT_MS);
    };
    child.on('message', (message) => {
      if (message.finished !== undefined && current?.file === message.finished) {
        const seconds = (performance.now() - current.started) / 1000;
        finished.push({ ...current, seconds });
        ran.push(current.name);
        durations[relative(root, current.file)] = Math.round(seconds * 10) / 10;
      }
      sendNext();
    });
    const onOutput = (chunk) => {
      output += chunk;
      printFinished(false);
    };
    child.stdout.setEncoding('utf8').on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', onOutput);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let tapText = '';
      try {
        tapText = readFileSync(tap, 'utf8');
      } catch {
        // No TAP at all: the process died before its reporter wrote anything.
      }
      for (const [key, count] of Object.entries(tapCounts(tapText))) totals[key] += count;
      // Each file is a top-level suite: its outcome.
      const suites = new Map([...tapText.matchAll(/^(not )?ok \d+ - (.+)$/gm)].map((m) => [m[2], m[1] === undefined]));
      const failedBefore = failedFiles.length;
      for (const name of ran) if (suites.get(name) === false) failedFiles.push(name);
      printFinished(true);
      if (current !== undefined) {
        // The file it was running never finished: the process died, or was killed as hung.
        const status =
          hung === current
            ? ` ✖ FAILED (killed after ${FILE_TIMEOUT_MS / 1000} s: it hung)`
            : ` ✖ FAILED (the process ended: exit ${signal ?? code})`;
        const seconds = (performance.now() - current.started) / 1000;
        process.stdout.write(`\n▶ ${current.name} (${seconds.toFixed(1)} s)${status}\n${output}`);
        failureReports.push(`\n▶ ${current.name}${status}\n${output.split('\n').slice(-40).join('\n')}\n`);
        failedFiles.push(current.name);
      } else if (code !== 0 && failedFiles.length === failedBefore && !interrupted) {
        // Every file passed, yet the process failed (an error after the last test).
        const names = ran.join(', ');
        process.stdout.write(`\n✖ a test process failed after its files (exit ${signal ?? code}): ${names}\n${output}`);
        failedFiles.push(`the process that ran ${names}`);
      }
      resolve();
    });
  });
}

/**
 * The pass/fail/… counts of a TAP report: its closing summary, or, from a process that was
 * killed before writing one, its tests' own lines (suites not counted, as in the summary).
 */
function tapCounts(tapText) {
  const summary = [...tapText.matchAll(/^# (pass|fail|cancelled|skipped|todo) (\d+)$/gm)];
  if (summary.length > 0) return Object.fromEntries(summary.map((m) => [m[1], Number(m[2])]));
  const counts = { pass: 0, fail: 0, skipped: 0, todo: 0 };
  for (const m of tapText.matchAll(
    /^( *)(not )?ok \d+ - .*?( # (SKIP|TODO))?\n\1 {2}---\n([\s\S]*?)\n\1 {2}\.\.\./gm,
  )) {
    if (m[5].includes("type: 'suite'")) continue;
    counts[m[4] === 'SKIP' ? 'skipped' : m[4] === 'TODO' ? 'todo' : m[2] ? 'fail' : 'pass']++;
  }
  return counts;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where the test runner's summary (ℹ tests … and its list of failing tests) begins in a report. */
function summaryStart(report) {
  const match = /^ℹ tests \d+$/m.exec(report);
  return match ? match.index : report.length;
}

/**
 * CPU seconds of this process and of every process it waited for, theirs included (the lanes,
 * the servers and CLI runs they started; not daemons that outlived them), from Linux's
 * /proc/self/stat; undefined elsewhere. Printed beside the wall time: on a shared machine the
 * same suite takes more or less time with the host's load, and CPU close to wall time × cores
 * says the run was bound by the CPU, not by waits.
 */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name, from the state (field 3): utime, stime, cutime, cstime are 14-17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields.slice(14 - 3, 18 - 3).reduce((sum, field) => sum + Number(field), 0);
    // Clock ticks: USER_HZ, which Linux fixes at 100 for user space.
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `queue` (files) in `count` lanes side by side. */
async function runAll(queue, count) {
  await Promise.all(Array.from({ length: Math.min(count, queue.length) }, () => runLane(queue)));
}

await runAll(parallel, lanes);
await runAll(serial, 1);
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
const cpu = cpuSeconds();
const cpuText = cpu === undefined ? '' : `, ${cpu.toFixed(0)} s of CPU on ${availableParallelism()} cores`;
console.log(
  `\n${totals.pass} passed, ${totals.fail} failed${extra.join('')} (${files.length} files, ${wall} s${cpuText})`,
);
if (failedFiles.length > 0) console.log(`failed: ${failedFiles.join(', ')}`);
if (interrupted) console.log('interrupted: files not started were skipped');
process.exit(failedFiles.length > 0 || interrupted ? 1 : 0);
