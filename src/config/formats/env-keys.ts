/**
 * The names and values dotenv, shell and github write, in the order they are written.
 * Owned keys are always written (empty when there is nothing, e.g. no reader), so a
 * merge never leaves a stale value from an earlier topology behind.
 */
import type { EndpointValues } from '../values.js';

export type EnvEntry = [name: string, value: string];

export function envEntries(values: EndpointValues, prefix: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  if (values.kind === 'serverless') {
    // Two endpoints on two ports (no one PORT), TLS always, a cluster client, the user.
    entries.push([`${prefix}ENDPOINT`, values.endpoint ?? '']);
    entries.push([`${prefix}READER_ENDPOINT`, values.reader ?? '']);
    entries.push([`${prefix}TLS`, 'true']);
    entries.push([`${prefix}CLUSTER_MODE`, 'true']);
    if (values.user !== undefined) entries.push([`${prefix}USER`, values.user]);
    if (values.environment !== undefined) entries.push([`${prefix}ENVIRONMENT`, values.environment]);
    if (values.authToken !== undefined) entries.push([`${prefix}AUTH_TOKEN`, values.authToken]);
    return entries;
  }
  if (values.clusterMode) {
    entries.push([`${prefix}CONFIGURATION_ENDPOINT`, values.configuration ?? '']);
    entries.push([`${prefix}CLUSTER_MODE`, 'true']);
  } else {
    entries.push([`${prefix}PRIMARY`, values.primary ?? '']);
    entries.push([`${prefix}REPLICAS`, values.replicas.join(',')]);
    entries.push([`${prefix}READER`, values.reader ?? '']);
  }
  entries.push([`${prefix}PORT`, String(values.port)]);
  entries.push([`${prefix}TLS`, String(values.tls)]);
  if (values.environment !== undefined) entries.push([`${prefix}ENVIRONMENT`, values.environment]);
  if (values.authToken !== undefined) entries.push([`${prefix}AUTH_TOKEN`, values.authToken]);
  return entries;
}

/** A name that every shell and dotenv parser accepts. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names that describe the group's shape, one set per kind (PORT and TLS are always written). */
const SHAPE_NAMES = [
  'PRIMARY',
  'REPLICAS',
  'READER',
  'CONFIGURATION_ENDPOINT',
  'CONFIGURATION',
  'CLUSTER_MODE',
  'PORT',
];

/**
 * Shape names this run does not write: a merge empties those already in the file, so a
 * .env that held a replication group's PRIMARY keeps no stale primary once it describes a
 * cluster (and the other way round). Names only --flags write (AUTH_TOKEN, ENVIRONMENT) stay.
 */
export function staleNames(entries: readonly EnvEntry[], prefix: string): string[] {
  const written = new Set(entries.map(([name]) => name));
  return SHAPE_NAMES.map((name) => prefix + name).filter((name) => !written.has(name));
}
