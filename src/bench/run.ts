/**
 * One bench run, start to finish: check the nodes, prefill, warm up, measure (load +
 * lag probes + INFO sampling), drain, count lost writes, remove every bench key, report.
 * Keys are removed on every way out: the end, an error, or Ctrl-C (onInterrupt).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { CliError, messageOf } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { HdrHistogram } from './histogram.js';
import {
  closeControl,
  connectControl,
  deleteKeysWithPrefix,
  escapeGlob,
  parseInfo,
  whileThrottled,
} from './control-connection.js';
import { countLostWrites, probeKey } from './lag.js';
import { LagProbeThread } from './lag-thread.js';
import { ReplicationSampler } from './replication-info.js';
import { buildReport, type BenchReport } from './report.js';
import { commandBytes } from './ecpu.js';
import { addLagOverTime, TimelineSampler, type IntervalHistograms } from './timeline.js';
import { ClusterKeyRemover, keyspaceKeys, namedKeys, type NamedKeys } from './cluster-cleanup.js';
import { joinedNodes, readSlotMap, withJoinedShards, type ClusterLayout } from './cluster-discovery.js';
import { tagForSlots } from './hash-slot.js';
import { slotSet } from './slot-map.js';
import { SlotMapWatcher } from './slot-map-watcher.js';
import type { BenchSettings } from './options.js';
import { Workload, type LoadNode, type WorkloadOptions } from './workload.js';
import { ThreadedWorkload } from './threaded-load.js';

export interface ProgressSnapshot {
  phase: 'prefill' | 'warmup' | 'measure' | 'cleanup';
  elapsedMs: number;
  opsPerSec: number;
  p99Ms: number;
  lagP50Ms?: number;
}

export interface RunHooks {
  onPhase?: (phase: ProgressSnapshot['phase'], detail: string) => void;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** How often onProgress is called (ms). */
  progressIntervalMs?: number;
  warn?: (text: string) => void;
  /** Stops the measurement early (tests, Ctrl-C). */
  signal?: AbortSignal;
}

export interface RunResult {
  report: BenchReport;
  /** Per node id, the merged latency histogram (for --hdr-out). */
  histograms: Map<string, HdrHistogram>;
  /** Per node id, SET and GET latency apart (a distributed worker sends both). */
  byCommand: Map<string, { set: HdrHistogram; get: HdrHistogram }>;
  /** Each second's latency histogram per node (--hdr-log, distributed merges). */
  intervals: IntervalHistograms[];
  /** How late the measured phase began after its shared time, `settings.startAtMs` + the warmup (ms; 0 without it). */
  startLateMs: number;
}

/** One primary and its replicas: the whole group, or one shard of a cluster. */
interface Group {
  /** The shard id in a cluster. */
  shard?: string;
  primary: LoadNode;
  replicas: LoadNode[];
  /** Where this group's lag probe keys live (a hash tag pins a shard's to that shard). */
  probePrefix: string;
}

function groupsOf(nodes: LoadNode[], settings: BenchSettings, cluster: ClusterLayout | undefined): Group[] {
  if (!cluster) {
    const primary = nodes.find((n) => n.role === 'primary');
    if (!primary) throw new CliError('no primary node to benchmark');
    return [{ primary, replicas: nodes.filter((n) => n.role === 'replica'), probePrefix: settings.keyPrefix }];
  }
  return cluster.shards.map((shard) => {
    const members = shard.nodeIds.map((id) => nodes.find((n) => n.id === id)!);
    const owned = slotSet(shard.slots);
    return {
      shard: shard.id,
      primary: members[0]!,
      replicas: members.slice(1),
      probePrefix: `${settings.keyPrefix}{${tagForSlots((slot) => owned[slot] === 1)}}:`,
    };
  });
}

