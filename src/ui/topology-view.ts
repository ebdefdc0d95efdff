/** The Topology as text for a person: the endpoints to use, then every node. Pure. */
import { formatHostPort, type Topology } from '../topology.js';
import { renderKeyValues, renderTable, type Cell } from './table.js';

export function renderTopology(topology: Topology): string {
  if (topology.kind === 'serverless') return renderServerless(topology);
  const pairs: Array<[string, Cell]> = [
    ['Replication group', topology.replicationGroupId],
    ['Status', topology.status],
    ['Engine', `${topology.engine}${topology.engineVersion ? ' ' + topology.engineVersion : ''}`],
  ];
  if (topology.primaryEndpoint) pairs.push(['Primary endpoint', formatHostPort(topology.primaryEndpoint)]);
  if (topology.readerEndpoint) pairs.push(['Reader endpoint', formatHostPort(topology.readerEndpoint)]);
  if (topology.configurationEndpoint)
    pairs.push(['Configuration endpoint', formatHostPort(topology.configurationEndpoint)]);
  if (topology.kind === 'cluster' && topology.shards)
    pairs.push(['Shards', `${topology.shards.length} (cluster mode enabled: use a cluster-aware client)`]);
  pairs.push(['TLS', topology.tls], ['AUTH required', topology.authRequired]);
  let text = renderKeyValues(pairs);
  if (topology.kind === 'cluster' && topology.shards) {
    // AWS names no node roles in cluster mode: each shard's nodes, and the slots it owns.
    const rows = topology.shards.flatMap((shard) =>
      shard.nodes.map((node, index): Cell[] => [
        index === 0 ? shard.id : '',
        index === 0 ? shard.slots : '',
        node.id,
        formatHostPort(node),
        node.availabilityZone,
      ]),
    );
    if (rows.length > 0) text += '\n' + renderTable(['SHARD', 'SLOTS', 'NODE', 'ADDRESS', 'ZONE'], rows);
  } else if (topology.nodes.length > 0) {
    text +=
      '\n' +
      renderTable(
        ['NODE', 'ROLE', 'ADDRESS', 'ZONE'],
        topology.nodes.map((node) => [node.id, node.role, formatHostPort(node), node.availabilityZone]),
      );
  }
  return text;
}

/** A serverless cache: its two endpoints (cluster protocol, TLS always) and who may connect. */
function renderServerless(topology: Topology): string {
  const pairs: Array<[string, Cell]> = [
    ['Serverless cache', topology.replicationGroupId],
    ['Status', topology.status],
    ['Engine', `${topology.engine}${topology.engineVersion ? ' ' + topology.engineVersion : ''}`],
  ];
  if (topology.primaryEndpoint)
    pairs.push(['Endpoint', `${formatHostPort(topology.primaryEndpoint)} (reads and writes)`]);
  if (topology.readerEndpoint) pairs.push(['Reader endpoint', `${formatHostPort(topology.readerEndpoint)} (reads)`]);
  pairs.push(['TLS', 'always'], ['Client', 'cluster protocol (a cluster-aware client)']);
  pairs.push([
    'User group',
    topology.userGroupId
      ? `${topology.userGroupId}${topology.users ? ` (users: ${topology.users.join(', ')})` : ''}`
      : 'none (no AUTH)',
  ]);
  return renderKeyValues(pairs);
}
