/**
 * CreateReplicationGroup is not idempotent. When its answer is lost after AWS accepted it
 * (a connection reset on the way back), the SDK retries and gets ReplicationGroupAlreadyExists
 * for the very group this run asked for. That is not a failure: tearing down the network
 * this run made would pull the subnet group and security group from under a group that
 * now uses them. The group counts as this run's when it carries the tool's tags, uses the
 * network this run created, and has the planned settings.
 */
import type { AwsContext } from './clients.js';
import { elasticacheTags, networkOfClusters } from './cache-network.js';
import type { CreatedResource } from './network.js';
import { existingGroupSettings } from './existing-group.js';
import { memberClusters } from './replication-groups.js';
import { describeReplicationGroup } from './topology.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { differences } from '../plan/differences.js';
import { TOOL_TAG_KEY, TOOL_TAG_VALUE } from '../plan/rules.js';
import { TAG_REPLICATION_GROUP } from '../plan/requests.js';

/** Undefined when the existing group is this run's; otherwise why it is not (for the error line). */
export async function whyNotThisRunsGroup(
  aws: AwsContext,
  plan: ClusterPlan,
  created: readonly CreatedResource[],
): Promise<string | undefined> {
  const id = plan.replicationGroupId;
  const group = await describeReplicationGroup(aws, id);
  const tags = group.ARN ? await elasticacheTags(aws, group.ARN) : {};
  if (tags[TOOL_TAG_KEY] !== TOOL_TAG_VALUE || tags[TAG_REPLICATION_GROUP] !== id) {
    return `it is not tagged ${TOOL_TAG_KEY}=${TOOL_TAG_VALUE}`;
  }
  const network = networkOfClusters(await memberClusters(aws, group));
  for (const resource of created) {
    if (resource.kind === 'security-group' && !network.securityGroupIds.includes(resource.groupId)) {
      return `it does not use security group ${resource.groupId} that this run created`;
    }
    if (resource.kind === 'subnet-group' && network.subnetGroupName !== resource.name) {
      return `it does not use cache subnet group ${resource.name} that this run created`;
    }
  }
  const found = differences(plan, await existingGroupSettings(aws, group));
  if (found.length > 0) return `its settings differ (${found.map((d) => d.setting).join(', ')})`;
  return undefined;
}
