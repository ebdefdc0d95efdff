/**
 * bench as a function, for other commands (the `demo` runs a short bench on the group it
 * created): Topology + the same flags as the CLI → report, table text and the one
 * interpreting sentence.
 *
 *   const { report, text, sentence } = await benchTopology(topology, { testTime: '10', clients: '10' });
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { Topology } from '../topology.js';
import type { NodeAddress } from './load-connection.js';
import { parseSettings, type RawBenchOptions } from './options.js';
import { renderReport } from './render.js';
import { interpretReport, type BenchReport } from './report.js';
import { runBench, type RunHooks } from './run.js';
import type { LoadNode } from './workload.js';

export interface BenchResult {
  report: BenchReport;
  /** The tables and notes as `bench` prints them. */
  text: string;
  /** One sentence on what the figures mean for the app. */
  sentence: string;
}

/** The nodes of a (cluster-mode disabled) group as bench targets. */
export function loadNodesOf(topology: Topology, connection: { password?: string; tls?: NodeAddress['tls'] } = {}): LoadNode[] {
  if (topology.clusterMode) throw new UsageError(`${topology.replicationGroupId} has cluster mode enabled: bench measures one primary and its replicas`);
  return topology.nodes.map((n) => ({
    id: n.id,
    role: n.role,
    address: {
      host: n.address,
      port: n.port,
      ...(connection.tls || topology.tls ? { tls: connection.tls ?? {} } : {}),
      ...(connection.password !== undefined ? { password: connection.password } : {}),
    },
  }));
}

export async function benchTopology(
  topology: Topology,
  flags: RawBenchOptions = {},
  hooks: RunHooks = {},
  connection: { password?: string; tls?: NodeAddress['tls'] } = {},
): Promise<BenchResult> {
  const runId = randomBytes(4).toString('hex');
  const settings = parseSettings(flags, runId);
  const nodes = loadNodesOf(topology, connection);
  const config = {
    target: topology.replicationGroupId,
    nodes: nodes.map((n) => ({ id: n.id, role: n.role, address: n.address.host, port: n.address.port })),
    clients: settings.clients,
    pipeline: settings.pipeline,
    ratio: `${settings.sets}:${settings.gets}`,
    dataSize: settings.dataSize,
    keyMaximum: settings.keyMaximum,
    readFrom: settings.readFrom,
    testTimeS: settings.testTimeS,
    lagProbes: settings.lagProbes,
    keyPrefix: settings.keyPrefix,
  };
  const { report } = await runBench(nodes, settings, runId, config, hooks);
  return { report, text: renderReport(report), sentence: interpretReport(report) };
}
