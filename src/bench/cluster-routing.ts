/**
 * Which keys each node of a cluster serves, and keeping that true while the cluster
 * changes. The bench keys are split by hash slot once (keySlots); each node gets the keys
 * of the slots it serves, as primary (SETs and GETs) or replica (GETs after READONLY). A
 * connection then only ever sends keys its node owns, so pipelining stays intact.
 *
 * A MOVED reply means the map is stale: it is read again (CLUSTER SLOTS, at most every
 * 100 ms) and every node re-planned; the load follows a failover or a resharding within a
 * round trip. An ASK is a slot in migration: only that request goes elsewhere.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { closeControl, openControl } from './control-connection.js';
import { keySlots } from './hash-slot.js';
import type { Keyspace } from './keyspace.js';
import { parseRedirect, type NodeAddress, type RedirectHandler, type RunControl } from './load-connection.js';
import { isThrottled, NodeStats } from './stats.js';
import { joinedNodes, querySlotMap } from './cluster-discovery.js';
import {
  formatRanges,
  hostOr,
  keysInRanges,
  refKey,
  rolesFromSlots,
  slotMapSignature,
  type SlotEntry,
  type SlotRange,
} from './slot-map.js';
import type { LoadNode } from './workload.js';

/** Redirections followed for one request before it counts as an error (ioredis's maxRedirections). */
const MAX_REDIRECTS = 16;

/** What a Workload needs to route in a cluster (structured-cloneable: it crosses to load threads). */
export interface ClusterRouting {
  /** Where CLUSTER SLOTS is read again after a MOVED (the configuration endpoint). */
  seed: NodeAddress;
  /** The slot map at discovery. */
  slots: SlotEntry[];
}

export interface NodeAssignment {
  role: 'primary' | 'replica';
  /** Bench key indexes this node serves (empty: none of its slots hold a bench key, or it has no slots). */
  keys: Uint32Array;
}

/**
 * Pure: each node's role and keys under a slot map. A node the map does not list (a serverless
 * reader; a replica the answering node has not heard of yet) reads its shard's slots as a replica.
 */
export function assignKeys(
  nodes: LoadNode[],
  entries: SlotEntry[],
  slotsOfKeys: Uint16Array,
): Map<string, NodeAssignment> {
  const roles = rolesFromSlots(entries);
  const out = new Map<string, NodeAssignment>();
  const rangesOfShard = new Map<string, SlotRange[]>();
  // A shard's nodes serve the same slots: one key list for all of them (10 M keys are 40 MB a list).
  const lists = new Map<string, Uint32Array>();
  const keysOf = (ranges: SlotRange[]) => {
    const id = formatRanges(ranges);
    const known = lists.get(id);
    if (known) return known;
    const keys = keysInRanges(slotsOfKeys, ranges);
    lists.set(id, keys);
    return keys;
  };
  for (const node of nodes) {
    const known = node.clusterId !== undefined ? roles.get(node.clusterId) : undefined;
    if (known?.role === 'primary' && node.shard !== undefined)
      rangesOfShard.set(node.shard, [...(rangesOfShard.get(node.shard) ?? []), ...known.ranges]);
    if (known) out.set(node.id, { role: known.role, keys: keysOf(known.ranges) });
  }
  for (const node of nodes) {
    if (out.has(node.id)) continue;
    const ranges = node.shard !== undefined ? (rangesOfShard.get(node.shard) ?? []) : [];
    out.set(node.id, { role: 'replica', keys: keysOf(ranges) });
  }
  return out;
}

/** What the router needs of the Workload to retry a redirected request and count it. */
export interface RedirectContext {
  stats: Map<string, NodeStats>;
  control: RunControl;
  /** The SET value and TTL. */
  value: Buffer;
  ttlMs: number;
}

export class ClusterRouter {
  assignments: Map<string, NodeAssignment>;
  /** Redirected requests not answered yet (the drain at the end waits for them). */
  redirectsInFlight = 0;
  private readonly redirectConnections = new Map<string, Promise<Redis>>();
  /** Called after a re-read slot map changed who serves what. */
  onChange?: () => void;
  private readonly slotsOfKeys: Uint16Array;
  private entries: SlotEntry[];
  private signature: string;
  private control?: Redis;
  private refreshing?: Promise<void>;
  private lastRefresh = 0;
  private again = false;
  private closed = false;
  /** slot-map "host:port" and node "host:port" → node. */
  private byAddress = new Map<string, LoadNode>();

  constructor(
    private readonly nodes: LoadNode[],
    private readonly routing: ClusterRouting,
    private readonly keyspace: Keyspace,
    private readonly load: RedirectContext,
  ) {
    this.slotsOfKeys = keySlots(keyspace.keyPrefix, keyspace.width, keyspace.keyMaximum);
    this.entries = routing.slots;
    this.signature = slotMapSignature(this.entries);
    this.assignments = assignKeys(nodes, this.entries, this.slotsOfKeys);
    this.indexAddresses();
  }

  /** The node at a redirect's host:port, if bench knows it. */
  nodeAt(host: string, port: number): LoadNode | undefined {
    return this.byAddress.get(`${host}:${port}`);
  }

