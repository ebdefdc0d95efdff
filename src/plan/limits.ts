/**
 * AWS's limits and the tool's defaults for the create-cluster / scale flags, read both by
 * the flag definitions (help text and argParser, src/commands/*.ts) and by the plan's
 * rules that check prompt answers (rules.ts, serverless-plan.ts): one number each. No
 * imports, so `--help` loads nothing for it.
 */
export const ENGINES = ['redis', 'valkey'] as const;
export type Engine = (typeof ENGINES)[number];

/** botocore's ClusterMode enum. */
export const CLUSTER_MODES = ['enabled', 'disabled', 'compatible'] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

/** Read replicas per shard. */
export const REPLICAS = { min: 0, max: 5 } as const;
/** NumNodeGroups: AWS allows 1-500 shards in a cluster-mode-enabled group. */
export const SHARDS = { min: 1, max: 500 } as const;
/** The nodes' port: not a privileged one. */
export const NODE_PORT = { min: 1024, max: 65_535 } as const;

/** Serverless CacheUsageLimits: GB of data, ECPUs per second. */
export const DATA_STORAGE_GB = { min: 1, max: 5000 } as const;
export const ECPU_PER_SECOND = { min: 1000, max: 15_000_000 } as const;

/** The defaults of a node-based group that the help states. */
export const GROUP_DEFAULTS = {
  engine: 'redis' as Engine,
  replicas: 2,
  /** Shards when cluster mode is enabled and --shards is not given: the console's default. */
  clusterShards: 3,
  port: 6379,
} as const;
