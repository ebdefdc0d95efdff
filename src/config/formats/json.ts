/**
 * The Topology itself, the public JSON contract (see src/topology.ts). `authToken` is
 * added only with --include-auth.
 */
import type { RenderInput } from './types.js';

export function render({ topology, values }: RenderInput): string {
  const document = values.authToken !== undefined ? { ...topology, authToken: values.authToken } : topology;
  return JSON.stringify(document, null, 2) + '\n';
}
