import type { Command } from 'commander';
import { choiceOption, waitTimeoutOption } from '../flags.js';
import { TRANSIT_MODES } from '../plan/transit-steps.js';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('modify')
    .summary("ModifyReplicationGroup: change in-transit encryption in AWS's steps, waiting for each")
    .argument('<id>', 'replication group id');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Change in-transit encryption of an existing group: off → preferred → required (and back), one ModifyReplicationGroup per step, each waited for. Prints the group afterwards.',
    )
    .addOption(
      choiceOption(
        '--transit-encryption-mode <mode>',
        'in-transit encryption (preferred: TLS and plain; required: TLS only)',
        TRANSIT_MODES,
        undefined,
        { ignoreCase: false },
      ).makeOptionMandatory(),
    )
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--no-wait', 'return once a one-step change is requested')
    .addOption(waitTimeoutOption('give up waiting'))
    .addHelpText(
      'after',
      `
AWS moves a live group one mode at a time; preferred lets clients migrate to TLS without
downtime. Afterwards, rewrite the apps' config: elasticache-kit endpoints <id> --format ...

Examples:
  $ elasticache-kit modify demo --transit-encryption-mode required --yes
  $ elasticache-kit modify demo --transit-encryption-mode preferred --yes --no-wait

Exit codes: 0 changed (or already so), 1 AWS error, 2 bad input (nothing changed),
3 not found, 4 timed out, 130 interrupted.`,
    )
    .action(lazyAction(() => import('./modify.run.js')));
}
