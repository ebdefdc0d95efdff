/**
 * One endpoint of a serverless cache (the 6379-style Endpoint or the 6380-style
 * ReaderEndpoint): a TLS listener that terminates the client's TLS, opens a TLS connection
 * to the node behind it, and relays RESP request by request. Seeing request boundaries is
 * what lets it enforce ECPUPerSecond the way the service does: a request over the limit is
 * answered here with a throttling error and never reaches the node, and replies stay in
 * request order (a throttled request's error waits for the replies to the ones before it).
 *
 * Connections that stop being request/reply are relayed as bytes: a replica's replication
 * link (after PSYNC/SYNC: an RDB payload, then the command stream) and subscribers (after
 * SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE/MONITOR, whose replies are not one per request; those
 * connections are not throttled).
 */
import { trackAcceptedSockets } from './accepted-sockets.js';
import { type Server, type TLSSocket, connect as tlsConnect, createServer } from 'node:tls';
import { type EcpuLimiter, ecpusFor } from './ecpu-limiter.js';
import { frameEnd, PendingBytes, requestEnd, requestName } from './resp-frames.js';
import { withSharedContext } from '../tls-context.js';

/**
 * The error a throttled request gets. AWS does not document the exact text; this keeps
 * `ERR` (so every client raises it as a server error) and names the cause.
 */
export const THROTTLED_ERROR = 'ERR Throttled: the serverless cache is at its CacheUsageLimits ECPUPerSecond maximum';

const REPLICATION_COMMANDS = new Set(['PSYNC', 'SYNC']);
const INTERNAL_COMMANDS = new Set(['PSYNC', 'SYNC', 'REPLCONF']);
const PASSTHROUGH_COMMANDS = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'MONITOR']);
/** A client may not buffer more than this in one unfinished request (redis' own limit is 512 MB). */
const MAX_PENDING_REQUEST_BYTES = 512 * 1024 * 1024;

export interface EndpointTarget {
  host: string;
  port: number;
}

export interface ServerlessEndpointOptions {
  host: string;
  /** 0 or omitted: a free port. */
  port?: number;
  /** The server certificate clients see, and the CA the node's certificate is checked against. */
  tls: { cert: Buffer; key: Buffer; ca: Buffer };
  /** The node for a new connection; undefined refuses it. */
  target: () => EndpointTarget | undefined;
  /** The cache's shared ECPU bucket, when it has a maximum. */
  limiter: () => EcpuLimiter | undefined;
  name: string;
  log?: (line: string) => void;
}

type Pending = { kind: 'forwarded'; requestBytes: number; rawAfter: boolean } | { kind: 'local'; reply: Buffer };

export class ServerlessEndpoint {
  private readonly relays = new Set<Relay>();
  private closing: Promise<void> | undefined;
  private readonly destroyAccepted: () => void;
  /** Requests answered with the throttling error, for `local status` and tests. */
  throttledCount = 0;

  private constructor(
    private readonly server: Server,
    readonly address: { address: string; port: number },
    private readonly options: ServerlessEndpointOptions,
  ) {
    this.destroyAccepted = trackAcceptedSockets(server);
    server.on('secureConnection', (client) => this.accept(client));
    // A client that fails the handshake is simply gone; nothing to log per connection.
    server.on('tlsClientError', () => undefined);
  }

  static listen(options: ServerlessEndpointOptions): Promise<ServerlessEndpoint> {
    const server = createServer({ cert: options.tls.cert, key: options.tls.key, allowHalfOpen: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host, () => {
        server.removeListener('error', reject);
        server.on('error', (error) => options.log?.(`${options.name}: ${error.message}`));
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve(new ServerlessEndpoint(server, { address: options.host, port }, options));
      });
    });
  }

  get port(): number {
    return this.address.port;
  }

  /** Stops listening and drops every connection; resolves once the port is free. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const relay of [...this.relays]) relay.destroy();
      this.destroyAccepted();
    });
    return this.closing;
  }

  private accept(client: TLSSocket): void {
    const target = this.closing ? undefined : this.options.target();
    if (!target) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = tlsConnect(withSharedContext({ host: target.host, port: target.port, ca: this.options.tls.ca }));
    upstream.setNoDelay(true);
    const relay = new Relay(client, upstream, this.options.limiter, () => this.throttledCount++);
    this.relays.add(relay);
    relay.closed.then(() => this.relays.delete(relay));
  }
}

/**
 * Backpressure: while `sink` has more queued than its high-water mark (a slow reader, a
 * slow node), stop reading `source`, so a client cannot make the relay buffer without bound.
 */
function holdWhileFull(source: TLSSocket, sink: TLSSocket): void {
  if (!sink.writableNeedDrain || source.isPaused()) return;
  source.pause();
  sink.once('drain', () => source.resume());
}

