/**
 * Waiting for a replication group, with a status callback for the spinner. The SDK's own
 * waiters poll every 15 s and say nothing in between; this loop reports each status
 * change, polls quickly against the emulator, and fails fast on terminal states.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { describeReplicationGroup } from './topology.js';
import { CliError, InterruptedError, NotFoundError, WaitTimeoutError } from '../errors.js';

export type WaitTarget = 'available' | 'deleted';

export interface WaitOptions {
  until: WaitTarget;
  /** Give up after this long (exit 4). */
  timeoutMs: number;
  /** Poll interval; default 15 s against AWS (as the AWS CLI), 300 ms against the emulator. */
  pollMs?: number;
  /** Called after every poll: the current status ('deleted' once the group is gone) and elapsed time. */
  onStatus?: (status: string, elapsedMs: number) => void;
  signal?: AbortSignal;
}

const FAILED_STATES = new Set(['create-failed']);

/** Resolves with the group once it is available (or undefined once deleted). */
export async function waitForReplicationGroup(
  aws: AwsContext,
  replicationGroupId: string,
  options: WaitOptions,
): Promise<ReplicationGroup | undefined> {
  const started = Date.now();
  const pollMs = options.pollMs ?? (aws.local ? 300 : 15_000);
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(`stopped waiting for ${replicationGroupId}`);
    let group: ReplicationGroup | undefined;
    try {
      group = await describeReplicationGroup(aws, replicationGroupId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      if (options.until === 'deleted') {
        options.onStatus?.('deleted', Date.now() - started);
        return undefined;
      }
      throw error;
    }
    const status = group.Status ?? 'unknown';
    const elapsed = Date.now() - started;
    options.onStatus?.(status, elapsed);
    if (options.until === 'available' && status === 'available') return group;
    if (options.until === 'available' && (FAILED_STATES.has(status) || status === 'deleting')) {
      throw new CliError(`replication group ${replicationGroupId} is ${status}; it will not become available`);
    }
    if (elapsed + pollMs > options.timeoutMs) {
      throw new WaitTimeoutError(
        `timed out after ${Math.round(elapsed / 1000)}s waiting for ${replicationGroupId} to be ${options.until} (status: ${status})`,
      );
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      throw new InterruptedError(`stopped waiting for ${replicationGroupId}`);
    }
  }
}

/** Quick polls against the emulator or another loopback endpoint; AWS's own pace otherwise. */
export function pollIntervalFor(aws: AwsContext, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const endpoint = aws.endpointUrl ?? env.AWS_ENDPOINT_URL_ELASTICACHE ?? env.AWS_ENDPOINT_URL;
  if (aws.local) return 300;
  if (endpoint) {
    try {
      const host = new URL(endpoint).hostname;
      if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return 300;
    } catch {
      // not a URL: leave the default
    }
  }
  return undefined;
}