export async function runBench(
  nodes: LoadNode[],
  settings: BenchSettings,
  runId: string,
  config: Record<string, unknown>,
  hooks: RunHooks = {},
  initialWarnings: string[] = [],
  cluster?: ClusterLayout,
): Promise<RunResult> {
  const warnings = [...initialWarnings];
  const warn = (text: string) => {
    warnings.push(text);
    hooks.warn?.(text);
  };
  const groups = groupsOf(nodes, settings, cluster);
  // The nodes as discovered: a load thread's router adds nodes that join mid-run to its own list.
  const discovered = [...nodes];
  if (cluster && /\{[^}]+\}/.test(settings.keyPrefix))
    warn(
      `--key-prefix ${settings.keyPrefix} has a hash tag: every bench key lands in one slot, so one shard takes all the load`,
    );
  const replicas = groups.flatMap((g) => g.replicas);
  if (settings.readFrom === 'replicas')
    for (const group of groups.filter((g) => g.shard !== undefined && g.replicas.length === 0))
      warn(`shard ${group.shard} has no replica: with --read-from replicas its keys are only written, never read`);
  const readOnly = cluster !== undefined;

  // First contact: every primary must answer (wrong port, TLS or AUTH fail here, clearly).
  const controls: Redis[] = [];
  const closeAll = () => {
    for (const c of controls) closeControl(c);
  };
  /** Per group, the connection to its primary now (it changes after a failover). */
  const primaryControls: Redis[] = [];
  try {
    for (const group of groups) {
      const { primary } = group;
      let control: Redis;
      try {
        control = await connectControl(primary.address, 'eck-bench-control');
      } catch (error) {
        throw new CliError(
          `cannot connect to the primary ${primary.address.host}:${primary.address.port}: ${messageOf(error)}`,
        );
      }
      controls.push(control);
      primaryControls.push(control);
      // INFO may be refused (a serverless cache restricts it): then there is no role to check.
      const role = parseInfo(await control.info('replication').catch(() => '')).get('role');
      if (role !== undefined && role !== 'master')
        warn(
          `${primary.id} (${primary.address.host}:${primary.address.port}) answers as ${role}, not as the primary: SETs will fail`,
        );
    }
  } catch (error) {
    closeAll();
    throw error;
  }
  for (const replica of replicas) {
    try {
      const r = await connectControl(replica.address, 'eck-bench-check');
      const replicaRole = parseInfo(await whileThrottled(() => r.info('replication'))).get('role');
      // A serverless reader endpoint is no replica by INFO: only a node in the slot map is checked.
      if (replicaRole === 'master' && (!cluster || replica.clusterId !== undefined))
        warn(`${replica.id} answers as a primary, not a replica: its lag figures mean nothing`);
      closeControl(r);
    } catch (error) {
      warn(
        `cannot reach ${replica.id} (${replica.address.host}:${replica.address.port}): ${messageOf(error)}; it is benchmarked anyway and will show errors`,
      );
    }
  }

  const workloadOptions: WorkloadOptions = {
    clients: settings.clients,
    pipeline: settings.pipeline,
    sets: settings.sets,
    gets: settings.gets,
    dataSize: settings.dataSize,
    keyMaximum: settings.keyMaximum,
    keyPattern: settings.keyPattern,
    readFrom: settings.readFrom,
    rate: settings.rate,
    keyPrefix: settings.keyPrefix,
    ttlMs: settings.keyTtlS * 1000,
    requestTimeoutMs: settings.requestTimeoutMs,
    connectTimeoutMs: 2000,
    ...(cluster ? { cluster: { seed: cluster.seed, slots: cluster.slots } } : {}),
  };
  // --threads > 1: the same load in worker threads, merged here (threaded-load.ts).
  const workload =
    settings.threads > 1
      ? new ThreadedWorkload(nodes, workloadOptions, settings.threads)
      : new Workload(nodes, workloadOptions);
  const prober = new LagProbeThread(
    groups.map((g) => ({ primary: g.primary, replicas: g.replicas, keyPrefix: g.probePrefix })),
    {
      probesPerSecond: settings.lagProbes,
      keyPrefix: settings.keyPrefix,
      ttlMs: settings.keyTtlS * 1000,
      pollTimeoutMs: Math.max(2000, settings.requestTimeoutMs),
      readOnly,
    },
  );
  const samplers = groups.map((group, index) => {
    const sampler = new ReplicationSampler([group.primary, ...group.replicas.filter((r) => !cluster || r.clusterId)]);
    sampler.onFailover = (event, newPrimary) => {
      warn(
        `failover${group.shard ? ` in shard ${group.shard}` : ''}: ${event.to} is now the primary (was ${event.from})`,
      );
      prober.switchPrimary(newPrimary, index);
    };
    return sampler;
  });
  const watcher = cluster ? new SlotMapWatcher(cluster.seed, cluster.slots, nodes) : undefined;
  const stopObservers = () => Promise.allSettled([prober.stop(), watcher?.stop(), ...samplers.map((s) => s.stop())]);

  /** The lag probes' keys that were written (the first up to the last acknowledged, per shard). */
  const probeKeys = () =>
    namedKeys(
      groups.flatMap((group, index) => {
        const last = (prober.acknowledged[index] ?? []).reduce((max, a) => Math.max(max, a.seq), 0);
        return Array.from({ length: last }, (_, i) => probeKey(group.probePrefix, i + 1));
      }),
    );
  let cleanedUp: Promise<{ keysRemoved: number; keysLeft: number }> | undefined;
  const cleanup = () =>
    (cleanedUp ??= (async () => {
      workload.abort();
      await stopObservers();
      const removeAll = async () => {
        const removed = await Promise.all([
          ...primaryControls.map((c) => removeKeys(c, settings.keyPrefix)),
          // A shard added mid-run holds bench keys too (moved there, or written there since).
          ...(cluster ? await joinedPrimaries(cluster, discovered) : []).map((node) => removeKeysOn(node, settings)),
        ]);
        return {
          keysRemoved: removed.reduce((sum, r) => sum + r.keysRemoved, 0),
          keysLeft: removed.some((r) => r.keysLeft < 0) ? -1 : removed.reduce((sum, r) => sum + r.keysLeft, 0),
        };
      };
      if (!cluster) return removeAll();
      try {
        return await removeClusterKeys(cluster, workload.keyspace, probeKeys(), settings.keyPrefix);
      } catch (error) {
        warn(`could not remove the bench keys by name (${messageOf(error)}): removed by SCAN on each primary instead`);
      }
      const first = await removeAll();
      if (first.keysLeft === 0) return first;
      // Slots still moving: a key can move to a node whose SCAN had already passed. Once more.
      const second = await removeAll();
      return { keysRemoved: first.keysRemoved + second.keysRemoved, keysLeft: second.keysLeft };
    })());
  const removeInterruptHandler = onInterrupt(async () => {
    await cleanup();
    closeAll();
  });

  let progressTimer: NodeJS.Timeout | undefined;
  try {
    hooks.onPhase?.('prefill', `writing ${settings.keyMaximum} keys`);
    await workload.prefill(groups.map((g) => g.primary));
    await waitForReplicas(replicas, (replica) => workload.lastPrefilledKey(replica), warn, readOnly);

    // Load threads boot (and load a cluster's routing) during the prefill; the warmup and the
    // measurement start only once they can send (on a busy machine that can take a second).
    await workload.ready();

    // A distributed worker: every worker is ready (prefilled) before the shared start
    // time, so their measured seconds line up (as well as their clocks do).
    if (settings.startAtMs !== undefined) {
      const wait = settings.startAtMs - Date.now();
      if (wait > 0) {
        hooks.onPhase?.('prefill', `waiting ${Math.ceil(wait / 1000)} s for the shared start time`);
        await sleepUnlessAborted(wait, hooks.signal);
      }
    }

    // With no warmup the load starts measured: after beginMeasuring and the --requests limit, so
    // no request goes out unrecorded (a thread could otherwise send between the two messages).
    const measureFromStart = settings.warmupS === 0;
    // The lag probes connect first (their thread booted during the prefill), so the first
    // measured second has its lag samples too.
    await prober.start();
    if (!measureFromStart) workload.start();
    for (const sampler of samplers) sampler.start();
    watcher?.start();
    // A distributed worker's measured phase begins at a shared time too, the shared start plus
    // the warmup: its warmup ends there, however long connecting took this worker (on a
    // busy bastion, up to a second more than on another).
    const measureAtMs = settings.startAtMs !== undefined ? settings.startAtMs + settings.warmupS * 1000 : undefined;
    if (settings.warmupS > 0) {
      hooks.onPhase?.('warmup', `${settings.warmupS} s`);
      const warmupMs = measureAtMs !== undefined ? measureAtMs - Date.now() : settings.warmupS * 1000;
      if (warmupMs > 0) await sleepUnlessAborted(warmupMs, hooks.signal);
    }
    const startLateMs = measureAtMs !== undefined ? Math.max(0, Date.now() - measureAtMs) : 0;
    if (startLateMs > 1000) warn(`this worker began measuring ${Math.round(startLateMs)} ms after the shared time`);

    hooks.onPhase?.(
      'measure',
      settings.requests !== undefined ? `${settings.requests} requests` : `${settings.testTimeS} s`,
    );
    const startedAt = new Date();
    const t0 = performance.now();
    const offsetLag = new Map(samplers.flatMap((s) => [...s.offsetLag]));
    const timeline = new TimelineSampler(() => workload.latestStats(), t0, offsetLag);
    timeline.start();
    workload.beginMeasuring(t0);
    prober.beginMeasuring();
    for (const sampler of samplers) sampler.beginMeasuring();
    const cpu0 = process.cpuUsage();
    let limitReached: Promise<void> | undefined;
    if (settings.requests !== undefined) {
      limitReached = new Promise<void>((resolve) => (workload.control.onLimitReached = resolve));
      workload.control.limit = settings.requests;
    }
    if (measureFromStart) workload.start();

    // Progress: ops/s over the last interval, p99 of everything so far, lag p50 so far.
    let lastOps = 0;
    let lastAt = t0;
    if (hooks.onProgress) {
      progressTimer = setInterval(() => {
        const now = performance.now();
        const ops = workload.totals().ops;
        const merged = new HdrHistogram();
        for (const stats of workload.stats.values()) {
          merged.add(stats.setLatency);
          merged.add(stats.getLatency);
        }
        const lagP50Ms = prober.lagP50Ms;
        hooks.onProgress?.({
          phase: 'measure',
          elapsedMs: now - t0,
          opsPerSec: ((ops - lastOps) * 1000) / Math.max(1, now - lastAt),
          p99Ms: merged.valueAtPercentile(99) / 1000,
          ...(lagP50Ms !== undefined ? { lagP50Ms } : {}),
        });
        lastOps = ops;
        lastAt = now;
      }, hooks.progressIntervalMs ?? 1000);
    }

    if (limitReached) {
      await Promise.race([limitReached, abortPromise(hooks.signal)]);
    } else {
      await sleepUnlessAborted(settings.testTimeS * 1000, hooks.signal);
    }
    timeline.loadStopped();
    await workload.stop();
    const t1 = performance.now();
    // Nodes that joined the cluster mid-run (load threads found them in the re-read slot map):
    // in the report per node and per shard, their figures merged by node id.
    const finalSlots = cluster ? await readSlotMap(cluster.seed).catch(() => undefined) : undefined;
    if (cluster && finalSlots) nodes.push(...joinedNodes(finalSlots, nodes, cluster.seed));
    // The offset-lag samples of each shard's sampler, gathered once more (they grew since).
    for (const sampler of samplers) for (const [id, samples] of sampler.offsetLag) offsetLag.set(id, samples);
    const timelinePoints = timeline.stop(t1);
    const cpu = process.cpuUsage(cpu0);
    if (progressTimer) clearInterval(progressTimer);
    await stopObservers();
    addLagOverTime(
      timelinePoints,
      new Map([...prober.stats].map(([id, s]) => [id, s.samples])),
      performance.timeOrigin + t0,
    );

    hooks.onPhase?.('cleanup', 'checking writes and removing bench keys');
    const failovers: Array<{ from: string; to: string; atMs: number; shard?: string }> = [];
    let lostWrites: { checked: number; lost: number } | undefined;
    for (const [index, sampler] of samplers.entries()) {
      const group = groups[index]!;
      if (sampler.failover) {
        failovers.push({
          from: sampler.failover.from,
          to: sampler.failover.to,
          atMs: sampler.failover.at - t0,
          ...(group.shard ? { shard: group.shard } : {}),
        });
        const newPrimary = nodes.find((n) => n.id === sampler.primaryId);
        if (newPrimary) {
          try {
            primaryControls[index] = await connectControl(newPrimary.address, 'eck-bench-control');
            controls.push(primaryControls[index]!);
          } catch (error) {
            warn(`cannot reach the new primary ${newPrimary.id} to check writes and remove keys: ${messageOf(error)}`);
          }
        }
      }
      try {
        // Ack times are epoch ms (they come from the probe thread); the failover time is this thread's clock.
        const noticed = sampler.failover ? performance.timeOrigin + sampler.failover.at : undefined;
        const lost = await countLostWrites(
          primaryControls[index]!,
          prober.acknowledged[index] ?? [],
          group.probePrefix,
          noticed,
        );
        lostWrites = { checked: (lostWrites?.checked ?? 0) + lost.checked, lost: (lostWrites?.lost ?? 0) + lost.lost };
      } catch (error) {
        warn(`could not check acknowledged writes: ${messageOf(error)}`);
      }
    }
    failovers.sort((a, b) => a.atMs - b.atMs);
    const cleaned = await cleanup();
    const durationMs = t1 - t0;
    const report = buildReport({
      config,
      runId,
      keyPrefix: settings.keyPrefix,
      startedAt,
      durationMs,
      nodes,
      stats: workload.latestStats(),
      lag: prober.stats,
      offsetLag,
      timeline: timelinePoints,
      ...(failovers[0] ? { failover: failovers[0] } : {}),
      ...(lostWrites ? { lostWrites } : {}),
      ...(cluster
        ? {
            cluster: {
              shards: withJoinedShards(cluster.shards, nodes, finalSlots ?? cluster.slots),
              failovers,
              slotMapChanges: (watcher?.changes ?? []).map((c) => ({ atMs: c.at - t0, description: c.description })),
            },
          }
        : {}),
      ...(config.kind === 'serverless'
        ? { serverless: { commandBytes: commandBytes(workload.keyspace, settings.dataSize) } }
        : {}),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / Math.max(1, durationMs)) * 100,
      connections: workload.connectionCount,
      cleanup: cleaned,
      warnings,
    });
    const histograms = new Map<string, HdrHistogram>();
    const byCommand = new Map<string, { set: HdrHistogram; get: HdrHistogram }>();
    for (const [id, stats] of workload.stats) {
      histograms.set(id, stats.latency());
      byCommand.set(id, { set: stats.setLatency, get: stats.getLatency });
    }
    return { report, histograms, byCommand, intervals: timeline.intervals, startLateMs };
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await cleanup().catch(() => undefined);
    removeInterruptHandler();
    closeAll();
  }
}

