/**
 * One validator per setting, applying the rules AWS applies, so a bad value fails here
 * (exit 2, nothing changed) instead of half-way through a launch. Each error is one line
 * that names the flag, the allowed values and what was given. Pure: no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';
import { parseChoice, parseInteger } from '../flags.js';
import { CLUSTER_MODES, ENGINES, NODE_PORT, REPLICAS, SHARDS, type ClusterMode, type Engine } from './limits.js';
import { familyList, parseNodeType } from './node-types.js';

export { CLUSTER_MODES, ENGINES, type ClusterMode, type Engine } from './limits.js';
export const MAX_REPLICAS = REPLICAS.max;
export const MAX_SHARDS = SHARDS.max;
export const MIN_PORT = NODE_PORT.min;
export const MAX_PORT = NODE_PORT.max;
/** ElastiCache allows 50 tags per resource; the tool adds a few of its own. */
export const MAX_USER_TAGS = 45;
/** Tag keys the tool owns: users cannot set them (teardown relies on them). */
export const TOOL_TAG_KEY = 'created-by';
export const TOOL_TAG_VALUE = 'elasticache-kit';
export const TOOL_TAG_PREFIX = 'elasticache-kit:';

const show = (value: string) => (value === '' ? '""' : value);

// The id and env-var rules live in src/names.ts; re-exported for the plan's callers.
export { parseEnvVarName, validateReplicationGroupId } from '../names.js';
export { MAX_WAIT_MINUTES, parseWaitTimeout } from '../flags.js';

/** The rules below are the flags' own parsers (src/flags.ts), for prompt answers and other callers. */
export function parseEngine(value: string): Engine {
  return parseChoice('--engine', value, ENGINES);
}

/** Shape only; whether AWS offers the version is checked against DescribeCacheEngineVersions. */
export function parseEngineVersion(value: string): string {
  if (!/^\d+(\.\d+){0,2}$/.test(value)) {
    throw new UsageError(`--engine-version must be a version number such as 7.1 or 6.2 (got ${show(value)})`);
  }
  return value;
}

export interface ParsedNodeType {
  nodeType: string;
  /** Set for a well-formed type this tool does not know: passed through, AWS decides. */
  warning?: string;
}

export function parseNodeTypeFlag(value: string): ParsedNodeType {
  const info = parseNodeType(value);
  if (!info) {
    const hint = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value) ? `; did you mean cache.${value}?` : '';
    throw new UsageError(
      `--node-type must look like cache.<family>.<size>, e.g. cache.t3.micro; families: ${familyList()} (got ${show(value)})${hint}`,
    );
  }
  if (info.retired) {
    throw new UsageError(
      `--node-type ${value} is a previous-generation type that can no longer be created; choose a current family: ${familyList()}`,
    );
  }
  if (info.known) return { nodeType: value };
  return {
    nodeType: value,
    warning: `--node-type ${value} is not a node type this tool knows; passing it to AWS as is (known families: ${familyList()})`,
  };
}

export function parseReplicas(value: string | number): number {
  return parseInteger('--replicas', value, REPLICAS);
}

export function parseShards(value: string | number): number {
  return parseInteger('--shards', value, SHARDS);
}

export function parseClusterMode(value: string): ClusterMode {
  return parseChoice('--cluster-mode', value, CLUSTER_MODES);
}

export function parsePort(value: string | number): number {
  return parseInteger('--port', value, NODE_PORT);
}

/** ReplicationGroupDescription: required by AWS; one printable line. */
export function parseDescription(value: string): string {
  if (value.trim() === '' || value.length > 255 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(`--description must be 1-255 printable characters on one line (got ${JSON.stringify(value)})`);
  }
  return value;
}

