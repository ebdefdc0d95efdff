/**
 * Serverless caches with RBAC users and an ECPU limit, through the real SDK and real
 * TLS connections: the user group's users are enforced on both endpoints (AUTH user pass,
 * a wrong password refused, `default` per its access string), passwords never reach
 * state.json; ECPUPerSecond.Maximum throttles a burst on the endpoint, in order, without
 * forwarding the throttled requests, and nothing is throttled without a maximum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateServerlessCacheCommand,
  CreateUserCommand,
  CreateUserGroupCommand,
  DeleteServerlessCacheCommand,
  DeleteUserCommand,
  DeleteUserGroupCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ModifyServerlessCacheCommand,
  ModifyUserCommand,
  ModifyUserGroupCommand,
} from '@aws-sdk/client-elasticache';
import { Redis, type RedisOptions } from 'ioredis';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { waitForServerlessCache } from '../helpers/serverless.js';
import { caCertPath } from '../../src/local/tls-material.js';
import { THROTTLED_ERROR } from '../../src/local/serverless-endpoint.js';

const APP_PASSWORD = 'app-password-0123456789';
const NEW_PASSWORD = 'rotated-password-987654321';

function connect(
  t: { after(fn: () => void): void },
  emulator: TestEmulator,
  endpoint: { Address?: string; Port?: number },
  options: RedisOptions = {},
): Redis {
  const client = new Redis({
    host: endpoint.Address!,
    port: endpoint.Port!,
    tls: { ca: readFileSync(caCertPath(emulator.stateDir)) },
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  client.on('error', () => undefined);
  t.after(() => client.disconnect());
  return client;
}

/** AUTH on a fresh connection as the `default` user: what the server answers. */
async function auth(
  t: { after(fn: () => void): void },
  emulator: TestEmulator,
  endpoint: { Address?: string; Port?: number },
  username: string,
  password: string,
): Promise<unknown> {
  const client = connect(t, emulator, endpoint, { enableReadyCheck: false });
  await client.connect();
  try {
    return await client.call('AUTH', username, password);
  } finally {
    client.disconnect();
  }
}

const codeOf = (name: string) => (error: unknown) => (error as Error).name === name;

