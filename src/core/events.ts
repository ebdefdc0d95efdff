/**
 * What a core (one use case per command) tells the person running it, and asks them.
 * The command layer implements it with a spinner, stderr lines and prompts
 * (src/commands/session.ts); other callers (demo, drills, tests) with plain callbacks
 * (`headlessEvents`). Cores never print and never import ui/.
 */
import type { AwsContext } from '../aws/clients.js';
import { waitForTopologyKind, type WaitTarget } from '../aws/wait.js';
import type { TopologyKind } from '../topology.js';

export interface WaitRequest {
  until: WaitTarget;
  timeoutMinutes: number;
  /** What the group is doing, for the messages (`created`, `deleted`); unknown for a plain `wait`. */
  doing?: string;
  /** What is waited for: a serverless cache, or (the default) a replication group. */
  kind?: TopologyKind;
}

/** One long step with a changing status line (a spinner on a TTY). */
export interface ProgressHandle {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

export interface ProgressEvents {
  info(text: string): void;
  warn(text: string): void;
  /** Asks before a change; false declines. Cores call it only when the request did not say yes. */
  confirm(question: string, defaultAnswer: boolean): Promise<boolean>;
  /** Starts a status line for a long step. */
  progress(label: string): Promise<ProgressHandle>;
  /** Waits until the group is available or deleted, showing each status; throws on timeout (exit 4). */
  waitFor(aws: AwsContext, replicationGroupId: string, request: WaitRequest): Promise<void>;
  /** The command that resumes a wait the user stopped, for messages. */
  resumeCommand(replicationGroupId: string, until: WaitTarget): string;
}

export interface HeadlessOptions {
  /** Every info/warn line and every status while waiting. */
  onLine?: (line: string) => void;
  /** Poll interval while waiting (default: 300 ms against the emulator, 15 s against AWS). */
  pollMs?: number;
  /** Answer to every confirmation (default yes: a caller without a person has already decided). */
  confirm?: boolean;
}

/** Events for callers without a terminal (demo, drills, tests): lines to a callback, no prompts. */
export function headlessEvents(options: HeadlessOptions = {}): ProgressEvents {
  const line = (text: string) => options.onLine?.(text);
  return {
    info: line,
    warn: (text) => line(`warning: ${text}`),
    confirm: async () => options.confirm ?? true,
    progress: async (label) => {
      line(label);
      return { update: line, succeed: line, fail: line, stop: () => undefined };
    },
    waitFor: async (aws, id, request) => {
      await waitForTopologyKind(aws, id, request.kind, {
        until: request.until,
        timeoutMs: request.timeoutMinutes * 60_000,
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        onStatus: (status) => line(`${id}: ${status}`),
      });
    },
    resumeCommand: (id, until) => `elasticache-kit wait ${id}${until === 'deleted' ? ' --deleted' : ''}`,
  };
}
