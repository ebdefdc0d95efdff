/**
 * Which nodes to load, and how to reach them: from a Topology (`bench <id>`), from flags
 * (`--primary/--replica/--reader`) or from the endpoints of a config file that
 * `endpoints` wrote (`--from-config`). Also the secret (AUTH token) and TLS options.
 * Discovering the Topology and reading the file happen before (src/core/bench.ts):
 * bench knows nothing of AWS or config formats.
 */
import { readFileSync } from 'node:fs';
import { readSecret, type SecretSource } from '../secrets.js';
import { CliError, UsageError, messageOf } from '../errors.js';
import type { Topology } from '../topology.js';
import type { ClusterLayout, ClusterSeed } from './cluster-discovery.js';
import type { NodeAddress } from './load-connection.js';
import type { BenchSettings, HostPort } from './options.js';
import type { LoadNode } from './workload.js';

/** The endpoints a config file names (as src/config/read-targets.ts reads them). */
export interface FileTargets {
  primary?: { address: string; port: number };
  replicas: { address: string; port: number }[];
  reader?: { address: string; port: number };
  configuration?: { address: string; port: number };
  tls?: boolean;
  authToken?: string;
}

/** What the nodes come from, already read: flags, a file's endpoints, or a group's Topology. */
export type TargetSource =
  | { kind: 'direct'; primary: HostPort; replicas: HostPort[]; reader?: HostPort }
  | { kind: 'config'; file: string; targets: FileTargets }
  | { kind: 'topology'; topology: Topology };

export interface ResolvedTargets {
  /** The nodes to load (in a cluster: filled in by discovery, see `cluster`). */
  nodes: LoadNode[];
  /**
   * A cluster (or serverless cache) to discover: where to read CLUSTER SLOTS. discoverTargets()
   * (src/core/bench.ts) reads it and fills `nodes` and `layout`.
   */
  cluster?: ClusterSeed;
  /** The cluster as discovered: shards, slot map. */
  layout?: ClusterLayout;
  /** Where they came from, for the report: group id, "flags" or the config file. */
  source: string;
  /** Warnings to show (e.g. --insecure). */
  warnings: string[];
}

interface Connection {
  tls?: NodeAddress['tls'];
  username?: string;
  password?: string;
}

/** The AUTH token from the environment variable or the file; never from argv. */
export function readAuthToken(
  settings: BenchSettings,
  env: NodeJS.ProcessEnv = process.env,
): { token?: string; warnings: string[] } {
  const source: SecretSource | undefined =
    settings.authTokenEnv !== undefined
      ? { kind: 'env', name: settings.authTokenEnv }
      : settings.authTokenFile !== undefined
        ? { kind: 'file', path: settings.authTokenFile }
        : undefined;
  if (!source) return { warnings: [] };
  const secret = readSecret(source, env);
  return { token: secret.value, warnings: secret.warnings };
}

function tlsOptions(settings: BenchSettings, useTls: boolean, warnings: string[]): NodeAddress['tls'] | undefined {
  if (!useTls) return undefined;
  const options: NonNullable<NodeAddress['tls']> = {};
  if (settings.ca !== undefined) {
    try {
      options.ca = readFileSync(settings.ca);
    } catch (error) {
      throw new UsageError(`--ca cannot be read: ${messageOf(error)}`);
    }
  }
  if (settings.servername !== undefined) options.servername = settings.servername;
  if (settings.insecure) {
    options.rejectUnauthorized = false;
    warnings.push(
      '--insecure: the server certificate is not verified; a machine in the middle could impersonate the server',
    );
  }
  return options;
}

