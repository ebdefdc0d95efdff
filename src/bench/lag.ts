/**
 * Replication lag and stale reads, measured the way an app sees them.
 *
 * Each probe writes a new key (`<prefix>lag:<n>`) on the primary over a dedicated
 * connection and notes when the write is acknowledged; then, on one dedicated
 * connection per replica (no other traffic on it), reads that key back-to-back until the
 * replica returns it. lag = (reply time of the first read that saw it) − (ack time), so it
 * may overstate by at most one poll round trip, which is reported next to it.
 *
 * The first read of each probe is exactly the app pattern "write to the primary, then
 * read from a replica right away": when it does not see the write, that read was stale.
 *
 * Every acknowledged probe key is remembered: after a failover, the ones missing on the
 * new primary are acknowledged writes that were lost.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { HdrHistogram, type HistogramSnapshot } from './histogram.js';
import { closeControl, openControl, readOnlySet } from './control-connection.js';
import type { LoadNode } from './workload.js';

export class ReplicaLagStats {
  /** Lag in µs, one value per probe the replica saw. */
  readonly lag = new HdrHistogram();
  /** Round trip of each poll in µs: the resolution of the lag figures. */
  readonly pollRtt = new HdrHistogram();
  /** Probes never seen within the poll timeout. */
  timeouts = 0;
  /** Probes whose polls failed (replica unreachable). */
  errors = 0;
  /** Read-after-write reads, and how many of them returned the old value. */
  readsAfterWrite = 0;
  staleReads = 0;
  /** Each seen probe: [ack time in epoch ms, lag in µs], for lag over time. */
  samples: Array<[number, number]> = [];

  reset(): void {
    this.lag.reset();
    this.pollRtt.reset();
    this.samples = [];
    this.timeouts = this.errors = this.readsAfterWrite = this.staleReads = 0;
  }

  /** Probes that finished: seen (one lag sample each), timed out or failed; not one the end of the run cut short. */
  get probes(): number {
    return this.lag.totalCount + this.timeouts + this.errors;
  }

  snapshot(): ReplicaLagSnapshot {
    const { timeouts, errors, readsAfterWrite, staleReads } = this;
    return {
      lag: this.lag.snapshot(),
      pollRtt: this.pollRtt.snapshot(),
      timeouts,
      errors,
      readsAfterWrite,
      staleReads,
      samples: this.samples,
    };
  }

  static fromSnapshot(snapshot: ReplicaLagSnapshot): ReplicaLagStats {
    const stats = new ReplicaLagStats();
    stats.lag.addSnapshot(snapshot.lag);
    stats.pollRtt.addSnapshot(snapshot.pollRtt);
    stats.timeouts = snapshot.timeouts;
    stats.errors = snapshot.errors;
    stats.readsAfterWrite = snapshot.readsAfterWrite;
    stats.staleReads = snapshot.staleReads;
    stats.samples = snapshot.samples ?? [];
    return stats;
  }
}

export interface ReplicaLagSnapshot {
  lag: HistogramSnapshot;
  pollRtt: HistogramSnapshot;
  timeouts: number;
  errors: number;
  readsAfterWrite: number;
  staleReads: number;
  samples?: Array<[number, number]>;
}

export interface AcknowledgedWrite {
  seq: number;
  /** When the ack arrived, in epoch ms (performance.timeOrigin + now()): comparable across threads. */
  at: number;
}

/** The key of probe `seq` under a run's prefix. */
export function probeKey(keyPrefix: string, seq: number): string {
  return `${keyPrefix}lag:${seq}`;
}

export interface LagProbeOptions {
  probesPerSecond: number;
  keyPrefix: string;
  ttlMs: number;
  /** Give up on one probe after this long (ms). */
  pollTimeoutMs: number;
  /** Cluster: the pollers send READONLY (a cluster replica answers reads only then). */
  readOnly?: boolean;
}

export class LagProber {
  readonly stats = new Map<string, ReplicaLagStats>();
  /** Sequence numbers of acknowledged probe writes, with their ack time (epoch ms). */
  readonly acknowledged: AcknowledgedWrite[] = [];
  writeErrors = 0;
  recording = false;
  private writer: Redis;
  private readonly pollers = new Map<string, Redis>();
  private stopped = false;
  private loop?: Promise<void>;
  private seq = 0;
  /** Called after each probe while stop() waits for the first ones. */
  private probeFinished?: () => void;

  constructor(
    primary: LoadNode,
    private readonly replicas: LoadNode[],
    private readonly options: LagProbeOptions,
  ) {
    this.writer = openControl(primary.address, 'eck-bench-lag-writer');
    for (const replica of replicas) {
      this.stats.set(replica.id, new ReplicaLagStats());
      this.pollers.set(replica.id, openControl(replica.address, `eck-bench-lag-${replica.id}`, options.readOnly));
    }
  }

  keyOf(seq: number): string {
    return probeKey(this.options.keyPrefix, seq);
  }

