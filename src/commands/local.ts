import type { Command } from 'commander';
import { integerOption, LIFECYCLE_MS, REPLICATION_DELAY_MS } from '../flags.js';
import { DEFAULT_LOCAL_PORT, TCP_PORT } from '../globals.js';
import { declaredOnly, lazyAction } from './lazy.js';

const START_HELP = `
The emulator speaks the AWS Query protocol of ElastiCache (2015-02-02) and EC2 (2016-11-15),
so the unmodified AWS SDK, AWS CLI or boto3 work against it. Each replication group runs
real redis-server (or valkey-server) processes on 127.0.0.1.

Examples:
  $ elasticache-kit local start
  $ export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x
  $ aws elasticache create-replication-group --replication-group-id demo \\
      --replication-group-description demo --num-cache-clusters 3 --automatic-failover-enabled
  $ elasticache-kit local start --replication-delay-ms 20 --port 4567   # simulate cross-AZ lag
  $ elasticache-kit local start --lifecycle-ms 30000   # groups take 30 s to create, modify, delete
  $ elasticache-kit local status
  $ redis-cli --tls --cacert "$(elasticache-kit local ca)" -p <port>   # trust the emulator's CA
  $ elasticache-kit local stop`;

const STOP_HELP = `
Stops the emulator's HTTP server and every redis-server it started; its state dir is kept.
Stopping an emulator that is not running is not an error.

Examples:
  $ elasticache-kit local stop
  $ elasticache-kit local stop --state-dir /tmp/eck-state   # the emulator started with that --state-dir`;

const STATUS_HELP = `
Examples:
  $ elasticache-kit local status
  $ elasticache-kit --output json local status              # for scripts
  $ elasticache-kit local status --state-dir /tmp/eck-state`;

/** local start --instances: the emulated bastions. */
const LOCAL_INSTANCES = { min: 0, max: 20 } as const;

export function register(program: Command, complete = true): void {
  const local = program
    .command('local')
    .description('run the local ElastiCache + EC2 emulator (real redis-server replication behind the AWS API)');
  if (!complete) {
    declaredOnly(local, { options: false });
    return;
  }
  const action = lazyAction(() => import('./local.run.js'));

  local
    .command('start')
    .description('start the emulator (in the background unless --foreground)')
    .addOption(
      integerOption('--port <port>', 'HTTP port', TCP_PORT, `$ELASTICACHE_KIT_LOCAL_PORT or ${DEFAULT_LOCAL_PORT}`),
    )
    .option('--host <host>', 'address to listen on (API and nodes)', '127.0.0.1')
    .option(
      '--state-dir <dir>',
      'where state and logs live (default: $ELASTICACHE_KIT_STATE_DIR or ~/.local/state/elasticache-kit)',
    )
    .option('--redis-server <path>', 'redis-server or valkey-server binary (default: found on PATH)')
    .addOption(
      integerOption(
        '--replication-delay-ms <ms>',
        'delay the primary→replica replication stream by this many ms',
        REPLICATION_DELAY_MS,
        0,
      ),
    )
    .addOption(
      integerOption(
        '--lifecycle-ms <ms>',
        'make creating, modifying and deleting each last this many ms, as on AWS (per group: tag local-emulator:lifecycle-ms=N)',
        LIFECYCLE_MS,
        0,
      ),
    )
    .addOption(
      integerOption(
        '--instances <n>',
        'emulated EC2 instances tagged Role=bastion that SSM Run Command runs on',
        LOCAL_INSTANCES,
        0,
      ),
    )
    .option('--foreground', 'run in this process until Ctrl-C or SIGTERM')
    .addHelpText('after', START_HELP)
    .action(action);

  local
    .command('stop')
    .description('stop the emulator and every node it started')
    .option('--state-dir <dir>', 'the state dir of the emulator to stop')
    .addHelpText('after', STOP_HELP)
    .action(action);

  local
    .command('status')
    .description('show whether the emulator runs, its URL, its CA certificate, and its groups with their node ports')
    .option('--state-dir <dir>', 'the state dir of the emulator to show')
    .addHelpText('after', STATUS_HELP)
    .action(action);

  local
    .command('ca')
    .description(
      "print the path of the emulator's CA certificate (made when missing), for --ca, NODE_EXTRA_CA_CERTS or redis-cli --cacert",
    )
    .option('--state-dir <dir>', 'the state dir of the emulator')
    .action(action);
}
