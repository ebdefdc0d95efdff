/**
 * Removing a cluster's bench keys while its slots may still be moving: bench stops on time,
 * but a resharding it ran into (a shard added mid-run) goes on. A SCAN of each primary is no
 * snapshot then: a key MIGRATEd from a primary whose SCAN had not reached it yet to one whose
 * SCAN had already passed is seen by neither, and stays (the new shard's primary kept two
 * bench keys after a cleanup that counted none left).
 *
 * So the keys bench wrote are removed by name, the way a cluster client reaches any key: sent
 * to the owner of their slot in the slot map read now, then after MOVED to where it points, and
 * after ASK to where the key went (ASKING first). MIGRATE moves a key at once (the donor
 * answers nothing else meanwhile), so a key is always on the node where its redirects end.
 * SCAN passes over the primaries of the slot map then remove whatever else has the prefix (a
 * probe write never acknowledged), through the same redirects, and count what is left.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { closeControl, connectControl, escapeGlob, whileThrottled } from './control-connection.js';
import { joinedNodes, nodeAddress, readSlotMap } from './cluster-discovery.js';
import { hashSlot, keySlots, SLOT_COUNT } from './hash-slot.js';
import type { Keyspace } from './keyspace.js';
import { parseRedirect, type NodeAddress } from './load-connection.js';
import { refKey } from './slot-map.js';
import { isThrottled, throttledRetryPause } from './stats.js';

/** Keys known by name: `count` of them, the i-th named name(i), in slot slot(i). */
export interface NamedKeys {
  count: number;
  name(i: number): string;
  slot(i: number): number;
}

/** UNLINKs per pipeline. */
const BATCH = 1000;
/** Redirects followed for one key (a slot moves once; more means the cluster is unsettled). */
const MAX_HOPS = 5;
/** SCAN passes that remove keys; one more only counts. */
const SWEEPS = 3;

export function namedKeys(names: string[]): NamedKeys {
  return { count: names.length, name: (i) => names[i]!, slot: (i) => hashSlot(names[i]!) };
}

export class ClusterKeyRemover {
  private readonly connections = new Map<string, Promise<Redis>>();

  constructor(private readonly seed: NodeAddress) {}

  /**
   * UNLINKs every named key where it is now; resolves with how many there were. Throws when
   * the slot map cannot be read, or a node refuses (not for a redirect).
   */
  async unlink(keys: NamedKeys): Promise<number> {
    if (keys.count === 0) return 0;
    const { primaries, ownerOfSlot } = await this.slotOwners();
    // Each primary's keys, by a counting sort of the key indexes (10 M keys: no array per key).
    const counts = new Uint32Array(primaries.length + 1);
    const ownerOf = (i: number) => {
      const owner = ownerOfSlot[keys.slot(i)]!;
      // A slot nobody serves (the cluster is down there): the first primary answers for it.
      return Math.max(owner, 0);
    };
    for (let i = 0; i < keys.count; i++) counts[ownerOf(i) + 1]!++;
    for (let p = 1; p <= primaries.length; p++) counts[p]! += counts[p - 1]!;
    const starts = counts.slice();
    const order = new Uint32Array(keys.count);
    for (let i = 0; i < keys.count; i++) order[counts[ownerOf(i)]!++] = i;
    const removed = await Promise.all(
      primaries.map(async (address, p) => {
        let sum = 0;
        for (let at = starts[p]!; at < starts[p + 1]!; at += BATCH) {
          const batch = order.subarray(at, Math.min(at + BATCH, starts[p + 1]!));
          sum += await this.unlinkAt(
            address,
            Array.from(batch, (i) => keys.name(i)),
            false,
            0,
          );
        }
        return sum;
      }),
    );
    return removed.reduce((a, b) => a + b, 0);
  }

  /**
   * SCANs every primary of the slot map now for `prefix`, UNLINKs what it finds (by name, as
   * unlink() does), and again, until a pass finds none or the passes run out. keysLeft: what the
   * last pass found, or -1 when a primary could not be scanned.
   */
  async sweep(prefix: string): Promise<{ keysRemoved: number; keysLeft: number }> {
    let keysRemoved = 0;
    for (let pass = 0; ; pass++) {
      const { primaries } = await this.slotOwners();
      let unreadable = false;
      const found = new Set<string>();
      await Promise.all(
        primaries.map(async (address) => {
          try {
            for (const key of await this.scan(address, prefix)) found.add(key);
          } catch {
            unreadable = true;
          }
        }),
      );
      if (found.size === 0 || pass === SWEEPS) return { keysRemoved, keysLeft: unreadable ? -1 : found.size };
      keysRemoved += await this.unlink(namedKeys([...found]));
    }
  }

