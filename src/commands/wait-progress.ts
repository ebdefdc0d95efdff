/**
 * Waiting with a visible status (spinner on a TTY, plain lines otherwise), shared by
 * create-cluster, wait, failover and delete-cluster. Ctrl-C stops only the waiting: the
 * group keeps changing in AWS, and the message prints the command that resumes.
 */
import type { AwsContext } from '../aws/clients.js';
import { pollIntervalFor, waitForTopologyKind, type WaitTarget } from '../aws/wait.js';
import type { TopologyKind } from '../topology.js';
import { WaitTimeoutError } from '../errors.js';
import { resumeCommand } from './session.js';
import type { GlobalOptions } from '../globals.js';
import { onInterrupt } from '../interrupt.js';
import { formatElapsed, startProgress } from '../ui/progress.js';
import type { Output } from '../ui/output.js';

export { resumeCommand } from './session.js';
export { pollIntervalFor } from '../aws/wait.js';

export interface WaitDisplayOptions {
  until: WaitTarget;
  timeoutMinutes: number;
  /** What the group is doing, for the messages (`created`, `deleted`); unknown for a plain `wait`. */
  doing?: string;
  kind?: TopologyKind;
}

export async function waitWithProgress(
  aws: AwsContext,
  output: Output,
  globals: GlobalOptions,
  replicationGroupId: string,
  options: WaitDisplayOptions,
): Promise<void> {
  const resume = resumeCommand(globals, replicationGroupId, options.until);
  const carriesOn = options.doing
    ? `${replicationGroupId} keeps being ${options.doing} in AWS`
    : `nothing was changed; ${replicationGroupId} carries on in AWS`;
  const target = options.until === 'available' ? 'available' : 'deleted';
  const progress = await startProgress(output, `waiting for ${replicationGroupId} to be ${target}`);
  const stopListening = onInterrupt(() => {
    progress.stop();
    output.info(`stopped waiting; ${carriesOn}. Resume with: ${resume}`);
  });
  const started = Date.now();
  try {
    const pollMs = pollIntervalFor(aws);
    await waitForTopologyKind(aws, replicationGroupId, options.kind, {
      until: options.until,
      timeoutMs: options.timeoutMinutes * 60_000,
      ...(pollMs !== undefined ? { pollMs } : {}),
      onStatus: (status, elapsed) => progress.update(`${replicationGroupId}: ${status} (${formatElapsed(elapsed)})`),
    });
    progress.succeed(`${replicationGroupId} is ${target} after ${formatElapsed(Date.now() - started)}`);
  } catch (error) {
    progress.fail(`${replicationGroupId}: stopped waiting after ${formatElapsed(Date.now() - started)}`);
    if (error instanceof WaitTimeoutError) {
      throw new WaitTimeoutError(`${error.message}; ${carriesOn}. Resume with: ${resume}`);
    }
    throw error;
  } finally {
    stopListening();
  }
}
