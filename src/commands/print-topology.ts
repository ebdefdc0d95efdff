/** The usual last word of a command that ends with a cache ready: its Topology, as JSON or as text. */
import type { Topology } from '../topology.js';
import type { Output } from '../ui/output.js';

export async function printTopology(output: Output, topology: Topology): Promise<void> {
  if (output.json) {
    output.printJson(topology);
    return;
  }
  // The renderer is loaded only for text output.
  const { renderTopology } = await import('../ui/topology-view.js');
  output.result(renderTopology(topology));
}
