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
    if (await canBind(port, '127.0.0.1')) return port;
  }
  throw new Error(`no free port found in ${PICK_LOW}-${PICK_HIGH}`);
}

/**
 * True when no socket listens on the port: what a test means by "the server let go of it".
 * On Linux this is read from /proc/net/tcp{,6}, because a bind test would also fail while
 * any process's outgoing connection happens to use the port (the kernel hands freed ports
 * in the ephemeral range straight out again, and the suite's other files connect all the
 * time). Elsewhere, whether the port can be bound.
 */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const listening = listeningPorts();
  return listening ? !listening.has(port) : canBind(port, host);
}

/** The ports some socket listens on (IPv4 and IPv6), or undefined without /proc. */
function listeningPorts(): Set<number> | undefined {
  const ports = new Set<number>();
  try {
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        // "sl local_address rem_address st …": local_address is ADDR:PORT in hex, st 0A is LISTEN.
        const [, local, , state] = line.trim().split(/\s+/);
        if (state === '0A' && local) ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
      }
    }
  } catch {
    return undefined;
  }
  return ports;
}

/** True when a server could listen on the port right now. */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
