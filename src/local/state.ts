/**
 * What the emulator remembers, in <stateDir>/state.json: the server (pid, port), the
 * replication groups with their nodes' ports and pids, cache subnet groups and the EC2
 * network. Written atomically on every change, so `local status` and `local stop` can read
 * it at any moment, and a later server can kill processes a crashed one left behind.
 * Secrets (AUTH tokens) are never written here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../config/write-file.js';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Tag {
  Key: string;
  Value: string;
}

export type GroupStatus = 'creating' | 'available' | 'modifying' | 'deleting' | 'create-failed';

export interface Endpoint {
  address: string;
  port: number;
}

export interface NodeRecord {
  /** Cache cluster id, `<group>-001`. */
  nodeId: string;
  role: 'primary' | 'replica';
  availabilityZone: string;
  /** Cluster mode enabled: the shard, "0001". */
  nodeGroupId?: string;
  port?: number;
  pid?: number;
}

export interface GroupRecord {
  id: string;
  region: string;
  description: string;
  status: GroupStatus;
  engine: 'redis' | 'valkey';
  /** What AWS would report for the requested line (`6.2` → `6.2.6`). */
  engineVersion: string;
  /** The version of the redis-server/valkey-server that really runs the nodes (`local status`). */
  engineBinaryVersion?: string;
  cacheNodeType: string;
  automaticFailover: boolean;
  multiAZ: boolean;
  cacheSubnetGroupName: string;
  securityGroupIds: string[];
  transitEncryption: boolean;
  /** With transitEncryption: `required` (TLS only) or `preferred` (TLS and plain). */
  transitEncryptionMode?: 'preferred' | 'required';
  atRestEncryption: boolean;
  authTokenEnabled: boolean;
  authTokenLastModified?: string;
  snapshotRetentionLimit: number;
  snapshotWindow: string;
  maintenanceWindow: string;
  autoMinorVersionUpgrade: boolean;
  tags: Tag[];
  createdAt: string;
  nodes: NodeRecord[];
  primaryEndpoint?: Endpoint;
  readerEndpoint?: Endpoint;
  /** Cluster mode enabled: the shards and their slots, and the configuration endpoint. */
  shards?: { nodeGroupId: string; slots: string }[];
  /** ClusterMode as asked: `compatible` is kept so Describe answers it (otherwise `enabled`). */
  clusterMode?: 'compatible';
  configurationEndpoint?: Endpoint;
  /** While ModifyReplicationGroupShardConfiguration runs: how far the slot migration is. */
  resharding?: { progressPercentage: number };
  /** Every OS process the group's runtime owns (nodes, relays). */
  pids: number[];
  /** What a ModifyReplicationGroup in progress will change (Describe's PendingModifiedValues). */
  pendingModifiedValues?: {
    transitEncryptionEnabled?: boolean;
    transitEncryptionMode?: 'preferred' | 'required';
    authTokenStatus?: 'ROTATING' | 'SETTING';
  };
  /** True between an AUTH token ROTATE and the SET that ends it (two tokens accepted). */
  authTokenRotating?: boolean;
  /** Why the group went to create-failed, for `local status`. */
  failure?: string;
}

export interface SubnetGroupRecord {
  name: string;
  region: string;
  description: string;
  vpcId: string;
  subnetIds: string[];
  tags: Tag[];
}

export interface VpcRecord {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  associationId: string;
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
}

export interface RuleRecord {
  ruleId: string;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  groupId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: RuleRecord[];
  egress: RuleRecord[];
}

export interface Ec2RegionState {
  vpcs: VpcRecord[];
  subnets: SubnetRecord[];
  securityGroups: SecurityGroupRecord[];
  /** Tags of EC2 resources by resource id. */
  tags: Record<string, Tag[]>;
}

export type ServerlessCacheStatus = 'creating' | 'available' | 'modifying' | 'deleting' | 'create-failed';

/** CacheUsageLimits as the service model has it (DataStorage in GB, ECPUs per second). */
export interface CacheUsageLimits {
  dataStorage?: { maximum?: number; minimum?: number; unit: 'GB' };
  ecpuPerSecond?: { maximum?: number; minimum?: number };
}

