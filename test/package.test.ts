/**
 * The published shape works: `npm pack`, install the tarball into an empty folder, run it
 * through npx. The package is bundled: it installs nothing else, and bench's worker threads
 * (their own entry points in the bundle) run from the installed copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startReplicatedRedis } from './helpers/redis.js';
import type { BenchReport } from '../src/bench/report.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

test('the packed tarball installs offline-friendly and runs via npx', { timeout: 180_000 }, async (t) => {
  // The install writes ~100 packages (~70 MB): the runner's temp folder is in memory when it can be.
  const work = await mkdtemp(join(tmpdir(), 'eck-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const env = {
    ...process.env,
    // The runner keeps the extra CAs from test processes (scripts/run-tests.js); npm may need them.
    ...(process.env.ECK_TEST_NODE_EXTRA_CA_CERTS
      ? { NODE_EXTRA_CA_CERTS: process.env.ECK_TEST_NODE_EXTRA_CA_CERTS }
      : {}),
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  };

  await run(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, env });
  const tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, 'npm pack made one tarball');

  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'eck-pack-check', version: '1.0.0', private: true }),
  );
  // As a user's `npm install`, less what this check does not look at: the audit, the funding
  // notice, the app's lockfile. (Install scripts stay on: a dependency that needs one must get it.)
  await run(
    NPM,
    ['install', join(work, tarballs[0]!), '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'],
    { cwd: app, env, timeout: 170_000 },
  );

  const help = await run(NPX, ['--no', '--', 'elasticache-kit', '--help'], { cwd: app, env });
  assert.match(help.stdout, /Usage: elasticache-kit/);
  assert.match(help.stdout, /\blocal\b/);
  // The bin npm linked (what npx ran), without npx's own start-up again: the version comes
  // from the installed package.json.
  const version = await run(process.execPath, [join(app, 'node_modules', '.bin', 'elasticache-kit'), '--version'], {
    cwd: app,
    env,
  });
  const { version: packed } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), packed);

  // Nothing but the package itself was installed; the licences of what it bundles come with it.
  const installed = (await readdir(join(app, 'node_modules'))).filter((name) => !name.startsWith('.'));
  assert.deepEqual(installed, ['elasticache-kit']);
  const notices = await readFile(
    join(app, 'node_modules', 'elasticache-kit', 'dist', 'bundle', 'THIRD-PARTY-NOTICES.txt'),
    'utf8',
  );
  assert.match(notices, /^ioredis \d+\.\d+\.\d+ \(MIT\)$/m);

  // Two load threads and the lag prober: both worker files are in the tarball and load.
  const redis = await startReplicatedRedis(1);
  t.after(() => redis.stop());
  const bench = await run(
    process.execPath,
    [
      join(app, 'node_modules', '.bin', 'elasticache-kit'),
      '--output',
      'json',
      'bench',
      '--primary',
      `127.0.0.1:${redis.primary.port}`,
      '--replica',
      `127.0.0.1:${redis.replicas[0]!.port}`,
      '--threads',
      '2',
      '--clients',
      '2',
      '--requests',
      '2000',
      '--warmup',
      '0',
      '--lag-probes',
      '20',
      '--key-maximum',
      '200',
    ],
    { cwd: app, env },
  );
  const report = JSON.parse(bench.stdout) as BenchReport;
  // With --threads 2 all the load runs in the two load-worker threads: no ops without them.
  assert.ok(
    report.nodes.every((node) => node.ops > 0),
    JSON.stringify(report.nodes.map((n) => [n.id, n.ops])),
  );
  assert.ok(report.replication[0]!.probes > 0, 'the lag worker probed the replica');
});
