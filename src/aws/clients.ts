/**
 * The one place SDK clients are built. Region, profile, endpoint and credentials follow
 * the AWS CLI: flag, then environment, then the profile; the SDK's default credential
 * chain (env, SSO, profiles, the EC2 instance role on a bastion). What `--local` means
 * (the emulator's endpoint, dummy credentials, starting it) is decided by the command
 * layer (src/commands/session.ts) and arrives here as plain settings.
 */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { UsageError, messageOf } from '../errors.js';

export interface AwsContext {
  elasticache: ElastiCacheClient;
  ec2: EC2Client;
  region: string;
  /** The endpoint both clients talk to, when not the real AWS one. */
  endpointUrl?: string;
  local: boolean;
}

/** Where and as whom the clients talk; every field optional, the SDK's chain fills the rest. */
export interface ClientSettings {
  region?: string;
  /** Used when neither the flag, the environment nor the profile names a region. */
  defaultRegion?: string;
  profile?: string;
  endpointUrl?: string;
  /** Explicit credentials (the emulator's dummy ones); otherwise the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** One stderr line per API call. */
  debug?: boolean;
  /** The endpoint is the local emulator (quick polls, loopback ports). */
  local?: boolean;
}

export interface ConnectOptions {
  /**
   * Build the EC2 client too (default false). Only the commands that touch security groups
   * or instances pass true (create-cluster, delete-cluster, bench --workers): loading
   * @aws-sdk/client-ec2 (800 KB of bundle) is a quarter of a `list` run. Without it `ec2`
   * rejects every call.
   */
  ec2?: boolean;
}

/** Builds both clients and checks, before any API call, that region and credentials resolve. */
export async function connect(
  settings: ClientSettings,
  env: NodeJS.ProcessEnv = process.env,
  options: ConnectOptions = {},
): Promise<AwsContext> {
  const local = settings.local === true;
  const endpointUrl = settings.endpointUrl;
  if (endpointUrl !== undefined) validateEndpointUrl(endpointUrl);

  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? settings.defaultRegion;
  const credentials = settings.credentials;
  const common = {
    ...(region ? { region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
    // Throttling is retried with backoff before the user ever sees it.
    retryMode: 'adaptive',
    maxAttempts: 6,
  };
  const elasticache = new ElastiCacheClient(common);
  const { guardRetries } = await import('./non-aws-answer.js');
  guardRetries(
    elasticache as never,
    () => endpointUrl ?? `https://elasticache.${region ?? 'unknown-region'}.amazonaws.com`,
  );
  const ec2 = options.ec2 === true ? new (await import('./ec2-client.js')).EC2Client(common) : unloadedEc2();
  if (settings.debug) {
    logApiCalls(elasticache as unknown as MiddlewareHost);
    if (options.ec2 === true) logApiCalls(ec2 as unknown as MiddlewareHost);
  }

  let resolvedRegion: string;
  try {
    resolvedRegion = await elasticache.config.region();
  } catch {
    throw new UsageError('no AWS region: pass --region, set AWS_REGION, or set region in the profile (aws configure)');
  }
  if (!resolvedRegion) {
    throw new UsageError('no AWS region: pass --region, set AWS_REGION, or set region in the profile (aws configure)');
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(resolvedRegion)) {
    throw new UsageError(`--region must look like us-east-1 (got ${resolvedRegion})`);
  }
  if (!credentials) {
    try {
      await elasticache.config.credentials();
    } catch (error) {
      const profile = settings.profile ? ` for profile ${settings.profile}` : '';
      throw new UsageError(
        `no AWS credentials${profile} (${firstLine(messageOf(error))}): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run aws configure or aws sso login, or pass --local for the emulator`,
      );
    }
  }
  return { elasticache, ec2, region: resolvedRegion, ...(endpointUrl !== undefined ? { endpointUrl } : {}), local };
}

/**
 * --debug: one stderr line per API call with its outcome and time. Never the parameters:
 * they can hold an AUTH token.
 */
type Handler = (args: unknown) => Promise<{ response?: unknown }>;
interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler,
      options: object,
    ): void;
  };
}

function logApiCalls(client: MiddlewareHost): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = `${String(context.clientName ?? '').replace(/Client$/, '')}.${String(context.commandName ?? '').replace(/Command$/, '')}`;
      const started = performance.now();
      const elapsed = () => `${Math.round(performance.now() - started)} ms`;
      try {
        const result = await next(args);
        const status = (result.response as { statusCode?: number } | undefined)?.statusCode ?? 'ok';
        process.stderr.write(`debug: ${name} → ${status} in ${elapsed()}\n`);
        return result;
      } catch (error) {
        process.stderr.write(`debug: ${name} → ${(error as Error).name} in ${elapsed()}\n`);
        throw error;
      }
    },
    { step: 'deserialize', name: 'elasticacheKitDebugLog', override: true },
  );
}

function unloadedEc2(): EC2Client {
  const notLoaded = () => Promise.reject(new Error('the EC2 client was not loaded (connect(…, { ec2: true }))'));
  return { send: notLoaded, destroy: () => undefined } as unknown as EC2Client;
}

function validateEndpointUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--endpoint-url must be an http:// or https:// URL (got ${url})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--endpoint-url must be an http:// or https:// URL (got ${url})`);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

export function closeClients(context: AwsContext): void {
  context.elasticache.destroy();
  context.ec2.destroy();
}