/** The primaries of the slot map now that were not discovered at the start (a shard added mid-run). */
async function joinedPrimaries(cluster: ClusterLayout, discovered: LoadNode[]): Promise<LoadNode[]> {
  try {
    return joinedNodes(await readSlotMap(cluster.seed), discovered, cluster.seed).filter((n) => n.role === 'primary');
  } catch {
    return [];
  }
}

async function removeKeysOn(
  node: LoadNode,
  settings: BenchSettings,
): Promise<{ keysRemoved: number; keysLeft: number }> {
  let redis: Redis | undefined;
  try {
    redis = await connectControl(node.address, 'eck-bench-control');
    return await removeKeys(redis, settings.keyPrefix);
  } catch {
    return { keysRemoved: 0, keysLeft: -1 };
  } finally {
    closeControl(redis);
  }
}

/**
 * A cluster's bench keys: those bench wrote, by name, where they are now (a resharding may
 * still be moving them: cluster-cleanup.ts), then whatever else SCAN finds under the prefix.
 */
async function removeClusterKeys(
  cluster: ClusterLayout,
  keyspace: Workload['keyspace'],
  probes: NamedKeys,
  prefix: string,
): Promise<{ keysRemoved: number; keysLeft: number }> {
  const remover = new ClusterKeyRemover(cluster.seed);
  try {
    const named = (await remover.unlink(keyspaceKeys(keyspace))) + (await remover.unlink(probes));
    const swept = await remover.sweep(prefix);
    return { keysRemoved: named + swept.keysRemoved, keysLeft: swept.keysLeft };
  } finally {
    remover.close();
  }
}

