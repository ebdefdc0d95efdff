import type { Command } from 'commander';
import { choiceOption, integerOption, waitTimeoutOption } from '../flags.js';
import {
  CLUSTER_MODES,
  DATA_STORAGE_GB,
  ECPU_PER_SECOND,
  ENGINES,
  GROUP_DEFAULTS,
  NODE_PORT,
  REPLICAS,
  SHARDS,
} from '../plan/limits.js';
import { declaredOnly, lazyAction } from './lazy.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const HELP = `
The console walkthrough as one command. Every value can be a flag; on a terminal, the
ones you leave out are asked for (engine, version, size, availability, network access,
encryption). Everything is validated before any AWS call (bad input: exit 2, nothing
changed), then shown on a review screen to confirm (--yes skips it; answering no exits 2
with nothing created).

Network: the group goes into the default VPC (or --vpc) through a cache subnet group made
of its subnets (or --subnets, or an existing --subnet-group). Access is either existing
security groups (--security-group) or one the tool creates that opens only the cache port
to one source (--allow-from: the bastion's security group, or a CIDR block). A matching
group made earlier by the tool is reused. 0.0.0.0/0 is accepted only when written out,
with a warning. Everything created is tagged created-by=elasticache-kit and
elasticache-kit:replication-group=<id>, which delete-cluster uses to remove only that.

Cluster mode: --shards N (N > 1) or --cluster-mode enabled makes a Redis Cluster of N
shards, each 1 primary + --replicas replicas, with AWS's even split of the 16384 hash
slots; clients use the configuration endpoint and a cluster-aware client. It needs
automatic failover (--no-automatic-failover is refused). More than 90 nodes is above
ElastiCache's default quota (a warning); more than 500 is refused.

Availability: automatic failover is on whenever there is a replica; Multi-AZ is off
unless --multi-az (it needs failover and a replica; on cache.t2.micro the walkthrough
keeps it off, so --multi-az there is a warning). Retired node types (T1, M1, M2, M3,
C1, R3) can no longer be created and are refused.

AUTH token: never a flag value. Use --auth-token-env VAR, --auth-token-file FILE (mode
0600) or --auth-token-prompt (hidden); it needs transit encryption (on by default).

Running the same command again is safe: if the group exists with the same settings, it
is reported and waited for; with different settings, exit 2 names the differences.

Serverless (--serverless; on a terminal, the first question): the id is the
ServerlessCacheName. No nodes to size: usage limits (--max-data-storage GB,
--max-ecpu-per-second, and minimums) cap what it scales to. It always uses TLS and the
cluster protocol, on an endpoint (6379, reads and writes) and a reader endpoint (6380);
--allow-from makes a security group opening both ports. Users come from an RBAC user
group (--user-group). Node-based flags (--node-type, --replicas, --port, --multi-az,
--auth-token-*, …) are refused with --serverless (exit 2), and serverless ones without it.

Examples:
  $ elasticache-kit create-cluster                      # the walkthrough, asked step by step
  $ elasticache-kit --local create-cluster demo --replicas 2 --allow-from 10.0.0.0/16 --yes
  $ elasticache-kit create-cluster orders --node-type cache.r7g.large --multi-az \\
      --allow-from sg-0123456789abcdef0 --transit-encryption --auth-token-env REDIS_AUTH --yes
  $ elasticache-kit create-cluster shop --shards 3 --replicas 1 --allow-from 10.0.0.0/16 --yes
  $ elasticache-kit create-cluster demo --allow-from 10.0.0.0/16 --dry-run   # the API requests, as JSON
  $ elasticache-kit create-cluster demo --allow-from 10.0.0.0/16 --yes --no-wait && elasticache-kit wait demo
  $ elasticache-kit create-cluster sessions --serverless --engine valkey --max-data-storage 10 \\
      --max-ecpu-per-second 5000 --allow-from sg-0123456789abcdef0 --user-group app-users --yes

Exit codes: 0 created (or already there with the same settings), 1 AWS error, 2 bad input
or declined (nothing created), 4 --wait-timeout exceeded (the group keeps being created),
130 interrupted.`;

export function register(program: Command, complete = true): void {
  const command = program
    .command('create-cluster')
    .summary('create a replication group (the console walkthrough): prompts or flags, review, launch, wait')
    .argument('[id]', 'replication group id: 1-40 letters, digits, hyphens; starts with a letter (stored lower-case)');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Create a Valkey / Redis OSS replication group: 1 primary + N read replicas, or with cluster mode enabled N shards of 1 primary + M replicas.',
    )
    .addOption(choiceOption('--engine <engine>', 'the engine', ENGINES, GROUP_DEFAULTS.engine))
    .option('--engine-version <version>', 'engine version offered by DescribeCacheEngineVersions (default: the newest)')
    .option('--description <text>', 'description of the group (default: "<id>, created by elasticache-kit")')
    .option('--node-type <type>', 'cache node type, cache.<family>.<size> (default: cache.t3.micro)')
    .addOption(
      integerOption(
        '--replicas <n>',
        'read replicas (per shard with cluster mode)',
        REPLICAS,
        `${GROUP_DEFAULTS.replicas}, i.e. 1 primary + ${GROUP_DEFAULTS.replicas} replicas`,
      ),
    )
    .addOption(
      integerOption(
        '--shards <n>',
        'node groups; more than 1 means cluster mode enabled',
        SHARDS,
        `1, or ${GROUP_DEFAULTS.clusterShards} with --cluster-mode enabled`,
      ),
    )
    .addOption(
      choiceOption('--cluster-mode <mode>', 'cluster mode', CLUSTER_MODES, 'disabled, or enabled with --shards > 1'),
    )
    .addOption(integerOption('--port <port>', 'port the nodes listen on', NODE_PORT, GROUP_DEFAULTS.port))
    .option('--multi-az', 'place replicas in other zones and fail over across zones (needs a replica)')
    .option('--no-multi-az', 'keep Multi-AZ disabled (the default)')
    .option('--automatic-failover', 'promote a replica when the primary fails (default: on with a replica)')
    .option('--no-automatic-failover', 'no automatic failover')
    .option('--vpc <vpc-id>', 'VPC for the group (default: the default VPC)')
    .option('--subnet-group <name>', 'existing cache subnet group to use')
    .option('--subnets <ids>', "comma-separated subnet ids for a new cache subnet group (default: the VPC's subnets)")
    .option('--security-group <ids>', 'existing security group id(s) to attach, comma-separated')
    .option('--allow-from <source>', 'create a security group opening only the cache port to this sg-id or CIDR')
    .option('--transit-encryption', 'TLS between clients and nodes, clients use rediss:// (the default)')
    .option('--no-transit-encryption', 'no TLS: plain TCP between clients and nodes')
    .option('--at-rest-encryption', 'encrypt data on disk (the default for valkey)')
    .option('--no-at-rest-encryption', 'no encryption at rest (the default for redis)')
    .option('--auth-token-env <var>', 'read the AUTH token from this environment variable')
    .option('--auth-token-file <file>', 'read the AUTH token from this file (keep it mode 0600)')
    .option('--auth-token-prompt', 'ask for the AUTH token with a hidden prompt (needs a terminal)')
    .option('--serverless', 'a serverless cache instead of a node-based group (no nodes; endpoint :6379, reader :6380)')
    .option('--major-engine-version <n>', 'serverless: major engine version, e.g. 7 or 8 (default: the newest)')
    .addOption(
      integerOption(
        '--max-data-storage <gb>',
        'serverless: most data the cache may hold, GB',
        DATA_STORAGE_GB,
        'no limit',
      ),
    )
    .addOption(
      integerOption('--min-data-storage <gb>', 'serverless: data storage always provisioned, GB', DATA_STORAGE_GB),
    )
    .addOption(
      integerOption(
        '--max-ecpu-per-second <n>',
        'serverless: ECPUs per second it may use',
        ECPU_PER_SECOND,
        'no limit',
      ),
    )
    .addOption(
      integerOption('--min-ecpu-per-second <n>', 'serverless: ECPUs per second always provisioned', ECPU_PER_SECOND),
    )
    .option('--user-group <id>', 'serverless: RBAC user group whose users may connect (default: none)')
    .option('--tag <key=value>', 'tag for every resource created (repeatable)', collect)
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--dry-run', 'print the exact API requests as JSON and change nothing')
    .option('--no-wait', 'return once the creation is requested')
    .addOption(waitTimeoutOption('give up waiting'))
    .addHelpText('after', HELP)
    .action(lazyAction(() => import('./create-cluster.run.js')));
}
