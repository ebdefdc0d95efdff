/**
 * Discovery of a cluster from the cluster itself: connect to the seed (the configuration
 * endpoint, any node, or a serverless cache's endpoint), read CLUSTER SLOTS, and turn it
 * into the nodes bench loads, each tagged with its shard. The Topology (the AWS view), when
 * there is one, only names things: a slot-map node whose address matches a Topology node
 * takes its id (demo-0001-002) and shard (0001) and is reached by the Topology's host name
 * (so TLS verifies the name the certificate carries).
 *
 * Serverless plugs in here too: its endpoint answers CLUSTER SLOTS with itself for every
 * slot; its reader endpoint (`reader`) becomes that shard's one replica, read after READONLY.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Topology } from '../topology.js';
import { closeControl, connectControl, whileThrottled } from './control-connection.js';
import { isThrottled } from './stats.js';
import { messageOf } from '../errors.js';
import type { NodeAddress } from './load-connection.js';
import type { Redis } from 'ioredis';
import {
  hostOr,
  parseClusterShards,
  parseClusterSlots,
  refKey,
  type ClusterNodeRef,
  type SlotEntry,
  type SlotRange,
} from './slot-map.js';
import type { LoadNode } from './workload.js';

export interface ClusterSeed {
  /** Where discovery starts, with the connection options (TLS, AUTH) every node shares. */
  seed: NodeAddress;
  /** The AWS view, for naming shards and nodes. */
  topology?: Topology;
  /** A reader endpoint that stands for a shard's replicas (serverless: `--read-from replicas` reads there). */
  reader?: NodeAddress;
}

export interface ClusterShardLayout {
  /** "0001" as AWS names node groups (or in slot order when nothing matched the Topology). */
  id: string;
  slots: SlotRange[];
  /** Its nodes' ids, primary first. */
  nodeIds: string[];
}

export interface ClusterLayout {
  seed: NodeAddress;
  shards: ClusterShardLayout[];
  /** Every node serving slots, shard by shard, primary first. */
  nodes: LoadNode[];
  /** The slot map at discovery. */
  slots: SlotEntry[];
  warnings: string[];
}

/** The slot map as `redis` sees it: CLUSTER SHARDS, or CLUSTER SLOTS where SHARDS is unknown (Redis 6). */
export async function querySlotMap(redis: Redis, tls: boolean): Promise<SlotEntry[]> {
  let shards: unknown;
  try {
    shards = await redis.call('CLUSTER', 'SHARDS');
  } catch (error) {
    // Throttled (a serverless cache at its ECPU/s limit) says nothing of what the node knows.
    if (isThrottled(messageOf(error))) throw error;
    return parseClusterSlots(await redis.call('CLUSTER', 'SLOTS'));
  }
  return parseClusterShards(shards, tls);
}

/**
 * Reads the slot map from the seed, again while throttled. Throws the first-contact error
 * (wrong port, TLS, AUTH). (The watchers that read it every half second skip a throttled read.)
 */
export async function readSlotMap(address: NodeAddress): Promise<SlotEntry[]> {
  const redis = await connectControl(address, 'eck-bench-discovery');
  try {
    return await whileThrottled(() => querySlotMap(redis, address.tls !== undefined));
  } finally {
    closeControl(redis);
  }
}

/** True when the node says cluster_enabled:1 (a --primary that is really a cluster node). */
export async function isClusterNode(address: NodeAddress): Promise<boolean> {
  const redis = await connectControl(address, 'eck-bench-discovery');
  try {
    return /^cluster_enabled:1/m.test(await whileThrottled(() => redis.info('cluster')));
  } finally {
    closeControl(redis);
  }
}

export async function discoverCluster(seed: ClusterSeed): Promise<ClusterLayout> {
  const entries = await readSlotMap(seed.seed);
  // Each primary knows its own replicas first: a node learns by gossip, a moment later, that
  // another node replicates a third one. Ask each primary too and keep every replica named.
  const views = await Promise.all(
    uniquePrimaries(entries).map((ref) =>
      readSlotMap({
        ...seed.seed,
        host: hostOr(ref.host, seed.seed.host),
        port: ref.port,
      }).catch(() => []),
    ),
  );
  const names = await topologyNames(seed.topology);
  return layoutCluster(mergeReplicas(entries, views.flat()), seed, names);
}

