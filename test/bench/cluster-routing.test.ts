// Pure parts of bench on a cluster: CRC16 / hash slots (Redis's published vectors), the slot
// map from CLUSTER SLOTS and CLUSTER SHARDS replies, naming after the Topology, which keys
// each node serves, and MOVED/ASK parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, hashSlot, keySlots, tagForSlots } from '../../src/bench/hash-slot.js';
import {
  describeSlotMapChange,
  formatRanges,
  keysInRanges,
  parseClusterShards,
  parseClusterSlots,
  slotMapSignature,
} from '../../src/bench/slot-map.js';
import { joinedNodes, layoutCluster, withJoinedShards, type NodeName } from '../../src/bench/cluster-discovery.js';
import { assignKeys } from '../../src/bench/cluster-routing.js';
import { parseRedirect } from '../../src/bench/load-connection.js';
import { Keyspace } from '../../src/bench/keyspace.js';

test('crc16 is XMODEM: the Redis Cluster spec test vector and known slots', () => {
  assert.equal(crc16('123456789'), 0x31c3);
  assert.equal(crc16(''), 0);
  // Slots redis-cli's CLUSTER KEYSLOT gives for these keys.
  assert.equal(hashSlot('foo'), 12182);
  assert.equal(hashSlot('bar'), 5061);
  assert.equal(hashSlot('hello'), 866);
  // Continuing a CRC over a split input equals the CRC of the whole.
  assert.equal(crc16(Buffer.from('456789'), crc16('123')), 0x31c3);
});

test('hash tags: the text between the first { and the next }, when not empty', () => {
  assert.equal(hashSlot('{user1000}.following'), hashSlot('user1000'));
  assert.equal(hashSlot('{user1000}.followers'), hashSlot('{user1000}.following'));
  assert.equal(hashSlot('foo{}{bar}'), hashSlot('foo{}{bar}'), 'an empty tag hashes the whole key');
  assert.notEqual(hashSlot('foo{}{bar}'), hashSlot('bar'));
  assert.equal(hashSlot('foo{{bar}}zap'), hashSlot('{bar'));
  assert.equal(hashSlot('foo{bar}{zap}'), hashSlot('bar'));
  assert.equal(hashSlot('no-close{tag'), crc16('no-close{tag') & 16383);
});

test('keySlots equals hashSlot of every bench key, and the prefix spreads them over the slots', () => {
  const keyspace = new Keyspace({
    prefix: 'eck:bench:ab12cd34:',
    keyMaximum: 5000,
    value: Buffer.from('x'),
    ttlMs: 1000,
  });
  const slots = keySlots(keyspace.keyPrefix, keyspace.width, keyspace.keyMaximum);
  for (let n = 0; n < 5000; n++) assert.equal(slots[n], hashSlot(keyspace.keyName(n)), `key ${n}`);
  assert.ok(new Set(slots).size > 3000, 'no hash tag on the prefix: the keys land in thousands of slots');
  // A prefix with a tag pins every key to its slot (the slow path, same answer).
  const tagged = keySlots('eck:{t}:k:', 3, 50);
  assert.ok(tagged.every((slot) => slot === hashSlot('t')));
});

test('tagForSlots finds a tag in the wanted range', () => {
  const tag = tagForSlots((slot) => slot >= 10923);
  assert.ok(hashSlot(`x{${tag}}y`) >= 10923);
});

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const D = 'd'.repeat(40);

test('CLUSTER SLOTS and CLUSTER SHARDS replies give the same slot map', () => {
  const slots = parseClusterSlots([
    [0, 8191, ['10.0.0.1', 6379, A, []], ['10.0.0.2', 6379, B, []]],
    [8192, 16383, ['10.0.0.3', 6379, C, []], ['10.0.0.4', 6379, D, []]],
  ]);
  const shards = parseClusterShards(
    [
      [
        'slots',
        [8192, 16383],
        'nodes',
        [
          ['id', C, 'port', 6379, 'ip', '10.0.0.3', 'endpoint', '10.0.0.3', 'role', 'master', 'health', 'online'],
          ['id', D, 'port', 6379, 'ip', '10.0.0.4', 'endpoint', '10.0.0.4', 'role', 'replica', 'health', 'loading'],
        ],
      ],
      [
        'slots',
        [0, 8191],
        'nodes',
        [
          ['id', A, 'port', 6379, 'ip', '10.0.0.1', 'endpoint', '10.0.0.1', 'role', 'master', 'health', 'online'],
          ['id', B, 'port', 6379, 'ip', '10.0.0.2', 'endpoint', '10.0.0.2', 'role', 'replica', 'health', 'online'],
        ],
      ],
    ],
    false,
  );
  assert.equal(slotMapSignature(shards), slotMapSignature(slots));
  assert.equal(slots[1]!.primary.host, '10.0.0.3');
  // TLS: the tls-port is the one to use.
  const tls = parseClusterShards(
    [
      [
        'slots',
        [0, 16383],
        'nodes',
        [['id', A, 'tls-port', 6380, 'ip', '10.0.0.1', 'role', 'master', 'health', 'online']],
      ],
    ],
    true,
  );
  assert.equal(tls[0]!.primary.port, 6380);
});