/** SCAN + UNLINK under the prefix, then count what is left (should be 0). */
async function removeKeys(primary: Redis, prefix: string): Promise<{ keysRemoved: number; keysLeft: number }> {
  let keysRemoved = 0;
  try {
    keysRemoved = await deleteKeysWithPrefix(primary, prefix);
  } catch {
    return { keysRemoved, keysLeft: -1 };
  }
  let keysLeft = 0;
  let cursor = '0';
  try {
    do {
      const [next, keys] = await whileThrottled(() =>
        primary.scan(cursor, 'MATCH', escapeGlob(prefix) + '*', 'COUNT', 1000),
      );
      cursor = next;
      keysLeft += keys.length;
    } while (cursor !== '0');
  } catch {
    keysLeft = -1;
  }
  return { keysRemoved, keysLeft };
}

/** Replication is in order: once a replica has the last prefilled key it has them all. */
async function waitForReplicas(
  replicas: LoadNode[],
  lastKeyOf: (replica: LoadNode) => string | undefined,
  warn: (text: string) => void,
  readOnly: boolean,
  timeoutMs = 15_000,
): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      const lastKey = lastKeyOf(replica);
      if (lastKey === undefined) return;
      let redis: Redis | undefined;
      try {
        const check = await connectControl(replica.address, 'eck-bench-prefill-check', readOnly);
        redis = check;
        const deadline = performance.now() + timeoutMs;
        while ((await whileThrottled(() => check.exists(lastKey))) === 0) {
          if (performance.now() > deadline) {
            warn(`${replica.id} did not receive the prefilled keys within ${timeoutMs / 1000} s: its GETs will miss`);
            return;
          }
          await sleep(20);
        }
      } catch {
        // Unreachable: the load will show it.
      } finally {
        closeControl(redis);
      }
    }),
  );
}

function abortPromise(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await Promise.race([sleep(ms), abortPromise(signal)]);
}
