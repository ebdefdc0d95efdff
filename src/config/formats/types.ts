/** The contract every output format module fulfils. Formats are pure: text in, text out. */
import type { Topology } from '../../topology.js';
import type { EndpointValues } from '../values.js';

export const FORMAT_NAMES = [
  'json',
  'appsettings-xml',
  'appsettings-json',
  'dotenv',
  'shell',
  'github',
  'url',
  'stackexchange',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** Key names, configurable by flags; the defaults are the walkthrough's. */
export interface KeySettings {
  /** appSettings key of the primary (--key-primary). */
  keyPrimary: string;
  /** appSettings key of the replicas (--key-replicas). */
  keyReplicas: string;
  /** appsettings.json section; `:` separates nested sections as in .NET (--section). */
  section: string;
  /** Prefix of dotenv/shell/github names (--env-prefix). */
  envPrefix: string;
}

export const DEFAULT_KEYS: KeySettings = {
  keyPrimary: 'MasterNodes',
  keyReplicas: 'SlaveNodes',
  section: 'ElastiCache',
  envPrefix: 'ELASTICACHE_',
};

export interface RenderInput {
  topology: Topology;
  values: EndpointValues;
  keys: KeySettings;
}
