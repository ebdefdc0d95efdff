/**
 * `bench`: SET/GET load against the primary and every replica, with replication lag and
 * stale-read probes. Flag names follow memtier_benchmark / redis-benchmark.
 */
import { Option, type Command } from 'commander';
import { DEFAULTS, KEY_PATTERNS, READ_FROM } from '../bench/defaults.js';
import { choiceOption, integerOption, numberOption } from '../flags.js';
import { declaredOnly, lazyAction } from './lazy.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const EXAMPLES = `
Targets (one of):
  <id>                       discover the nodes through the API (--region, --profile, --local …)
  --primary host:port        no AWS at all: name the nodes (add --replica for each replica)
  --from-config FILE         a file written by \`elasticache-kit endpoints\`

Every key is under <key prefix><run id>: (eck:bench:<run id>: by default), every write
has a TTL, and this run's keys (only those) are removed at the end, also after Ctrl-C.
Only AUTH, SET, GET, EXISTS, SCAN, UNLINK, INFO and PING are sent: nothing ElastiCache
disables.

Examples:
  $ elasticache-kit --local bench demo --test-time 10
  $ elasticache-kit bench orders-cache --region eu-west-1 --tls --auth-token-env REDIS_AUTH
  $ elasticache-kit bench --primary 10.0.1.12:6379 --replica 10.0.2.31:6379 --replica 10.0.3.44:6379 \\
        --clients 20 --pipeline 4 --ratio 1:4 --data-size 512 --test-time 30
  $ elasticache-kit bench --from-config web.config --read-from replicas --rate 5000
  $ elasticache-kit --output json bench demo --json bench.json --hdr-out latency
  $ elasticache-kit bench sessions --tls --read-from replicas --user app --auth-token-env APP_USER_PASSWORD
        # a serverless cache: writes to its endpoint, reads from its reader endpoint; throttled
        # requests (ECPU/s limit) counted apart from errors, ECPUs consumed estimated
  $ elasticache-kit bench orders-cache --workers tag:Role=bastion --results s3://my-bucket/bench --test-time 60
  $ elasticache-kit bench merge worker-a.json worker-b.json --report merged.html

bench merge FILE… [--json FILE] [--report FILE] [--hdr-out PREFIX] [--hdr-log PREFIX]:
worker results written by hand (bench … --worker --json FILE on each machine, started
together with --start-at EPOCH_MS) merged exactly as --workers merges them.

Many bastions (--workers): each instance runs the same bench through SSM Run Command
(npx --yes elasticache-kit@<this version> bench … --worker), every load starts at one
shared time, and the workers' histograms are merged exactly (per node and per second);
lag and stale reads stay per worker. The instances need the SSM agent and Node 20.17+.`;