function uniquePrimaries(entries: SlotEntry[]): ClusterNodeRef[] {
  return [...new Map(entries.map((e) => [refKey(e.primary), e.primary])).values()];
}

/** The slot map `base`, each entry's replicas joined with those other views list for the same primary. */
export function mergeReplicas(base: SlotEntry[], others: SlotEntry[]): SlotEntry[] {
  return base.map((entry) => {
    const replicas = new Map(entry.replicas.map((r) => [refKey(r), r]));
    for (const other of others)
      if (refKey(other.primary) === refKey(entry.primary))
        for (const r of other.replicas) if (!replicas.has(refKey(r))) replicas.set(refKey(r), r);
    return { ...entry, replicas: [...replicas.values()] };
  });
}

export interface NodeName {
  nodeId: string;
  shardId?: string;
  /** The Topology's host name for it. */
  address: string;
}

/** Topology nodes by "host:port", and by "ip:port" for every address their host name resolves to. */
export async function topologyNames(topology: Topology | undefined): Promise<Map<string, NodeName>> {
  const names = new Map<string, NodeName>();
  if (!topology) return names;
  const shardOf = new Map<string, string>();
  for (const shard of topology.shards ?? []) for (const node of shard.nodes) shardOf.set(node.id, shard.id);
  // A serverless cache has no nodes of its own: its slot map names its two endpoints.
  const named =
    topology.kind === 'serverless'
      ? [
          ...(topology.primaryEndpoint ? [{ id: 'endpoint', ...topology.primaryEndpoint }] : []),
          ...(topology.readerEndpoint ? [{ id: 'reader', ...topology.readerEndpoint }] : []),
        ]
      : topology.nodes;
  await Promise.all(
    named.map(async (node) => {
      const name: NodeName = {
        nodeId: node.id,
        address: node.address,
        ...(shardOf.has(node.id) ? { shardId: shardOf.get(node.id)! } : {}),
      };
      names.set(`${node.address}:${node.port}`, name);
      if (isIP(node.address) !== 0) return;
      try {
        for (const { address } of await lookup(node.address, { all: true })) names.set(`${address}:${node.port}`, name);
      } catch {
        // Unresolvable here: the node is named by its address instead.
      }
    }),
  );
  return names;
}

/** Pure: the slot map, named after the Topology where addresses match. */
export function layoutCluster(entries: SlotEntry[], seed: ClusterSeed, names: Map<string, NodeName>): ClusterLayout {
  const warnings: string[] = [];
  if (entries.length === 0) throw new Error('CLUSTER SLOTS lists no slot: the cluster has no slots assigned');
  // One shard per primary (a primary may own several ranges).
  interface Group {
    primary: ClusterNodeRef;
    replicas: Map<string, ClusterNodeRef>;
    slots: SlotRange[];
  }
  const byPrimary = new Map<string, Group>();
  for (const entry of entries) {
    const key = refKey(entry.primary);
    const shard: Group = byPrimary.get(key) ?? { primary: entry.primary, replicas: new Map(), slots: [] };
    shard.slots.push({ start: entry.start, end: entry.end });
    for (const replica of entry.replicas) shard.replicas.set(refKey(replica), replica);
    byPrimary.set(key, shard);
  }
  const groups = [...byPrimary.values()].sort(
    (a, b) => Math.min(...a.slots.map((s) => s.start)) - Math.min(...b.slots.map((s) => s.start)),
  );
  const hostOf = (ref: ClusterNodeRef) => hostOr(ref.host, seed.seed.host);
  const nameOf = (ref: ClusterNodeRef) => names.get(`${hostOf(ref)}:${ref.port}`);
  const anyNamed = groups.some((g) => nameOf(g.primary) || [...g.replicas.values()].some(nameOf));
  const usedShardIds = new Set<string>();
  const shards: ClusterShardLayout[] = [];
  const nodes: LoadNode[] = [];
  for (const [index, group] of groups.entries()) {
    const members = [group.primary, ...group.replicas.values()];
    const named = members.map(nameOf).find((n) => n?.shardId !== undefined);
    let shardId = named?.shardId ?? (anyNamed ? `shard-${index + 1}` : String(index + 1).padStart(4, '0'));
    if (usedShardIds.has(shardId)) shardId = `${shardId}-${index + 1}`;
    usedShardIds.add(shardId);
    const shardNodes = members.map((ref, i): LoadNode => {
      const name = nameOf(ref);
      const host = name?.address ?? hostOf(ref);
      return {
        id: name?.nodeId ?? `${hostOf(ref)}:${ref.port}`,
        role: i === 0 ? 'primary' : 'replica',
        shard: shardId,
        clusterId: refKey(ref),
        address: nodeAddress(seed.seed, host, ref.port),
      };
    });
    shards.push({ id: shardId, slots: group.slots, nodeIds: shardNodes.map((n) => n.id) });
    nodes.push(...shardNodes);
  }
  if (seed.reader) {
    const bare = shards.filter((s) => s.nodeIds.length === 1);
    if (shards.length === 1 && bare.length === 1) {
      // No clusterId: the reader is not in the slot map, so it keeps this role all run.
      nodes.push({ id: 'reader', role: 'replica', shard: bare[0]!.id, address: seed.reader });
      bare[0]!.nodeIds.push('reader');
    } else if (!nodes.some((n) => n.address.host === seed.reader!.host && n.address.port === seed.reader!.port)) {
      // (A serverless cache's slot map lists its reader endpoint as the replica: then it is used.)
      warnings.push('the reader endpoint is not used: the slot map already lists the replicas');
    }
  }
  return { seed: seed.seed, shards, nodes: dedupeIds(nodes), slots: entries, warnings };
}

