/** Ctrl-C in the middle of a run: exit 130, and every bench key is gone anyway. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { CLI_PATH } from '../helpers/cli.js';
import { startRedisServer } from '../helpers/redis.js';

test('SIGINT mid-run removes the bench keys and exits 130', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'bench', '--primary', `127.0.0.1:${redis.port}`, '--test-time', '30', '--warmup', '0', '--clients', '4', '--key-maximum', '3000'],
    { env: { ...process.env, NO_COLOR: '1' } },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  const measuring = new Promise<void>((resolve) =>
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('bench measure')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await Promise.race([measuring, exited]);
  const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  t.after(() => client.disconnect());
  await client.connect();
  await sleep(300);
  assert.ok((await client.dbsize()) >= 3000, 'the keyspace was prefilled');
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.equal(await client.dbsize(), 0, 'no bench key left after Ctrl-C');
});