  /** Re-reads the slot map soon (at most every 100 ms; one more after a burst of MOVED). */
  refresh(): void {
    if (this.closed) return;
    if (this.refreshing) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastRefresh + 100 - performance.now());
    this.refreshing = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => this.reread())
      .catch(() => undefined)
      .finally(() => {
        this.lastRefresh = performance.now();
        this.refreshing = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  close(): void {
    this.closed = true;
    closeControl(this.control);
    for (const connection of this.redirectConnections.values()) void connection.then(closeControl, () => undefined);
    this.redirectConnections.clear();
  }

  /**
   * A MOVED/ASK from `origin`: the request is retried where it points (after ASKING for an
   * ASK; up to MAX_REDIRECTS hops, as ioredis's cluster client allows) and counted there; a
   * MOVED also re-reads the slot map.
   */
  redirected(origin: LoadNode, redirect: Parameters<RedirectHandler>[0]): void {
    if (!redirect.ask) this.refresh();
    if (this.load.control.stopping) return;
    this.redirectsInFlight++;
    void this.retry(origin, redirect, 1, [origin.id]).finally(() => this.redirectsInFlight--);
  }

  /** `path`: the nodes asked so far for this request, so an error says where its redirections went. */
  private async retry(origin: LoadNode, r: Parameters<RedirectHandler>[0], hop: number, path: string[]): Promise<void> {
    const { control, value, ttlMs } = this.load;
    const target = this.nodeAt(r.host, r.port);
    const stats = this.load.stats.get((target ?? origin).id)!;
    const key = this.keyspace.keyName(r.key);
    const asked = [...path, `${r.ask ? 'ASK' : 'MOVED'} ${r.host}:${r.port}`];
    let reply: string | null;
    try {
      const redis = await this.redirectConnection(r.host, r.port, target?.address ?? origin.address);
      if (r.ask) {
        const pipeline = redis.pipeline().asking();
        if (r.isSet) pipeline.set(key, value, 'PX', ttlMs);
        else pipeline.get(key);
        const [, [error, answer] = [new Error('no reply'), null]] = (await pipeline.exec()) ?? [];
        if (error) throw error;
        reply = answer as string | null;
      } else {
        reply = r.isSet ? await redis.set(key, value, 'PX', ttlMs) : await redis.get(key);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const next = parseRedirect(message, r.host);
      if (next && hop < MAX_REDIRECTS) {
        if (control.recording) {
          if (next.ask) stats.ask++;
          else stats.moved++;
        }
        if (!next.ask) this.refresh();
        // Past a few hops the nodes disagree on the slot's owner for a moment (seen once while a
        // shard was added: 10 requests spent 5 immediate hops, the last a MOVED to the new
        // primary); a short pause lets the slot map settle instead of spending every hop at once.
        if (hop >= 3) await sleep(Math.min(100, 10 * hop));
        return this.retry(origin, { ...r, ...next }, hop + 1, asked);
      }
      if (isThrottled(message)) {
        // A serverless cache at its ECPU/s limit: counted, not an error of the run.
        if (control.recording) {
          stats.throttled++;
          if (++control.completed >= control.limit) control.onLimitReached?.();
        }
        return;
      }
      // Out of redirections: where they went tells a slot map in flux from nodes that disagree.
      stats.lastError = next ? `${message} (after ${hop} redirections: ${asked.join(' → ')})` : message;
      if (control.recording) {
        stats.errors++;
        if (++control.completed >= control.limit) control.onLimitReached?.();
      }
      return;
    }
    if (!control.recording) return;
    stats.record(r.isSet, (performance.now() - r.start) * 1000, r.isSet ? 0 : reply === null ? 2 : 1);
    if (++control.completed >= control.limit) control.onLimitReached?.();
  }

  private redirectConnection(host: string, port: number, like: NodeAddress): Promise<Redis> {
    const id = `${host}:${port}`;
    let connection = this.redirectConnections.get(id);
    if (!connection) {
      const redis = openControl({ ...like, host, port }, 'eck-bench-redirect');
      connection = redis.connect().then(() => redis);
      connection.catch(() => {
        // Closed, or ioredis would go on reconnecting it (and keep the process alive) unowned.
        closeControl(redis);
        if (this.redirectConnections.get(id) === connection) this.redirectConnections.delete(id);
      });
      this.redirectConnections.set(id, connection);
    }
    return connection;
  }

  private async reread(): Promise<void> {
    if (this.closed) return;
    if (!this.control) {
      this.control = openControl(this.routing.seed, 'eck-bench-slots');
      await this.control.connect();
    }
    const entries = await querySlotMap(this.control, this.routing.seed.tls !== undefined);
    const signature = slotMapSignature(entries);
    if (signature === this.signature || this.closed) return;
    this.entries = entries;
    this.signature = signature;
    // A shard (or replica) added since discovery: loaded and counted from now on, like the others.
    for (const node of joinedNodes(entries, this.nodes, this.routing.seed)) {
      const stats = new NodeStats();
      // Its unavailability intervals count from the measurement's start, as the others' do.
      stats.origin = this.load.stats.values().next().value?.origin ?? 0;
      this.nodes.push(node);
      this.load.stats.set(node.id, stats);
    }
    this.assignments = assignKeys(this.nodes, entries, this.slotsOfKeys);
    this.indexAddresses();
    this.onChange?.();
  }

  private indexAddresses(): void {
    const byId = new Map(this.nodes.filter((n) => n.clusterId !== undefined).map((n) => [n.clusterId!, n]));
    const index = new Map<string, LoadNode>();
    for (const node of this.nodes) index.set(`${node.address.host}:${node.address.port}`, node);
    for (const entry of this.entries) {
      for (const ref of [entry.primary, ...entry.replicas]) {
        const node = byId.get(refKey(ref));
        if (node) index.set(`${hostOr(ref.host, node.address.host)}:${ref.port}`, node);
      }
    }
    this.byAddress = index;
  }
}
