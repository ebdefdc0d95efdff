/** DescribeEvents through the real SDK: the TestFailover sequence AWS's docs tell callers to watch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  TestFailoverCommand,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { startTestEmulator } from '../helpers/emulator.js';

const WAIT = { minDelay: 1, maxDelay: 1, maxWaitTime: 90 };

test('DescribeEvents: TestFailover called, then the failover completed naming both primaries; filters and paging', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'evt',
      ReplicationGroupDescription: 'events',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
    }),
  );
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'evt' });
  const none = await client.send(
    new DescribeEventsCommand({ SourceType: 'replication-group', SourceIdentifier: 'evt' }),
  );
  assert.deepEqual(none.Events, [], 'no failover yet');

  const started = new Date(Date.now() - 1000);
  await client.send(new TestFailoverCommand({ ReplicationGroupId: 'evt', NodeGroupId: '0001' }));
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'evt' });
  const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'evt' })))
    .ReplicationGroups![0]!;
  const primary = group.NodeGroups![0]!.NodeGroupMembers!.find((m) => m.CurrentRole === 'primary')!.CacheClusterId;
  assert.equal(primary, 'evt-002');

  const events = await client.send(
    new DescribeEventsCommand({ SourceType: 'replication-group', SourceIdentifier: 'evt', StartTime: started }),
  );
  assert.deepEqual(
    events.Events!.map((e) => e.Message),
    [
      'Test Failover API called for node group 0001',
      'Failover from primary node evt-001 to replica node evt-002 completed',
    ],
  );
  assert.ok(events.Events!.every((e) => e.SourceType === 'replication-group' && e.Date instanceof Date));
  const perNode = await client.send(
    new DescribeEventsCommand({ SourceType: 'cache-cluster', SourceIdentifier: 'evt-002' }),
  );
  assert.equal(perNode.Events!.length, 1);
  const later = await client.send(new DescribeEventsCommand({ StartTime: new Date(Date.now() + 60_000) }));
  assert.deepEqual(later.Events, [], 'nothing after StartTime');
  const paged = await client.send(new DescribeEventsCommand({ MaxRecords: 20 }));
  assert.equal(paged.Events!.length, 3);
  assert.equal(paged.Marker, undefined);

  await assert.rejects(
    client.send(new DescribeEventsCommand({ SourceType: 'bogus' as never })),
    (error: Error) => /^InvalidParameterValue/.test(error.name) && /SourceType/.test(error.message),
  );
  await assert.rejects(
    client.send(new DescribeEventsCommand({ MaxRecords: 5 })),
    (error: Error) => /^InvalidParameterValue/.test(error.name) && /MaxRecords/.test(error.message),
  );
});