test('serverless cache with a user group: users enforced on every endpoint, passwords kept as hashes', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;

  const user = await client.send(
    new CreateUserCommand({
      UserId: 'app-user',
      UserName: 'app',
      Engine: 'redis',
      Passwords: [APP_PASSWORD],
      AccessString: 'on ~app:* +@all',
    }),
  );
  assert.equal(user.Status, 'active');
  assert.deepEqual(user.Authentication, { Type: 'password', PasswordCount: 1 });
  await client.send(
    new CreateUserCommand({
      UserId: 'public-default',
      UserName: 'default',
      Engine: 'redis',
      NoPasswordRequired: true,
      AccessString: 'on ~public:* -@all +get +ping +cluster +info +readonly',
    }),
  );
  // The service's errors.
  await assert.rejects(
    client.send(
      new CreateUserCommand({
        UserId: 'app-user',
        UserName: 'x',
        Engine: 'redis',
        NoPasswordRequired: true,
        AccessString: 'on',
      }),
    ),
    codeOf('UserAlreadyExistsFault'),
  );
  await assert.rejects(
    client.send(
      new CreateUserCommand({
        UserId: 'other',
        UserName: 'app',
        Engine: 'redis',
        NoPasswordRequired: true,
        AccessString: 'on',
      }),
    ),
    codeOf('DuplicateUserNameFault'),
  );
  await assert.rejects(
    client.send(new CreateUserGroupCommand({ UserGroupId: 'no-default', Engine: 'redis', UserIds: ['app-user'] })),
    codeOf('DefaultUserRequired'),
  );
  await assert.rejects(
    client.send(new CreateUserGroupCommand({ UserGroupId: 'ghost', Engine: 'redis', UserIds: ['default', 'nobody'] })),
    codeOf('UserNotFoundFault'),
  );
  await assert.rejects(
    client.send(
      new CreateUserGroupCommand({
        UserGroupId: 'two-defaults',
        Engine: 'redis',
        UserIds: ['default', 'public-default'],
      }),
    ),
    codeOf('DuplicateUserNameFault'),
  );
  await assert.rejects(
    client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'x', Engine: 'redis', UserGroupId: 'nope' })),
    codeOf('UserGroupNotFoundFault'),
  );

  const group = await client.send(
    new CreateUserGroupCommand({ UserGroupId: 'app-group', Engine: 'redis', UserIds: ['public-default', 'app-user'] }),
  );
  assert.equal(group.Status, 'active');
  assert.deepEqual(group.UserIds, ['public-default', 'app-user']);

  await client.send(
    new CreateServerlessCacheCommand({ ServerlessCacheName: 'secure', Engine: 'redis', UserGroupId: 'app-group' }),
  );
  // A user changed while the cache is still creating: the cache comes up with the change.
  await client.send(new ModifyUserCommand({ UserId: 'app-user', AppendAccessString: '~shared:*' }));
  const cache = await waitForServerlessCache(client, 'secure', 'available');
  assert.equal(cache.UserGroupId, 'app-group');
  const groups = await client.send(new DescribeUserGroupsCommand({ UserGroupId: 'app-group' }));
  assert.deepEqual(groups.UserGroups![0]!.ServerlessCaches, ['secure']);
  const users = await client.send(new DescribeUsersCommand({}));
  assert.deepEqual(
    users.Users!.map((u) => [u.UserId, u.UserName, u.UserGroupIds]),
    [
      ['default', 'default', []],
      ['app-user', 'app', ['app-group']],
      ['public-default', 'default', ['app-group']],
    ],
  );

  // AUTH as the user works, on the Endpoint and on the ReaderEndpoint.
  const app = connect(t, emulator, cache.Endpoint!, { username: 'app', password: APP_PASSWORD });
  await app.connect();
  assert.equal(await app.set('app:1', 'one'), 'OK');
  assert.equal(await app.set('shared:1', 'one'), 'OK', 'the access string appended while creating applies');
  await assert.rejects(app.set('other:1', 'x'), /NOPERM/, 'keys outside ~app:* ~shared:* are denied');
  const appReader = connect(t, emulator, cache.ReaderEndpoint!, { username: 'app', password: APP_PASSWORD });
  await appReader.connect();
  assert.equal(await appReader.call('READONLY'), 'OK');
  assert.match(String(await appReader.info('replication')), /role:slave/);

  // A wrong password is refused.
  await assert.rejects(auth(t, emulator, cache.Endpoint!, 'app', 'not-the-password-123'), /WRONGPASS/);
  assert.equal(await auth(t, emulator, cache.ReaderEndpoint!, 'app', APP_PASSWORD), 'OK');

  // The `default` user (no AUTH) gets what its access string allows.
  const anonymous = connect(t, emulator, cache.Endpoint!);
  await anonymous.connect();
  assert.equal(await anonymous.get('public:greeting'), null);
  await assert.rejects(anonymous.set('public:greeting', 'hi'), /NOPERM/);
  await assert.rejects(anonymous.get('app:1'), /NOPERM/);

  // Passwords are never in state.json (only SHA-256), which is 0600.
  const statePath = join(emulator.stateDir, 'state.json');
  const stateText = readFileSync(statePath, 'utf8');
  assert.ok(!stateText.includes(APP_PASSWORD), 'the password is not in state.json');
  assert.equal(statSync(statePath).mode & 0o777, 0o600);

  // In use: the group cannot be deleted.
  await assert.rejects(
    client.send(new DeleteUserGroupCommand({ UserGroupId: 'app-group' })),
    codeOf('InvalidUserGroupStateFault'),
  );
  await assert.rejects(
    client.send(new DeleteUserCommand({ UserId: 'public-default' })),
    codeOf('DefaultUserAssociatedToUserGroupFault'),
  );

  // A rotated password reaches the nodes: the old one is refused, the new one works.
  await client.send(new ModifyUserCommand({ UserId: 'app-user', Passwords: [NEW_PASSWORD] }));
  await waitForServerlessCache(client, 'secure', 'available');
  await assert.rejects(auth(t, emulator, cache.Endpoint!, 'app', APP_PASSWORD), /WRONGPASS/);
  const rotated = connect(t, emulator, cache.ReaderEndpoint!, { username: 'app', password: NEW_PASSWORD });
  await rotated.connect();
  assert.equal(await rotated.ping(), 'PONG', 'the replica has the new password too');

  // Removing the user from the group removes it from the nodes.
  await assert.rejects(
    client.send(new ModifyUserGroupCommand({ UserGroupId: 'app-group', UserIdsToRemove: ['public-default'] })),
    codeOf('DefaultUserRequired'),
  );
  await client.send(new ModifyUserGroupCommand({ UserGroupId: 'app-group', UserIdsToRemove: ['app-user'] }));
  await waitForServerlessCache(client, 'secure', 'available');
  await assert.rejects(auth(t, emulator, cache.Endpoint!, 'app', NEW_PASSWORD), /WRONGPASS/);

  // RemoveUserGroup: the open default user again.
  await client.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: 'secure', RemoveUserGroup: true }));
  const open = await waitForServerlessCache(client, 'secure', 'available');
  assert.equal(open.UserGroupId, undefined);
  const anyone = connect(t, emulator, cache.Endpoint!);
  await anyone.connect();
  assert.equal(await anyone.set('other:1', 'x'), 'OK');

  await client.send(new DeleteServerlessCacheCommand({ ServerlessCacheName: 'secure' }));
  await waitForServerlessCache(client, 'secure', 'gone');
  await client.send(new DeleteUserGroupCommand({ UserGroupId: 'app-group' }));
});

