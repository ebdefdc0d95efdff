// The test helpers themselves: real redis-server processes, stopped at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { startRedisServer, startReplicatedRedis } from '../helpers/redis.js';
import { respCommand } from '../../src/local/resp.js';
import { portIsFree } from '../helpers/ports.js';

test('startRedisServer: answers, keeps the password out of argv, stop() frees everything', async (t) => {
  const redis = await startRedisServer({ password: 's3cret-token-123456', args: ['--maxmemory', '10mb'] });
  t.after(() => redis.stop());
  await assert.rejects(respCommand({ host: redis.host, port: redis.port }, 'GET', 'x'), /NOAUTH/);
  assert.equal(
    await respCommand({ host: redis.host, port: redis.port, password: 's3cret-token-123456' }, 'PING'),
    'PONG',
  );
  const cmdline = readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8');
  assert.ok(!cmdline.includes('s3cret'), 'password is not in argv');
  const config = `${redis.dir}/redis.conf`;
  assert.ok(readFileSync(config, 'utf8').includes('requirepass'));
  assert.equal(statSync(config).mode & 0o777, 0o600);
  const maxmemory = await respCommand(
    { host: redis.host, port: redis.port, password: 's3cret-token-123456' },
    'CONFIG',
    'GET',
    'maxmemory',
  );
  assert.deepEqual(maxmemory, ['maxmemory', String(10 * 1024 * 1024)]);
  await redis.stop();
  assert.ok(!existsSync(`/proc/${redis.pid}`), 'process is gone');
  assert.ok(await portIsFree(redis.port));
  assert.ok(!existsSync(config), 'temp dir removed');
});

test('startReplicatedRedis: replicas receive the primary writes', async (t) => {
  const group = await startReplicatedRedis(2);
  t.after(() => group.stop());
  await respCommand({ host: '127.0.0.1', port: group.primary.port }, 'SET', 'k', 'v');
  for (const replica of group.replicas) {
    let value: unknown = null;
    for (let i = 0; i < 100 && value !== 'v'; i++) {
      value = await respCommand({ host: '127.0.0.1', port: replica.port }, 'GET', 'k');
      if (value !== 'v') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(value, 'v');
  }
  await group.stop();
  for (const node of [group.primary, ...group.replicas]) assert.ok(await portIsFree(node.port));
});
