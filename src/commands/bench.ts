/**
 * `bench`: SET/GET load against the primary and every replica, with replication lag and
 * stale-read probes. Flag names follow memtier_benchmark / redis-benchmark.
 */
import { Option, type Command } from 'commander';
import { lazyAction } from './lazy.js';

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

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'SET/GET load on the primary and every replica: ops/s, latency percentiles, replication lag, stale reads',
    )
    .argument('[id]', 'replication group id or serverless cache name (nodes are discovered through the API), or merge')
    // Not a subcommand: the global options may follow the command, and merge shares --json/--report/--hdr-*.
    .argument('[files...]', 'with merge: worker result files (bench … --worker --json FILE) to merge into one report')
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
    .option('-c, --clients <n>', 'connections per node, 1-1000 (default 50)')
    .option('--threads <n>', 'worker threads the load runs in, 1-256 and at most --clients (default: number of cores)')
    .option('--pipeline <n>', 'requests in flight per connection, 1-1000 (default 1)')
    .option('--ratio <set:get>', 'SET:GET mix; SETs go to the primary only (default 1:10)')
    .option('-d, --data-size <bytes>', 'value size of SET, 1-1048576 (default 32)')
    .option('--key-maximum <n>', 'keyspace size, prefilled so GETs hit, 1-10000000 (default 10000)')
    .option('--key-pattern <R|G|S>', 'R random, G gaussian, S sequential (default R)')
    .option('--read-from <where>', 'GETs go to: primary, replicas or all (default all)')
    .option('--test-time <seconds>', 'measured seconds of load (default 10)')
    .option('-n, --requests <n>', 'stop after this many requests in total instead of --test-time')
    .option('--rate <ops/s>', 'cap on total ops/s (open loop; latency counts from the intended send time)')
    .option('--warmup <seconds>', 'seconds of load before measuring, not recorded (default 1)')
    .option('--lag-probes <n>', 'replication lag probes per second, 0 to turn off (default 20)')
    .option('--key-prefix <prefix>', 'bench keys are <prefix><run id>:… (default eck:bench:)')
    .option('--key-ttl <seconds>', 'TTL of every bench key, in case cleanup cannot run (default run length + 300)')
    .option('--request-timeout <ms>', 'a request unanswered this long fails its connection (default 5000)')
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
    .option(
      '--start-in <seconds>',
      'with --workers: seconds until the shared start (delivery, npx, prefill) (default 30)',
    )
    .option('--worker-timeout <seconds>', 'with --workers: seconds to wait past the expected end (default 300)')
    // A worker run (what --workers sends); documented for `bench merge` inputs.
    .addOption(new Option('--worker', 'print a worker result (for bench merge) instead of the report').hideHelp())
    .addOption(new Option('--start-at <epoch-ms>', 'start the load at this time (after prefill)').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(() => import('./bench.run.js')));
}
