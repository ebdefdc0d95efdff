/**
 * The ClusterPlan: every setting of a replication group resolved, from flags (and prompt
 * answers, which arrive in the same raw shape). Defaults and AWS's combination rules
 * live here, so a plan that resolves is one AWS accepts. Pure: no I/O — the caller reads
 * the AUTH token from its variable or file and passes the value in.
 */
import { UsageError } from '../errors.js';
import { GROUP_DEFAULTS } from './limits.js';
import { DEFAULT_NODE_TYPE, supportsAutomaticFailover, supportsMultiAZ } from './node-types.js';
import {
  describeSource,
  parseAllowFrom,
  parseClusterMode,
  parseDescription,
  parseEngine,
  parseEngineVersion,
  parseNodeTypeFlag,
  parsePort,
  parseReplicas,
  parseSecurityGroupIds,
  parseShards,
  parseSubnetGroupName,
  parseSubnetIds,
  parseTags,
  parseVpcId,
  parseWaitTimeout,
  validateAuthToken,
  validateReplicationGroupId,
  type AccessSource,
  type ClusterMode,
  type Engine,
  type Tag,
} from './rules.js';

export const DEFAULTS = {
  ...GROUP_DEFAULTS,
  nodeType: DEFAULT_NODE_TYPE,
  multiAZ: false,
  // On, as the console's presets and every serverless cache have it.
  transitEncryption: true,
  /** Redis's default; Valkey groups get at-rest encryption by default (see defaultAtRestEncryption). */
  atRestEncryption: false,
  waitTimeoutMinutes: 60,
  description: (id: string) => `${id}, created by elasticache-kit`,
};

/** AWS's default: at-rest encryption is on for Valkey, off for Redis OSS. */
export function defaultAtRestEncryption(engine: Engine): boolean {
  return engine === 'valkey' ? true : DEFAULTS.atRestEncryption;
}

/** The raw settings as commander and the prompts deliver them: strings, booleans or absent. */
export interface PlanInput {
  id?: string;
  engine?: string;
  engineVersion?: string;
  description?: string;
  nodeType?: string;
  /** Replicas per shard (with one shard, cluster mode disabled: the group's replicas). */
  replicas?: string | number;
  /** Node groups (NumNodeGroups); more than one means cluster mode enabled. */
  shards?: string | number;
  clusterMode?: string;
  port?: string | number;
  multiAz?: boolean;
  automaticFailover?: boolean;
  vpc?: string;
  subnetGroup?: string;
  subnets?: string;
  securityGroup?: string;
  allowFrom?: string;
  transitEncryption?: boolean;
  atRestEncryption?: boolean;
  /** The token value (read by the caller) and where it came from, for messages. */
  authToken?: { value: string; origin: string };
  tags?: string[];
  waitTimeout?: string | number;
}

export type NetworkAccess =
  | { kind: 'security-groups'; groupIds: string[] }
  | { kind: 'allow-from'; source: AccessSource }
  | { kind: 'missing' };

export interface ClusterPlan {
  replicationGroupId: string;
  description: string;
  engine: Engine;
  /** Undefined until the AWS step picks the newest version offered. */
  engineVersion?: string;
  nodeType: string;
  /** Replicas in each shard. */
  replicas: number;
  /** botocore's ClusterMode; anything but disabled makes a Redis Cluster (configuration endpoint, slots). */
  clusterMode: ClusterMode;
  /** Node groups: 1 with cluster mode disabled or compatible. */
  shards: number;
  port: number;
  multiAZ: boolean;
  automaticFailover: boolean;
  vpcId?: string;
  subnetGroupName?: string;
  subnetIds?: string[];
  access: NetworkAccess;
  transitEncryption: boolean;
  atRestEncryption: boolean;
  /** The AUTH token; never printed. `origin` says where it came from (`$REDIS_AUTH`, a file). */
  authToken?: { value: string; origin: string };
  tags: Tag[];
  waitTimeoutMinutes: number;
  /** Which settings the user chose (flags or prompts) rather than defaults: comparisons with an existing group look only at these plus the defaults that define the shape. */
  explicit: ReadonlySet<keyof PlanInput>;
}

export interface ResolvedPlan {
  plan: ClusterPlan;
  warnings: string[];
}

/** Settings a non-interactive run must be given; the message lists the flags. */
export function missingRequired(input: PlanInput): string[] {
  const missing: string[] = [];
  if (input.id === undefined) missing.push('<id> (the replication group name, e.g. create-cluster demo)');
  if (input.securityGroup === undefined && input.allowFrom === undefined) {
    missing.push('--allow-from <sg-id|CIDR> or --security-group <sg-id> (who may connect)');
  }
  return missing;
}

