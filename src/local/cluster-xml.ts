/**
 * The ReplicationGroup shape of a cluster-mode-enabled group, as AWS answers it: one
 * NodeGroup per shard with Slots and members (no PrimaryEndpoint / ReaderEndpoint, and
 * members without ReadEndpoint / CurrentRole), ClusterEnabled, ConfigurationEndpoint.
 */
import type { GroupRecord } from './state.js';
import { xmlList, type XmlNodes } from './xml.js';

export function clusterReplicationGroupXml(group: GroupRecord, disabledShape: XmlNodes): XmlNodes {
  const nodeGroups = xmlList('NodeGroups', 'NodeGroup', group.shards ?? [], (shard) => [
    ['NodeGroupId', shard.nodeGroupId],
    ['Status', group.status],
    ['Slots', shard.slots],
    xmlList(
      'NodeGroupMembers',
      'NodeGroupMember',
      group.nodes.filter((node) => node.nodeGroupId === shard.nodeGroupId),
      (node) => [
        ['CacheClusterId', node.nodeId],
        ['CacheNodeId', '0001'],
        ['PreferredAvailabilityZone', node.availabilityZone],
      ],
    ),
  ]);
  const endpoint = group.configurationEndpoint
    ? ([
        ['Address', group.configurationEndpoint.address],
        ['Port', group.configurationEndpoint.port],
      ] as XmlNodes)
    : undefined;
  const out: XmlNodes = [];
  for (const node of disabledShape) {
    if (!node) continue;
    const [name] = node;
    if (name === 'NodeGroups') {
      out.push(nodeGroups);
      out.push(['ConfigurationEndpoint', endpoint]);
    } else if (name === 'PendingModifiedValues' && group.resharding) {
      // An online reshard in progress (ModifyReplicationGroupShardConfiguration).
      const pending = Array.isArray(node[1]) ? (node[1] as XmlNodes) : [];
      const progress = group.resharding.progressPercentage;
      out.push([
        'PendingModifiedValues',
        [...pending, ['Resharding', [['SlotMigration', [['ProgressPercentage', progress]]]]]],
      ]);
    } else if (name === 'ClusterEnabled') out.push(['ClusterEnabled', true]);
    else if (name === 'ClusterMode') out.push(['ClusterMode', group.clusterMode ?? 'enabled']);
    else out.push(node);
  }
  return out;
}
