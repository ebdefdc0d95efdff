/**
 * The lag probes in their own thread. In the load's thread a poll's reply waits behind
 * thousands of load replies per event-loop turn, which would add that wait to every lag
 * sample (1-2 ms at full load); here the probe connections have an event loop to
 * themselves. Messages in: start, measure, switch, stop. Out: ready (the probes are
 * connected), progress, result.
 * One prober per group (a cluster's shards; one group otherwise), each with its own key
 * prefix (a hash tag pins a shard's probe keys to that shard).
 */
import { parentPort } from 'node:worker_threads';
import { LagProber, type AcknowledgedWrite, type LagProbeOptions, type ReplicaLagSnapshot } from './lag.js';
import { HdrHistogram } from './histogram.js';
import type { LoadNode } from './workload.js';

/** One primary and its replicas, probed under `keyPrefix`. */
export interface ProbeGroup {
  primary: LoadNode;
  replicas: LoadNode[];
  keyPrefix: string;
}

export type LagWorkerRequest =
  | { type: 'start'; groups: ProbeGroup[]; options: LagProbeOptions }
  | { type: 'measure' }
  | { type: 'switch'; group: number; primary: LoadNode }
  | { type: 'stop' };

export type LagWorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; lagP50Us?: number }
  | {
      type: 'result';
      stats: Array<[string, ReplicaLagSnapshot]>;
      /** Per group. */
      acknowledged: AcknowledgedWrite[][];
      writeErrors: number;
    };

let probers: LagProber[] = [];
let progressTimer: NodeJS.Timeout | undefined;

function post(message: LagWorkerMessage): void {
  parentPort!.postMessage(message);
}

parentPort?.on('message', (request: LagWorkerRequest) => {
  switch (request.type) {
    case 'start':
      probers = request.groups.map(
        (group) => new LagProber(group.primary, group.replicas, { ...request.options, keyPrefix: group.keyPrefix }),
      );
      void Promise.all(probers.map((prober) => prober.start())).then(() => post({ type: 'ready' }));
      progressTimer = setInterval(() => {
        const merged = new HdrHistogram();
        for (const prober of probers) for (const stats of prober.stats.values()) merged.add(stats.lag);
        post({ type: 'progress', ...(merged.totalCount > 0 ? { lagP50Us: merged.valueAtPercentile(50) } : {}) });
      }, 250);
      break;
    case 'measure':
      for (const prober of probers) prober.beginMeasuring();
      break;
    case 'switch':
      probers[request.group]?.switchPrimary(request.primary);
      break;
    case 'stop':
      if (progressTimer) clearInterval(progressTimer);
      void Promise.all(probers.map((prober) => prober.stop())).then(() => {
        post({
          type: 'result',
          stats: probers.flatMap((prober) => [...prober.stats].map(([id, stats]) => [id, stats.snapshot()] as const)),
          acknowledged: probers.map((prober) => prober.acknowledged),
          writeErrors: probers.reduce((sum, prober) => sum + prober.writeErrors, 0),
        });
        parentPort!.close();
      });
      break;
  }
});
