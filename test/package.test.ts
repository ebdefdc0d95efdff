/** The published shape works: `npm pack`, install the tarball into an empty folder, run it through npx. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/**
 * Where to install: the install writes ~100 packages (~70 MB) and most of its time is the
 * disk's. A memory file system (Linux's /dev/shm) when it has room to spare (a container's
 * default is 64 MB), the temp folder otherwise. Where it lands changes nothing the test proves.
 */
function scratchRoot(): string {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS, Windows)
  }
  return tmpdir();
}

test('the packed tarball installs offline-friendly and runs via npx', { timeout: 180_000 }, async (t) => {
  const work = await mkdtemp(join(scratchRoot(), 'eck-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

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
});
