/** The three scaling calls of `scale`, sent with the exact input the plan made (and --dry-run printed). */
import {
  DecreaseReplicaCountCommand,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupShardConfigurationCommand,
  type DecreaseReplicaCountCommandInput,
  type IncreaseReplicaCountCommandInput,
  type ModifyReplicationGroupShardConfigurationCommandInput,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError, isReplicationGroupNotFound } from './errors.js';
import { NotFoundError } from '../errors.js';
import type { ScaleAction } from '../plan/scale-plan.js';

export async function sendScaling(aws: AwsContext, action: ScaleAction, input: Record<string, unknown>): Promise<void> {
  try {
    if (action === 'IncreaseReplicaCount')
      await aws.elasticache.send(new IncreaseReplicaCountCommand(input as unknown as IncreaseReplicaCountCommandInput));
    else if (action === 'DecreaseReplicaCount')
      await aws.elasticache.send(new DecreaseReplicaCountCommand(input as unknown as DecreaseReplicaCountCommandInput));
    else
      await aws.elasticache.send(
        new ModifyReplicationGroupShardConfigurationCommand(
          input as unknown as ModifyReplicationGroupShardConfigurationCommandInput,
        ),
      );
  } catch (error) {
    if (isReplicationGroupNotFound(error))
      throw new NotFoundError(`replication group ${String(input.ReplicationGroupId)} not found in ${aws.region}`);
    throw explainAwsError(error, `elasticache:${action}`);
  }
}
