/** ModifyReplicationGroup, applied immediately (the tool's changes are meant to happen now). */
import { ModifyReplicationGroupCommand, type ModifyReplicationGroupCommandInput } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError, isReplicationGroupNotFound } from './errors.js';
import { NotFoundError } from '../errors.js';

export async function modifyReplicationGroup(
  aws: AwsContext,
  input: Omit<ModifyReplicationGroupCommandInput, 'ApplyImmediately'>,
): Promise<void> {
  try {
    await aws.elasticache.send(new ModifyReplicationGroupCommand({ ...input, ApplyImmediately: true }));
  } catch (error) {
    if (isReplicationGroupNotFound(error)) {
      throw new NotFoundError(`replication group ${input.ReplicationGroupId} not found in ${aws.region}`);
    }
    throw explainAwsError(error, 'elasticache:ModifyReplicationGroup');
  }
}
