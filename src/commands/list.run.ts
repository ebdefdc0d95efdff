/** list: one row per replication group (every page of DescribeReplicationGroups). */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { CommandContext } from './lazy.js';
import { formatHostPort, type Endpoint } from '../topology.js';
import { renderTable } from '../ui/table.js';

export interface GroupSummary {
  replicationGroupId: string;
  status: string;
  engine?: string;
  nodeType?: string;
  nodes: number;
  clusterMode: boolean;
  primaryEndpoint?: Endpoint;
  configurationEndpoint?: Endpoint;
  automaticFailover?: boolean;
  multiAZ?: boolean;
}

export function summarise(group: ReplicationGroup): GroupSummary {
  const endpoint = (e: { Address?: string; Port?: number } | undefined): Endpoint | undefined =>
    e?.Address ? { address: e.Address, port: e.Port ?? 6379 } : undefined;
  const clusterMode = group.ClusterEnabled === true || group.ClusterMode === 'enabled';
  const primaryEndpoint = clusterMode ? undefined : endpoint(group.NodeGroups?.[0]?.PrimaryEndpoint);
  const configurationEndpoint = endpoint(group.ConfigurationEndpoint);
  return {
    replicationGroupId: group.ReplicationGroupId ?? '',
    status: group.Status ?? 'unknown',
    ...(group.Engine ? { engine: group.Engine } : {}),
    ...(group.CacheNodeType ? { nodeType: group.CacheNodeType } : {}),
    nodes: (group.MemberClusters ?? []).length,
    clusterMode,
    ...(primaryEndpoint ? { primaryEndpoint } : {}),
    ...(configurationEndpoint ? { configurationEndpoint } : {}),
    ...(group.AutomaticFailover ? { automaticFailover: group.AutomaticFailover === 'enabled' } : {}),
    ...(group.MultiAZ ? { multiAZ: group.MultiAZ === 'enabled' } : {}),
  };
}

export async function run(context: CommandContext): Promise<void> {
  const { output, globals } = context;
  const { connect, closeClients } = await import('../aws/clients.js');
  const aws = await connect(globals);
  try {
    const { listReplicationGroups } = await import('../aws/replication-groups.js');
    const groups = (await listReplicationGroups(aws)).map(summarise);
    if (output.json) {
      output.printJson(groups);
      return;
    }
    if (groups.length === 0) {
      output.info(`no replication groups in ${aws.region}`);
      return;
    }
    output.result(
      renderTable(
        ['ID', 'STATUS', 'ENGINE', 'NODE TYPE', 'NODES', 'PRIMARY ENDPOINT'],
        groups.map((g) => [
          g.replicationGroupId,
          g.status,
          g.engine,
          g.nodeType,
          g.nodes,
          g.primaryEndpoint ? formatHostPort(g.primaryEndpoint) : g.configurationEndpoint ? `${formatHostPort(g.configurationEndpoint)} (cluster)` : undefined,
        ]),
      ),
    );
  } finally {
    closeClients(aws);
  }
}
