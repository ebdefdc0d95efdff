/**
 * Watches a cluster's slot map during a run (CLUSTER SLOTS on the seed twice a second), so a
 * failover or a resharding is reported as such: when it happened and what moved. The load
 * threads re-read the map themselves on MOVED; this is the run's record of it.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { closeControl, openControl } from './control-connection.js';
import type { NodeAddress } from './load-connection.js';
import { querySlotMap } from './cluster-discovery.js';
import { describeSlotMapChange, refKey, slotMapSignature, type ClusterNodeRef, type SlotEntry } from './slot-map.js';
import type { LoadNode } from './workload.js';

export interface SlotMapChange {
  /** performance.now() when it was seen. */
  at: number;
  description: string;
}

export class SlotMapWatcher {
  readonly changes: SlotMapChange[] = [];
  private readonly redis: Redis;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private signature: string;
  private readonly tls: boolean;

  constructor(
    seed: NodeAddress,
    private current: SlotEntry[],
    private readonly nodes: LoadNode[],
    private readonly intervalMs = 500,
  ) {
    this.redis = openControl(seed, 'eck-bench-slot-watch');
    this.tls = seed.tls !== undefined;
    this.signature = slotMapSignature(current, true);
  }

  start(): void {
    this.redis.connect().catch(() => undefined);
    this.timer = setInterval(() => {
      if (!this.polling) this.polling = this.poll().finally(() => (this.polling = undefined));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    await this.poll(); // one last look: a change near the end still counts
    closeControl(this.redis);
  }

  private async poll(): Promise<void> {
    let entries: SlotEntry[];
    try {
      entries = await querySlotMap(this.redis, this.tls);
    } catch {
      return; // the seed is unreachable now: the load shows what that means
    }
    // Slot ownership only: a replica joining or leaving moves no key.
    const signature = slotMapSignature(entries, true);
    if (signature === this.signature) return;
    this.changes.push({
      at: performance.now(),
      description: describeSlotMapChange(this.current, entries, this.nameOf),
    });
    this.current = entries;
    this.signature = signature;
  }

  private readonly nameOf = (ref: ClusterNodeRef): string =>
    this.nodes.find((n) => n.clusterId === refKey(ref))?.id ?? `${ref.host}:${ref.port}`;
}
