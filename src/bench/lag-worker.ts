/**
 * The lag probes in their own thread. In the load's thread a poll's reply waits behind
 * thousands of load replies per event-loop turn, which would add that wait to every lag
 * sample (1-2 ms at full load); here the probe connections have an event loop to
 * themselves. Messages in: start, measure, switch, stop. Out: progress, result.
 */
import { parentPort } from 'node:worker_threads';
import { LagProber, type AcknowledgedWrite, type LagProbeOptions, type ReplicaLagSnapshot } from './lag.js';
import { HdrHistogram } from './histogram.js';
import type { LoadNode } from './workload.js';

export type LagWorkerRequest =
  | { type: 'start'; primary: LoadNode; replicas: LoadNode[]; options: LagProbeOptions }
  | { type: 'measure' }
  | { type: 'switch'; primary: LoadNode }
  | { type: 'stop' };

export type LagWorkerMessage =
  | { type: 'progress'; lagP50Us?: number }
  | {
      type: 'result';
      stats: Array<[string, ReplicaLagSnapshot]>;
      acknowledged: AcknowledgedWrite[];
      writeErrors: number;
    };

let prober: LagProber | undefined;
let progressTimer: NodeJS.Timeout | undefined;

function post(message: LagWorkerMessage): void {
  parentPort!.postMessage(message);
}

parentPort?.on('message', (request: LagWorkerRequest) => {
  switch (request.type) {
    case 'start':
      prober = new LagProber(request.primary, request.replicas, request.options);
      prober.start();
      progressTimer = setInterval(() => {
        const merged = new HdrHistogram();
        for (const stats of prober!.stats.values()) merged.add(stats.lag);
        post({ type: 'progress', ...(merged.totalCount > 0 ? { lagP50Us: merged.valueAtPercentile(50) } : {}) });
      }, 250);
      break;
    case 'measure':
      prober?.beginMeasuring();
      break;
    case 'switch':
      prober?.switchPrimary(request.primary);
      break;
    case 'stop':
      if (progressTimer) clearInterval(progressTimer);
      void (prober?.stop() ?? Promise.resolve()).then(() => {
        post({
          type: 'result',
          stats: [...(prober?.stats ?? new Map())].map(([id, stats]) => [id, stats.snapshot()]),
          acknowledged: prober?.acknowledged ?? [],
          writeErrors: prober?.writeErrors ?? 0,
        });
        parentPort!.close();
      });
      break;
  }
});
