/**
 * Cache node types: the families ElastiCache offers for Redis OSS / Valkey, so the prompt
 * can list them and the validator can tell a typo from a family newer than this table.
 * Pure data; no I/O.
 */

export interface NodeFamily {
  family: string;
  /** One line for the prompt. */
  summary: string;
  sizes: readonly string[];
  /** Previous-generation family: still accepted by AWS in some regions, not offered first. */
  previous?: boolean;
  /** No longer creatable at all (AWS answers InvalidParameterValue): refused before any call. */
  retired?: boolean;
}

const GRAVITON_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] as const;

export const NODE_FAMILIES: readonly NodeFamily[] = [
  { family: 't4g', summary: 'burstable, Graviton2 (dev/test, small workloads)', sizes: ['micro', 'small', 'medium'] },
  { family: 't3', summary: 'burstable (dev/test, small workloads)', sizes: ['micro', 'small', 'medium'] },
  { family: 't2', summary: 'burstable, previous generation', sizes: ['micro', 'small', 'medium'], previous: true },
  { family: 'm7g', summary: 'general purpose, Graviton3', sizes: GRAVITON_SIZES },
  { family: 'm6g', summary: 'general purpose, Graviton2', sizes: GRAVITON_SIZES },
  {
    family: 'm5',
    summary: 'general purpose',
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  },
  {
    family: 'm4',
    summary: 'general purpose, previous generation',
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '10xlarge'],
    previous: true,
  },
  { family: 'r7g', summary: 'memory optimised, Graviton3', sizes: GRAVITON_SIZES },
  { family: 'r6g', summary: 'memory optimised, Graviton2', sizes: GRAVITON_SIZES },
  {
    family: 'r6gd',
    summary: 'memory optimised with data tiering (SSD)',
    sizes: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  },
  {
    family: 'r5',
    summary: 'memory optimised',
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  },
  {
    family: 'r4',
    summary: 'memory optimised, previous generation',
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge'],
    previous: true,
  },
  { family: 'c7gn', summary: 'network optimised, Graviton3', sizes: GRAVITON_SIZES },
  // Retired: listed so they are named as such rather than passed on as unknown families.
  { family: 'm3', summary: 'retired', sizes: ['medium', 'large', 'xlarge', '2xlarge'], previous: true, retired: true },
  {
    family: 'r3',
    summary: 'retired',
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge'],
    previous: true,
    retired: true,
  },
  { family: 'm2', summary: 'retired', sizes: ['xlarge', '2xlarge', '4xlarge'], previous: true, retired: true },
  { family: 'm1', summary: 'retired', sizes: ['small', 'medium', 'large', 'xlarge'], previous: true, retired: true },
  { family: 'c1', summary: 'retired', sizes: ['xlarge'], previous: true, retired: true },
  { family: 't1', summary: 'retired; no automatic failover', sizes: ['micro'], previous: true, retired: true },
];

export const DEFAULT_NODE_TYPE = 'cache.t3.micro';

/** `cache.<family>.<size>`: what every node type looks like, known or not. */
const NODE_TYPE_PATTERN = /^cache\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

export interface NodeTypeInfo {
  nodeType: string;
  family: string;
  size: string;
  /** In the table above (family and size). */
  known: boolean;
  /** A family that can no longer be created (T1, M1, M2, M3, C1, R3), whatever the size. */
  retired: boolean;
}

/** Parses a node type; undefined when it does not even look like one. */
export function parseNodeType(value: string): NodeTypeInfo | undefined {
  const match = NODE_TYPE_PATTERN.exec(value);
  if (!match) return undefined;
  const family = match[1]!;
  const size = match[2]!;
  const entry = NODE_FAMILIES.find((f) => f.family === family);
  return {
    nodeType: value,
    family,
    size,
    known: Boolean(entry?.sizes.includes(size)),
    retired: entry?.retired === true,
  };
}

/** T1 nodes cannot run automatic failover (AWS rejects the combination). */
export function supportsAutomaticFailover(nodeType: string): boolean {
  return parseNodeType(nodeType)?.family !== 't1';
}

/**
 * The walkthrough's advice for small instances: Multi-AZ should stay disabled on
 * cache.t2.micro (AWS accepts it, so this is advice, not a rule), and T1, which has no
 * automatic failover at all, hence no Multi-AZ.
 */
export function supportsMultiAZ(nodeType: string): boolean {
  return nodeType !== 'cache.t2.micro' && supportsAutomaticFailover(nodeType);
}

/** Every known node type, current generation first: the choices a prompt offers. */
export function knownNodeTypes(options: { includePrevious?: boolean } = {}): string[] {
  return NODE_FAMILIES.filter((f) => !f.retired && (options.includePrevious || !f.previous)).flatMap((f) =>
    f.sizes.map((size) => `cache.${f.family}.${size}`),
  );
}

/** A short list of families for messages: `cache.t3, cache.t4g, …`. */
export function familyList(): string {
  return NODE_FAMILIES.filter((f) => !f.previous)
    .map((f) => `cache.${f.family}`)
    .join(', ');
}
