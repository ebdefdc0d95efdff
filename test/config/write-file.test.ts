import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../../src/config/write-file.js';

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'write-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a new file is 0644 whatever the umask, a secret one 0600', (t) => {
  const dir = folder(t);
  const previous = process.umask(0o077);
  try {
    assert.equal(writeFileAtomic(join(dir, 'a.env'), 'A=1\n').created, true);
    writeFileAtomic(join(dir, 'b.env'), 'TOKEN=x\n', { secret: true });
  } finally {
    process.umask(previous);
  }
  assert.equal(modeOf(join(dir, 'a.env')), 0o644);
  assert.equal(modeOf(join(dir, 'b.env')), 0o600);
  assert.equal(readFileSync(join(dir, 'a.env'), 'utf8'), 'A=1\n');
  assert.deepEqual(readdirSync(dir).sort(), ['a.env', 'b.env'], 'no temporary file is left');
});

test('an existing file keeps its mode; a secret tightens an open one and says so', (t) => {
  const dir = folder(t);
  const file = join(dir, 'web.config');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  const kept = writeFileAtomic(file, 'new');
  assert.equal(kept.created, false);
  assert.equal(kept.tightenedFrom, undefined);
  assert.equal(modeOf(file), 0o640);
  const tightened = writeFileAtomic(file, 'secret', { secret: true });
  assert.equal(tightened.tightenedFrom, 0o640);
  assert.equal(modeOf(file), 0o600);
  assert.equal(
    writeFileAtomic(file, 'secret 2', { secret: true }).tightenedFrom,
    undefined,
    'already 0600: nothing to report',
  );
});

test('--backup keeps the previous content as FILE.bak with its mode', (t) => {
  const dir = folder(t);
  const file = join(dir, '.env');
  writeFileSync(file, 'first\n');
  chmodSync(file, 0o600);
  const result = writeFileAtomic(file, 'second\n', { backup: true });
  assert.equal(result.backupPath, `${file}.bak`);
  assert.equal(readFileSync(`${file}.bak`, 'utf8'), 'first\n');
  assert.equal(modeOf(`${file}.bak`), 0o600);
  writeFileAtomic(file, 'third\n', { backup: true });
  assert.equal(
    readFileSync(`${file}.bak`, 'utf8'),
    'second\n',
    'the backup is replaced by the newest previous version',
  );
  assert.equal(readFileSync(file, 'utf8'), 'third\n');
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env.bak']);
});

test('a failure between writing and renaming leaves the original intact and no temporary file', (t) => {
  const dir = folder(t);
  const file = join(dir, 'appsettings.json');
  writeFileSync(file, '{"original": true}\n');
  let tempSeen: string | undefined;
  assert.throws(
    () =>
      writeFileAtomic(file, '{"new": true}\n', {
        beforeRename: (temp) => {
          tempSeen = temp;
          assert.equal(
            readFileSync(temp, 'utf8'),
            '{"new": true}\n',
            'the temporary file is complete before the rename',
          );
          throw new Error('disk on fire');
        },
      }),
    /disk on fire/,
  );
  assert.ok(tempSeen?.startsWith(join(dir, '.appsettings.json.')), 'the temporary file is in the same folder');
  assert.equal(readFileSync(file, 'utf8'), '{"original": true}\n');
  assert.deepEqual(readdirSync(dir), ['appsettings.json']);
});

test('a missing folder fails cleanly', (t) => {
  const dir = folder(t);
  assert.throws(() => writeFileAtomic(join(dir, 'nope', 'x.env'), 'A=1'), /ENOENT/);
});

test('a symlinked config is updated through the link, which stays a link', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'real.env'), 'A=1\n');
  symlinkSync('real.env', join(dir, 'link.env'));
  writeFileAtomic(join(dir, 'link.env'), 'A=2\n');
  assert.ok(lstatSync(join(dir, 'link.env')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'real.env'), 'utf8'), 'A=2\n');
});

test('killing the writer at random moments leaves the old file or the new one, never a torn one', async (t) => {
  const dir = folder(t);
  const file = join(dir, 'big.config');
  const size = 2 * 1024 * 1024;
  const versions = ['a', 'b', 'c'].map((c) => c.repeat(size));
  writeFileSync(file, versions[0]!);
  const writer = new URL('../../src/config/write-file.js', import.meta.url).href;
  // The child rewrites the file in a loop, alternating contents, until it is killed.
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(writer)});
    const versions = ['a', 'b', 'c'].map((c) => c.repeat(${size}));
    process.stdout.write('ready\\n');
    for (let i = 1; ; i++) writeFileAtomic(${JSON.stringify(file)}, versions[i % 3]);`;
  let kills = 0;
  for (let round = 0; round < 12; round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await sleep(5 + Math.floor(Math.random() * 60));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    kills++;
    const content = readFileSync(file, 'latin1');
    assert.equal(content.length, size, `round ${round}: the file has ${content.length} bytes`);
    assert.ok(versions.includes(content), `round ${round}: the file is one complete version`);
  }
  assert.equal(kills, 12);
  // A kill can leave a temporary file behind (nothing runs after SIGKILL), never a torn target.
  const names = readdirSync(dir);
  for (const name of names) assert.ok(name === 'big.config' || /^\.big\.config\.[0-9a-f]{12}\.tmp$/.test(name), name);
  // Leftover temporary files prove kills landed mid-write, the case this test is about.
  const midWrite = names.length - 1;
  t.diagnostic(`${midWrite} of ${kills} kills landed while a temporary file was being written`);
  assert.ok(midWrite >= 1, 'no kill landed mid-write');
});
