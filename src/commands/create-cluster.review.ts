/** The review screen: every setting, and each resource that will be created or reused. */
import { countNodes, describeAccess, describeShape, type ClusterPlan } from '../plan/cluster-plan.js';
import { evenSlotSplit } from '../plan/slots.js';
import { describeSource } from '../plan/rules.js';
import { toolTags, type ResolvedNetwork } from '../plan/requests.js';
import { renderKeyValues, type Cell } from '../ui/table.js';

export function renderReview(plan: ClusterPlan, network: ResolvedNetwork, region: string): string {
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
    `replication group ${plan.replicationGroupId} (${countNodes(plan)})`,
  ];
  const pairs: Array<[string, Cell]> = [
    ['Region', region],
    ['Replication group', plan.replicationGroupId],
    ['Description', plan.description],
    ['Engine', `${plan.engine} ${plan.engineVersion ?? '(newest)'}`],
    ['Node type', plan.nodeType],
    ['Cluster mode', describeClusterMode(plan)],
    ['Nodes', describeShape(plan)],
    ...(plan.clusterMode === 'disabled' ? [] : [['Slots', describeSlots(plan.shards)] as [string, Cell]]),
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

function describeClusterMode(plan: ClusterPlan): string {
  if (plan.clusterMode === 'disabled') return 'disabled (one shard: a primary endpoint and a reader endpoint)';
  return `${plan.clusterMode} (clients use the configuration endpoint and a cluster-aware client)`;
}

/** AWS's even split, e.g. 0001 0-5461 · 0002 5462-10922 · 0003 10923-16383; long lists elided in the middle. */
export function describeSlots(shards: number): string {
  const split = evenSlotSplit(shards).map((shard) => `${shard.nodeGroupId} ${shard.slots}`);
  const shown = split.length <= 6 ? split : [...split.slice(0, 3), `… ${split.length - 5} more …`, ...split.slice(-2)];
  return `${shown.join(' · ')} (even split of 16384 hash slots)`;
}
