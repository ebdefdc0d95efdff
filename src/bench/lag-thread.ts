/**
 * The main-thread side of the lag probe worker (lag-worker.ts): same lifecycle as
 * LagProber (start, beginMeasuring, switchPrimary, stop), results handed back on stop.
 */
import { Worker } from 'node:worker_threads';
import { ReplicaLagStats, type AcknowledgedWrite, type LagProbeOptions } from './lag.js';
import type { LagWorkerMessage, LagWorkerRequest, ProbeGroup } from './lag-worker.js';
import type { LoadNode } from './workload.js';

export type { ProbeGroup } from './lag-worker.js';

export class LagProbeThread {
  stats = new Map<string, ReplicaLagStats>();
  /** Acknowledged probe writes, per group. */
  acknowledged: AcknowledgedWrite[][] = [];
  writeErrors = 0;
  /** Lag p50 so far (ms), refreshed four times a second while running. */
  lagP50Ms?: number;
  private worker?: Worker;
  private stopping?: Promise<void>;

  /** One group per shard in a cluster (one otherwise); options.keyPrefix is unused: each group has its own. */
  constructor(
    private readonly groups: ProbeGroup[],
    private readonly options: LagProbeOptions,
  ) {
    for (const group of groups) for (const replica of group.replicas) this.stats.set(replica.id, new ReplicaLagStats());
    this.acknowledged = groups.map(() => []);
    if (options.probesPerSecond <= 0 || groups.every((g) => g.replicas.length === 0)) return;
    // The thread boots now (loading its modules takes a while on a busy machine), while the
    // keyspace is prefilled, so probing starts at once when start() is called.
    this.worker = new Worker(new URL('./lag-worker.js', import.meta.url));
    this.worker.on('message', (message: LagWorkerMessage) => {
      if (message.type === 'progress' && message.lagP50Us !== undefined) this.lagP50Ms = message.lagP50Us / 1000;
    });
    this.worker.on('error', () => undefined);
  }

  /**
   * Starts probing; resolves once the thread has booted and its probe connections are up
   * (or have failed), so a measurement that starts then has lag samples from its first
   * second. On a busy CI machine the thread once took over a second to get there, and the
   * report's first second had no lag. Resolves at once when there is nothing to probe, and
   * if the thread dies (its error is the run's, through stop()).
   */
  start(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    const ready = new Promise<void>((resolve) => {
      const onMessage = (message: LagWorkerMessage) => {
        if (message.type !== 'ready') return;
        worker.off('message', onMessage);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('exit', () => resolve());
    });
    this.send({ type: 'start', groups: this.groups, options: this.options });
    return ready;
  }

  beginMeasuring(): void {
    this.lagP50Ms = undefined;
    this.send({ type: 'measure' });
  }

  switchPrimary(primary: LoadNode, group = 0): void {
    this.send({ type: 'switch', group, primary });
  }

  /**
   * Stops the probes and collects their figures. The worker may first wait for one probe
   * per replica (up to the poll timeout, see LagProber.stop); it is ended 5 s after that.
   */
  stop(): Promise<void> {
    this.stopping ??= this.collect();
    return this.stopping;
  }

  private async collect(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const result = await new Promise<Extract<LagWorkerMessage, { type: 'result' }> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.options.pollTimeoutMs + 5000);
      worker.on('message', (message: LagWorkerMessage) => {
        if (message.type === 'result') {
          clearTimeout(timer);
          resolve(message);
        }
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      worker.postMessage({ type: 'stop' } satisfies LagWorkerRequest);
    });
    await worker.terminate();
    if (!result) return;
    this.stats = new Map(result.stats.map(([id, snapshot]) => [id, ReplicaLagStats.fromSnapshot(snapshot)]));
    this.acknowledged = result.acknowledged;
    this.writeErrors = result.writeErrors;
  }

  private send(request: LagWorkerRequest): void {
    this.worker?.postMessage(request);
  }
}
