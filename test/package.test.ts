/** The published shape works: `npm pack`, install the tarball into an empty folder, run it through npx. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

test('the packed tarball installs offline-friendly and runs via npx', { timeout: 180_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'eck-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

  await run(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, env });
  const tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, 'npm pack made one tarball');

  const app = join(work, 'app');
  await run('mkdir', ['-p', app]);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'eck-pack-check', version: '1.0.0', private: true }),
  );
  await run(NPM, ['install', join(work, tarballs[0]!), '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app,
    env,
    timeout: 170_000,
  });

  const help = await run(NPX, ['--no', '--', 'elasticache-kit', '--help'], { cwd: app, env });
  assert.match(help.stdout, /Usage: elasticache-kit/);
  assert.match(help.stdout, /\blocal\b/);
  const version = await run(NPX, ['--no', '--', 'elasticache-kit', '--version'], { cwd: app, env });
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
});
