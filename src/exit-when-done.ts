/**
 * A finished command ends its process. Node ends it when nothing is left to wait for; a
 * connection or timer left open by mistake keeps it running for ever, and the CI job with
 * it (once: ioredis reconnecting connections bench had given up on). So, once the command
 * has returned, a timer that does not itself keep the process alive ends it after a grace
 * period, with the exit code the command chose, and says what was still open: a bug to
 * report, shown, instead of a hang. The tests fail on that message (test/helpers/cli.ts).
 */
import { writeSync } from 'node:fs';

export const STILL_OPEN_MESSAGE = 'finished, but the process was kept running by';

export function exitWhenDone(graceMs = 5000): void {
  setTimeout(() => {
    // Output still being written (a slow reader of a pipe that Node writes asynchronously): wait for it.
    if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) return exitWhenDone(graceMs);
    try {
      writeSync(
        2,
        `elasticache-kit: ${STILL_OPEN_MESSAGE} ${describeOpen(process.getActiveResourcesInfo())} ${graceMs / 1000} s later; ending it (a bug: please report it)\n`,
      );
    } catch {
      // stderr closed: end anyway
    }
    process.exit();
  }, graceMs).unref();
}

/** ['TCPSocketWrap', 'TCPSocketWrap', 'Timeout'] → "2 TCPSocketWrap, 1 Timeout". */
export function describeOpen(resources: string[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${count} ${name}`).join(', ') || 'nothing Node reports';
}
