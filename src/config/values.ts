/**
 * What every format writes, computed once from the Topology: pure, no I/O.
 *
 * `endpoints` mode (the default where the group has them) writes the primary endpoint and
 * the reader endpoint: DNS names that ElastiCache repoints after a failover, so the app
 * never needs new config. `nodes` mode writes the individual node addresses, as the
 * walkthrough did; they go stale when a replica is promoted.
 */
import { UsageError } from '../errors.js';
import { formatHostPort, primaryNode, replicaNodes, type Topology, type TopologyKind } from '../topology.js';

export type UseMode = 'endpoints' | 'nodes';
export const USE_MODES: readonly UseMode[] = ['endpoints', 'nodes'];

export interface EndpointValues {
  replicationGroupId: string;
  /** What the id names (the Topology's kind); formats pick their keys by it. */
  kind: TopologyKind;
  /** Cluster mode enabled: only `configuration` is meaningful; primary/replicas are absent. */
  clusterMode: boolean;
  /** What primary/replicas hold. */
  use: UseMode;
  /** Where writes go: the primary endpoint, or the primary node (`host:port`). */
  primary?: string;
  /** Where reads go: the reader endpoint (one entry), or every replica node. */
  replicas: string[];
  /** The reader endpoint, whatever `use` is (absent with no replica, or in cluster mode). */
  reader?: string;
  /** `use` is endpoints but the answer had no ReaderEndpoint (moto, some older groups)
   * although the group has replicas: `replicas` holds the replica nodes instead, which go
   * stale on failover, so the command says so. */
  replicasFromNodes?: true;
  /** The individual nodes, whatever `use` is (for per-node URLs). */
  nodes: { primary?: string; replicas: string[] };
  /** Cluster mode: the configuration endpoint cluster-aware clients start from (a serverless cache: its endpoint). */
  configuration?: string;
  /** Serverless: the endpoint (reads and writes, 6379-style); `reader` is the reader endpoint (6380-style). */
  endpoint?: string;
  /** The RBAC user to connect as (a serverless cache's user group); its password is `authToken`. */
  user?: string;
  port: number;
  tls: boolean;
  /** Only with --include-auth. */
  authToken?: string;
  /** The walkthrough's `Environment` key, when --environment was given. */
  environment?: string;
}

export interface ValueOptions {
  /** Default: endpoints when the group has a primary endpoint, else nodes. */
  use?: UseMode;
  includeAuth?: boolean;
  authToken?: string;
  environment?: string;
  /** The RBAC user (--user); default: the user group's one user other than `default`. */
  user?: string;
}

export function defaultUseMode(topology: Topology): UseMode {
  return topology.primaryEndpoint ? 'endpoints' : 'nodes';
}

export function endpointValues(topology: Topology, options: ValueOptions = {}): EndpointValues {
  const use = options.use ?? defaultUseMode(topology);
  const primaryOfNodes = primaryNode(topology);
  const nodes = {
    ...(primaryOfNodes ? { primary: formatHostPort(primaryOfNodes) } : {}),
    replicas: replicaNodes(topology).map(formatHostPort),
  };
  const reader = topology.readerEndpoint ? formatHostPort(topology.readerEndpoint) : undefined;
  const common = {
    replicationGroupId: topology.replicationGroupId,
    kind: topology.kind,
    use,
    port: topology.port,
    tls: topology.tls,
    nodes,
    ...(options.includeAuth && options.authToken !== undefined ? { authToken: options.authToken } : {}),
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
  };
  // The one place endpoints branches on the kind: a cluster is its configuration endpoint.
  switch (topology.kind) {
    case 'cluster':
      return {
        ...common,
        clusterMode: true,
        replicas: [],
        ...(topology.configurationEndpoint ? { configuration: formatHostPort(topology.configurationEndpoint) } : {}),
      };
    case 'serverless':
      return serverlessValues(topology, common, reader, options.user);
    default:
      return replicationGroupValues(topology, use, common, nodes, reader);
  }
}

/**
 * A serverless cache: the endpoint (reads and writes) and the reader endpoint, TLS always,
 * cluster protocol (so the endpoint is also where a cluster client starts), and the user
 * of its user group to connect as.
 */
function serverlessValues(
  topology: Topology,
  common: Omit<EndpointValues, 'clusterMode' | 'replicas'>,
  reader: string | undefined,
  wantedUser: string | undefined,
): EndpointValues {
  const endpoint = topology.primaryEndpoint ? formatHostPort(topology.primaryEndpoint) : undefined;
  const user = chooseUser(topology, wantedUser);
  return {
    ...common,
    tls: true,
    clusterMode: true,
    replicas: [],
    ...(endpoint ? { endpoint, configuration: endpoint } : {}),
    ...(reader ? { reader } : {}),
    ...(user ? { user } : {}),
  };
}

/**
 * The user to write: --user (which must be in the group), else the one user other than
 * `default` (AWS puts a `default` user in every group, usually disabled), else `default`.
 */
export function chooseUser(topology: Topology, wanted: string | undefined): string | undefined {
  const users = topology.users ?? [];
  if (wanted !== undefined) {
    if (!topology.userGroupId)
      throw new UsageError(`--user ${wanted}: ${topology.replicationGroupId} has no user group (no RBAC users)`);
    if (topology.users && !users.includes(wanted))
      throw new UsageError(
        `--user ${wanted} is not in user group ${topology.userGroupId} of ${topology.replicationGroupId} (its users: ${users.join(', ')})`,
      );
    return wanted;
  }
  if (!topology.userGroupId) return undefined;
  const named = users.filter((user) => user !== 'default');
  return named.length >= 1 ? named[0] : users.length > 0 ? 'default' : undefined;
}

/** Cluster mode disabled: the primary and reader endpoints, or the nodes (--use nodes). */
function replicationGroupValues(
  topology: Topology,
  use: UseMode,
  common: Omit<EndpointValues, 'clusterMode' | 'replicas'>,
  nodes: EndpointValues['nodes'],
  reader: string | undefined,
): EndpointValues {
  if (use === 'endpoints') {
    if (!topology.primaryEndpoint) {
      throw new UsageError(`--use endpoints: ${topology.replicationGroupId} has no primary endpoint; use --use nodes`);
    }
    // No reader endpoint but replicas exist: an empty SlaveNodes would send every read
    // to the primary, so the replica nodes stand in for it.
    const fromNodes = !reader && nodes.replicas.length > 0;
    return {
      ...common,
      clusterMode: false,
      primary: formatHostPort(topology.primaryEndpoint),
      replicas: reader ? [reader] : nodes.replicas,
      ...(reader ? { reader } : {}),
      ...(fromNodes ? { replicasFromNodes: true as const } : {}),
    };
  }
  return {
    ...common,
    clusterMode: false,
    ...(nodes.primary ? { primary: nodes.primary } : {}),
    replicas: nodes.replicas,
    ...(reader ? { reader } : {}),
  };
}
