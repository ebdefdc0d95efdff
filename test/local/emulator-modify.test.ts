/**
 * ModifyReplicationGroup in the emulator: in-transit encryption switched on a live group in
 * AWS's steps (off → preferred → required), the nodes really change (plain RESP refused once
 * `required`), data and replication survive; the AUTH token rotated (both valid) then set
 * (only the new one valid); plain settings recorded; AWS's refusals. Real SDK, real
 * redis-server, real TLS.
 */
import { test, type TestContext, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ModifyReplicationGroupCommand,
  type ModifyReplicationGroupCommandInput,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { inlineCommand } from '../helpers/inline-command.js';
import { connectTestClient } from '../helpers/redis.js';
import { caCertPath } from '../../src/local/tls-material.js';

const WAIT = { minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 60 };

/** Rejected with this wire code (the SDK names it `<code>`, `<code>Exception` or `<code>Fault`). */
async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok([code, `${code}Exception`, `${code}Fault`].includes(error.name), `${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** A connected ioredis client over TLS, closed when the test ends. */
async function tlsClient(t: TestContext, endpoint: { Address?: string; Port?: number }, ca: Buffer, password?: string) {
  const redis = await connectTestClient(endpoint.Port!, endpoint.Address!, { ca, password });
  t.after(() => redis.disconnect());
  return redis;
}

function modifier(emulator: TestEmulator, id: string) {
  return async (input: Omit<ModifyReplicationGroupCommandInput, 'ReplicationGroupId'>) => {
    const answer = await emulator.elasticache.send(
      new ModifyReplicationGroupCommand({ ReplicationGroupId: id, ApplyImmediately: true, ...input }),
    );
    assert.equal(answer.ReplicationGroup!.Status, 'modifying', 'the group is modifying while the change applies');
    const pending = answer.ReplicationGroup!.PendingModifiedValues!;
    await waitUntilReplicationGroupAvailable({ client: emulator.elasticache, ...WAIT }, { ReplicationGroupId: id });
    const after = (await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id })))
      .ReplicationGroups![0]!;
    return { pending, after };
  };
}

// Each test has its own emulator and group, and mostly waits on them: run together.
describe('emulator-modify', { concurrency: true }, () => {
  test('ModifyReplicationGroup: TLS off → preferred → required on a live group, in AWS steps, data and replication kept', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'mod',
        ReplicationGroupDescription: 'before',
        NumCacheClusters: 2,
        AutomaticFailoverEnabled: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'mod' });
    const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'mod' })))
      .ReplicationGroups![0]!;
    const primary = group.NodeGroups![0]!.PrimaryEndpoint!;
    const reader = group.NodeGroups![0]!.ReaderEndpoint!;
    assert.equal(await inlineCommand({ port: primary.Port! }, 'SET before-tls kept'), '+OK');
    const modify = modifier(emulator, 'mod');

    // AWS's steps: not straight to required, and enabling needs `preferred` in the same request.
    await rejects(
      client.send(
        new ModifyReplicationGroupCommand({
          ReplicationGroupId: 'mod',
          TransitEncryptionEnabled: true,
          TransitEncryptionMode: 'required',
        }),
      ),
      'InvalidParameterCombination',
      /preferred/,
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'mod', TransitEncryptionEnabled: true })),
      'InvalidParameterCombination',
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'mod', TransitEncryptionMode: 'preferred' })),
      'InvalidParameterCombination',
    );

    const toPreferred = await modify({ TransitEncryptionEnabled: true, TransitEncryptionMode: 'preferred' });
    assert.equal(toPreferred.pending.TransitEncryptionEnabled, true);
    assert.equal(toPreferred.pending.TransitEncryptionMode, 'preferred');
    assert.equal(toPreferred.after.TransitEncryptionEnabled, true);
    assert.equal(toPreferred.after.TransitEncryptionMode, 'preferred');
    assert.equal(toPreferred.after.PendingModifiedValues?.TransitEncryptionMode, undefined, 'nothing pending after');
    const ca = readFileSync(caCertPath(emulator.stateDir));
    assert.equal(await inlineCommand({ port: primary.Port! }, 'PING'), '+PONG', 'preferred: plain still served');
    assert.equal(await inlineCommand({ port: primary.Port!, ca }, 'GET before-tls'), '$4', 'TLS served, data kept');

    const tls = await tlsClient(t, primary, ca);
    assert.equal(await tls.set('after-tls', 'v'), 'OK');
    assert.equal(await tls.call('WAIT', '1', '5000'), 1, 'the replica is linked again (over TLS replication)');

    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'mod' })),
      'InvalidParameterCombination',
      /No modifications/,
    );

    const toRequired = await modify({ TransitEncryptionMode: 'required' });
    assert.equal(toRequired.after.TransitEncryptionMode, 'required');
    assert.notEqual(
      await inlineCommand({ port: primary.Port! }, 'PING').catch(() => 'refused'),
      '+PONG',
      'required: the primary endpoint no longer answers plain RESP',
    );
    assert.notEqual(
      await inlineCommand({ port: reader.Port! }, 'PING').catch(() => 'refused'),
      '+PONG',
      'required: nor does the reader endpoint',
    );
    assert.equal(await inlineCommand({ host: reader.Address!, port: reader.Port!, ca }, 'GET after-tls'), '$1');

    // Back the same way: not from required straight to off.
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'mod', TransitEncryptionEnabled: false })),
      'InvalidParameterCombination',
      /first set TransitEncryptionMode to preferred/,
    );
    await modify({ TransitEncryptionMode: 'preferred' });
    const off = await modify({ TransitEncryptionEnabled: false });
    assert.equal(off.after.TransitEncryptionEnabled, false);
    assert.equal(off.after.TransitEncryptionMode, undefined);
    assert.equal(await inlineCommand({ port: primary.Port! }, 'GET after-tls'), '$1', 'plain again, data kept');
    assert.equal(await inlineCommand({ port: primary.Port! }, 'WAIT 1 5000'), ':1', 'replication is plain again');
  });

  test('ModifyReplicationGroup: AUTH token ROTATE keeps both valid, SET keeps only the new one; other settings recorded', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    const first = 'first-token-0123456789';
    const second = 'second-token-0123456789';
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'auth',
        ReplicationGroupDescription: 'auth',
        NumCacheClusters: 2,
        TransitEncryptionEnabled: true,
        AuthToken: first,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'auth' });
    const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'auth' })))
      .ReplicationGroups![0]!;
    const created = group.AuthTokenLastModifiedDate!;
    const primary = group.NodeGroups![0]!.PrimaryEndpoint!;
    const reader = group.NodeGroups![0]!.ReaderEndpoint!;
    const ca = readFileSync(caCertPath(emulator.stateDir));
    const ping = (port: number, token: string) =>
      inlineCommand({ port, ca }, `AUTH ${token}`).then((reply) =>
        reply === '+OK' ? inlineCommand({ port, ca }, 'PING').then(() => '+OK') : reply,
      );
    const modify = modifier(emulator, 'auth');

    await rejects(
      client.send(
        new ModifyReplicationGroupCommand({
          ReplicationGroupId: 'auth',
          AuthToken: second,
          AuthTokenUpdateStrategy: 'SET',
        }),
      ),
      'InvalidParameterCombination',
      /only after ROTATE/,
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'auth', AuthToken: 'short' })),
      'InvalidParameterValue',
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'auth', AuthTokenUpdateStrategy: 'DELETE' })),
      'InvalidParameterCombination',
      /RBAC/,
    );

    const rotated = await modify({ AuthToken: second, AuthTokenUpdateStrategy: 'ROTATE' });
    assert.equal(rotated.pending.AuthTokenStatus, 'ROTATING');
    assert.ok(rotated.after.AuthTokenLastModifiedDate! > created, 'AuthTokenLastModifiedDate moves');
    assert.equal(await ping(primary.Port!, first), '+OK', 'ROTATE: the old token still works');
    assert.equal(await ping(primary.Port!, second), '+OK', 'ROTATE: the new token works');
    assert.equal(await ping(reader.Port!, second), '+OK', 'on the replicas too');

    const set = await modify({ AuthToken: second, AuthTokenUpdateStrategy: 'SET' });
    assert.equal(set.pending.AuthTokenStatus, 'SETTING');
    assert.match(await ping(primary.Port!, first), /^-WRONGPASS/, 'SET: the old token is refused');
    assert.equal(await ping(primary.Port!, second), '+OK');
    assert.match(await ping(reader.Port!, first), /^-WRONGPASS/, 'on the replicas too');

    // Replication still authenticates (masterauth follows the token).
    const writer = await tlsClient(t, primary, ca, second);
    await writer.set('k', 'v');
    assert.equal(await writer.call('WAIT', '1', '5000'), 1);

    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'auth', CacheNodeType: 'cache.x9.huge' })),
      'InvalidParameterValue',
      /cache\.x9\.huge/,
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'auth', MultiAZEnabled: true })),
      'InvalidParameterCombination',
      /AutomaticFailoverEnabled/,
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'auth', EngineVersion: '6.2' })),
      'InvalidParameterValue',
      /not supported by the local emulator/,
    );
    const settings = await modify({
      ReplicationGroupDescription: 'after',
      CacheNodeType: 'cache.r7g.large',
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
    });
    assert.equal(settings.after.Description, 'after');
    assert.equal(settings.after.CacheNodeType, 'cache.r7g.large');
    assert.equal(settings.after.AutomaticFailover, 'enabled');
    assert.equal(settings.after.MultiAZ, 'enabled');
  });

  test('ModifyReplicationGroup: TLS on an existing Redis OSS 6.2 group is refused (online TLS migration needs 7.0+)', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'old',
        ReplicationGroupDescription: 'old',
        EngineVersion: '6.2',
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'old' });
    await rejects(
      client.send(
        new ModifyReplicationGroupCommand({
          ReplicationGroupId: 'old',
          TransitEncryptionEnabled: true,
          TransitEncryptionMode: 'preferred',
        }),
      ),
      'InvalidParameterCombination',
      /only with Redis OSS 7\.0 or later \(old runs 6\.2\.6\)/,
    );
  });

  test('lifecycle-ms: creating, modifying and deleting each last the chosen time; a second change while modifying is refused', async (t) => {
    const emulator = await startTestEmulator({ lifecycleMs: 50 });
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    const statusOf = async () =>
      (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'slow' }))).ReplicationGroups![0]!
        .Status;
    const started = Date.now();
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'slow',
        ReplicationGroupDescription: 'slow',
        NumCacheClusters: 1,
        // The tag wins over the server's --lifecycle-ms.
        Tags: [{ Key: 'local-emulator:lifecycle-ms', Value: '1500' }],
      }),
    );
    assert.equal(await statusOf(), 'creating');
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'slow' });
    assert.ok(Date.now() - started >= 1500, `creating lasted ${Date.now() - started} ms`);

    const modifying = Date.now();
    await client.send(
      new ModifyReplicationGroupCommand({ ReplicationGroupId: 'slow', ReplicationGroupDescription: 'changed' }),
    );
    await rejects(
      client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'slow', ReplicationGroupDescription: 'x' })),
      'InvalidReplicationGroupState',
      /not in available state \(status: modifying\)/,
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'slow' });
    assert.ok(Date.now() - modifying >= 1500, `modifying lasted ${Date.now() - modifying} ms`);
  });
});