/** One serverless cache: its record (what DescribeServerlessCaches shows) and its processes. */
export interface ServerlessCacheRecord {
  /** ServerlessCacheName, lowercase. */
  name: string;
  region: string;
  description: string;
  status: ServerlessCacheStatus;
  engine: 'redis' | 'valkey';
  majorEngineVersion: string;
  fullEngineVersion: string;
  cacheUsageLimits?: CacheUsageLimits;
  kmsKeyId?: string;
  securityGroupIds: string[];
  subnetIds: string[];
  userGroupId?: string;
  snapshotRetentionLimit: number;
  dailySnapshotTime: string;
  tags: Tag[];
  createdAt: string;
  /** Writes and consistent reads (port 6379 on AWS), and reads from a replica (6380): one host. */
  endpoint?: Endpoint;
  readerEndpoint?: Endpoint;
  /** The cluster nodes behind the endpoints (never shown by the API, only by `local status`). */
  nodes: { nodeId: string; role: 'primary' | 'replica'; port?: number; pid?: number }[];
  /** Every OS process the cache's runtime owns. */
  pids: number[];
  failure?: string;
}

/**
 * An RBAC user. Passwords are kept only as their SHA-256 (what `ACL SETUSER … #<hash>`
 * takes), so state.json never holds a usable secret.
 */
export interface UserRecord {
  userId: string;
  userName: string;
  region: string;
  engine: 'redis' | 'valkey';
  status: 'active' | 'modifying' | 'deleting';
  accessString: string;
  authenticationType: 'password' | 'no-password-required' | 'iam';
  passwordHashes: string[];
  tags: Tag[];
}

export interface UserGroupRecord {
  userGroupId: string;
  region: string;
  engine: 'redis' | 'valkey';
  status: 'creating' | 'active' | 'modifying' | 'deleting';
  userIds: string[];
  tags: Tag[];
}

export interface ServerRecord {
  pid: number;
  host: string;
  port: number;
  url: string;
  startedAt: string;
}

export interface PersistedState {
  version: 1;
  server?: ServerRecord;
  groups: GroupRecord[];
  subnetGroups: SubnetGroupRecord[];
  ec2: Record<string, Ec2RegionState>;
  serverlessCaches?: ServerlessCacheRecord[];
  users?: UserRecord[];
  userGroups?: UserGroupRecord[];
}

export const STATE_FILE = 'state.json';

export function emptyState(): PersistedState {
  return { version: 1, groups: [], subnetGroups: [], ec2: {} };
}

/** $ELASTICACHE_KIT_STATE_DIR, else ~/.local/state/elasticache-kit (XDG_STATE_HOME honoured). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ELASTICACHE_KIT_STATE_DIR) return env.ELASTICACHE_KIT_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'elasticache-kit');
}

/** The state file's contents, or an empty state when there is none (or it is unreadable). */
export function readState(stateDir: string): PersistedState {
  let text: string;
  try {
    text = readFileSync(join(stateDir, STATE_FILE), 'utf8');
  } catch {
    return emptyState();
  }
  try {
    const parsed = JSON.parse(text) as Partial<PersistedState>;
    return {
      version: 1,
      server: parsed.server,
      groups: Array.isArray(parsed.groups) ? parsed.groups : [],
      subnetGroups: Array.isArray(parsed.subnetGroups) ? parsed.subnetGroups : [],
      ec2: parsed.ec2 && typeof parsed.ec2 === 'object' ? parsed.ec2 : {},
      serverlessCaches: Array.isArray(parsed.serverlessCaches) ? parsed.serverlessCaches : [],
      users: Array.isArray(parsed.users) ? parsed.users : [],
      userGroups: Array.isArray(parsed.userGroups) ? parsed.userGroups : [],
    };
  } catch {
    return emptyState();
  }
}

/** Through the one atomic writer, so a reader never sees half a file; 0600 in a 0700 directory. */
export function writeState(stateDir: string, state: PersistedState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(join(stateDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n', { secret: true });
}

/** Every pid the state names: the groups' and serverless caches' processes (not the server). */
export function groupPids(state: PersistedState): number[] {
  const pids = new Set<number>();
  for (const cache of state.serverlessCaches ?? []) for (const pid of cache.pids ?? []) pids.add(pid);
  for (const group of state.groups) {
    for (const pid of group.pids ?? []) pids.add(pid);
    for (const node of group.nodes ?? []) if (node.pid) pids.add(node.pid);
  }
  return [...pids];
}

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
