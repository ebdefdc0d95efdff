/**
 * Emulated EC2 instances for a distributed bench: each is a working directory on this
 * machine, tagged like a bastion (Role=bastion), that AWS Systems Manager Run Command
 * (ssm-api.ts) runs shell commands on as real processes (`/bin/sh -c`), with the
 * emulator's endpoint and dummy credentials in their environment, as an instance with an
 * instance profile would have. `local start --instances N` makes N of them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resourceId } from './ec2-network.js';
import type { Tag } from './state.js';

export interface InstanceRecord {
  instanceId: string;
  tags: Tag[];
  launchTime: Date;
  /** Where its commands run (SSM's working directory). */
  workDir: string;
}

/** SSM's command invocation statuses (CommandInvocationStatus). */
export type InvocationStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

export interface InvocationRecord {
  commandId: string;
  instanceId: string;
  documentName: string;
  comment: string;
  requestedAt: Date;
  startedAt?: Date;
  endedAt?: Date;
  status: InvocationStatus;
  statusDetails: string;
  /** -1 until the command ran (as SSM reports it). */
  responseCode: number;
  stdout: string;
  stderr: string;
  child?: ChildProcess;
}

export interface CommandRecord {
  commandId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  requestedAt: Date;
  timeoutSeconds: number;
}

/** GetCommandInvocation returns the first 24,000 characters of stdout and 8,000 of stderr. */
export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;

export interface InstancesOptions {
  count: number;
  stateDir: string;
  /** The environment a command runs with (endpoint, credentials, region), given its instance and region. */
  environment: (instanceId: string, region: string) => NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export class EmulatedInstances {
  readonly instances: InstanceRecord[] = [];
  readonly commands: CommandRecord[] = [];
  readonly invocations: InvocationRecord[] = [];

  constructor(private readonly options: InstancesOptions) {
    for (let i = 1; i <= options.count; i++) {
      const instanceId = resourceId('i');
      const workDir = join(options.stateDir, 'instances', instanceId);
      mkdirSync(workDir, { recursive: true });
      this.instances.push({
        instanceId,
        tags: [
          { Key: 'Name', Value: `eck-local-bastion-${i}` },
          { Key: 'Role', Value: 'bastion' },
          { Key: 'created-by', Value: 'elasticache-kit' },
        ],
        launchTime: new Date(),
        workDir,
      });
    }
  }

  find(instanceId: string): InstanceRecord | undefined {
    return this.instances.find((i) => i.instanceId === instanceId);
  }

  /** Starts the script on every instance at once; each invocation runs on its own. */
  send(
    command: Omit<CommandRecord, 'commandId' | 'requestedAt'>,
    script: string,
    executionTimeoutS: number,
    region: string,
  ): CommandRecord {
    const record: CommandRecord = { ...command, commandId: randomUUID(), requestedAt: new Date() };
    this.commands.push(record);
    for (const instanceId of command.instanceIds) {
      const invocation: InvocationRecord = {
        commandId: record.commandId,
        instanceId,
        documentName: command.documentName,
        comment: command.comment,
        requestedAt: record.requestedAt,
        status: 'Pending',
        statusDetails: 'Pending',
        responseCode: -1,
        stdout: '',
        stderr: '',
      };
      this.invocations.push(invocation);
      // The agent picks the command up a moment later, as on a real instance.
      setImmediate(() => this.run(invocation, script, executionTimeoutS, region));
    }
    return record;
  }

  private run(invocation: InvocationRecord, script: string, executionTimeoutS: number, region: string): void {
    if (invocation.status !== 'Pending') return; // cancelled before it started
    const instance = this.find(invocation.instanceId)!;
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: instance.workDir,
      env: this.options.environment(instance.instanceId, region),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Not detached: a new session would be a scheduler autogroup of its own (Linux), and on
      // a busy machine a worker's load would get a fraction of the CPU a plain bench gets.
      // A timeout or cancel kills the script's process tree instead (killTree).
      detached: false,
    });
    invocation.child = child;
    invocation.status = 'InProgress';
    invocation.statusDetails = 'InProgress';
    invocation.startedAt = new Date();
    this.options.log?.(`ssm ${invocation.commandId} on ${invocation.instanceId}: started (pid ${child.pid})`);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (invocation.stdout.length < STDOUT_LIMIT)
        invocation.stdout = (invocation.stdout + chunk).slice(0, STDOUT_LIMIT);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (invocation.stderr.length < STDERR_LIMIT)
        invocation.stderr = (invocation.stderr + chunk).slice(0, STDERR_LIMIT);
    });
    const timer = setTimeout(() => this.stop(invocation, 'TimedOut', 'ExecutionTimedOut'), executionTimeoutS * 1000);
    timer.unref();
    child.on('error', (error) => {
      invocation.stderr += `${error.message}\n`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      invocation.child = undefined;
      invocation.endedAt = new Date();
      if (invocation.status !== 'InProgress') return; // timed out or cancelled
      invocation.responseCode = code ?? -1;
      invocation.status = code === 0 ? 'Success' : 'Failed';
      invocation.statusDetails = code === 0 ? 'Success' : 'Failed';
      this.options.log?.(
        `ssm ${invocation.commandId} on ${invocation.instanceId}: ${invocation.status} (exit ${code})`,
      );
    });
  }

  /** Ends an invocation (timeout, CancelCommand): its whole process group is killed. */
  stop(invocation: InvocationRecord, status: 'TimedOut' | 'Cancelled', details: string): void {
    if (invocation.status !== 'Pending' && invocation.status !== 'InProgress') return;
    invocation.status = status;
    invocation.statusDetails = details;
    invocation.endedAt = new Date();
    const pid = invocation.child?.pid;
    if (pid !== undefined) killTree(pid);
  }

  /** Kills every running command (the emulator stops) and waits until they have exited. */
  async close(): Promise<void> {
    const running = this.invocations.filter((i) => i.child !== undefined);
    const exited = running.map((i) => new Promise<void>((resolve) => i.child!.once('close', () => resolve())));
    for (const invocation of this.invocations) this.stop(invocation, 'Cancelled', 'Cancelled');
    await Promise.all(exited);
  }
}

/** SIGKILLs a process and every descendant (`ps` lists parents on Linux and macOS alike). */
function killTree(root: number): void {
  const children = new Map<number, number[]>();
  try {
    const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
    for (const line of table.split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid && ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
  } catch {
    // No ps: the script itself is still killed below.
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
