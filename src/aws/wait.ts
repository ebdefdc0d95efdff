/**
 * Waiting for a replication group, with a status callback for the spinner. The SDK's own
 * waiters poll every 15 s and say nothing in between; this loop reports each status
 * change, polls quickly against the emulator, and fails fast on terminal states.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplicationGroup, ServerlessCache } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { describeReplicationGroup } from './topology.js';
import { CliError, InterruptedError, NotFoundError, WaitTimeoutError } from '../errors.js';
import type { TopologyKind } from '../topology.js';

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

export interface PollOptions<T> {
  timeoutMs: number;
  pollMs: number;
  /** After every probe: the value and the time since the first one. */
  onValue?: (value: T, elapsedMs: number) => void;
  /** The timeout's message, from the last value seen. */
  timeoutMessage: (value: T, elapsedMs: number) => string;
  /** The message when interrupted. */
  interruptedMessage: string;
  signal?: AbortSignal;
}

/**
 * The one poll loop: probe, report, stop when `done` says so (a probe or `done` may throw
 * to fail fast), WaitTimeoutError (exit 4) when the next poll would pass the timeout.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(options.interruptedMessage);
    const value = await probe();
    const elapsed = Date.now() - started;
    options.onValue?.(value, elapsed);
    if (done(value)) return value;
    if (elapsed + options.pollMs > options.timeoutMs)
      throw new WaitTimeoutError(options.timeoutMessage(value, elapsed));
    try {
      await sleep(options.pollMs, undefined, { signal: options.signal });
    } catch {
      throw new InterruptedError(options.interruptedMessage);
    }
  }
}

/** Resolves with the group once it is available (or undefined once deleted). */
export async function waitForReplicationGroup(
  aws: AwsContext,
  replicationGroupId: string,
  options: WaitOptions,
): Promise<ReplicationGroup | undefined> {
  const probe = async (): Promise<ReplicationGroup | undefined> => {
    try {
      return await describeReplicationGroup(aws, replicationGroupId);
    } catch (error) {
      // Gone: what `deleted` waits for, and a failure for `available`.
      if (error instanceof NotFoundError && options.until === 'deleted') return undefined;
      throw error;
    }
  };
  const statusOf = (group: ReplicationGroup | undefined) => (group ? (group.Status ?? 'unknown') : 'deleted');
  return pollUntil(
    probe,
    (group) => {
      const status = statusOf(group);
      if (options.until === 'deleted') return group === undefined;
      if (status === 'available') return true;
      if (FAILED_STATES.has(status) || status === 'deleting') {
        throw new CliError(`replication group ${replicationGroupId} is ${status}; it will not become available`);
      }
      return false;
    },
    {
      timeoutMs: options.timeoutMs,
      pollMs: options.pollMs ?? (aws.local ? 300 : 15_000),
      ...(options.onStatus
        ? {
            onValue: (group: ReplicationGroup | undefined, elapsed: number) =>
              options.onStatus!(statusOf(group), elapsed),
          }
        : {}),
      timeoutMessage: (group, elapsed) =>
        `timed out after ${Math.round(elapsed / 1000)}s waiting for ${replicationGroupId} to be ${options.until} (status: ${statusOf(group)})`,
      interruptedMessage: `stopped waiting for ${replicationGroupId}`,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
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

/**
 * Resolves with the serverless cache once it is available (or undefined once deleted).
 * The SDK has no waiter for serverless caches; this is the same poll loop as for groups.
 */
export async function waitForServerlessCache(
  aws: AwsContext,
  name: string,
  options: WaitOptions,
): Promise<ServerlessCache | undefined> {
  const { describeServerlessCacheRaw } = await import('./serverless.js');
  const probe = async (): Promise<ServerlessCache | undefined> => {
    try {
      return await describeServerlessCacheRaw(aws, name);
    } catch (error) {
      if (error instanceof NotFoundError && options.until === 'deleted') return undefined;
      throw error;
    }
  };
  const statusOf = (cache: ServerlessCache | undefined) => (cache ? (cache.Status ?? 'unknown') : 'deleted');
  return pollUntil(
    probe,
    (cache) => {
      const status = statusOf(cache);
      if (options.until === 'deleted') return cache === undefined;
      if (status === 'available') return true;
      if (FAILED_STATES.has(status) || status === 'deleting') {
        throw new CliError(`serverless cache ${name} is ${status}; it will not become available`);
      }
      return false;
    },
    {
      timeoutMs: options.timeoutMs,
      pollMs: options.pollMs ?? (aws.local ? 300 : 15_000),
      ...(options.onStatus
        ? {
            onValue: (cache: ServerlessCache | undefined, elapsed: number) =>
              options.onStatus!(statusOf(cache), elapsed),
          }
        : {}),
      timeoutMessage: (cache, elapsed) =>
        `timed out after ${Math.round(elapsed / 1000)}s waiting for serverless cache ${name} to be ${options.until} (status: ${statusOf(cache)})`,
      interruptedMessage: `stopped waiting for ${name}`,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/** The one dispatch on kind for waiting: a serverless cache, or a replication group (either mode). */
export async function waitForTopologyKind(
  aws: AwsContext,
  id: string,
  kind: TopologyKind | undefined,
  options: WaitOptions,
): Promise<void> {
  if (kind === 'serverless') await waitForServerlessCache(aws, id, options);
  else await waitForReplicationGroup(aws, id, options);
}
