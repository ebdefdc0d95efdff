import type { Command } from 'commander';
import { choiceOption, waitTimeoutOption } from '../flags.js';
import { FORMAT_NAMES } from '../config/formats/types.js';
import { declaredOnly, lazyAction } from './lazy.js';

// formats/types.ts imports only types: --help still loads nothing but commander and src/flags.ts.
const USE_MODES = ['endpoints', 'nodes'] as const;

export function register(program: Command, complete = true): void {
  const command = program
    .command('endpoints')
    .summary(
      'write a replication group’s endpoints as app config (appSettings, .env, shell, GitHub outputs, URLs, JSON)',
    )
    .argument('<id>', 'replication group id or serverless cache name');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Discover a replication group and print its endpoints as config text on stdout, or merge them into a file with --out\n' +
        '(only the keys the tool owns change; every other byte of the file stays).',
    )
    .addOption(choiceOption('--format <format>', 'what to write', FORMAT_NAMES, 'json, the Topology'))
    .option(
      '--out <file>',
      'write (merge into) this file atomically instead of printing; github: instead of $GITHUB_OUTPUT',
    )
    .option('--backup', 'with --out: keep the previous file as FILE.bak')
    .option('--wait', 'wait until the group is available first (without it, a group that is not available exits 4)')
    .addOption(waitTimeoutOption('with --wait: give up'))
    .addOption(
      choiceOption(
        '--use <mode>',
        "which addresses: the primary + reader endpoints, or each node's own",
        USE_MODES,
        'endpoints',
      ),
    )
    .option('--include-auth', 'also write the AUTH token (files are then written 0600)')
    .option('--auth-token-env <var>', 'with --include-auth: read the token from this environment variable')
    .option('--auth-token-file <file>', 'with --include-auth: read the token from this file')
    .option('--key-primary <key>', 'appsettings-xml/-json: key of the primary (default MasterNodes)')
    .option('--key-replicas <key>', 'appsettings-xml/-json: key of the replicas (default SlaveNodes)')
    .option('--environment <name>', 'also set the Environment key the walkthrough checks (e.g. Production)')
    .option('--section <name>', 'appsettings-json: section to merge into, A:B for nested (default ElastiCache)')
    .option('--env-prefix <prefix>', 'dotenv/shell/github: prefix of the names (default ELASTICACHE_)')
    .option('--user <name>', "RBAC user to write (default: the user group's user other than default)")
    .addHelpText(
      'after',
      `
Formats:
  json              the Topology (the public JSON contract): endpoints, nodes and their roles, port, TLS
  appsettings-xml   <appSettings> with MasterNodes / SlaveNodes for web.config or App.config. On stdout,
                    the block to paste; with --out, merged into <configuration><appSettings> of the file.
                    With TLS each host:port ends in ?ssl=true (ServiceStack.Redis syntax)
  appsettings-json  a section of appsettings.json: MasterNodes, SlaveNodes, Port, Tls
  dotenv            ELASTICACHE_PRIMARY, _REPLICAS, _READER, _PORT, _TLS lines for a .env file
  shell             the same as export lines: eval "$(elasticache-kit endpoints demo --format shell)"
  github            the same as step outputs appended to $GITHUB_OUTPUT (or --out FILE)
  url               "primary redis://…", "reader …", "replica …" lines (rediss:// with TLS)
  stackexchange     one StackExchange.Redis connection string: host:port,…,ssl=true,abortConnect=false
Cluster-mode groups are written as their configuration endpoint, the one seed a cluster-aware
client starts from: url "configuration rediss://…", stackexchange that one endpoint,
appsettings-json ConfigurationEndpoint + ClusterMode, dotenv/shell/github
ELASTICACHE_CONFIGURATION_ENDPOINT + ELASTICACHE_CLUSTER_MODE=true. appsettings-xml cannot
express them (ServiceStack.Redis has no cluster support): exit 2, nothing written.

Serverless caches are written as their endpoint (6379, reads and writes) and reader endpoint
(6380, reads), TLS always and a cluster-aware client: url "endpoint rediss://user@host:6379" and
"reader …"; appsettings-json Endpoint, ReaderEndpoint, Tls, ClusterProtocol, User; dotenv/shell/
github ELASTICACHE_ENDPOINT, _READER_ENDPOINT, _TLS=true, _CLUSTER_MODE=true, _USER;
stackexchange "host:6379,ssl=true,user=…,abortConnect=false". appsettings-xml is refused (exit 2):
ServiceStack.Redis has no cluster support. The user is the one of the cache's user group (--user
to choose); its password is written only with --include-auth.

Endpoints or nodes: the primary endpoint and the reader endpoint are DNS names ElastiCache
moves after a failover or a replaced node, so config written with them never goes stale.
--use nodes writes each node's own address, as the console walkthrough did; after a failover
MasterNodes then names a replica, and writes fail until the config is regenerated.

The AUTH token is never written unless --include-auth is given, with the token from
--auth-token-env VAR or --auth-token-file FILE (never on the command line); any file written
with it is mode 0600. Files are replaced atomically (never half-written) and keep their mode.

stdout holds exactly the config text (or JSON); with --out, a one-line note goes to stderr.

Examples:
  $ elasticache-kit endpoints demo
  $ elasticache-kit endpoints demo --format appsettings-xml --out web.config --environment Production --backup
  $ elasticache-kit endpoints demo --format appsettings-json --out appsettings.json --section Redis
  $ elasticache-kit endpoints demo --format dotenv --out .env --include-auth --auth-token-env REDIS_AUTH
  $ eval "$(elasticache-kit endpoints demo --format shell)"
  $ elasticache-kit endpoints demo --format github          # in a GitHub Actions step
  $ elasticache-kit endpoints demo --wait --wait-timeout 30 --format url
  $ elasticache-kit endpoints sessions --format appsettings-json --out appsettings.json \\
      --include-auth --auth-token-env APP_USER_PASSWORD    # a serverless cache

Exit codes: 0 ok, 1 AWS error or a file that cannot be parsed (left untouched), 2 bad input,
3 no such group, 4 the group is not available (without --wait) or --wait timed out.`,
    )
    .action(lazyAction(() => import('./endpoints.run.js')));
}
