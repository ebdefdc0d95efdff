import type { Command } from 'commander';
import { integerOption, waitTimeoutOption } from '../flags.js';
import { REPLICAS, SHARDS } from '../plan/limits.js';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('scale')
    .summary('change the replicas per shard, or the number of shards (online)')
    .argument('<id>', 'replication group id');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Change a replication group online: --replicas N sets the read replicas of every shard (IncreaseReplicaCount / DecreaseReplicaCount), --shards N the number of shards of a cluster mode enabled group (ModifyReplicationGroupShardConfiguration: slots and their keys move while clients keep working). Shows what changes, asks, calls, and waits until the group is available in its new shape.',
    )
    .addOption(integerOption('--replicas <n>', 'read replicas per shard afterwards', REPLICAS))
    .addOption(
      integerOption(
        '--shards <n>',
        'shards afterwards (cluster mode enabled only; the highest-numbered ones go first)',
        SHARDS,
      ),
    )
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--dry-run', 'print the exact API request as JSON and change nothing')
    .option('--no-wait', 'return once the change is requested')
    .addOption(waitTimeoutOption('give up waiting'))
    .addHelpText(
      'after',
      `
One change per run: --replicas or --shards. With automatic failover on, every shard keeps
at least one replica. Removing shards moves their slots (and keys) to the others first.

Examples:
  $ elasticache-kit scale demo --replicas 2 --yes
  $ elasticache-kit scale shop --shards 4 --dry-run         # the ModifyReplicationGroupShardConfiguration request
  $ elasticache-kit scale shop --shards 2 --yes --output json
  $ elasticache-kit scale demo --replicas 1 --yes --no-wait && elasticache-kit wait demo

Exit codes: 0 scaled (or nothing to change), 1 AWS error, 2 bad input or a change the group
cannot make (nothing changed), 3 not found, 4 timed out, 130 interrupted.`,
    )
    .action(lazyAction(() => import('./scale.run.js')));
}