/** The seed's connection options (TLS, AUTH) at another host and port. */
export function nodeAddress(seed: NodeAddress, host: string, port: number): NodeAddress {
  const address: NodeAddress = { ...seed, host, port };
  // An IP from the slot map, with TLS: verify the certificate against the seed's host name.
  if (seed.tls && seed.tls.servername === undefined && isIP(host) !== 0 && isIP(seed.host) === 0)
    address.tls = { ...seed.tls, servername: seed.host };
  return address;
}

/** Two slot-map nodes that the Topology names alike keep distinct ids. */
function dedupeIds(nodes: LoadNode[]): LoadNode[] {
  const seen = new Set<string>();
  return nodes.map((node) => {
    let id = node.id;
    for (let i = 2; seen.has(id); i++) id = `${node.id}#${i}`;
    seen.add(id);
    return id === node.id ? node : { ...node, id };
  });
}

/**
 * Pure: the slot-map nodes bench does not know yet (a shard or a replica added since
 * discovery), named as discovery names an unmatched node (`host:port`). A new replica joins
 * its primary's shard; a new primary's shard is named after it (the same name in every load
 * thread, whatever order they see the map in).
 */
export function joinedNodes(entries: SlotEntry[], known: LoadNode[], seed: NodeAddress): LoadNode[] {
  const byClusterId = new Map(known.filter((n) => n.clusterId !== undefined).map((n) => [n.clusterId!, n]));
  const joined: LoadNode[] = [];
  const make = (ref: ClusterNodeRef, role: LoadNode['role'], shard?: string): LoadNode => {
    const host = hostOr(ref.host, seed.host);
    const id = `${host}:${ref.port}`;
    const node: LoadNode = {
      id,
      role,
      shard: shard ?? id,
      clusterId: refKey(ref),
      address: nodeAddress(seed, host, ref.port),
    };
    byClusterId.set(node.clusterId!, node);
    joined.push(node);
    return node;
  };
  for (const entry of entries) {
    const primary = byClusterId.get(refKey(entry.primary)) ?? make(entry.primary, 'primary');
    for (const replica of entry.replicas)
      if (!byClusterId.has(refKey(replica))) make(replica, 'replica', primary.shard);
  }
  return joined;
}

/** Pure: the discovered shards with the nodes that joined since (new shards get their slots in `entries`). */
export function withJoinedShards(
  shards: ClusterShardLayout[],
  nodes: LoadNode[],
  entries: SlotEntry[],
): ClusterShardLayout[] {
  const out = shards.map((s) => ({ ...s, nodeIds: [...s.nodeIds] }));
  for (const node of nodes) {
    if (node.shard === undefined || out.some((s) => s.nodeIds.includes(node.id))) continue;
    let shard = out.find((s) => s.id === node.shard);
    if (!shard) {
      const slots = entries
        .filter((e) => refKey(e.primary) === node.clusterId)
        .map((e) => ({ start: e.start, end: e.end }));
      shard = { id: node.shard, slots, nodeIds: [] };
      out.push(shard);
    }
    if (node.role === 'primary') shard.nodeIds.unshift(node.id);
    else shard.nodeIds.push(node.id);
  }
  return out;
}
