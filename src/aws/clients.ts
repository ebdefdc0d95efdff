/**
 * The one place SDK clients are built. Region, profile, endpoint and credentials follow
 * the AWS CLI: flag, then environment, then the profile; the SDK's default credential
 * chain (env, SSO, profiles, the EC2 instance role on a bastion). `--local` points both
 * clients at the emulator with dummy credentials unless real ones are in the environment.
 */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { UsageError, messageOf } from '../errors.js';
import { localEndpointUrl, localPort, type GlobalOptions } from '../globals.js';

export interface AwsContext {
  elasticache: ElastiCacheClient;
  ec2: EC2Client;
  region: string;
  /** The endpoint both clients talk to, when not the real AWS one. */
  endpointUrl?: string;
  local: boolean;
}

const LOCAL_DEFAULT_REGION = 'us-east-1';
const LOCAL_CREDENTIALS: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'AKIALOCALEMULATOR000', secretAccessKey: 'local' };

export interface ConnectOptions {
  /**
   * Build the EC2 client too (default true). Commands that never call EC2 pass false:
   * loading @aws-sdk/client-ec2 takes most of a second, which a CI step like `endpoints` feels.
   * Their `ec2` then rejects every call.
   */
  ec2?: boolean;
}

/** Builds both clients and checks, before any API call, that region and credentials resolve. */
export async function connect(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env, options: ConnectOptions = {}): Promise<AwsContext> {
  // The SDK prints a multi-line notice about Node.js support dates on every client it builds.
  // The runtime is this tool's choice (package.json engines), and CI logs read our stderr:
  // keep it quiet unless the user set the variable themselves.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const local = Boolean(globals.local);
  if (local && globals.endpointUrl) {
    throw new UsageError('--local and --endpoint-url cannot be used together: --local already means ' + localEndpointUrl(env));
  }
  const endpointUrl = local ? localEndpointUrl(env) : globals.endpointUrl;
  if (endpointUrl !== undefined) validateEndpointUrl(endpointUrl);

  const region = globals.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? LOCAL_DEFAULT_REGION : undefined);
  const credentials = local && !env.AWS_ACCESS_KEY_ID ? LOCAL_CREDENTIALS : undefined;
  const common = {
    ...(region ? { region } : {}),
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
    // Throttling is retried with backoff before the user ever sees it.
    retryMode: 'adaptive',
    maxAttempts: 6,
  };
  const elasticache = new ElastiCacheClient(common);
  const ec2 = options.ec2 === false ? unloadedEc2() : new (await import('@aws-sdk/client-ec2')).EC2Client(common);
  if (globals.debug) {
    logApiCalls(elasticache as unknown as MiddlewareHost);
    if (options.ec2 !== false) logApiCalls(ec2 as unknown as MiddlewareHost);
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
      const profile = globals.profile ? ` for profile ${globals.profile}` : '';
      throw new UsageError(
        `no AWS credentials${profile} (${firstLine(messageOf(error))}): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run aws configure or aws sso login, or pass --local for the emulator`,
      );
    }
  }
  if (local) {
    const { ensureEmulator } = await import('../local/launcher.js');
    await ensureEmulator({ port: localPort(env) });
  }
  return { elasticache, ec2, region: resolvedRegion, endpointUrl, local };
}

/**
 * --debug: one stderr line per API call with its outcome and time. Never the parameters:
 * they can hold an AUTH token.
 */
type Handler = (args: unknown) => Promise<{ response?: unknown }>;
interface MiddlewareHost {
  middlewareStack: { add(middleware: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler, options: object): void };
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