test('after a failover CLUSTER SHARDS lists two masters: the live one is the primary', () => {
  const [entry] = parseClusterShards(
    [
      [
        'slots',
        [0, 16383],
        'nodes',
        [
          ['id', A, 'port', 1, 'ip', 'h', 'role', 'master', 'health', 'fail'],
          ['id', B, 'port', 2, 'ip', 'h', 'role', 'master', 'health', 'online'],
        ],
      ],
    ],
    false,
  );
  assert.equal(entry!.primary.id, B);
});

test('layoutCluster names shards and nodes after the Topology where the addresses match', () => {
  const entries = parseClusterSlots([
    [0, 5000, ['10.0.0.1', 6379, A]],
    [5001, 16383, ['10.0.0.3', 6379, C], ['10.0.0.4', 6379, D]],
    [16383, 16383, ['10.0.0.1', 6379, A]],
  ]);
  const names = new Map<string, NodeName>([
    ['10.0.0.3:6379', { nodeId: 'demo-0002-001', shardId: '0002', address: 'demo-0002-001.x.cache.amazonaws.com' }],
    ['10.0.0.4:6379', { nodeId: 'demo-0002-002', shardId: '0002', address: 'demo-0002-002.x.cache.amazonaws.com' }],
  ]);
  const layout = layoutCluster(entries, { seed: { host: 'cfg.x', port: 6379, tls: {} } }, names);
  assert.deepEqual(
    layout.shards.map((s) => [s.id, formatRanges(s.slots), s.nodeIds]),
    [
      ['shard-1', '0-5000,16383', ['10.0.0.1:6379']],
      ['0002', '5001-16383', ['demo-0002-001', 'demo-0002-002']],
    ],
  );
  const named = layout.nodes.find((n) => n.id === 'demo-0002-002')!;
  assert.equal(named.role, 'replica');
  assert.equal(named.address.host, 'demo-0002-002.x.cache.amazonaws.com', 'reached by the Topology host name');
  const unnamed = layout.nodes.find((n) => n.id === '10.0.0.1:6379')!;
  assert.equal(unnamed.address.tls?.servername, 'cfg.x', 'an IP with TLS is verified against the seed name');
  // With no Topology at all, shards are numbered as AWS does, in slot order.
  const bare = layoutCluster(entries, { seed: { host: '10.0.0.1', port: 6379 } }, new Map());
  assert.deepEqual(
    bare.shards.map((s) => s.id),
    ['0001', '0002'],
  );
});

test('serverless: one endpoint for every slot, the reader endpoint as its replica', () => {
  const entries = parseClusterSlots([[0, 16383, ['cache.serverless.x', 6379, A]]]);
  const layout = layoutCluster(
    entries,
    {
      seed: { host: 'cache.serverless.x', port: 6379, tls: {} },
      reader: { host: 'cache.serverless.x', port: 6380, tls: {} },
    },
    new Map(),
  );
  assert.deepEqual(
    layout.nodes.map((n) => [n.id, n.role, n.address.port]),
    [
      ['cache.serverless.x:6379', 'primary', 6379],
      ['reader', 'replica', 6380],
    ],
  );
  const keyspace = new Keyspace({ prefix: 'p:', keyMaximum: 100, value: Buffer.from('x'), ttlMs: 1000 });
  const assigned = assignKeys(layout.nodes, entries, keySlots(keyspace.keyPrefix, keyspace.width, 100));
  assert.equal(assigned.get('reader')!.role, 'replica');
  assert.equal(assigned.get('reader')!.keys.length, 100, 'the reader reads every key of its shard');
});

