/**
 * bench: a target (group id, config file or host:port flags) → the nodes → load + lag
 * probes → report. The group id is discovered and the config file read here, so
 * src/bench/ receives only a Topology or endpoints and knows nothing of AWS or files.
 *
 *   const { report, text, sentence } = await benchTopology(topology, { testTime: 10, clients: 10 });
 */
import { randomBytes } from 'node:crypto';
import type { AwsContext } from '../aws/clients.js';
import { parseSettings, type BenchSettings, type RawBenchOptions, type TargetSpec } from '../bench/options.js';
import { readAuthToken, resolveTargets, type ResolvedTargets, type TargetSource } from '../bench/targets.js';
import { discoverCluster, isClusterNode } from '../bench/cluster-discovery.js';
import { runBench, type RunHooks, type RunResult } from '../bench/run.js';
import type { BenchReport } from '../bench/report.js';
import { CliError, UsageError, messageOf } from '../errors.js';
import type { Topology } from '../topology.js';

/** Reads the config file or discovers the group; connects to AWS only for a group id. */
export async function resolveBenchTargets(
  spec: TargetSpec,
  settings: BenchSettings,
  openAws: () => Promise<AwsContext>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedTargets> {
  // A missing or unreadable token is a usage error before any file is parsed or API called.
  readAuthToken(settings, env);
  let source: TargetSource;
  if (spec.kind === 'direct') source = spec;
  else if (spec.kind === 'config') {
    const { readTargetsFromConfigFile } = await import('../config/read-targets.js');
    // UsageError (exit 2) for a missing or unreadable file, naming the file and line.
    source = { kind: 'config', file: spec.file, targets: readTargetsFromConfigFile(spec.file) };
  } else {
    const [{ closeClients }, { discoverAnyTopology }] = await Promise.all([
      import('../aws/clients.js'),
      import('../aws/any-topology.js'),
    ]);
    const aws = await openAws();
    try {
      // A replication group (either mode) or a serverless cache of that name.
      source = { kind: 'topology', topology: await discoverAnyTopology(aws, spec.id) };
    } finally {
      closeClients(aws);
    }
  }
  const targets = await discoverTargets(resolveTargets(source, settings, env));
  if (settings.readFrom === 'replicas' && !targets.nodes.some((n) => n.role === 'replica')) {
    throw new UsageError(
      '--read-from replicas needs at least one replica (--replica host:port, or a group with replicas)',
    );
  }
  return targets;
}

/**
 * Cluster mode: reads the slot map from the seed and fills in the nodes (named after the
 * Topology where addresses match). A `--primary` that is a cluster node (cluster_enabled:1)
 * becomes the seed. The entry point for every kind of cluster, serverless included: give
 * ResolvedTargets a `cluster` seed (and a reader) and everything after this is the same.
 */
export async function discoverTargets(targets: ResolvedTargets): Promise<ResolvedTargets> {
  let seed = targets.cluster;
  if (!seed && targets.source === 'flags') {
    const primary = targets.nodes.find((n) => n.role === 'primary')!;
    // Unreachable: the run's first contact reports it, as for any primary.
    if (await isClusterNode(primary.address).catch(() => false)) {
      seed = { seed: primary.address };
      if (targets.nodes.length > 1)
        targets.warnings.push(
          `${primary.address.host}:${primary.address.port} is a cluster node: the nodes come from its slot map, not from --replica/--reader`,
        );
    }
  }
  if (!seed) return targets;
  let layout;
  try {
    layout = await discoverCluster(seed);
  } catch (error) {
    throw new CliError(
      `cannot read the slot map from ${seed.seed.host}:${seed.seed.port} (CLUSTER SLOTS): ${messageOf(error)}`,
    );
  }
  return {
    ...targets,
    cluster: seed,
    layout,
    nodes: layout.nodes,
    warnings: [...targets.warnings, ...layout.warnings],
  };
}

/** The run's settings as the report echoes them (`config` in the JSON report). */
export function benchConfig(targets: ResolvedTargets, settings: BenchSettings): Record<string, unknown> {
  const kind = targets.cluster?.topology?.kind;
  return {
    target: targets.source,
    // A serverless cache: the report adds throttled requests and the ECPUs the load cost.
    ...(kind ? { kind } : {}),
    nodes: targets.nodes.map((n) => ({
      id: n.id,
      role: n.role,
      address: n.address.host,
      port: n.address.port,
      ...(n.shard !== undefined ? { shard: n.shard } : {}),
    })),
    ...(targets.layout ? { cluster: { shards: targets.layout.shards.length } } : {}),
    clients: settings.clients,
    pipeline: settings.pipeline,
    ratio: `${settings.sets}:${settings.gets}`,
    dataSize: settings.dataSize,
    keyMaximum: settings.keyMaximum,
    keyPattern: settings.keyPattern,
    readFrom: settings.readFrom,
    ...(settings.requests !== undefined ? { requests: settings.requests } : { testTimeS: settings.testTimeS }),
    rate: settings.rate,
    warmupS: settings.warmupS,
    lagProbes: settings.lagProbes,
    keyPrefix: settings.keyPrefix,
    keyTtlS: settings.keyTtlS,
    tls: targets.nodes.some((n) => n.address.tls !== undefined),
    auth: targets.nodes.some((n) => n.address.password !== undefined),
  };
}

/** Loads the resolved nodes for the settings' time or request count; removes its keys at the end. */
export function benchTargets(
  targets: ResolvedTargets,
  settings: BenchSettings,
  runId: string,
  hooks: RunHooks = {},
): Promise<RunResult> {
  return runBench(targets.nodes, settings, runId, benchConfig(targets, settings), hooks, [], targets.layout);
}

export interface BenchResult {
  report: BenchReport;
  /** The tables and notes as `bench` prints them. */
  text: string;
  /** One sentence on what the figures mean for the app. */
  sentence: string;
}

/** bench as a function (demo, drills): a Topology and the CLI's flags → report, table text and one sentence. */
export async function benchTopology(
  topology: Topology,
  flags: RawBenchOptions = {},
  hooks: RunHooks = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchResult> {
  const runId = randomBytes(4).toString('hex');
  const settings = parseSettings(flags, runId);
  const targets = await discoverTargets(resolveTargets({ kind: 'topology', topology }, settings, env));
  const [{ renderReport }, { interpretReport }] = await Promise.all([
    import('../bench/render.js'),
    import('../bench/report.js'),
  ]);
  const { report } = await benchTargets(targets, settings, runId, hooks);
  return { report, text: renderReport(report), sentence: interpretReport(report) };
}