export function resolveTargets(
  source: TargetSource,
  settings: BenchSettings,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedTargets {
  const auth = readAuthToken(settings, env);
  const warnings = auth.warnings;
  let token = auth.token;
  const connection = (useTls: boolean): Connection => ({
    ...(useTls ? { tls: tlsOptions(settings, true, warnings) } : {}),
    ...(settings.user !== undefined ? { username: settings.user } : {}),
    ...(token !== undefined ? { password: token } : {}),
  });

  if (source.kind === 'direct') {
    const conn = connection(settings.tls);
    const nodes: LoadNode[] = [node('primary', 'primary', source.primary, conn)];
    for (const [i, r] of source.replicas.entries()) nodes.push(node(`replica-${i + 1}`, 'replica', r, conn));
    if (source.reader) nodes.push(node('reader', 'replica', source.reader, conn));
    return { nodes: dedupeWarn(nodes, warnings), source: 'flags', warnings };
  }

  if (source.kind === 'config') {
    const { targets, file } = source;
    // A token written into the file (endpoints --include-auth) counts unless one was given.
    if (token === undefined && targets.authToken !== undefined) token = targets.authToken;
    if (!targets.primary && targets.configuration) {
      // Cluster mode: the configuration endpoint is the seed; the cluster tells the rest.
      const conn = connection(settings.tls || targets.tls === true);
      return {
        nodes: [],
        cluster: { seed: { ...hostPortAddress(hostPort(targets.configuration)), ...conn } },
        source: file,
        warnings,
      };
    }
    if (!targets.primary) throw new UsageError(`--from-config ${file}: no primary endpoint found in the file`);
    const conn = connection(settings.tls || targets.tls === true);
    const nodes: LoadNode[] = [node('primary', 'primary', hostPort(targets.primary), conn)];
    for (const [i, r] of targets.replicas.entries()) nodes.push(node(`replica-${i + 1}`, 'replica', hostPort(r), conn));
    // The reader endpoint stands in for the replicas only when the file lists none.
    if (targets.reader && nodes.length === 1) nodes.push(node('reader', 'replica', hostPort(targets.reader), conn));
    return { nodes: dedupeWarn(nodes, warnings), source: file, warnings };
  }

  const topology = source.topology;
  return { ...topologyTargets(topology, settings, token, warnings, connection), source: topology.replicationGroupId };
}

function topologyTargets(
  topology: Topology,
  settings: BenchSettings,
  token: string | undefined,
  warnings: string[],
  connection: (useTls: boolean) => Connection,
): { nodes: LoadNode[]; warnings: string[]; cluster?: ClusterSeed } {
  if (topology.status !== 'available') {
    warnings.push(`${topology.replicationGroupId} is ${topology.status}, not available: some nodes may not answer`);
  }
  if (topology.authRequired && token === undefined) {
    throw new UsageError(
      `${topology.replicationGroupId} requires an AUTH token: pass --auth-token-env VAR or --auth-token-file FILE`,
    );
  }
  const conn = connection(settings.tls || topology.tls);
  // The one branch on the kind: a cluster or a serverless cache is discovered from itself.
  if (topology.kind === 'cluster' || topology.kind === 'serverless' || topology.clusterMode) {
    const seed = topology.configurationEndpoint ?? topology.primaryEndpoint ?? topology.nodes[0];
    if (!seed) {
      throw new CliError(
        `${topology.replicationGroupId} has no configuration endpoint or node address yet (status ${topology.status})`,
      );
    }
    const reader = topology.kind === 'serverless' ? topology.readerEndpoint : undefined;
    return {
      nodes: [],
      warnings,
      cluster: {
        seed: { ...hostPortAddress({ host: seed.address, port: seed.port }), ...conn },
        topology,
        ...(reader ? { reader: { ...hostPortAddress({ host: reader.address, port: reader.port }), ...conn } } : {}),
      },
    };
  }
  const nodes = topology.nodes.map((n) => ({
    id: n.id,
    role: n.role,
    address: { host: n.address, port: n.port, ...conn },
  }));
  if (!nodes.some((n) => n.role === 'primary')) {
    throw new CliError(
      `${topology.replicationGroupId} has no primary node with an address yet (status ${topology.status})`,
    );
  }
  return { nodes, warnings };
}

function node(id: string, role: 'primary' | 'replica', endpoint: HostPort, conn: Connection): LoadNode {
  return { id, role, address: { host: endpoint.host, port: endpoint.port, ...conn } };
}

/** The same address twice would double-count a node (e.g. --reader equal to a --replica). */
function dedupeWarn(nodes: LoadNode[], warnings: string[]): LoadNode[] {
  const seen = new Set<string>();
  return nodes.filter((n) => {
    const key = `${n.address.host}:${n.address.port}`;
    if (seen.has(key)) {
      warnings.push(`${n.id} (${key}) is listed twice; benchmarking it once`);
      return false;
    }
    seen.add(key);
    return true;
  });
}

function hostPortAddress(endpoint: HostPort): NodeAddress {
  return { host: endpoint.host, port: endpoint.port };
}

function hostPort(target: { address: string; port: number }): HostPort {
  return { host: target.address, port: target.port };
}
