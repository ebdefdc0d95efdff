/**
 * The Topology itself, the public JSON contract (see src/topology.ts). `authToken` is
 * added only with --include-auth.
 */
import { ConfigParseError } from '../errors.js';
import type { RenderInput } from './types.js';

export function render({ topology, values }: RenderInput): string {
  const document = values.authToken !== undefined ? { ...topology, authToken: values.authToken } : topology;
  return JSON.stringify(document, null, 2) + '\n';
}

/**
 * The file is replaced whole, so it must be one we wrote: a Topology. Anything else (an
 * appsettings.json named by mistake) is refused rather than overwritten.
 */
export function check(existing: string): void {
  if (existing.trim() === '') return;
  let document: unknown;
  try {
    document = JSON.parse(existing.replace(/^\uFEFF/, ''));
  } catch {
    throw new ConfigParseError(NOT_OURS);
  }
  const topology = document as { replicationGroupId?: unknown; nodes?: unknown };
  if (typeof topology?.replicationGroupId !== 'string' || !Array.isArray(topology.nodes))
    throw new ConfigParseError(NOT_OURS);
}

const NOT_OURS =
  'it is not a Topology written by elasticache-kit endpoints, and --format json replaces the whole file: ' +
  'to merge into an appsettings.json use --format appsettings-json, or remove the file first';
