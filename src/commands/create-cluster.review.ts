/** The review screen: every setting, and each resource that will be created or reused. */
import { describeAccess, type ClusterPlan } from '../plan/cluster-plan.js';
import { describeSource } from '../plan/rules.js';
import { toolTags, type ResolvedNetwork } from '../plan/requests.js';
import { renderKeyValues, type Cell } from '../ui/table.js';

export function renderReview(plan: ClusterPlan, network: ResolvedNetwork, region: string): string {
  const replicas = `${plan.replicas} read replica${plan.replicas === 1 ? '' : 's'}`;
  const subnetGroup =
    network.subnetGroup.action === 'create'
      ? `${network.subnetGroup.name} (new: ${network.subnetGroup.subnetIds.join(', ')})`
      : `${network.subnetGroup.name} (existing)`;
  const securityGroups = network.securityGroups
    .map((step) =>
      step.action === 'create'
        ? `${step.name} (new: port ${step.port}/tcp from ${describeSource(step.source)} only)`
        : `${step.groupId} (existing${step.createdByTool ? ', made by elasticache-kit earlier' : ''})`,
    )
    .join('; ');
  const tags = [...toolTags(plan.replicationGroupId), ...plan.tags].map((t) => `${t.Key}=${t.Value}`).join(', ');
  const willCreate = [
    ...(network.subnetGroup.action === 'create' ? [`cache subnet group ${network.subnetGroup.name}`] : []),
    ...network.securityGroups.flatMap((s) =>
      s.action === 'create' ? [`security group ${s.name} + 1 ingress rule`] : [],
    ),
    `replication group ${plan.replicationGroupId} (${plan.replicas + 1} node${plan.replicas === 0 ? '' : 's'})`,
  ];
  const pairs: Array<[string, Cell]> = [
    ['Region', region],
    ['Replication group', plan.replicationGroupId],
    ['Description', plan.description],
    ['Engine', `${plan.engine} ${plan.engineVersion ?? '(newest)'}`],
    ['Node type', plan.nodeType],
    ['Nodes', `1 primary + ${replicas}`],
    ['Port', plan.port],
    ['Automatic failover', plan.automaticFailover],
    ['Multi-AZ', plan.multiAZ],
    ['VPC', `${network.vpcId}${network.vpcIsDefault ? ' (default)' : ''}`],
    ['Subnet group', subnetGroup],
    ['Access', describeAccess(plan.access, plan.port)],
    ['Security groups', securityGroups],
    [
      'Encryption in transit',
      plan.transitEncryption
        ? 'yes (TLS: clients connect with rediss:// / ssl=true; plain TCP clients hang. --no-transit-encryption turns it off)'
        : 'no (--no-transit-encryption: plain TCP, anyone on the network path can read the traffic)',
    ],
    ['Encryption at rest', plan.atRestEncryption],
    ['AUTH token', plan.authToken ? `yes, from ${plan.authToken.origin} (not shown)` : 'none'],
    ['Tags', tags],
    ['Will create', willCreate.join('; ')],
  ];
  return renderKeyValues(pairs);
}
