/**
 * The CLI's waits against groups that take time, as on AWS: the emulator's --lifecycle-ms
 * makes creating and deleting last seconds. create-cluster waits with progress; a re-run
 * while the group is still creating reports it and waits (exit 0, not a failure);
 * delete-cluster on a creating group waits for it and then deletes it, because AWS (and the
 * emulator) refuse DeleteReplicationGroup with InvalidReplicationGroupState until then.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  DeleteReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
} from '@aws-sdk/client-elasticache';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateReplicationGroupCommand,
  ElastiCacheClient,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { runCli, spawnCli } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';

const LIFECYCLE_MS = 2500;
/** For the tests that must act while a group is still creating, from a freshly started CLI. */
const SLOW_GROUP_MS = 8000;
let emulator: TestEmulator;
const cli = (args: string[]) => runCli(['--endpoint-url', emulator.url, ...args], { env: emulator.env });
const create = (id: string, ...extra: string[]) =>
  cli([
    'create-cluster',
    id,
    '--replicas',
    '1',
    '--no-transit-encryption',
    '--allow-from',
    '10.0.0.0/16',
    '--yes',
    ...extra,
  ]);

async function statusOf(id: string): Promise<string | undefined> {
  try {
    const answer = await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
    return answer.ReplicationGroups![0]!.Status;
  } catch {
    return undefined;
  }
}

// Both suites wait on the emulator's clock, not on the CPU, each with its own emulator: run together.
describe('lifecycle-ms', { concurrency: true }, () => {
  // The three tests wait on the emulator's clock, not on the CPU, each on its own group: run together.
  describe('waiting on groups that take time (local --lifecycle-ms)', { concurrency: true }, () => {
    before(async () => {
      emulator = await startTestEmulator({ lifecycleMs: LIFECYCLE_MS });
    });
    after(async () => {
      await emulator?.close();
    });

    test('a re-run of create-cluster while the group is creating reports it and waits, with progress, exit 0', async () => {
      const requested = await create('life', '--no-wait', '--tag', `local-emulator:lifecycle-ms=${SLOW_GROUP_MS}`);
      assert.equal(requested.code, 0, requested.stderr);
      assert.equal(await statusOf('life'), 'creating');

      const started = Date.now();
      const rerun = await create('life', '--tag', `local-emulator:lifecycle-ms=${SLOW_GROUP_MS}`);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stderr, /replication group life already exists with these settings \(status: creating\)/);
      assert.match(rerun.stderr, /life: creating/, 'progress while creating');
      assert.match(rerun.stderr, /life is available after/);
      assert.equal(await statusOf('life'), 'available');
      assert.ok(Date.now() - started < 60_000);
    });

    test('delete-cluster on a creating group: AWS refuses the delete until available, so the CLI waits and then deletes', async (t) => {
      // Its own, longer creating phase: a CLI started on a busy machine must still find it creating.
      const requested = await create('young', '--no-wait', '--tag', `local-emulator:lifecycle-ms=${SLOW_GROUP_MS}`);
      assert.equal(requested.code, 0, requested.stderr);
      await assert.rejects(
        emulator.elasticache.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'young' })),
        (error: Error) => error.name === 'InvalidReplicationGroupStateFault' && /status: creating/.test(error.message),
      );

      const deleting = spawnCli(['--endpoint-url', emulator.url, 'delete-cluster', 'young', '--yes'], {
        env: emulator.env,
        after: (fn) => t.after(fn),
      });
      const waiting = /young is creating; waiting until it is available, then deleting it/;
      assert.ok(await deleting.stderrMatches(waiting), deleting.stderr());
      // Found creating: the deleting phase need not last SLOW_GROUP_MS too (the tag sets every
      // phase; each reads it when it begins), the file's LIFECYCLE_MS shows it as well.
      const arn = (
        await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'young' }))
      ).ReplicationGroups![0]!.ARN!;
      await emulator.elasticache.send(
        new AddTagsToResourceCommand({
          ResourceName: arn,
          Tags: [{ Key: 'local-emulator:lifecycle-ms', Value: String(LIFECYCLE_MS) }],
        }),
      );
      assert.equal(await deleting.exited, 0, deleting.stderr());
      assert.match(deleting.stderr(), /young: deleting/, 'deleting lasts too, and the wait shows it');
      assert.equal(await statusOf('young'), undefined, 'gone');
    });

    test('create-cluster waits the whole creation with progress lines, then prints the endpoints', async () => {
      const started = Date.now();
      const result = await create('patient', '--output', 'json');
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Date.now() - started >= LIFECYCLE_MS, 'it waited for creating to end');
      assert.match(result.stderr, /patient: creating \(/);
      assert.equal(JSON.parse(result.stdout).status, 'available');
    });
  });

  describe('local start --lifecycle-ms', () => {
    test('bad value: one line naming the flag, exit 2, nothing started', async () => {
      const result = await runCli(['local', 'start', '--lifecycle-ms', 'soon']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--lifecycle-ms must be an integer 0-3600000 \(got soon\)/);
    });

    test('the flag reaches the server: a group takes that long to create', async (t) => {
      const stateDir = await mkdtemp(join(tmpdir(), 'eck-lifecycle-'));
      t.after(() => rm(stateDir, { recursive: true, force: true }));
      const port = await freePort();
      const server = spawnCli(
        ['local', 'start', '--foreground', '--port', String(port), '--state-dir', stateDir, '--lifecycle-ms', '2000'],
        { after: (fn) => t.after(fn) },
      );
      t.after(async () => {
        if (server.child.exitCode === null) {
          server.child.kill('SIGTERM');
          await server.exited;
        }
      });
      assert.ok(await server.stderrMatches(/listening on/), server.stderr());
      const client = new ElastiCacheClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      t.after(() => client.destroy());
      const started = Date.now();
      await client.send(
        new CreateReplicationGroupCommand({ ReplicationGroupId: 'timed', ReplicationGroupDescription: 't' }),
      );
      await waitUntilReplicationGroupAvailable(
        { client, minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 60 },
        { ReplicationGroupId: 'timed' },
      );
      assert.ok(Date.now() - started >= 2000, `creating lasted ${Date.now() - started} ms`);
    });
  });
});
