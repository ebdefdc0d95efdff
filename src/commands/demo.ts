import type { Command } from 'commander';
import { DEMO_BENCH, DEMO_DEFAULTS, DEMO_ENGINES, DEMO_TEST_TIME_S } from '../demo/defaults.js';
import { choiceOption, integerOption, REPLICATION_DELAY_MS } from '../flags.js';
import { declaredOnly, lazyAction } from './lazy.js';
import { groupedNumber } from '../ui/numbers.js';

const HELP = `
What it does, with no AWS account:
  1. starts the local emulator (elasticache-kit local start) unless it already runs;
  2. creates a Redis replication group of 1 primary + 2 read replicas on cache.t2.micro,
     Multi-AZ off, port 6379 opened to the VPC, with a simulated cross-AZ replication
     delay (--replication-delay-ms);
  3. writes its endpoints into --dir as the walkthrough's <appSettings> block (App.config)
     and as .env;
  4. runs a short bench against the primary and each replica, paced at ${groupedNumber(DEMO_BENCH.rate)} ops/s so
     that it measures the group rather than your machine, and explains the result;
  5. deletes the group and stops what it started (--keep leaves it running and prints how
     to connect with redis-cli).
Each step runs the same elasticache-kit command you would type, and shows it.

Examples:
  $ elasticache-kit demo
  $ elasticache-kit demo --replication-delay-ms 20 --test-time 5
  $ elasticache-kit demo --keep          # then: redis-cli -p <port>, elasticache-kit --local delete-cluster demo --yes`;

export function register(program: Command, complete = true): void {
  const command = program
    .command('demo')
    .summary('the whole walkthrough on the local emulator: create 1+2, write config, bench, clean up');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description('Run the console walkthrough end to end on the local emulator: create, configure, benchmark, delete.')
    .option('--id <id>', `replication group id (default ${DEMO_DEFAULTS.id})`)
    .option('--dir <folder>', `folder for the config files it writes (default ./${DEMO_DEFAULTS.dir})`)
    .addOption(
      integerOption(
        '--replication-delay-ms <ms>',
        'simulated replication delay between primary and replicas',
        REPLICATION_DELAY_MS,
        DEMO_DEFAULTS.replicationDelayMs,
      ),
    )
    .addOption(
      integerOption('--test-time <seconds>', 'seconds of bench load', DEMO_TEST_TIME_S, DEMO_DEFAULTS.testTimeS),
    )
    .addOption(choiceOption('--engine <engine>', 'the engine', DEMO_ENGINES, DEMO_DEFAULTS.engine))
    .option('--keep', 'leave the group and the emulator running and print how to connect')
    .addHelpText('after', HELP)
    .action(lazyAction(() => import('./demo.run.js')));
}
