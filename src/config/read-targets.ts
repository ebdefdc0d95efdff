/**
 * Reads back a file that `endpoints` wrote, for `bench --from-config FILE`: the json
 * Topology, dotenv / shell / GitHub output lines, url lines, appsettings.json and
 * appSettings XML. The format is told by the extension, then by the content.
 *
 * Bad input (missing file, unreadable content, no endpoints in it) is a UsageError
 * (exit 2) that names the file and, for parse errors, the line.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UsageError, messageOf } from '../errors.js';
import { ConfigParseError } from './errors.js';
import { parseJsonWithPositions, type JsonNode } from './formats/json-scanner.js';
import { splitLines } from './formats/env-lines.js';
import { scanXml } from './formats/xml-scanner.js';
import { DEFAULT_KEYS, type KeySettings } from './formats/types.js';

export interface TargetAddress {
  address: string;
  port: number;
}

export interface ConfigTargets {
  primary?: TargetAddress;
  replicas: TargetAddress[];
  reader?: TargetAddress;
  /** Cluster mode: the configuration endpoint. */
  configuration?: TargetAddress;
  tls?: boolean;
  /** Present only in files written with --include-auth. */
  authToken?: string;
  /** Which format the file was read as. */
  format: 'json' | 'appsettings-json' | 'appsettings-xml' | 'dotenv' | 'url';
}

export type ReadTargetsOptions = Partial<KeySettings>;

