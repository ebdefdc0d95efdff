import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral range: where listen(0) and every outgoing connection take their
 * port. The emulator picks its nodes' ports that way, and the suite's files open
 * connections all the time, so a port taken from this range can be handed to someone else
 * before the test binds it (seen: a background `local start` whose port a redis-server of
 * another file had taken).
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: the IANA range, which macOS and Windows use.
  }
  return [49152, 65535];
}

const [EPHEMERAL_LOW] = ephemeralRange();
/** Below the ephemeral range and above the well-known servers (6379 and the like). */
const PICK_LOW = 10_000;
const PICK_HIGH = Math.max(PICK_LOW + 1000, Math.min(EPHEMERAL_LOW, 65536)) - 1;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. It is drawn at random from below
 * the ephemeral range, which the kernel never hands out: only another test's draw can
 * take it before it is bound, one chance in about 20,000 per pair of draws.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PICK_LOW + Math.floor(Math.random() * (PICK_HIGH - PICK_LOW + 1));
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port found in ${PICK_LOW}-${PICK_HIGH}`);
}

/** True when nothing accepts connections on the port. */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
