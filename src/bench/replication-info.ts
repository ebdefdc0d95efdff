/**
 * Samples `INFO replication` on every node every half second (own connections): replication
 * offset lag in bytes per replica (primary master_repl_offset − replica slave_repl_offset,
 * both read at the same moment) and each node's role, which reveals a failover during
 * the run (another node now answers role:master).
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { closeControl, openControl, parseInfo } from './control-connection.js';
import type { LoadNode } from './workload.js';

export interface FailoverEvent {
  /** performance.now() when it was noticed. */
  at: number;
  from: string;
  to: string;
}

export class ReplicationSampler {
  /** Offset lag samples (bytes) per replica id. */
  readonly offsetLag = new Map<string, number[]>();
  readonly roles = new Map<string, string>();
  failover?: FailoverEvent;
  onFailover?: (event: FailoverEvent, newPrimary: LoadNode) => void;
  recording = false;
  private readonly connections = new Map<string, Redis>();
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private currentPrimary: string;

  constructor(
    private readonly nodes: LoadNode[],
    private readonly intervalMs = 500,
  ) {
    this.currentPrimary = nodes.find((n) => n.role === 'primary')?.id ?? '';
    for (const node of nodes) {
      this.connections.set(node.id, openControl(node.address, 'eck-bench-info'));
      if (node.role === 'replica') this.offsetLag.set(node.id, []);
    }
  }

  get primaryId(): string {
    return this.currentPrimary;
  }

  start(): void {
    for (const connection of this.connections.values()) connection.connect().catch(() => undefined);
    this.timer = setInterval(() => {
      if (!this.sampling) this.sampling = this.sample().finally(() => (this.sampling = undefined));
    }, this.intervalMs);
  }

  beginMeasuring(): void {
    for (const samples of this.offsetLag.values()) samples.length = 0;
    this.recording = true;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sampling;
    await this.sample(); // one last look: a failover near the end still counts
    this.recording = false;
    for (const connection of this.connections.values()) closeControl(connection);
  }

  async sample(): Promise<void> {
    const infos = new Map<string, Map<string, string>>();
    await Promise.all(
      this.nodes.map(async (node) => {
        try {
          infos.set(node.id, parseInfo(await this.connections.get(node.id)!.info('replication')));
        } catch {
          // Unreachable now: the load connections count that.
        }
      }),
    );
    for (const [id, info] of infos) this.roles.set(id, info.get('role') ?? 'unknown');
    this.detectFailover(infos);
    const primaryInfo = infos.get(this.currentPrimary);
    const primaryOffset = Number(primaryInfo?.get('master_repl_offset'));
    if (!this.recording || !Number.isFinite(primaryOffset)) return;
    for (const [id, samples] of this.offsetLag) {
      const offset = Number(infos.get(id)?.get('slave_repl_offset'));
      if (Number.isFinite(offset)) samples.push(Math.max(0, primaryOffset - offset));
    }
  }

  private detectFailover(infos: Map<string, Map<string, string>>): void {
    const masters = [...infos].filter(([, info]) => info.get('role') === 'master').map(([id]) => id);
    const newPrimary = masters.find((id) => id !== this.currentPrimary);
    const oldDemoted = infos.get(this.currentPrimary)?.get('role') === 'slave';
    if (!newPrimary || (!oldDemoted && masters.includes(this.currentPrimary))) return;
    const event: FailoverEvent = { at: performance.now(), from: this.currentPrimary, to: newPrimary };
    this.failover ??= event;
    this.currentPrimary = newPrimary;
    const node = this.nodes.find((n) => n.id === newPrimary);
    if (node) this.onFailover?.(event, node);
  }
}