export function readTargetsFromConfigFile(path: string, options: ReadTargetsOptions = {}): ConfigTargets {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${messageOf(error)}`);
  }
  try {
    return readTargetsFromText(text, basename(path), options);
  } catch (error) {
    if (error instanceof ConfigParseError) throw new UsageError(error.inFile(path).message);
    if (error instanceof UsageError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Pure: the targets in a file's text; `name` (the file name) helps tell the format. */
export function readTargetsFromText(text: string, name: string, options: ReadTargetsOptions = {}): ConfigTargets {
  const keys = { ...DEFAULT_KEYS, ...options };
  const body = text.replace(/^\uFEFF/, '');
  const ext = extname(name).toLowerCase();
  const first = body.trimStart()[0];
  let targets: ConfigTargets;
  if (ext === '.json' || first === '{') targets = fromJson(body, keys);
  else if (ext === '.config' || ext === '.xml' || first === '<') targets = fromXml(body, keys);
  else if (/^\s*(primary|configuration|reader|replica)\s+rediss?:\/\//m.test(body)) targets = fromUrls(body);
  else targets = fromEnvLines(body, keys);
  if (!targets.primary && !targets.configuration) {
    throw new UsageError(
      `no primary endpoint found (expected a file written by elasticache-kit endpoints, read as ${targets.format})`,
    );
  }
  return targets;
}

/** `host:port`, `[v6]:port`, with ServiceStack's `password@` prefix and `?ssl=true` suffix. */
export function parseHostPort(raw: string): { target: TargetAddress; tls?: boolean; password?: string } {
  let rest = raw.trim();
  let tls: boolean | undefined;
  let password: string | undefined;
  const query = rest.indexOf('?');
  if (query !== -1) {
    const params = new URLSearchParams(rest.slice(query + 1));
    const ssl = params.get('ssl');
    if (ssl !== null) tls = ssl.toLowerCase() === 'true';
    rest = rest.slice(0, query);
  }
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    password = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(rest);
  if (!match) throw new UsageError(`not a host:port: ${raw}`);
  const port = match[3] === undefined ? 6379 : Number(match[3]);
  if (port < 1 || port > 65535) throw new UsageError(`port out of range in ${raw}`);
  return {
    target: { address: (match[1] ?? match[2])!, port },
    ...(tls !== undefined ? { tls } : {}),
    ...(password ? { password } : {}),
  };
}

function list(raw: string | undefined): ReturnType<typeof parseHostPort>[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(parseHostPort);
}

function endpointOf(value: unknown): TargetAddress | undefined {
  const endpoint = value as { address?: unknown; port?: unknown } | undefined;
  if (!endpoint || typeof endpoint.address !== 'string') return undefined;
  return { address: endpoint.address, port: typeof endpoint.port === 'number' ? endpoint.port : 6379 };
}

function jsonValue(node: JsonNode): unknown {
  if (node.kind === 'object') return Object.fromEntries(node.members.map((m) => [m.key, jsonValue(m.value)]));
  if (node.kind === 'array') return node.items.map(jsonValue);
  return node.value;
}

/** Case-insensitive member lookup, as .NET configuration does. */
function member(object: unknown, key: string): unknown {
  if (!object || typeof object !== 'object') return undefined;
  const found = Object.keys(object)
    .filter((k) => k.toLowerCase() === key.toLowerCase())
    .pop();
  return found === undefined ? undefined : (object as Record<string, unknown>)[found];
}

function fromJson(text: string, keys: KeySettings): ConfigTargets {
  const document = jsonValue(parseJsonWithPositions(text)) as Record<string, unknown>;
  if (Array.isArray(document.nodes) && typeof document.replicationGroupId === 'string') {
    // The Topology: individual nodes (what bench measures), plus the reader endpoint.
    const nodes = document.nodes as { role?: string; address?: string; port?: number }[];
    const primary = endpointOf(nodes.find((n) => n.role === 'primary'));
    const reader = endpointOf(document.readerEndpoint);
    const configuration = endpointOf(document.configurationEndpoint);
    return {
      format: 'json',
      ...(primary ? { primary } : {}),
      replicas: nodes
        .filter((n) => n.role === 'replica')
        .map(endpointOf)
        .filter((e): e is TargetAddress => e !== undefined),
      ...(reader ? { reader } : {}),
      ...(configuration && document.clusterMode === true ? { configuration } : {}),
      ...(typeof document.tls === 'boolean' ? { tls: document.tls } : {}),
      ...(typeof document.authToken === 'string' ? { authToken: document.authToken } : {}),
    };
  }
  let section: unknown = document;
  for (const name of keys.section.split(':')) section = member(section, name);
  if (!section || typeof section !== 'object') {
    throw new UsageError(`no "${keys.section}" section (use the --section the file was written with)`);
  }
  const get = (key: string) => member(section, key);
  const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const primaries = list(asString(get(keys.keyPrimary)));
  const replicas = list(asString(get(keys.keyReplicas)));
  const configuration = list(asString(get('ConfigurationEndpoint')))[0];
  const tls = get('Tls');
  const token = asString(get('AuthToken'));
  return {
    format: 'appsettings-json',
    ...(primaries[0] ? { primary: primaries[0].target } : {}),
    replicas: replicas.map((r) => r.target),
    ...(configuration ? { configuration: configuration.target } : {}),
    ...(typeof tls === 'boolean' ? { tls } : primaries[0]?.tls !== undefined ? { tls: primaries[0].tls } : {}),
    ...(token ? { authToken: token } : {}),
  };
}

function fromXml(text: string, keys: KeySettings): ConfigTargets {
  const settings = new Map<string, string>();
  const root = scanXml(text);
  const appSettings = root.name === 'appSettings' ? root : root.children.find((c) => c.name === 'appSettings');
  if (!appSettings) throw new UsageError('no <appSettings> section');
  for (const add of appSettings.children.filter((c) => c.name === 'add')) {
    const key = add.attributes.find((a) => a.name === 'key')?.value;
    const value = add.attributes.find((a) => a.name === 'value')?.value;
    if (key !== undefined && value !== undefined) settings.set(key.toLowerCase(), value); // last one wins
  }
  const primaries = list(settings.get(keys.keyPrimary.toLowerCase()));
  const replicas = list(settings.get(keys.keyReplicas.toLowerCase()));
  const token = settings.get('authtoken');
  const tls = primaries[0]?.tls;
  return {
    format: 'appsettings-xml',
    ...(primaries[0] ? { primary: primaries[0].target } : {}),
    replicas: replicas.map((r) => r.target),
    ...(tls !== undefined ? { tls } : {}),
    ...(token ? { authToken: token } : primaries[0]?.password ? { authToken: primaries[0].password } : {}),
  };
}

function fromUrls(text: string): ConfigTargets {
  const targets: ConfigTargets = { format: 'url', replicas: [] };
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(primary|configuration|reader|replica)\s+(\S+)\s*$/.exec(line);
    if (!match) continue;
    const url = new URL(match[2]!);
    const target = { address: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 6379 };
    targets.tls = url.protocol === 'rediss:';
    if (url.password) targets.authToken = decodeURIComponent(url.password);
    if (match[1] === 'primary') targets.primary = target;
    else if (match[1] === 'configuration') targets.configuration = target;
    else if (match[1] === 'reader') targets.reader = target;
    else targets.replicas.push(target);
  }
  return targets;
}

/** dotenv, shell `export` lines and GitHub output lines all read the same way. */
function fromEnvLines(text: string, keys: KeySettings): ConfigTargets {
  const env = parseEnvLines(text);
  const get = (name: string) => env.get(keys.envPrefix + name);
  const primary = list(get('PRIMARY'))[0];
  const reader = list(get('READER'))[0];
  // ELASTICACHE_CONFIGURATION is what earlier builds wrote; still read.
  const configuration = list(get('CONFIGURATION_ENDPOINT') ?? get('CONFIGURATION'))[0];
  const tls = get('TLS');
  const token = get('AUTH_TOKEN');
  return {
    format: 'dotenv',
    ...(primary ? { primary: primary.target } : {}),
    replicas: list(get('REPLICAS')).map((r) => r.target),
    ...(reader ? { reader: reader.target } : {}),
    ...(configuration ? { configuration: configuration.target } : {}),
    ...(tls !== undefined && tls !== '' ? { tls: tls === 'true' } : {}),
    ...(token ? { authToken: token } : {}),
  };
}

/** NAME=value lines with dotenv quoting and shell single-quote concatenation ('it'\''s'). */
export function parseEnvLines(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const { text: line } of splitLines(text)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=[ \t]*(.*)$/.exec(line);
    if (!match) continue;
    env.set(match[1]!, unquote(match[2]!));
  }
  return env;
}

function unquote(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      const close = raw.indexOf("'", i + 1);
      if (close === -1) return out + raw.slice(i + 1);
      out += raw.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      // dotenv double quotes: \n and \r are line breaks, every other character is literal.
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === '\\' && (raw[j + 1] === 'n' || raw[j + 1] === 'r')) {
          out += raw[j + 1] === 'n' ? '\n' : '\r';
          j++;
        } else out += raw[j];
      }
      i = j + 1;
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[i + 1];
      i += 2;
    } else if (/\s/.test(c)) {
      break; // the value ends; an inline comment may follow
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
