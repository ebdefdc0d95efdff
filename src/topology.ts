/**
 * The Topology of a replication group: the one type that create-cluster, endpoints and
 * bench share. Its JSON form (`endpoints <id> --format json`) is a public contract:
 * add fields freely, never rename or remove one.
 */

export interface Endpoint {
  address: string;
  port: number;
}

export type NodeRole = 'primary' | 'replica';

export interface TopologyNode {
  /** The cache cluster id of the node, e.g. `demo-001`. */
  id: string;
  role: NodeRole;
  address: string;
  port: number;
  availabilityZone?: string;
}

/** One node group of a cluster-mode-enabled group (a shard owns a slot range). */
export interface Shard {
  id: string;
  slots?: string;
  status?: string;
  nodes: TopologyNode[];
}

/**
 * What a client connects to, whatever AWS calls it. Commands branch on this in one place each:
 * - `replication-group`: cluster mode disabled; primary + reader endpoints, one shard.
 * - `cluster`: cluster mode enabled; a configuration endpoint and shards that own slot ranges.
 * - `serverless`: a serverless cache; an endpoint and a reader endpoint, TLS always, cluster protocol.
 */
export type TopologyKind = 'replication-group' | 'cluster' | 'serverless';

export interface Topology {
  kind: TopologyKind;
  /** The replication group id, or for a serverless cache its name (ServerlessCacheName). */
  replicationGroupId: string;
  /** creating | available | modifying | deleting | create-failed | snapshotting … as AWS reports it. */
  status: string;
  engine: string;
  engineVersion: string;
  port: number;
  /** In-transit encryption: clients must connect with TLS (`rediss://`). */
  tls: boolean;
  /** An AUTH token is required to connect. */
  authRequired: boolean;
  /** Cluster mode enabled: clients must use the configuration endpoint and a cluster-aware client. */
  clusterMode: boolean;
  /** Writes go here; follows failovers. Absent in cluster mode. */
  primaryEndpoint?: Endpoint;
  /** Reads spread across the replicas; follows failovers. Absent in cluster mode or with no replica. */
  readerEndpoint?: Endpoint;
  /** Cluster mode only: the one endpoint cluster-aware clients start from. */
  configurationEndpoint?: Endpoint;
  /** Every node, primary first. In cluster mode, the nodes of all shards. */
  nodes: TopologyNode[];
  /** Cluster mode only: the node groups. */
  shards?: Shard[];
  nodeType?: string;
  multiAZ?: boolean;
  automaticFailover?: boolean;
  arn?: string;
  /** RBAC: the user group whose users may connect (serverless caches, and groups that use one). */
  userGroupId?: string;
  /** The user names of that user group (`default` included), when they could be read. */
  users?: string[];
}

export function primaryNode(topology: Topology): TopologyNode | undefined {
  return topology.nodes.find((node) => node.role === 'primary');
}

export function replicaNodes(topology: Topology): TopologyNode[] {
  return topology.nodes.filter((node) => node.role === 'replica');
}

export function formatHostPort(endpoint: Endpoint): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return `${host}:${endpoint.port}`;
}
