/**
 * One share of the load in its own thread: a Workload with this thread's connections and
 * histograms. One Node thread tops out well below a large node, so bench runs N of these.
 * Messages in: init (at once: a cluster's routing loads while the prefill runs), start,
 * measure, limit, stop, abort. Out: progress (counters and histogram
 * bucket counts, so the main thread merges exactly), limit (this share's requests are
 * done), result (final figures).
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Workload, type LoadNode, type WorkloadOptions } from './workload.js';
import { snapshotNodeStats, type NodeStatsSnapshot } from './load-thread.js';

export type LoadWorkerRequest =
  | { type: 'init'; nodes: LoadNode[]; options: WorkloadOptions }
  | { type: 'start' }
  /** atEpochMs: the main thread's measurement start, as epoch ms (threads have different performance clocks). */
  | { type: 'measure'; atEpochMs: number }
  | { type: 'limit'; requests: number }
  | { type: 'stop' }
  | { type: 'abort' };

export type LoadWorkerMessage =
  | { type: 'progress'; stats: Array<[string, NodeStatsSnapshot]>; connections: number }
  | { type: 'limit' }
  /** Booted, and a cluster's routing loaded: start will open the connections at once. */
  | { type: 'ready' }
  | { type: 'result'; stats: Array<[string, NodeStatsSnapshot]>; connections: number };

let workload: Workload | undefined;
let prepared: Promise<void> = Promise.resolve();
let progressTimer: NodeJS.Timeout | undefined;

function post(message: LoadWorkerMessage): void {
  parentPort!.postMessage(message);
}

function figures(): Array<[string, NodeStatsSnapshot]> {
  return [...(workload?.stats ?? new Map())].map(([id, stats]) => [id, snapshotNodeStats(stats)]);
}

function finish(): void {
  if (progressTimer) clearInterval(progressTimer);
  post({ type: 'result', stats: figures(), connections: workload?.connectionCount ?? 0 });
  parentPort!.close();
}

parentPort?.on('message', (request: LoadWorkerRequest) => {
  switch (request.type) {
    case 'init':
      workload = new Workload(request.nodes, request.options);
      prepared = workload.prepare();
      void prepared.then(() => post({ type: 'ready' }));
      break;
    case 'start':
      // A cluster's routing is loaded by now, unless start came very early (then measure/limit may come first).
      void prepared.then(() => workload!.start());
      progressTimer = setInterval(
        () => post({ type: 'progress', stats: figures(), connections: workload!.connectionCount }),
        250,
      );
      break;
    case 'measure':
      workload?.beginMeasuring(request.atEpochMs - performance.timeOrigin);
      break;
    case 'limit':
      if (!workload) break;
      workload.control.onLimitReached = () => post({ type: 'limit' });
      workload.control.limit = request.requests;
      break;
    case 'stop':
      void (workload?.stop() ?? Promise.resolve()).then(finish);
      break;
    case 'abort':
      workload?.abort();
      finish();
      break;
  }
});
