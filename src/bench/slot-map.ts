/**
 * The client's view of a Redis Cluster: who serves which slots (CLUSTER SLOTS), and what
 * each node should therefore be sent. Pure: no I/O (cluster-discovery.ts asks the servers).
 *
 * The AWS view (Topology shards) names things; this view routes. A node keeps the shard it
 * was discovered in for the whole run (a failover swaps roles inside a shard, it does not
 * move nodes between shards), so per-shard figures stay comparable across a failover.
 */
import { SLOT_COUNT } from './hash-slot.js';

export interface SlotRange {
  start: number;
  end: number;
}

/** One CLUSTER SLOTS entry: a slot range, its primary and replicas as the cluster names them. */
export interface SlotEntry extends SlotRange {
  primary: ClusterNodeRef;
  replicas: ClusterNodeRef[];
}

export interface ClusterNodeRef {
  host: string;
  port: number;
  /** The node's cluster id (40 hex characters); empty when the server did not send it. */
  id: string;
}

/** A parsed CLUSTER SLOTS reply (RESP arrays as ioredis hands them over). */
export function parseClusterSlots(reply: unknown): SlotEntry[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS did not answer with an array');
  return reply.map((entry): SlotEntry => {
    const [start, end, primary, ...replicas] = entry as unknown[];
    return { start: Number(start), end: Number(end), primary: nodeRef(primary), replicas: replicas.map(nodeRef) };
  });
}

/**
 * A parsed CLUSTER SHARDS reply (Redis 7+, RESP2 flat maps) as slot entries. Preferred over
 * CLUSTER SLOTS, which in Redis 7.0 leaves out a replica until its replication offset moves
 * (a fresh cluster shows no replica at all). A replica stays listed whatever its health (a
 * node's view of another's health flickers while a cluster settles; a dead replica shows as
 * unreachable in the load); a primary marked `fail` is passed over for a live one (after a
 * failover both say master). `tls` picks the tls-port when a node has one.
 */
export function parseClusterShards(reply: unknown, tls: boolean): SlotEntry[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SHARDS did not answer with an array');
  const entries: SlotEntry[] = [];
  for (const rawShard of reply) {
    const shard = flatMap(rawShard);
    const slots = ((shard.get('slots') as unknown[]) ?? []).map(Number);
    const nodes = ((shard.get('nodes') as unknown[]) ?? []).map(flatMap);
    const refOf = (node: Map<string, unknown>): ClusterNodeRef => {
      const endpoint = String(node.get('endpoint') ?? '');
      const port = Number(
        (tls ? (node.get('tls-port') ?? node.get('port')) : (node.get('port') ?? node.get('tls-port'))) ?? 0,
      );
      return {
        host: endpoint !== '' && endpoint !== '?' ? endpoint : String(node.get('ip') ?? ''),
        port,
        id: String(node.get('id') ?? ''),
      };
    };
    const masters = nodes.filter((n) => n.get('role') === 'master');
    const primary = masters.find((n) => n.get('health') !== 'fail') ?? masters[0];
    if (!primary || slots.length < 2) continue;
    const replicas = nodes.filter((n) => n.get('role') !== 'master').map(refOf);
    for (let i = 0; i + 1 < slots.length; i += 2)
      entries.push({ start: slots[i]!, end: slots[i + 1]!, primary: refOf(primary), replicas });
  }
  return entries.sort((a, b) => a.start - b.start);
}

function flatMap(raw: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (raw instanceof Map) return raw as Map<string, unknown>;
  const list = raw as unknown[];
  for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), list[i + 1]);
  return map;
}

function nodeRef(raw: unknown): ClusterNodeRef {
  const [host, port, id] = raw as [unknown, unknown, unknown];
  return { host: String(host ?? ''), port: Number(port), id: id === undefined ? '' : String(id) };
}

/**
 * Where to reach a slot-map node: its host, or `fallback` (the host the answer came from) when
 * the server does not know its own address ("" or "?", or a wildcard bind).
 */
export function hostOr(host: string, fallback: string): string {
  return host === '' || host === '?' || host === '0.0.0.0' ? fallback : host;
}

/** The key a node is known by in the slot map: its cluster id, or host:port when it has none. */
export function refKey(ref: ClusterNodeRef): string {
  return ref.id !== '' ? ref.id : `${ref.host}:${ref.port}`;
}

/** Each node's role and slot ranges, by refKey. A node listed nowhere has no slots (no load). */
export function rolesFromSlots(
  entries: SlotEntry[],
): Map<string, { role: 'primary' | 'replica'; ranges: SlotRange[] }> {
  const roles = new Map<string, { role: 'primary' | 'replica'; ranges: SlotRange[] }>();
  const add = (ref: ClusterNodeRef, role: 'primary' | 'replica', range: SlotRange) => {
    const key = refKey(ref);
    const known = roles.get(key);
    if (known) known.ranges.push(range);
    else roles.set(key, { role, ranges: [range] });
  };
  for (const entry of entries) {
    const range = { start: entry.start, end: entry.end };
    add(entry.primary, 'primary', range);
    for (const replica of entry.replicas) add(replica, 'replica', range);
  }
  return roles;
}

/** A stable text of who serves what, to notice that the slot map changed (`primaries`: ignore replicas). */
export function slotMapSignature(entries: SlotEntry[], primaries = false): string {
  return [...entries]
    .sort((a, b) => a.start - b.start)
    .map(
      (e) =>
        `${e.start}-${e.end}:${refKey(e.primary)}${primaries ? '' : `>${e.replicas.map(refKey).sort().join(',')}`}`,
    )
    .join(' ');
}

/** What changed between two slot maps, in words ("0002: primary 127.0.0.1:7002 → 127.0.0.1:7005"). */
export function describeSlotMapChange(
  before: SlotEntry[],
  after: SlotEntry[],
  nameOf: (ref: ClusterNodeRef) => string,
): string {
  const owner = (entries: SlotEntry[]) => {
    const owners = new Array<string>(SLOT_COUNT).fill('');
    for (const e of entries) for (let s = e.start; s <= e.end; s++) owners[s] = nameOf(e.primary);
    return owners;
  };
  const a = owner(before);
  const b = owner(after);
  const moves = new Map<string, number>();
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (a[s] !== b[s]) {
      const key = `${a[s] || 'unassigned'} → ${b[s] || 'unassigned'}`;
      moves.set(key, (moves.get(key) ?? 0) + 1);
    }
  }
  if (moves.size === 0) return 'replicas changed';
  return [...moves].map(([move, slots]) => `${slots} slots ${move}`).join('; ');
}

/** slot → true for the ranges. */
export function slotSet(ranges: SlotRange[]): Uint8Array {
  const owned = new Uint8Array(SLOT_COUNT);
  for (const r of ranges) owned.fill(1, r.start, r.end + 1);
  return owned;
}

/** The bench key indexes (0..count-1) whose slot lies in `ranges`, in order. */
export function keysInRanges(slotsOfKeys: Uint16Array, ranges: SlotRange[]): Uint32Array {
  const owned = slotSet(ranges);
  let count = 0;
  for (let n = 0; n < slotsOfKeys.length; n++) if (owned[slotsOfKeys[n]!]) count++;
  const keys = new Uint32Array(count);
  let i = 0;
  for (let n = 0; n < slotsOfKeys.length; n++) if (owned[slotsOfKeys[n]!]) keys[i++] = n;
  return keys;
}

/** "0-5460,5462" as AWS writes slot ranges. */
export function formatRanges(ranges: SlotRange[]): string {
  return [...ranges]
    .sort((a, b) => a.start - b.start)
    .map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`))
    .join(',');
}
