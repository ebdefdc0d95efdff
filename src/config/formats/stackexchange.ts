/**
 * One StackExchange.Redis connection string (ConfigurationOptions.Parse syntax), the form
 * `ConnectionMultiplexer.Connect(...)` takes: every endpoint, then options. With TLS it
 * carries `ssl=true` (without it the client would speak plain TCP to a TLS endpoint and
 * hang); `abortConnect=false` as Microsoft recommends for Azure/ElastiCache alike. The AUTH
 * token goes in `password=` only with --include-auth.
 *
 *   master.demo.example:6379,replica.demo.example:6379,ssl=true,abortConnect=false
 */
import { ConfigParseError } from '../errors.js';
import { UsageError } from '../../errors.js';
import type { RenderInput } from './types.js';

export function render({ values }: RenderInput): string {
  // A serverless cache: its endpoint alone (the client discovers the rest by the cluster protocol).
  const endpoints =
    values.kind === 'serverless'
      ? [values.endpoint]
      : values.clusterMode
        ? [values.configuration]
        : [values.primary, ...(values.reader ? [values.reader] : values.nodes.replicas)];
  const parts = endpoints.filter((endpoint): endpoint is string => Boolean(endpoint));
  if (values.tls) parts.push('ssl=true');
  if (values.user !== undefined) parts.push(`user=${values.user}`);
  if (values.authToken !== undefined) {
    // StackExchange.Redis splits options on `,` with no escaping (an `=` in the value is fine);
    // AWS tokens cannot contain a comma.
    if (values.authToken.includes(','))
      throw new UsageError('--format stackexchange cannot carry an AUTH token that contains a comma');
    parts.push(`password=${values.authToken}`);
  }
  parts.push('abortConnect=false');
  return `${parts.join(',')}\n`;
}

/** The file is replaced whole: it must be one connection string of ours (or empty). */
export function check(existing: string): void {
  const lines = existing.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  if (lines.length > 1 || (lines.length === 1 && !/abortConnect=false$/.test(lines[0]!))) {
    throw new ConfigParseError(
      'it is not a StackExchange.Redis connection string written by elasticache-kit endpoints, and --format stackexchange replaces the whole file: name another file, or remove it first',
      1,
    );
  }
}
