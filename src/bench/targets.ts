/**
 * Which nodes to load, and how to reach them: from the API (`bench <id>`), from flags
 * (`--primary/--replica/--reader`, no AWS at all) or from a config file that
 * `endpoints` wrote (`--from-config`). Also the secret (AUTH token) and TLS options.
 */
import { readFileSync, statSync } from 'node:fs';
import { CliError, UsageError, messageOf } from '../errors.js';
import { readTargetsFromConfigFile, type ConfigTargets } from '../config/read-targets.js';
import type { GlobalOptions } from '../globals.js';
import type { Topology } from '../topology.js';
import type { NodeAddress } from './load-connection.js';
import type { BenchSettings, HostPort, TargetSpec } from './options.js';
import type { LoadNode } from './workload.js';

export interface ResolvedTargets {
  nodes: LoadNode[];
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
export function readAuthToken(settings: BenchSettings, env: NodeJS.ProcessEnv = process.env): { token?: string; warnings: string[] } {
  const warnings: string[] = [];
  if (settings.authTokenEnv !== undefined) {
    const token = env[settings.authTokenEnv];
    if (token === undefined || token === '') {
      throw new UsageError(`--auth-token-env ${settings.authTokenEnv}: that environment variable is not set`);
    }
    return { token, warnings };
  }
  if (settings.authTokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(settings.authTokenFile, 'utf8');
      if ((statSync(settings.authTokenFile).mode & 0o077) !== 0) {
        warnings.push(`${settings.authTokenFile} holds a secret but others can read it: chmod 600 ${settings.authTokenFile}`);
      }
    } catch (error) {
      throw new UsageError(`--auth-token-file cannot be read: ${messageOf(error)}`);
    }
    const token = text.replace(/\r?\n$/, '');
    if (token === '') throw new UsageError(`--auth-token-file ${settings.authTokenFile} is empty`);
    return { token, warnings };
  }
  return { warnings };
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
    warnings.push('--insecure: the server certificate is not verified; a machine in the middle could impersonate the server');
  }
  return options;
}

export async function resolveTargets(
  spec: TargetSpec,
  settings: BenchSettings,
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedTargets> {
  const auth = readAuthToken(settings, env);
  const warnings = auth.warnings;
  let token = auth.token;
  const connection = (useTls: boolean): Connection => ({
    ...(useTls ? { tls: tlsOptions(settings, true, warnings) } : {}),
    ...(settings.user !== undefined ? { username: settings.user } : {}),
    ...(token !== undefined ? { password: token } : {}),
  });

  if (spec.kind === 'direct') {
    const conn = connection(settings.tls);
    const nodes: LoadNode[] = [node('primary', 'primary', spec.primary, conn)];
    for (const [i, r] of spec.replicas.entries()) nodes.push(node(`replica-${i + 1}`, 'replica', r, conn));
    if (spec.reader) nodes.push(node('reader', 'replica', spec.reader, conn));
    return { nodes: dedupeWarn(nodes, warnings), source: 'flags', warnings };
  }

  if (spec.kind === 'config') {
    // UsageError (exit 2) for a missing or unreadable file, naming the file and line.
    const targets: ConfigTargets = readTargetsFromConfigFile(spec.file);
    if (!targets.primary && targets.configuration) {
      throw new UsageError(`--from-config ${spec.file}: a cluster-mode configuration endpoint; bench needs the primary and replica endpoints`);
    }
    if (!targets.primary) throw new UsageError(`--from-config ${spec.file}: no primary endpoint found in the file`);
    // A token written into the file (endpoints --include-auth) counts unless one was given.
    if (token === undefined && targets.authToken !== undefined) token = targets.authToken;
    const conn = connection(settings.tls || targets.tls === true);
    const nodes: LoadNode[] = [node('primary', 'primary', hostPort(targets.primary), conn)];
    for (const [i, r] of targets.replicas.entries()) nodes.push(node(`replica-${i + 1}`, 'replica', hostPort(r), conn));
    // The reader endpoint stands in for the replicas only when the file lists none.
    if (targets.reader && nodes.length === 1) nodes.push(node('reader', 'replica', hostPort(targets.reader), conn));
    return { nodes: dedupeWarn(nodes, warnings), source: spec.file, warnings };
  }

  const [{ connect, closeClients }, { discoverTopology }] = await Promise.all([
    import('../aws/clients.js'),
    import('../aws/topology.js'),
  ]);
  const aws = await connect(globals, env);
  let topology: Topology;
  try {
    topology = await discoverTopology(aws, spec.id);
  } finally {
    closeClients(aws);
  }
  return { ...topologyTargets(topology, settings, token, warnings, connection), source: spec.id };
}

function topologyTargets(
  topology: Topology,
  settings: BenchSettings,
  token: string | undefined,
  warnings: string[],
  connection: (useTls: boolean) => Connection,
): { nodes: LoadNode[]; warnings: string[] } {
  if (topology.clusterMode) {
    throw new UsageError(`${topology.replicationGroupId} has cluster mode enabled: bench measures one primary and its replicas; pass --primary/--replica for one shard's nodes`);
  }
  if (topology.status !== 'available') {
    warnings.push(`${topology.replicationGroupId} is ${topology.status}, not available: some nodes may not answer`);
  }
  if (topology.authRequired && token === undefined) {
    throw new UsageError(`${topology.replicationGroupId} requires an AUTH token: pass --auth-token-env VAR or --auth-token-file FILE`);
  }
  const conn = connection(settings.tls || topology.tls);
  const nodes = topology.nodes.map((n) => ({ id: n.id, role: n.role, address: { host: n.address, port: n.port, ...conn } }));
  if (!nodes.some((n) => n.role === 'primary')) {
    throw new CliError(`${topology.replicationGroupId} has no primary node with an address yet (status ${topology.status})`);
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

function hostPort(target: { address: string; port: number }): HostPort {
  return { host: target.address, port: target.port };
}