/** One client connection and its node connection. */
class Relay {
  private readonly fromClientBytes = new PendingBytes();
  private readonly fromUpstreamBytes = new PendingBytes();
  private readonly pending: Pending[] = [];
  /** Requests are relayed unparsed and unthrottled (replication stream, subscribers). */
  private requestsRaw = false;
  /** Replies are relayed unparsed once nothing is pending (subscribers) or at once (replication). */
  private repliesRaw = false;
  private passthrough = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly client: TLSSocket,
    private readonly upstream: TLSSocket,
    private readonly limiter: () => EcpuLimiter | undefined,
    private readonly onThrottled: () => void,
  ) {
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.destroy();
        resolve();
      };
      for (const socket of [client, upstream]) {
        socket.on('error', done);
        socket.on('close', done);
      }
    });
    client.on('data', (chunk: Buffer) => {
      this.fromClient(chunk);
      holdWhileFull(client, upstream);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.fromUpstream(chunk);
      holdWhileFull(upstream, client);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  private fromClient(chunk: Buffer): void {
    if (this.requestsRaw) {
      this.upstream.write(chunk);
      return;
    }
    this.fromClientBytes.push(chunk);
    const buffer = this.fromClientBytes.take();
    if (!buffer) return;
    let offset = 0;
    const wanted = { bytes: 0 };
    this.upstream.cork();
    try {
      while (!this.requestsRaw) {
        let end: number | undefined;
        try {
          end = requestEnd(buffer, offset, wanted);
        } catch {
          // Not RESP: let the node answer its protocol error and close.
          this.requestsRaw = true;
          break;
        }
        if (end === undefined) break;
        this.request(buffer.subarray(offset, end));
        offset = end;
      }
      if (this.requestsRaw && offset < buffer.length) {
        this.upstream.write(buffer.subarray(offset));
        offset = buffer.length;
      }
    } finally {
      this.upstream.uncork();
    }
    this.fromClientBytes.keep(buffer, offset, wanted.bytes);
    if (this.fromClientBytes.size > MAX_PENDING_REQUEST_BYTES) this.destroy();
  }

  private request(frame: Buffer): void {
    const name = requestName(frame);
    if (this.passthrough || INTERNAL_COMMANDS.has(name)) {
      this.forward(frame, REPLICATION_COMMANDS.has(name));
      if (REPLICATION_COMMANDS.has(name)) this.requestsRaw = true;
      return;
    }
    const limiter = this.limiter();
    if (limiter && !limiter.take(ecpusFor(frame.length))) {
      this.onThrottled();
      this.answerLocally(Buffer.from(`-${THROTTLED_ERROR}\r\n`));
      return;
    }
    this.forward(frame, false);
    if (PASSTHROUGH_COMMANDS.has(name)) this.passthrough = true;
  }

  private forward(frame: Buffer, rawAfter: boolean): void {
    // Subscribers' later requests have no one-to-one reply: they are not tracked.
    if (!this.passthrough || rawAfter) this.pending.push({ kind: 'forwarded', requestBytes: frame.length, rawAfter });
    this.upstream.write(frame);
  }

  private answerLocally(reply: Buffer): void {
    if (this.pending.length === 0) this.client.write(reply);
    else this.pending.push({ kind: 'local', reply });
  }

  private fromUpstream(chunk: Buffer): void {
    if (this.repliesRaw) {
      this.client.write(chunk);
      return;
    }
    this.fromUpstreamBytes.push(chunk);
    const buffer = this.fromUpstreamBytes.take();
    if (!buffer) return;
    let offset = 0;
    const wanted = { bytes: 0 };
    this.client.cork();
    try {
      while (offset < buffer.length) {
        if (this.passthrough && this.pending.length === 0) {
          this.repliesRaw = true;
          break;
        }
        let end: number | undefined;
        try {
          end = frameEnd(buffer, offset, wanted);
        } catch {
          this.repliesRaw = true;
          break;
        }
        if (end === undefined) break;
        const reply = buffer.subarray(offset, end);
        offset = end;
        this.client.write(reply);
        if (reply[0] === 0x3e /* '>' push: answers no request */) continue;
        const entry = this.pending.shift();
        if (entry?.kind === 'forwarded') {
          // A reply bigger than its request costs the ECPUs of the bytes it adds.
          this.limiter()?.charge(ecpusFor(entry.requestBytes + reply.length) - ecpusFor(entry.requestBytes));
          if (entry.rawAfter) {
            this.repliesRaw = true;
            break;
          }
        }
        this.flushLocalAnswers();
      }
      if (this.repliesRaw && offset < buffer.length) {
        this.client.write(buffer.subarray(offset));
        offset = buffer.length;
      }
    } finally {
      this.client.uncork();
    }
    this.fromUpstreamBytes.keep(buffer, offset, wanted.bytes);
  }

  private flushLocalAnswers(): void {
    while (this.pending[0]?.kind === 'local') {
      const entry = this.pending.shift() as { kind: 'local'; reply: Buffer };
      this.client.write(entry.reply);
    }
  }
}
