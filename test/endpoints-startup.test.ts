/**
 * `endpoints` is what CI calls on every run: it must not load what it does not use. The
 * child's ESM resolutions are recorded by a module hook; ioredis, inquirer, ora and the
 * EC2 client (most of a second to load) must not be among them, nor the XML parser for
 * a non-XML format.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from './helpers/cli.js';

/**
 * The shipped CLI is a bundle (dist/bundle): a loaded chunk stands for the npm packages
 * compiled into it, which its source map lists. Returns the node_modules paths a URL
 * brings in (the URL itself when it is a plain node_modules file).
 */
function modulesIn(url: string): string[] {
  if (!url.startsWith('file:') || !/\/dist\/bundle\/[^/]+\.js$/.test(url))
    return url.includes('/node_modules/') ? [url] : [];
  const map = JSON.parse(readFileSync(fileURLToPath(url) + '.map', 'utf8')) as { sources: string[] };
  return map.sources.filter((source) => source.includes('/node_modules/'));
}

/**
 * Appends the URL of every ESM resolution to a file, synchronously: the line is written before
 * the module loads, so even a run as quick as `--help` cannot exit first. (A write to stderr
 * from the off-thread hooks of module.register reaches it asynchronously, after the exit of a
 * quick process.) In-thread hooks (module.registerHooks, Node 22.15+) where they exist; Node 20
 * has only module.register.
 */
const HOOK_SOURCE = `import module from 'node:module';
import { appendFileSync } from 'node:fs';
const traceFile = process.env.ECK_TRACE_FILE;
if (module.registerHooks) {
  module.registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); appendFileSync(traceFile, r.url + '\\n'); return r; } });
} else {
  module.register('data:text/javascript,' + encodeURIComponent(
    'import { appendFileSync } from "node:fs"; export async function resolve(s, c, n) { const r = await n(s, c); appendFileSync(' +
      JSON.stringify(traceFile) + ', r.url + "\\\\n"); return r; }'));
}
`;
const hookDir = mkdtempSync(join(tmpdir(), 'eck-hook-'));
const HOOK = join(hookDir, 'trace-resolve.mjs');
writeFileSync(HOOK, HOOK_SOURCE);
after(() => rmSync(hookDir, { recursive: true, force: true }));
let traces = 0;

/** The npm modules a run of the CLI loads (see modulesIn), the bundle files, and its exit code. */
async function loadedBy(args: string[]): Promise<{ loaded: string[]; bundleFiles: string[]; code: number | null }> {
  const traceFile = join(hookDir, `trace-${++traces}.txt`);
  writeFileSync(traceFile, '');
  const child = spawn(process.execPath, ['--import', HOOK, CLI_PATH, ...args], {
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
  const urls = [...new Set(readFileSync(traceFile, 'utf8').split('\n').filter(Boolean))];
  return {
    loaded: urls.flatMap(modulesIn),
    bundleFiles: urls.filter((url) => /\/dist\/bundle\/[^/]+\.js$/.test(url)).map((url) => url.split('/').pop()!),
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
  // cli.js, the chunk the light commands share, its own, and the one-line facades (re-exports) of
  // the two modules heavier commands import too; 46 files before scripts/regroup-chunks.js.
  assert.ok(bundleFiles.length <= 5, `${bundleFiles.length} bundle files: ${bundleFiles.join(' ')}`);
  assert.ok(
    loaded.some((url) => url.includes('@aws-sdk/client-elasticache')),
    'the hook sees the SDK being loaded',
  );
  for (const heavy of ['@aws-sdk/client-ec2', 'ioredis', '@inquirer', '/ora/', 'fast-xml-parser']) {
    assert.ok(!loaded.some((url) => url.includes(heavy)), `${heavy} was loaded`);
  }
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
