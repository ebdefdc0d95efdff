/**
 * The command layer's side of a core: open the SDK clients for the global flags (with
 * `--local`, first making sure the emulator runs), and turn the core's progress events
 * into spinners, stderr lines and prompts.
 */
import type { AwsContext, ConnectOptions } from '../aws/clients.js';
import type { WaitTarget } from '../aws/wait.js';
import type { ProgressEvents } from '../core/events.js';
import { UsageError } from '../errors.js';
import { localEndpointUrl, localPort, type GlobalOptions } from '../globals.js';
import type { Output } from '../ui/output.js';

const LOCAL_DEFAULT_REGION = 'us-east-1';
/** The emulator accepts any credentials; these keep the SDK's chain from looking for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALEMULATOR000', secretAccessKey: 'local' };

/** SDK clients for the global flags. `--local`: the emulator's endpoint and dummy credentials, and the emulator started when it is not running. */
export async function openAws(
  globals: GlobalOptions,
  options: ConnectOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<AwsContext> {
  // The SDK prints a multi-line notice about Node.js support dates on every client it builds.
  // The runtime is this tool's choice (package.json engines), and CI logs read our stderr:
  // keep it quiet unless the user set the variable themselves.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const local = Boolean(globals.local);
  if (local && globals.endpointUrl) {
    throw new UsageError(
      '--local and --endpoint-url cannot be used together: --local already means ' + localEndpointUrl(env),
    );
  }
  // Loaded here, not at the top: the SDK takes a while, and bad input fails before it.
  const { connect } = await import('../aws/clients.js');
  const aws = await connect(
    {
      ...(globals.region !== undefined ? { region: globals.region } : {}),
      ...(globals.profile !== undefined ? { profile: globals.profile } : {}),
      ...(globals.debug ? { debug: true } : {}),
      ...(local
        ? {
            endpointUrl: localEndpointUrl(env),
            defaultRegion: LOCAL_DEFAULT_REGION,
            // Real credentials in the environment win (someone testing signing against the emulator).
            ...(env.AWS_ACCESS_KEY_ID ? {} : { credentials: LOCAL_CREDENTIALS }),
            local: true,
          }
        : globals.endpointUrl !== undefined
          ? { endpointUrl: globals.endpointUrl }
          : {}),
    },
    env,
    options,
  );
  if (local) {
    const { ensureEmulator } = await import('../local/launcher.js');
    await ensureEmulator({ port: localPort(env) });
  }
  return aws;
}

/** Progress events as the CLI shows them: spinner or plain lines on stderr, prompts on a terminal. */
export async function commandEvents(output: Output, globals: GlobalOptions): Promise<ProgressEvents> {
  return {
    info: (text) => output.info(text),
    warn: (text) => output.warn(text),
    confirm: async (question, defaultAnswer) => {
      const { askConfirm } = await import('../ui/prompts.js');
      return askConfirm(question, defaultAnswer);
    },
    progress: async (label) => {
      const { startProgress } = await import('../ui/progress.js');
      return startProgress(output, label);
    },
    waitFor: async (aws, id, request) => {
      const { waitWithProgress } = await import('./wait-progress.js');
      await waitWithProgress(aws, output, globals, id, request);
    },
    resumeCommand: (id, until) => resumeCommand(globals, id, until),
  };
}

/** `elasticache-kit [the same target flags] wait <id> [--deleted]`: what resumes a wait. */
export function resumeCommand(globals: GlobalOptions, replicationGroupId: string, until: WaitTarget): string {
  const parts = ['elasticache-kit'];
  if (globals.local) parts.push('--local');
  if (globals.endpointUrl) parts.push('--endpoint-url', globals.endpointUrl);
  if (globals.region) parts.push('--region', globals.region);
  if (globals.profile) parts.push('--profile', globals.profile);
  parts.push('wait', replicationGroupId);
  if (until === 'deleted') parts.push('--deleted');
  return parts.join(' ');
}