test('ECPUPerSecond.Maximum: a burst is throttled in order, the rest succeed; no maximum, no throttling', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  await client.send(
    new CreateServerlessCacheCommand({
      ServerlessCacheName: 'limited',
      Engine: 'valkey',
      CacheUsageLimits: { ECPUPerSecond: { Maximum: 1000 } },
    }),
  );
  const cache = await waitForServerlessCache(client, 'limited', 'available');
  const redis = connect(t, emulator, cache.Endpoint!);
  await redis.connect();

  const burst = async (count: number, prefix: string) => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < count; i++) pipeline.set(`${prefix}:${i}`, String(i));
    const results = (await pipeline.exec())!;
    const throttled = results.filter(([error]) => error?.message === THROTTLED_ERROR).length;
    const ok = results.filter(([error, value]) => error === null && value === 'OK').length;
    assert.equal(ok + throttled, count, 'every reply is OK or the throttling error');
    return { ok, throttled, results };
  };

  const first = await burst(3000, 'a');
  assert.ok(first.throttled > 0, `a 3000-command burst over 1000 ECPU/s is throttled (${first.throttled})`);
  assert.ok(first.ok >= 1000, `a second's worth gets through (${first.ok})`);
  assert.ok(first.ok < 3000);

  // Throttled requests never reached the node: its keys are exactly the admitted ones.
  const waitAdmitted = async <T>(command: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await command();
      } catch (error) {
        if ((error as Error).message !== THROTTLED_ERROR) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  assert.equal(await waitAdmitted(() => redis.dbsize()), first.ok);
  for (const [index, [error]] of first.results.entries()) {
    if (error) continue;
    // Spot check order: an admitted SET's key holds its own value.
    if (index % 500 === 0) assert.equal(await waitAdmitted(() => redis.get(`a:${index}`)), String(index));
  }

  // Without a maximum nothing is throttled.
  await client.send(
    new ModifyServerlessCacheCommand({
      ServerlessCacheName: 'limited',
      CacheUsageLimits: { DataStorage: { Maximum: 5, Unit: 'GB' } },
    }),
  );
  await waitForServerlessCache(client, 'limited', 'available');
  const second = await burst(3000, 'b');
  assert.equal(second.throttled, 0);
  assert.equal(second.ok, 3000);

  // The replica kept replicating through the Endpoint: the reader sees the last write.
  const reader = connect(t, emulator, cache.ReaderEndpoint!);
  await reader.connect();
  await reader.call('READONLY');
  let seen: string | null = null;
  for (let i = 0; i < 100 && seen === null; i++) {
    seen = await reader.get('b:2999');
    if (seen === null) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(seen, '2999');

  // Through the endpoint, subscribers get their messages and transactions their replies.
  const subscriber = connect(t, emulator, cache.Endpoint!);
  await subscriber.connect();
  const message = new Promise<string>((resolve) => subscriber.on('message', (_channel, text) => resolve(text)));
  await subscriber.subscribe('news');
  assert.equal(await redis.publish('news', 'hello'), 1);
  assert.equal(await message, 'hello');
  const transaction = await redis.multi().set('{t}:1', 'x').incr('{t}:n').exec();
  assert.deepEqual(transaction, [
    [null, 'OK'],
    [null, 1],
  ]);
});