test('assignKeys: each key to exactly one primary, replicas read their shard; a failover swaps roles', () => {
  const before = parseClusterSlots([
    [0, 8191, ['h', 1, A], ['h', 2, B]],
    [8192, 16383, ['h', 3, C], ['h', 4, D]],
  ]);
  const layout = layoutCluster(before, { seed: { host: 'h', port: 1 } }, new Map());
  const keyspace = new Keyspace({ prefix: 'eck:bench:x:', keyMaximum: 2000, value: Buffer.from('x'), ttlMs: 1 });
  const slots = keySlots(keyspace.keyPrefix, keyspace.width, 2000);
  const a = assignKeys(layout.nodes, before, slots);
  const p1 = a.get('h:1')!;
  const p3 = a.get('h:3')!;
  assert.equal(p1.keys.length + p3.keys.length, 2000);
  assert.ok(p1.keys.every((n) => slots[n]! <= 8191));
  assert.deepEqual([...a.get('h:2')!.keys], [...p1.keys]);
  assert.equal(a.get('h:2')!.role, 'replica');
  const after = parseClusterSlots([
    [0, 8191, ['h', 2, B], ['h', 1, A]],
    [8192, 16383, ['h', 3, C], ['h', 4, D]],
  ]);
  const b = assignKeys(layout.nodes, after, slots);
  assert.equal(b.get('h:2')!.role, 'primary');
  assert.equal(b.get('h:1')!.role, 'replica');
  assert.equal(
    describeSlotMapChange(before, after, (r) => `${r.host}:${r.port}`),
    '8192 slots h:1 → h:2',
  );
  assert.equal(keysInRanges(slots, []).length, 0);
});

test('parseRedirect reads MOVED and ASK, and nothing else', () => {
  assert.deepEqual(parseRedirect('MOVED 3999 127.0.0.1:6381', 'x'), { ask: false, host: '127.0.0.1', port: 6381 });
  assert.deepEqual(parseRedirect('ASK 3999 10.0.0.5:6379', 'x'), { ask: true, host: '10.0.0.5', port: 6379 });
  assert.deepEqual(parseRedirect('MOVED 1 :7000', 'seed'), { ask: false, host: 'seed', port: 7000 });
  assert.deepEqual(parseRedirect('MOVED 1 [::1]:7000', 'seed'), { ask: false, host: '::1', port: 7000 });
  assert.equal(parseRedirect('ERR unknown command', 'x'), null);
  assert.equal(parseRedirect('CLUSTERDOWN The cluster is down', 'x'), null);
});

test('joinedNodes: a shard and a replica added since discovery are new nodes; known ones are not', () => {
  const seed = { host: 'config.local', port: 7000 };
  const ref = (port: number) => ({ host: '127.0.0.1', port, id: `id-${port}` });
  const before = [
    { start: 0, end: 8191, primary: ref(7001), replicas: [ref(7002)] },
    { start: 8192, end: 16383, primary: ref(7003), replicas: [] },
  ];
  const layout = layoutCluster(before, { seed }, new Map());
  assert.deepEqual(joinedNodes(before, layout.nodes, seed), []);
  const after = [
    { start: 0, end: 5000, primary: ref(7001), replicas: [ref(7002)] },
    { start: 5001, end: 8191, primary: ref(7005), replicas: [ref(7006)] },
    { start: 8192, end: 16383, primary: ref(7003), replicas: [ref(7004)] },
  ];
  const joined = joinedNodes(after, layout.nodes, seed);
  assert.deepEqual(
    joined.map((n) => [n.id, n.role, n.shard, n.clusterId]),
    [
      ['127.0.0.1:7005', 'primary', '127.0.0.1:7005', 'id-7005'],
      ['127.0.0.1:7006', 'replica', '127.0.0.1:7005', 'id-7006'],
      ['127.0.0.1:7004', 'replica', '0002', 'id-7004'],
    ],
  );
  assert.deepEqual(
    withJoinedShards(layout.shards, [...layout.nodes, ...joined], after).map((s) => [
      s.id,
      formatRanges(s.slots),
      s.nodeIds,
    ]),
    [
      ['0001', '0-8191', ['127.0.0.1:7001', '127.0.0.1:7002']],
      ['0002', '8192-16383', ['127.0.0.1:7003', '127.0.0.1:7004']],
      ['127.0.0.1:7005', '5001-8191', ['127.0.0.1:7005', '127.0.0.1:7006']],
    ],
  );
});
