/**
 * Ctrl-C handling. Commands register cleanup (stop a bench and delete its keys, tell
 * the user how to resume a wait); the first SIGINT/SIGTERM runs every cleanup, newest
 * first, then exits 130. A second Ctrl-C exits at once.
 */
import { ExitCode } from './errors.js';

type Cleanup = () => void | Promise<void>;

const cleanups: Cleanup[] = [];
let installed = false;
let interrupting = false;

/** Registers a cleanup for Ctrl-C; call the returned function when it is no longer needed. */
export function onInterrupt(cleanup: Cleanup): () => void {
  install();
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.lastIndexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

/** True once the user pressed Ctrl-C: long loops check it to stop early. */
export function interrupted(): boolean {
  return interrupting;
}

function install(): void {
  if (installed) return;
  installed = true;
  const handle = (signal: NodeJS.Signals) => {
    if (interrupting) process.exit(ExitCode.interrupted);
    interrupting = true;
    void runCleanups().finally(() => process.exit(signal === 'SIGTERM' ? 143 : ExitCode.interrupted));
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch {
      // A failed cleanup must not stop the others.
    }
  }
}