/** Validates every given value alone (the first bad one throws); used before prompting. */
export function validateGiven(input: PlanInput): string[] {
  const warnings: string[] = [];
  if (input.id !== undefined) validateReplicationGroupId(input.id);
  if (input.engine !== undefined) parseEngine(input.engine);
  if (input.engineVersion !== undefined) parseEngineVersion(input.engineVersion);
  if (input.description !== undefined) parseDescription(input.description);
  if (input.nodeType !== undefined) {
    const parsed = parseNodeTypeFlag(input.nodeType);
    if (parsed.warning) warnings.push(parsed.warning);
  }
  if (input.replicas !== undefined) parseReplicas(input.replicas);
  if (input.shards !== undefined) parseShards(input.shards);
  if (input.clusterMode !== undefined) parseClusterMode(input.clusterMode);
  if (input.port !== undefined) parsePort(input.port);
  if (input.vpc !== undefined) parseVpcId(input.vpc);
  if (input.subnetGroup !== undefined) parseSubnetGroupName(input.subnetGroup);
  if (input.subnets !== undefined) parseSubnetIds(input.subnets);
  if (input.securityGroup !== undefined) parseSecurityGroupIds(input.securityGroup);
  if (input.allowFrom !== undefined) parseAllowFrom(input.allowFrom);
  if (input.tags !== undefined) parseTags(input.tags);
  if (input.waitTimeout !== undefined) parseWaitTimeout(input.waitTimeout);
  checkExclusive(input);
  return warnings;
}

function checkExclusive(input: PlanInput): void {
  if (input.subnetGroup !== undefined && input.subnets !== undefined) {
    throw new UsageError(
      '--subnet-group and --subnets cannot be used together: name an existing subnet group, or list subnets for a new one',
    );
  }
  if (input.securityGroup !== undefined && input.allowFrom !== undefined) {
    throw new UsageError(
      '--security-group and --allow-from cannot be used together: reuse existing security groups, or let the tool create one for --allow-from',
    );
  }
}

/** Every setting resolved and checked, including the combination rules. Throws UsageError. */
export function resolvePlan(input: PlanInput): ResolvedPlan {
  const warnings = validateGiven(input);
  if (input.id === undefined) throw new UsageError('missing the replication group id: create-cluster <id>');
  const replicationGroupId = validateReplicationGroupId(input.id);
  const engine = input.engine !== undefined ? parseEngine(input.engine) : DEFAULTS.engine;
  const nodeType = input.nodeType !== undefined ? parseNodeTypeFlag(input.nodeType).nodeType : DEFAULTS.nodeType;
  const replicas = input.replicas !== undefined ? parseReplicas(input.replicas) : DEFAULTS.replicas;
  const { clusterMode, shards } = resolveSharding(input);
  const { automaticFailover, multiAZ } = resolveAvailability(input, nodeType, replicas, clusterMode);
  const quotaWarning = checkNodeQuota(shards, replicas, clusterMode);
  if (quotaWarning) warnings.push(quotaWarning);
  if (multiAZ && !supportsMultiAZ(nodeType)) {
    warnings.push(
      `--multi-az on ${nodeType}: the walkthrough advises keeping Multi-AZ disabled for small instances (AWS accepts it); consider --node-type cache.t3.small or larger`,
    );
  }

  const transitEncryption = input.transitEncryption ?? DEFAULTS.transitEncryption;
  let authToken: ClusterPlan['authToken'];
  if (input.authToken) {
    validateAuthToken(input.authToken.value, input.authToken.origin);
    if (!transitEncryption) {
      throw new UsageError(
        `an AUTH token (${input.authToken.origin}) needs --transit-encryption (the default; drop --no-transit-encryption): AWS accepts AUTH only over TLS`,
      );
    }
    authToken = input.authToken;
  }

  const access = resolveAccess(input, `port ${input.port ?? DEFAULTS.port}`, warnings);

  const explicit = new Set((Object.keys(input) as Array<keyof PlanInput>).filter((key) => input[key] !== undefined));
  const plan: ClusterPlan = {
    replicationGroupId,
    description:
      input.description !== undefined ? parseDescription(input.description) : DEFAULTS.description(replicationGroupId),
    engine,
    ...(input.engineVersion !== undefined ? { engineVersion: parseEngineVersion(input.engineVersion) } : {}),
    nodeType,
    replicas,
    clusterMode,
    shards,
    port: input.port !== undefined ? parsePort(input.port) : DEFAULTS.port,
    multiAZ,
    automaticFailover,
    ...(input.vpc !== undefined ? { vpcId: parseVpcId(input.vpc) } : {}),
    ...(input.subnetGroup !== undefined ? { subnetGroupName: parseSubnetGroupName(input.subnetGroup) } : {}),
    ...(input.subnets !== undefined ? { subnetIds: parseSubnetIds(input.subnets) } : {}),
    access,
    transitEncryption,
    atRestEncryption: input.atRestEncryption ?? defaultAtRestEncryption(engine),
    ...(authToken ? { authToken } : {}),
    tags: parseTags(input.tags ?? []),
    waitTimeoutMinutes:
      input.waitTimeout !== undefined ? parseWaitTimeout(input.waitTimeout) : DEFAULTS.waitTimeoutMinutes,
    explicit,
  };
  return { plan, warnings };
}