  close(): void {
    for (const connection of this.connections.values()) void connection.then(closeControl, () => undefined);
    this.connections.clear();
  }

  /** The primaries of the slot map now (by address), and each slot's owner among them (-1: none). */
  private async slotOwners(): Promise<{ primaries: NodeAddress[]; ownerOfSlot: Int32Array }> {
    const entries = await readSlotMap(this.seed);
    const nodes = joinedNodes(entries, [], this.seed);
    const primaries = nodes.filter((n) => n.role === 'primary');
    const index = new Map(primaries.map((n, i) => [n.clusterId!, i]));
    const ownerOfSlot = new Int32Array(SLOT_COUNT).fill(-1);
    for (const entry of entries) ownerOfSlot.fill(index.get(refKey(entry.primary))!, entry.start, entry.end + 1);
    return { primaries: primaries.map((n) => n.address), ownerOfSlot };
  }

  /** UNLINKs `keys` at `address` (each after ASKING when `ask`), following redirects; the count removed. */
  private async unlinkAt(address: NodeAddress, keys: string[], ask: boolean, hop: number, tries = 0): Promise<number> {
    const redis = await this.connection(address);
    const pipeline = redis.pipeline();
    for (const key of keys) {
      if (ask) pipeline.asking();
      pipeline.unlink(key);
    }
    const results = (await pipeline.exec()) ?? [];
    const replies = ask ? results.filter((_, i) => i % 2 === 1) : results;
    let removed = 0;
    const redirected = new Map<string, { address: NodeAddress; ask: boolean; keys: string[] }>();
    const throttled: string[] = [];
    for (const [i, [error, count]] of replies.entries()) {
      const key = keys[i]!;
      if (!error) {
        removed += Number(count);
        continue;
      }
      const redirect = parseRedirect(error.message, address.host);
      if (redirect) {
        if (hop + 1 >= MAX_HOPS) throw new Error(`${key} still redirected after ${MAX_HOPS} hops: ${error.message}`);
        const id = `${redirect.ask ? 'ASK' : 'MOVED'} ${redirect.host}:${redirect.port}`;
        const to = redirected.get(id) ?? {
          address: nodeAddress(this.seed, redirect.host, redirect.port),
          ask: redirect.ask,
          keys: [],
        };
        to.keys.push(key);
        redirected.set(id, to);
        continue;
      }
      if (!isThrottled(error.message) || throttledRetryPause(tries) === undefined) throw error;
      throttled.push(key);
    }
    if (throttled.length > 0) {
      // A serverless cache at its ECPU/s limit refills within a second: those again, after a pause.
      await sleep(throttledRetryPause(tries)!);
      removed += await this.unlinkAt(address, throttled, ask, hop, tries + 1);
    }
    for (const to of redirected.values()) removed += await this.unlinkAt(to.address, to.keys, to.ask, hop + 1);
    return removed;
  }

  /** The keys under `prefix` on one node (its importing slots' keys too: SCAN lists the whole keyspace). */
  private async scan(address: NodeAddress, prefix: string): Promise<string[]> {
    const redis = await this.connection(address);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await whileThrottled(() =>
        redis.scan(cursor, 'MATCH', escapeGlob(prefix) + '*', 'COUNT', 1000),
      );
      cursor = next;
      for (const key of batch) if (key.startsWith(prefix)) keys.push(key);
    } while (cursor !== '0');
    return keys;
  }

  private connection(address: NodeAddress): Promise<Redis> {
    const id = `${address.host}:${address.port}`;
    let connection = this.connections.get(id);
    if (!connection) {
      connection = connectControl(address, 'eck-bench-cleanup');
      connection.catch(() => this.connections.delete(id));
      this.connections.set(id, connection);
    }
    return connection;
  }
}

/** Every key of the bench keyspace (the prefill wrote them all; the load only rewrites them). */
export function keyspaceKeys(keyspace: Keyspace): NamedKeys {
  const slots = keySlots(keyspace.keyPrefix, keyspace.width, keyspace.keyMaximum);
  return { count: keyspace.keyMaximum, name: (i) => keyspace.keyName(i), slot: (i) => slots[i]! };
}
