/**
 * Cleanup after a crashed emulator: the state file lists the pids it started; any of
 * them still alive AND still a redis-server/valkey-server is killed. The name check
 * guards against a pid that the OS has since given to an unrelated process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The process's command line (argv joined by spaces), or undefined when it is gone. */
export function processCommandLine(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || undefined;
  } catch {
    // No procfs (macOS): ask ps.
    if (process.platform === 'linux') return undefined;
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/** True when the command line belongs to redis-server or valkey-server (also after they retitle themselves). */
export function isEngineCommandLine(commandLine: string): boolean {
  const first = commandLine.split(' ')[0] ?? '';
  return /^(redis|valkey)-server$/.test(basename(first));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGKILLs every pid that is still a redis-server/valkey-server and waits (up to
 * `waitMs`) for them to disappear. Returns the pids it killed.
 */
export async function killOrphans(pids: number[], waitMs = 3000): Promise<number[]> {
  const killed: number[] = [];
  for (const pid of new Set(pids)) {
    const commandLine = processCommandLine(pid);
    if (!commandLine || !isEngineCommandLine(commandLine)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // gone in the meantime, or not ours to kill
    }
  }
  const deadline = Date.now() + waitMs;
  // A killed child of a dead parent is reaped by init; until then it may linger as a zombie.
  while (killed.some((pid) => alive(pid) && !isZombie(pid)) && Date.now() < deadline) await sleep(20);
  return killed;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
