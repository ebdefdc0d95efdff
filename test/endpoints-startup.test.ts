/**
 * `endpoints` is what CI calls on every run: it must not load what it does not use. The
 * files the child loads are recorded as it exits; ioredis, inquirer, ora and the EC2 client
 * (most of a second to load) must not be among them, nor the XML parser for a non-XML format.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from './helpers/cli.js';

const BUNDLE_FILE = /\/dist\/bundle\/[^/]+\.js$/;

/**
 * The shipped CLI is a bundle (dist/bundle): a loaded chunk stands for the npm packages
 * compiled into it, which its source map lists. Returns the node_modules paths a loaded
 * file brings in (the file itself when it is a plain node_modules file).
 */
function modulesIn(file: string): string[] {
  if (!BUNDLE_FILE.test(file)) return file.includes('/node_modules/') ? [file] : [];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.filter((source) => source.includes('/node_modules/'));
}

/** The names of the bundle's files among the paths a trace recorded. */
function bundleFilesIn(paths: string[]): string[] {
  return paths.filter((path) => BUNDLE_FILE.test(path)).map((path) => path.split('/').pop()!);
}

/**
 * Writes the path of every module the process loaded (the bundle is CommonJS, so require's
 * cache holds them all) when it exits, `--help`'s quick exit included.
 */
const HOOK_SOURCE = `process.on('exit', () =>
  require('node:fs').writeFileSync(process.env.ECK_TRACE_FILE, Object.keys(require.cache).join('\\n')));
`;
const hookDir = mkdtempSync(join(tmpdir(), 'eck-hook-'));
const HOOK = join(hookDir, 'trace-loads.cjs');
writeFileSync(HOOK, HOOK_SOURCE);
after(() => rmSync(hookDir, { recursive: true, force: true }));
let traces = 0;

/** The npm modules a run of the CLI loads (see modulesIn), the bundle files, and its exit code. */
async function loadedBy(args: string[]): Promise<{ loaded: string[]; bundleFiles: string[]; code: number | null }> {
  const traceFile = join(hookDir, `trace-${++traces}.txt`);
  writeFileSync(traceFile, '');
  const child = spawn(process.execPath, ['--require', HOOK, CLI_PATH, ...args], {
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIATEST',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      ECK_TRACE_FILE: traceFile,
    },
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const files = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
  return {
    loaded: files.flatMap(modulesIn),
    bundleFiles: bundleFilesIn(files),
    code,
  };
}

test('endpoints loads the ElastiCache client only: no EC2 client, ioredis, inquirer, ora or XML parser', async () => {
  // Port 9 refuses the connection: the command gets as far as the API call, then fails (exit 1).
  const { loaded, bundleFiles, code } = await loadedBy([
    '--endpoint-url',
    'http://127.0.0.1:9',
    'endpoints',
    'demo',
    '--format',
    'dotenv',
  ]);
  assert.equal(code, 1);
  // cli.js, the chunk the light commands share, and its own; 46 files before scripts/regroup-chunks.js.
  assert.ok(bundleFiles.length <= 3, `${bundleFiles.length} bundle files: ${bundleFiles.join(' ')}`);
  assert.ok(
    loaded.some((url) => url.includes('@aws-sdk/client-elasticache')),
    'the trace sees the SDK being loaded',
  );
  for (const heavy of ['@aws-sdk/client-ec2', 'ioredis', '@inquirer', '/ora/', 'fast-xml-parser']) {
    assert.ok(!loaded.some((url) => url.includes(heavy)), `${heavy} was loaded`);
  }
});

test('the commands that only read or change a group (list, wait, failover, scale, modify, bench) load no EC2 client', async () => {
  const commands = [
    ['bench', 'demo'],
    ['list'],
    ['wait', 'demo'],
    ['failover', 'demo', '--yes'],
    ['scale', 'demo', '--replicas', '2', '--yes'],
    ['modify', 'demo', '--transit-encryption-mode', 'preferred', '--yes'],
  ];
  // Port 9 refuses the connection: each gets as far as its first API call, then fails (after
  // up to a second or so before it gives up): side by side.
  const runs = await Promise.all(
    commands.map((command) => loadedBy(['--endpoint-url', 'http://127.0.0.1:9', ...command])),
  );
  runs.forEach(({ loaded, code }, index) => {
    const command = commands[index]!.join(' ');
    assert.equal(code, 1, command);
    assert.ok(
      loaded.some((url) => url.includes('@aws-sdk/client-elasticache')),
      command,
    );
    // 800 KB of bundle, a quarter of a `list` run's CPU.
    assert.ok(!loaded.some((url) => url.includes('@aws-sdk/client-ec2')), `${command} loaded the EC2 client`);
  });
});

test('endpoints --help loads nothing but commander, and from cli.js alone', async () => {
  const { loaded, bundleFiles } = await loadedBy(['endpoints', '--help']);
  // Each file costs Node about a millisecond to resolve, read and link (scripts/regroup-chunks.js).
  assert.deepEqual(bundleFiles, ['cli.js']);
  const packages = new Set(
    loaded
      .filter((url) => url.includes('/node_modules/'))
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)![1]),
  );
  assert.deepEqual([...packages], ['commander']);
});

test("bench's load and lag threads load neither cli.js nor the SDK's `common` chunk", async () => {
  // Each thread starts with its entry and what it requires at once; the hook then ends it.
  const threadHook = join(hookDir, 'trace-thread.cjs');
  writeFileSync(threadHook, `${HOOK_SOURCE}setImmediate(() => process.exit(0));\n`);
  for (const entry of ['load-worker.js', 'lag-worker.js']) {
    const traceFile = join(hookDir, `trace-${++traces}.txt`);
    writeFileSync(traceFile, '');
    const file = join(CLI_PATH, '..', '..', 'dist', 'bundle', entry);
    const starter = `new (require('node:worker_threads').Worker)(${JSON.stringify(file)}, { execArgv: ['--require', ${JSON.stringify(threadHook)}] })`;
    const child = spawn(process.execPath, ['-e', starter], {
      env: { ...process.env, ECK_TRACE_FILE: traceFile },
      stdio: 'ignore',
    });
    assert.equal(await new Promise<number | null>((resolve) => child.on('close', resolve)), 0);
    const loaded = bundleFilesIn(readFileSync(traceFile, 'utf8').split('\n'));
    assert.ok(loaded.includes(entry), `${entry} loaded: ${loaded.join(' ')}`);
    // Commander and the SDK (640 KB) are of no use to a thread: a third of its start-up CPU.
    assert.deepEqual(
      loaded.filter((name) => name === 'cli.js' || name.startsWith('common-')),
      [],
      `${entry} loaded ${loaded.join(' ')}`,
    );
  }
});