/** AWS's limit on nodes in one cluster-mode-enabled group, whatever the account's quota. */
export const MAX_CLUSTER_NODES = 500;
/** ElastiCache's default quota "Nodes per cluster (cluster mode enabled)"; accounts can raise it to 500. */
export const DEFAULT_CLUSTER_NODE_QUOTA = 90;

/**
 * Cluster mode and shard count from --cluster-mode and --shards: more than one shard
 * means cluster mode enabled; `--cluster-mode enabled` alone gets the console's 3 shards.
 * `compatible` is the one-shard step on the way from disabled to enabled.
 */
export function resolveSharding(input: Pick<PlanInput, 'shards' | 'clusterMode'>): {
  clusterMode: ClusterMode;
  shards: number;
} {
  const shards = input.shards !== undefined ? parseShards(input.shards) : undefined;
  const given = input.clusterMode !== undefined ? parseClusterMode(input.clusterMode) : undefined;
  const clusterMode: ClusterMode = given ?? (shards !== undefined && shards > 1 ? 'enabled' : 'disabled');
  if (clusterMode === 'enabled') return { clusterMode, shards: shards ?? DEFAULTS.clusterShards };
  if (shards !== undefined && shards > 1) {
    throw new UsageError(
      clusterMode === 'disabled'
        ? `--shards ${shards} needs cluster mode enabled: a cluster-mode-disabled group has one shard (drop --cluster-mode disabled, or use --shards 1)`
        : `--shards ${shards} needs --cluster-mode enabled: compatible mode has one shard (it is the step from disabled to enabled)`,
    );
  }
  return { clusterMode, shards: 1 };
}

/**
 * Node count limits: above 500 nodes AWS never accepts the group (exit 2); above the
 * default quota of 90 the account may have raised it (Service Quotas, which this tool
 * does not read), so that is a warning naming the quota rather than a refusal.
 */
export function checkNodeQuota(shards: number, replicas: number, clusterMode: ClusterMode): string | undefined {
  if (clusterMode === 'disabled') return undefined;
  const nodes = shards * (replicas + 1);
  const sum = `--shards ${shards} x (1 primary + ${replicas} replica${replicas === 1 ? '' : 's'}) = ${nodes} nodes`;
  if (nodes > MAX_CLUSTER_NODES) {
    throw new UsageError(
      `${sum}: a cluster-mode-enabled group has at most ${MAX_CLUSTER_NODES} nodes (e.g. 83 shards x 5 replicas, or 500 shards x 0); use fewer --shards or --replicas`,
    );
  }
  if (nodes > DEFAULT_CLUSTER_NODE_QUOTA) {
    return `${sum}: above ElastiCache's default quota of ${DEFAULT_CLUSTER_NODE_QUOTA} ("Nodes per cluster (cluster mode enabled)"); unless the account's quota was raised in Service Quotas, AWS will refuse the group (NodeQuotaForClusterExceeded)`;
  }
  return undefined;
}

/**
 * AWS's rules for automatic failover and Multi-AZ, checked on what the user asked for.
 * Defaults: failover on whenever there is a replica and the node type can fail over (a
 * replica that cannot take over is only half the point of having one); Multi-AZ only
 * when asked, as in the walkthrough (it pins the replicas to other zones, which adds
 * cross-AZ latency and traffic cost, and it is refused on cache.t2.micro).
 */
