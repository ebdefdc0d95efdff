/**
 * An in-process TCP forwarder: each accepted connection is piped to a target picked
 * at accept time. It backs the group's stable endpoints (primary / reader) and the
 * replication relays. Bytes are piped as they come (no parsing); optionally the
 * target→client direction is held back by a fixed delay (see delayed-pipe.ts).
 */
import { trackAcceptedSockets } from './accepted-sockets.js';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { delayedPipe } from './delayed-pipe.js';

export interface ProxyTarget {
  host: string;
  port: number;
  /**
   * A TLS `preferred` node's plain port: the proxy then looks at the client's first
   * byte and sends a TLS handshake (0x16) to `port`, anything else to `plainPort`, so one
   * endpoint accepts both, as AWS's does. TLS itself is still the node's to terminate.
   */
  plainPort?: number;
}

/** First byte of a TLS ClientHello record. */
const TLS_HANDSHAKE = 0x16;

export interface TcpProxyOptions {
  host: string;
  /** 0 or omitted: the OS picks a free port. */
  port?: number;
  /** Called for every new connection; undefined refuses it (the client sees a close). */
  pickTarget: () => ProxyTarget | undefined;
  /** Delay, in ms, of the target→client direction. 0 = plain pipe. */
  responseDelayMs?: number;
  /** Name used in log lines. */
  name?: string;
  log?: (line: string) => void;
}

interface Link {
  client: Socket;
  upstream: Socket;
  target: ProxyTarget;
}

export class TcpProxy {
  private readonly links = new Set<Link>();
  private closing: Promise<void> | undefined;
  private readonly destroyAccepted: () => void;

  private constructor(
    private readonly server: Server,
    readonly address: { address: string; port: number },
    private readonly options: TcpProxyOptions,
  ) {
    this.destroyAccepted = trackAcceptedSockets(server);
    server.on('connection', (client) => this.accept(client));
  }

  static listen(options: TcpProxyOptions): Promise<TcpProxy> {
    // allowHalfOpen: a client that shuts down its write side still gets the replies.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host, () => {
        server.removeListener('error', reject);
        server.on('error', (error) => options.log?.(`${options.name ?? 'proxy'}: ${error.message}`));
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve(new TcpProxy(server, { address: options.host, port }, options));
      });
    });
  }

  get port(): number {
    return this.address.port;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.links.size;
  }

  /** Destroys open connections (all, or those whose target matches), both sides. */
  closeConnections(filter?: (target: ProxyTarget) => boolean): number {
    let closed = 0;
    for (const link of [...this.links]) {
      if (filter && !filter(link.target)) continue;
      this.drop(link);
      closed++;
    }
    return closed;
  }

  /** Stops listening and destroys every connection; resolves when the port is released. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.closeConnections();
      this.destroyAccepted();
    });
    return this.closing;
  }

  private accept(client: Socket): void {
    const target = this.closing ? undefined : this.options.pickTarget();
    if (!target) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    if (target.plainPort !== undefined) {
      const plainPort = target.plainPort;
      client.once('error', () => client.destroy());
      client.once('readable', () => {
        const first: Buffer | null = client.read(1);
        if (first === null) {
          client.destroy();
          return;
        }
        client.unshift(first);
        this.link(client, target, first[0] === TLS_HANDSHAKE ? target.port : plainPort);
      });
      return;
    }
    this.link(client, target, target.port);
  }

  /** Pipes `client` to `port` of `target` (the link keeps `target`, so closeConnections filters on the node). */
  private link(client: Socket, target: ProxyTarget, port: number): void {
    if (this.closing || client.destroyed) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host, port, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const link: Link = { client, upstream, target };
    this.links.add(link);

    // Either side failing or closing ends the pair: there is nothing to recover.
    const onError = () => this.drop(link);
    client.on('error', onError);
    upstream.on('error', onError);
    client.on('close', onError);
    upstream.on('close', onError);

    // Writes to `upstream` before it connects are buffered by net.Socket.
    client.pipe(upstream);
    const delayMs = this.options.responseDelayMs ?? 0;
    if (delayMs > 0) delayedPipe(upstream, client, delayMs);
    else upstream.pipe(client);
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.upstream.destroy();
  }
}
