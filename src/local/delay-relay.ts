/**
 * The replication relay between a replica and the current primary: the replica is
 * configured with `replicaof <host> <relay port>` and never learns the primary's own
 * port. That buys two things:
 *  - the primary→replica stream can be delayed (`delayMs`) to simulate cross-AZ
 *    distance; the replica→primary direction (REPLCONF ACK) is not delayed;
 *  - failover re-points the relay instead of reconfiguring the replica. Because
 *    REPLICAOF to the same host:port is a no-op in redis, the relay drops its open
 *    links when the upstream changes, and the replica reconnects (about once a second)
 *    to the new primary, continuing with a partial resync when it can.
 */
import { TcpProxy, type ProxyTarget } from './tcp-proxy.js';

export interface DelayRelayOptions {
  host: string;
  upstream: ProxyTarget;
  delayMs: number;
  name?: string;
  log?: (line: string) => void;
}

export class DelayRelay {
  private upstreamTarget: ProxyTarget;

  private constructor(
    private readonly proxy: TcpProxy,
    upstream: ProxyTarget,
  ) {
    this.upstreamTarget = upstream;
  }

  static async listen(options: DelayRelayOptions): Promise<DelayRelay> {
    let relay: DelayRelay | undefined;
    const proxy = await TcpProxy.listen({
      host: options.host,
      pickTarget: () => relay?.upstream,
      responseDelayMs: options.delayMs,
      name: options.name ?? 'relay',
      log: options.log,
    });
    relay = new DelayRelay(proxy, options.upstream);
    return relay;
  }

  get port(): number {
    return this.proxy.port;
  }

  get upstream(): ProxyTarget {
    return this.upstreamTarget;
  }

  get connectionCount(): number {
    return this.proxy.connectionCount;
  }

  /** Points new links at `target` and drops the open ones so the replica reconnects. */
  setUpstream(target: ProxyTarget): void {
    this.upstreamTarget = target;
    this.proxy.closeConnections();
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}
