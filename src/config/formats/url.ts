/**
 * Connection URLs, one per line as `ROLE URL`: `redis://` (or `rediss://` with TLS) for the
 * primary, the reader endpoint and each replica node, in the form ioredis
 * (`new Redis(url)`) and most Redis clients accept. The AUTH token goes in the URL's
 * password only with --include-auth, percent-encoded.
 *
 *   primary redis://master.demo.example:6379
 *   reader redis://replica.demo.example:6379
 *   replica redis://demo-002.example:6379
 *
 * `awk '$1=="primary"{print $2}'` picks one out.
 */
import { ConfigParseError } from '../errors.js';
import type { EndpointValues } from '../values.js';
import type { RenderInput } from './types.js';

export function redisUrl(hostPort: string, values: Pick<EndpointValues, 'tls' | 'authToken' | 'user'>): string {
  const scheme = values.tls ? 'rediss' : 'redis';
  const user = values.user !== undefined ? encodeURIComponent(values.user) : '';
  const password = values.authToken !== undefined ? `:${encodeURIComponent(values.authToken)}` : '';
  const auth = user !== '' || password !== '' ? `${user}${password}@` : '';
  return `${scheme}://${auth}${hostPort}`;
}

export function render({ values }: RenderInput): string {
  const lines: string[] = [];
  if (values.kind === 'serverless') {
    // Both need a cluster client (ioredis: new Redis.Cluster([url])); TLS always.
    if (values.endpoint) lines.push(`endpoint ${redisUrl(values.endpoint, values)}`);
    if (values.reader) lines.push(`reader ${redisUrl(values.reader, values)}`);
  } else if (values.clusterMode) {
    if (values.configuration) lines.push(`configuration ${redisUrl(values.configuration, values)}`);
  } else {
    if (values.primary) lines.push(`primary ${redisUrl(values.primary, values)}`);
    if (values.reader) lines.push(`reader ${redisUrl(values.reader, values)}`);
    for (const replica of values.nodes.replicas) lines.push(`replica ${redisUrl(replica, values)}`);
  }
  return lines.map((line) => line + '\n').join('');
}

/** The file is replaced whole, so every line must be one of ours (ROLE URL) or blank. */
export function check(existing: string): void {
  const lines = existing.split(/\r\n|\n|\r/);
  lines.forEach((line, index) => {
    if (line.trim() !== '' && !/^(primary|reader|replica|configuration|endpoint) rediss?:\/\/\S+$/.test(line)) {
      throw new ConfigParseError(
        'it is not a url file written by elasticache-kit endpoints, and --format url replaces the whole file: name another file, or remove it first',
        index + 1,
      );
    }
  });
}