  /**
   * Starts probing; resolves once every probe connection is up (or has failed), when the
   * first probe goes out. Commands on a connection still connecting fail at once (no
   * offline queue): the first probe waits, or it would count a replica that is merely
   * still connecting as an error.
   */
  start(): Promise<void> {
    if (this.options.probesPerSecond <= 0 || this.replicas.length === 0) return Promise.resolve();
    const connected = Promise.allSettled(
      [this.writer, ...this.pollers.values()].map((c) => c.connect().then(() => readOnlySet(c))),
    );
    this.loop = connected.then(() => this.run());
    return connected.then(() => undefined);
  }

  /** After a failover the probe writes follow the new primary. */
  switchPrimary(primary: LoadNode): void {
    const old = this.writer;
    this.writer = openControl(primary.address, 'eck-bench-lag-writer');
    this.writer.connect().catch(() => undefined);
    closeControl(old);
  }

  beginMeasuring(): void {
    for (const stats of this.stats.values()) stats.reset();
    this.writeErrors = 0;
    this.recording = true;
  }

  async stop(): Promise<void> {
    if (this.recording && this.loop) await this.untilEveryReplicaProbed();
    this.stopped = true;
    await this.loop;
    this.recording = false;
    closeControl(this.writer);
    for (const poller of this.pollers.values()) closeControl(poller);
  }

  /**
   * A run too short for one probe to finish while measuring (a 1 s run on a busy machine,
   * where this thread was still connecting) would report no replication figures at all.
   * So stopping waits until every replica has one finished probe (seen, timed out or
   * failed), at most the poll timeout.
   */
  private async untilEveryReplicaProbed(): Promise<void> {
    const probed = () => [...this.stats.values()].every((stats) => stats.probes > 0);
    if (probed()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.probeFinished = () => {
          if (probed()) resolve();
        };
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.pollTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.probeFinished = undefined;
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.options.probesPerSecond;
    let next = performance.now();
    while (!this.stopped) {
      await this.probeOnce();
      this.probeFinished?.();
      next += interval;
      const now = performance.now();
      if (next < now)
        next = now; // a slow probe delays the next one instead of bunching them
      else await sleep(next - now);
    }
  }

  private async probeOnce(): Promise<void> {
    const seq = ++this.seq;
    const key = this.keyOf(seq);
    const value = String(seq);
    try {
      await this.writer.set(key, value, 'PX', this.options.ttlMs);
    } catch {
      if (this.recording) this.writeErrors++;
      await sleep(50);
      return;
    }
    const ackAt = performance.now();
    this.acknowledged.push({ seq, at: performance.timeOrigin + ackAt });
    await Promise.all(this.replicas.map((replica) => this.pollReplica(replica.id, key, value, ackAt)));
  }

  private async pollReplica(id: string, key: string, value: string, ackAt: number): Promise<void> {
    const poller = this.pollers.get(id)!;
    const stats = this.stats.get(id)!;
    const recording = this.recording;
    let first = true;
    for (;;) {
      const sent = performance.now();
      let seen: string | null;
      try {
        seen = await poller.get(key);
      } catch {
        if (recording) stats.errors++;
        return;
      }
      const replied = performance.now();
      if (!recording) {
        if (seen === value || replied - ackAt > this.options.pollTimeoutMs || this.stopped) return;
        continue;
      }
      stats.pollRtt.record((replied - sent) * 1000);
      if (first) {
        stats.readsAfterWrite++;
        if (seen !== value) stats.staleReads++;
        first = false;
      }
      if (seen === value) {
        // The replica answered this GET about halfway through its round trip: timing to
        // the midpoint instead of the reply removes the half-RTT bias a loaded replica
        // (slow polls) would add; what is left is within ± half a poll RTT (reported).
        const lagUs = Math.max(0, ((sent + replied) / 2 - ackAt) * 1000);
        stats.lag.record(lagUs);
        stats.samples.push([performance.timeOrigin + ackAt, lagUs]);
        return;
      }
      if (replied - ackAt > this.options.pollTimeoutMs) {
        stats.timeouts++;
        return;
      }
      // The run ended with this probe not yet seen: it was cut short, not timed out, so it
      // counts as neither (its first read still counts as a read after write).
      if (this.stopped) return;
    }
  }
}

/**
 * Of the acknowledged probe writes, which are absent on `primary` now. Checked after a
 * failover: those writes were confirmed to the client and then lost. `acknowledgedBefore`
 * (epoch ms) limits the check to writes acknowledged before the failover was noticed.
 */
export async function countLostWrites(
  primary: Redis,
  acknowledged: AcknowledgedWrite[],
  keyPrefix: string,
  acknowledgedBefore = Number.POSITIVE_INFINITY,
): Promise<{ checked: number; lost: number }> {
  const acked = acknowledged.filter((a) => a.at <= acknowledgedBefore);
  let lost = 0;
  for (let i = 0; i < acked.length; i += 500) {
    const batch = acked.slice(i, i + 500);
    const pipeline = primary.pipeline();
    for (const a of batch) pipeline.exists(probeKey(keyPrefix, a.seq));
    const results = (await pipeline.exec()) ?? [];
    for (const [error, exists] of results) if (error || exists === 0) lost++;
  }
  return { checked: acked.length, lost };
}