export function resolveAvailability(
  input: Pick<PlanInput, 'multiAz' | 'automaticFailover'>,
  nodeType: string,
  replicas: number,
  clusterMode: ClusterMode = 'disabled',
): { automaticFailover: boolean; multiAZ: boolean } {
  const multiAZ = input.multiAz ?? DEFAULTS.multiAZ;
  if (clusterMode !== 'disabled') {
    // AWS: AutomaticFailoverEnabled must be true for cluster mode enabled, replicas or not
    // (a shard without replicas is replaced, not failed over, but the flag is still required).
    if (input.automaticFailover === false) {
      throw new UsageError(
        `--no-automatic-failover cannot be used with cluster mode ${clusterMode}: AWS requires automatic failover for cluster-mode-enabled groups (drop --no-automatic-failover, or use one shard with --cluster-mode disabled)`,
      );
    }
    if (!supportsAutomaticFailover(nodeType)) {
      throw new UsageError(
        `cluster mode ${clusterMode} is not supported on ${nodeType} (T1 nodes have no automatic failover); choose --node-type cache.t3.micro or newer`,
      );
    }
    if (clusterMode === 'compatible' && replicas === 0) {
      throw new UsageError(
        '--cluster-mode compatible needs at least one replica (--replicas 1-5, got 0): AWS requires automatic failover with a replica for it',
      );
    }
    if (multiAZ && replicas === 0) {
      throw new UsageError(
        '--multi-az needs at least one replica per shard (--replicas 1-5, got 0): Multi-AZ fails each shard over to a replica in another zone',
      );
    }
    return { automaticFailover: true, multiAZ };
  }
  if (multiAZ) {
    if (replicas === 0) {
      throw new UsageError(
        '--multi-az needs at least one replica (--replicas 1-5, got 0): Multi-AZ fails over to a replica in another zone',
      );
    }
    if (input.automaticFailover === false) {
      throw new UsageError(
        '--multi-az needs automatic failover: drop --no-automatic-failover (AWS rejects Multi-AZ without it)',
      );
    }
    // cache.t2.micro: AWS accepts Multi-AZ, so the walkthrough's advice is a warning (resolvePlan).
    if (!supportsAutomaticFailover(nodeType)) {
      throw new UsageError(
        `--multi-az is not supported on ${nodeType} (T1 nodes have no automatic failover); choose --node-type cache.t3.micro or newer`,
      );
    }
  }
  if (input.automaticFailover === true) {
    if (replicas === 0) {
      throw new UsageError('--automatic-failover needs at least one replica to promote (--replicas 1-5, got 0)');
    }
    if (!supportsAutomaticFailover(nodeType)) {
      throw new UsageError(
        `--automatic-failover is not supported on T1 node types (got ${nodeType}); choose --node-type cache.t3.micro or newer, or --no-automatic-failover`,
      );
    }
  }
  const automaticFailover =
    input.automaticFailover ?? (multiAZ || (replicas > 0 && supportsAutomaticFailover(nodeType)));
  return { automaticFailover, multiAZ };
}

/** Every node the group will have: shards x (1 primary + replicas). */
export function nodeCount(plan: Pick<ClusterPlan, 'shards' | 'replicas'>): number {
  return plan.shards * (plan.replicas + 1);
}

/** "3 nodes", or with cluster mode "9 nodes in 3 shards" (progress lines, the review's list). */
export function countNodes(plan: Pick<ClusterPlan, 'shards' | 'replicas' | 'clusterMode'>): string {
  const nodes = nodeCount(plan);
  const text = `${nodes} node${nodes === 1 ? '' : 's'}`;
  return plan.clusterMode === 'disabled' ? text : `${text} in ${plan.shards} shard${plan.shards === 1 ? '' : 's'}`;
}

/** The group's shape in words: "1 primary + 2 read replicas" or "3 shards x (1 primary + 1 replica) = 6 nodes". */
export function describeShape(plan: Pick<ClusterPlan, 'shards' | 'replicas' | 'clusterMode'>): string {
  const replicas = `${plan.replicas} ${plan.clusterMode === 'disabled' ? 'read ' : ''}replica${plan.replicas === 1 ? '' : 's'}`;
  if (plan.clusterMode === 'disabled') return `1 primary + ${replicas}`;
  const shards = `${plan.shards} shard${plan.shards === 1 ? '' : 's'}`;
  return `${shards} x (1 primary + ${replicas}) = ${nodeCount(plan)} nodes`;
}

/**
 * Who may connect: existing security groups, or a source for a security group the tool
 * makes. Opening `ports` (words for the warning) to 0.0.0.0/0 is allowed, with a warning.
 */
export function resolveAccess(
  input: { securityGroup?: string; allowFrom?: string },
  ports: string,
  warnings: string[],
): NetworkAccess {
  if (input.securityGroup !== undefined)
    return { kind: 'security-groups', groupIds: parseSecurityGroupIds(input.securityGroup) };
  if (input.allowFrom === undefined) return { kind: 'missing' };
  const source = parseAllowFrom(input.allowFrom);
  if (source.kind === 'cidr' && source.open) {
    warnings.push(
      `--allow-from ${source.cidr} opens ${ports} to the whole internet's address range; prefer the bastion's security group or your VPC's CIDR`,
    );
  }
  return { kind: 'allow-from', source };
}

/** What connections are allowed, in words, for the review screen. */
export function describeAccess(access: NetworkAccess, port: number): string {
  switch (access.kind) {
    case 'security-groups':
      return `existing security group${access.groupIds.length > 1 ? 's' : ''} ${access.groupIds.join(', ')}`;
    case 'allow-from':
      if (access.source.kind === 'cidr' && access.source.open)
        return `port ${port}/tcp from ANY address (${access.source.cidr})`;
      return `port ${port}/tcp from ${describeSource(access.source)} only`;
    case 'missing':
      return '(not chosen)';
  }
}