// EC2 ids: a prefix and 8 (older) or 17 hex digits.
const EC2_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`);

export function parseVpcId(value: string): string {
  if (!EC2_ID('vpc').test(value))
    throw new UsageError(`--vpc must be a VPC id such as vpc-0a1b2c3d (got ${show(value)})`);
  return value;
}

export function parseSubnetIds(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  if (ids.length === 0 || ids.some((id) => !EC2_ID('subnet').test(id))) {
    throw new UsageError(
      `--subnets must be comma-separated subnet ids such as subnet-0a1b2c3d,subnet-4e5f6a7b (got ${show(value)})`,
    );
  }
  if (new Set(ids).size !== ids.length) throw new UsageError(`--subnets lists a subnet twice (got ${value})`);
  return ids;
}

/** CacheSubnetGroupName: 1-255 letters, digits or hyphens (AWS stores it lower-case). */
export function parseSubnetGroupName(value: string): string {
  if (!/^[A-Za-z0-9-]{1,255}$/.test(value)) {
    throw new UsageError(
      `--subnet-group must be a cache subnet group name: 1-255 letters, digits or hyphens (got ${show(value)})`,
    );
  }
  return value.toLowerCase();
}

export function parseSecurityGroupIds(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  if (ids.length === 0 || ids.length > 5 || ids.some((id) => !EC2_ID('sg').test(id))) {
    throw new UsageError(
      `--security-group must be 1-5 comma-separated security group ids such as sg-0a1b2c3d (got ${show(value)})`,
    );
  }
  return ids;
}

/** Where connections may come from: another security group (e.g. the bastion's) or a CIDR block. */
export type AccessSource =
  | { kind: 'security-group'; groupId: string }
  | { kind: 'cidr'; cidr: string; ipv6: boolean; open: boolean };

export function parseAllowFrom(value: string): AccessSource {
  const text = value.trim();
  const allowed = 'a security group id (sg-0a1b2c3d) or a CIDR block (10.0.0.0/16)';
  if (text.startsWith('sg-')) {
    if (!EC2_ID('sg').test(text))
      throw new UsageError(`--allow-from must be ${allowed} (got ${value}: not a security group id)`);
    return { kind: 'security-group', groupId: text };
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (isIPv4(text))
      throw new UsageError(`--allow-from must be ${allowed} (got ${value}; for one address write ${text}/32)`);
    if (isIPv6(text))
      throw new UsageError(`--allow-from must be ${allowed} (got ${value}; for one address write ${text}/128)`);
    throw new UsageError(`--allow-from must be ${allowed} (got ${show(value)})`);
  }
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ipv4 = isIPv4(address);
  // isIPv6 compiles a large pattern on its first call (7 ms of a create-cluster run): not for an IPv4 address.
  const ipv6 = !ipv4 && isIPv6(address);
  if ((!ipv4 && !ipv6) || !/^\d{1,3}$/.test(prefixText)) {
    throw new UsageError(`--allow-from must be ${allowed} (got ${show(value)})`);
  }
  const prefix = Number(prefixText);
  const bits = ipv6 ? 128 : 32;
  if (prefix > bits) throw new UsageError(`--allow-from prefix length must be 0-${bits} (got ${value})`);
  const network = ipv6 ? networkOfIPv6(address, prefix) : networkOfIPv4(address, prefix);
  if (!ipv6 && network !== address) {
    throw new UsageError(`--allow-from ${value} has host bits set; the network is ${network}/${prefix}`);
  }
  if (ipv6 && network !== canonicalIPv6(address)) {
    throw new UsageError(`--allow-from ${value} has host bits set; the network is ${network}/${prefix}`);
  }
  const cidr = `${network}/${prefix}`;
  return { kind: 'cidr', cidr, ipv6, open: prefix === 0 };
}

export function describeSource(source: AccessSource): string {
  return source.kind === 'security-group' ? source.groupId : source.cidr;
}

function networkOfIPv4(address: string, prefix: number): string {
  const value = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  const network = Number((BigInt(value) & BigInt(mask)).toString());
  return [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
}

function ipv6ToBigInt(address: string): bigint {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const headParts = parse(head);
  const tailParts = tail === undefined ? [] : parse(tail);
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array(Math.max(0, missing)).fill('0'), ...tailParts];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(parseInt(group, 16)), 0n);
}

function bigIntToIPv6(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as the canonical text form does.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

function canonicalIPv6(address: string): string {
  return bigIntToIPv6(ipv6ToBigInt(address));
}

function networkOfIPv6(address: string, prefix: number): string {
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  return bigIntToIPv6(ipv6ToBigInt(address) & mask);
}

export interface Tag {
  Key: string;
  Value: string;
}

/** `--tag key=value` with AWS's tag rules (ElastiCache is the strictest of the two services). */
export function parseTag(value: string): Tag {
  const equals = value.indexOf('=');
  const rule = 'key 1-128 and value 0-256 characters of letters, digits, spaces and _ . : / = + - @';
  if (equals < 0) throw new UsageError(`--tag must be key=value (got ${show(value)})`);
  const key = value.slice(0, equals).trim();
  const tagValue = value.slice(equals + 1).trim();
  const characters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  if (key.length < 1 || key.length > 128 || !characters.test(key))
    throw new UsageError(`--tag key must be ${rule} (got ${show(value)})`);
  if (tagValue.length > 256 || !characters.test(tagValue))
    throw new UsageError(`--tag value must be ${rule} (got ${value})`);
  if (key.toLowerCase().startsWith('aws:'))
    throw new UsageError(`--tag key must not start with aws: (reserved by AWS) (got ${value})`);
  if (key === TOOL_TAG_KEY || key.startsWith(TOOL_TAG_PREFIX)) {
    throw new UsageError(
      `--tag key must not be ${TOOL_TAG_KEY} or start with ${TOOL_TAG_PREFIX} (the tool sets those) (got ${value})`,
    );
  }
  return { Key: key, Value: tagValue };
}

export function parseTags(values: readonly string[]): Tag[] {
  const tags = values.map(parseTag);
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.Key)) throw new UsageError(`--tag must name each key once (got ${tag.Key} twice)`);
    seen.add(tag.Key);
  }
  if (tags.length > MAX_USER_TAGS)
    throw new UsageError(`--tag may be given at most ${MAX_USER_TAGS} times (got ${tags.length})`);
  return tags;
}

/** AuthToken, as CreateReplicationGroup checks it: 16-128 printable ASCII; specials only ! & # $ ^ < > - (so no @ " / or spaces). */
export function validateAuthToken(token: string, origin: string): string {
  const rule = `the AUTH token (${origin}) must be 16-128 characters of letters, digits and ! & # $ ^ < > - (no spaces, @, " or /)`;
  if (token.length < 16 || token.length > 128) throw new UsageError(`${rule}; it has ${token.length}`);
  const bad = [...token].find((char) => !/[A-Za-z0-9!&#$^<>-]/.test(char));
  if (bad !== undefined) {
    const shown = /[\x21-\x7e]/.test(bad) ? `"${bad}"` : `character code ${bad.charCodeAt(0)}`;
    // Never echo the token itself: only the offending character.
    throw new UsageError(`${rule}; it contains ${shown}`);
  }
  return token;
}
