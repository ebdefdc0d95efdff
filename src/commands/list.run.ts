/** list: core/list → one table row (or JSON object) per replication group or serverless cache. */
import type { CommandContext } from './lazy.js';
import { formatHostPort } from '../topology.js';
import { renderTable } from '../ui/table.js';
import { openAws } from './session.js';

export async function run(context: CommandContext): Promise<void> {
  const { output, globals } = context;
  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals);
  try {
    const { listGroups } = await import('../core/list.js');
    const groups = await listGroups(aws);
    if (output.json) {
      output.printJson(groups);
      return;
    }
    if (groups.length === 0) {
      output.info(`no replication groups or serverless caches in ${aws.region}`);
      return;
    }
    output.result(
      renderTable(
        ['ID', 'KIND', 'STATUS', 'ENGINE', 'NODE TYPE', 'NODES', 'ENDPOINT'],
        groups.map((g) => [
          g.replicationGroupId,
          g.kind === 'cluster' ? 'cluster' : g.kind === 'serverless' ? 'serverless' : 'replication group',
          g.status,
          g.engine,
          g.nodeType,
          g.kind === 'serverless'
            ? undefined
            : g.shards !== undefined
              ? `${g.nodes} (${g.shards} shard${g.shards === 1 ? '' : 's'} x ${g.replicasPerShard} replica${g.replicasPerShard === 1 ? '' : 's'})`
              : g.nodes,
          g.primaryEndpoint
            ? formatHostPort(g.primaryEndpoint) + (g.readerEndpoint ? ` (reader ${g.readerEndpoint.port})` : '')
            : g.configurationEndpoint
              ? formatHostPort(g.configurationEndpoint)
              : undefined,
        ]),
      ),
    );
  } finally {
    closeClients(aws);
  }
}