export function register(program: Command, complete = true): void {
  const command = program
    .command('bench')
    .description(
      'SET/GET load on the primary and every replica: ops/s, latency percentiles, replication lag, stale reads',
    )
    .argument('[id]', 'replication group id or serverless cache name (nodes are discovered through the API), or merge')
    // Not a subcommand: the global options may follow the command, and merge shares --json/--report/--hdr-*.
    .argument('[files...]', 'with merge: worker result files (bench … --worker --json FILE) to merge into one report');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .option('--primary <host:port>', 'the primary node (no API call)')
    .option('--replica <host:port>', 'a replica node; repeat for each replica', collect)
    .option('--reader <host:port>', 'the reader endpoint, benchmarked like a replica')
    .option('--from-config <file>', 'read the endpoints from a file written by `endpoints`')
    .option('--tls', 'connect with TLS (in-transit encryption); implied when the group has it')
    .option('--ca <file>', 'CA certificate (PEM) to verify the server with')
    .option('--servername <name>', 'TLS server name (SNI) when connecting by IP address')
    .option('--insecure', 'do not verify the server certificate (a warning is printed)')
    .option('--auth-token-env <var>', 'read the AUTH token from this environment variable')
    .option('--auth-token-file <file>', 'read the AUTH token from this file (keep it mode 600)')
    .option('--user <name>', 'ACL user name for AUTH (needs a token)')
    .addOption(integerOption('-c, --clients <n>', 'connections per node', { min: 1, max: 1000 }, DEFAULTS.clients))
    .addOption(
      integerOption(
        '--threads <n>',
        'worker threads the load runs in, at most --clients',
        { min: 1, max: 256 },
        'number of cores',
      ),
    )
    .addOption(
      integerOption('--pipeline <n>', 'requests in flight per connection', { min: 1, max: 1000 }, DEFAULTS.pipeline),
    )
    .option('--ratio <set:get>', `SET:GET mix; SETs go to the primary only (default ${DEFAULTS.ratio})`)
    .addOption(
      integerOption('-d, --data-size <bytes>', 'value size of SET', { min: 1, max: 1_048_576 }, DEFAULTS.dataSize),
    )
    .addOption(
      integerOption(
        '--key-maximum <n>',
        'keyspace size, prefilled so GETs hit',
        { min: 1, max: 10_000_000 },
        DEFAULTS.keyMaximum,
      ),
    )
    .addOption(
      choiceOption(
        '--key-pattern <R|G|S>',
        'key order, random, gaussian or sequential',
        KEY_PATTERNS,
        DEFAULTS.keyPattern,
      ),
    )
    .addOption(choiceOption('--read-from <where>', 'where GETs go', READ_FROM, DEFAULTS.readFrom))
    .addOption(
      numberOption('--test-time <seconds>', 'measured seconds of load', { min: 0.1, max: 86_400 }, DEFAULTS.testTime),
    )
    .addOption(
      integerOption('-n, --requests <n>', 'stop after this many requests in total instead of --test-time', {
        min: 1,
        max: 1e12,
      }),
    )
    .addOption(
      integerOption(
        '--rate <ops/s>',
        'cap on total ops/s (open loop; latency counts from the intended send time)',
        { min: 0, max: 10_000_000 },
        '0, no cap',
      ),
    )
    .addOption(
      numberOption(
        '--warmup <seconds>',
        'seconds of load before measuring, not recorded',
        { min: 0, max: 3600 },
        DEFAULTS.warmup,
      ),
    )
    .addOption(
      integerOption(
        '--lag-probes <n>',
        'replication lag probes per second, 0 to turn off',
        { min: 0, max: 1000 },
        DEFAULTS.lagProbes,
      ),
    )
    .option('--key-prefix <prefix>', 'bench keys are <prefix><run id>:… (default eck:bench:)')
    .addOption(
      integerOption(
        '--key-ttl <seconds>',
        'TTL of every bench key, in case cleanup cannot run',
        { min: 10, max: 7 * 86_400 },
        'run length + 300',
      ),
    )
    .addOption(
      integerOption(
        '--request-timeout <ms>',
        'a request unanswered this long fails its connection',
        { min: 100, max: 600_000 },
        DEFAULTS.requestTimeoutMs,
      ),
    )
    .option(
      '--hdr-out <prefix>',
      "write each node's latency histogram to PREFIX<node>.hgrm (HdrHistogram percentile format)",
    )
    .option('--json <file>', 'also write the JSON report to this file')
    .option(
      '--hdr-log <prefix>',
      "write each node's HdrHistogram log to PREFIX<node>.hlog (HistogramLogAnalyzer reads it)",
    )
    .option('--report <file>', 'also write a self-contained HTML report (charts, no network needed to view it)')
    .option('--workers <instances>', 'run the bench on these EC2 instances via SSM: tag:Key=Value or i-…,i-…')
    .option('--results <s3-url>', 'workers write their results to s3://bucket/prefix (default: their SSM output)')
    .addOption(
      integerOption(
        '--start-in <seconds>',
        'with --workers: seconds until the shared start (delivery, npx, prefill)',
        { min: 1, max: 3600 },
        DEFAULTS.startInS,
      ),
    )
    .addOption(
      integerOption(
        '--worker-timeout <seconds>',
        'with --workers: seconds to wait past the expected end',
        { min: 10, max: 86_400 },
        DEFAULTS.workerTimeoutS,
      ),
    )
    // A worker run (what --workers sends); documented for `bench merge` inputs.
    .addOption(new Option('--worker', 'print a worker result (for bench merge) instead of the report').hideHelp())
    .addOption(
      integerOption('--start-at <epoch-ms>', 'start the load at this time (after prefill)', {
        min: 1,
        max: 1e14,
      }).hideHelp(),
    )
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(() => import('./bench.run.js')));
}
