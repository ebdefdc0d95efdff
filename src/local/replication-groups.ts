/**
 * The life of each replication group behind the API: its record (what Describe shows)
 * and its GroupRuntime (the real processes). Status moves like ElastiCache's:
 * creating → available (once every replica's link is up), available → modifying →
 * available around a failover, available → deleting → gone. The slow parts run in the
 * background, one at a time per group, and every change is persisted.
 */
import type { EventLog } from './events.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialTasks } from './serial-tasks.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupRuntime } from './group-runtime.js';
import type { NodeTls } from './redis-node.js';
import { ClusterRuntime, formatSlotRanges, parseSlotRanges } from './cluster-runtime.js';
import type { GroupRecord, PersistedState } from './state.js';

export interface ReplicationGroupsOptions {
  /** Where a failover's events go (DescribeEvents). */
  events?: EventLog;
  state: PersistedState;
  save(): void;
  host: string;
  /** Node folders go under here, one per group. */
  dataDir: string;
  replicationDelayMs: number;
  /** How long creating, modifying and deleting each last at least (emulating AWS's minutes); default 0. */
  lifecycleMs?: number;
  log(line: string): void;
}

/**
 * An emulator-only extension: a group created with this tag gets its own simulated
 * replication delay instead of the server's `--replication-delay-ms`, so one emulator can
 * host a "same AZ" group next to a "cross-region" one (the demo uses it). On AWS the tag
 * is just a tag.
 */
export const REPLICATION_DELAY_TAG = 'local-emulator:replication-delay-ms';

export function replicationDelayFor(record: Pick<GroupRecord, 'tags'>, serverDefault: number): number {
  const raw = record.tags.find((tag) => tag.Key === REPLICATION_DELAY_TAG)?.Value;
  if (raw === undefined) return serverDefault;
  const delay = Number(raw);
  return Number.isInteger(delay) && delay >= 0 && delay <= 60_000 ? delay : serverDefault;
}

/**
 * An emulator-only extension like the one above: creating, modifying and deleting of a group
 * with this tag each last at least this many milliseconds (instead of the server's
 * `--lifecycle-ms`), so a client's waits, progress and "still creating" paths can be
 * exercised as they are against AWS, where each phase takes minutes.
 */
export const LIFECYCLE_TAG = 'local-emulator:lifecycle-ms';
export const MAX_LIFECYCLE_MS = 3_600_000;

export function lifecycleMsFor(record: Pick<GroupRecord, 'tags'>, serverDefault: number): number {
  const raw = record.tags.find((tag) => tag.Key === LIFECYCLE_TAG)?.Value;
  if (raw === undefined) return serverDefault;
  const ms = Number(raw);
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_LIFECYCLE_MS ? ms : serverDefault;
}

/** What ModifyReplicationGroup changes on the processes (the record's plain fields change in the API). */
export interface RuntimeChange {
  /** In-transit encryption from now on: undefined = off. */
  tls?: { value: NodeTls | undefined };
  /** A new AUTH token: ROTATE keeps the current one valid too, SET makes it the only one. */
  auth?: { strategy: 'ROTATE' | 'SET'; token: string };
}

/** How long a new or failed-over group may take to get every replica in sync. */
const SYNC_TIMEOUT_MS = 60_000;
const SYNC_POLL_MS = 50;

export class ReplicationGroups {
  private readonly runtimes = new Map<GroupRecord, GroupRuntime | ClusterRuntime>();
  /** The background task of each group (start, failover, delete), chained so they never overlap. */
  private readonly tasks = new SerialTasks<GroupRecord>((record, error) =>
    this.options.log(`${record.id}: ${error.message}`),
  );
  private closed = false;
  /** Aborts lifecycle holds when the server closes. */
  private readonly closing = new AbortController();

  constructor(private readonly options: ReplicationGroupsOptions) {}

  find(region: string, id: string): GroupRecord | undefined {
    return this.options.state.groups.find((group) => group.region === region && group.id === id);
  }

  list(region: string): GroupRecord[] {
    return this.options.state.groups
      .filter((group) => group.region === region)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Adds the record (status creating) and starts its processes in the background. */
  create(record: GroupRecord, start: { engineBinary: string; authToken?: string; tls?: NodeTls }): void {
    this.options.state.groups.push(record);
    this.options.save();
    this.enqueue(record, () => this.startRuntime(record, start));
  }

  /** available → modifying → (failover, replicas in sync) → available. */
  failover(record: GroupRecord, nodeGroupId = '0001'): void {
    this.options.events?.failoverStarted(record.region, record.id, nodeGroupId);
    const previous = record.nodes.find(
      (node) => (node.nodeGroupId ?? '0001') === nodeGroupId && node.role === 'primary',
    )?.nodeId;
    this.whileModifying(record, 'failover', async (runtime) => {
      if (!runtime) throw new Error('no running processes');
      const { newPrimary } =
        runtime instanceof ClusterRuntime ? await runtime.failover(nodeGroupId) : await runtime.failover();
      this.options.log(`${record.id}: failed over to ${newPrimary}`);
      this.refreshNodes(record, runtime);
      await this.waitInSync(runtime);
      this.options.events?.failoverCompleted(record.region, record.id, previous, newPrimary);
    });
  }

  /**
   * available → modifying → available: `apply` changes the record's fields once the
   * processes have switched, so Describe shows the new values only when they hold
   * (PendingModifiedValues shows them meanwhile).
   */
  modify(record: GroupRecord, change: RuntimeChange, apply: () => void): void {
    this.whileModifying(record, 'modify', async (runtime) => {
      if (change.tls || change.auth) {
        if (!(runtime instanceof GroupRuntime)) throw new Error('no running processes to reconfigure');
        await runtime.reconfigure(change);
        await this.waitInSync(runtime);
      }
      apply();
      this.options.log(`${record.id}: modified`);
    });
  }

  /**
   * The `modifying` phase shared by failover and modify: the work runs in the group's queue,
   * the phase lasts at least its lifecycle time, and the group is available again after it
   * (a failure is logged: the group keeps serving as it is).
   */
  private whileModifying(
    record: GroupRecord,
    what: string,
    work: (runtime: GroupRuntime | ClusterRuntime | undefined) => Promise<void>,
  ): void {
    record.status = 'modifying';
    this.options.save();
    const since = Date.now();
    this.enqueue(record, async () => {
      const runtime = this.runtimes.get(record);
      try {
        await work(runtime);
      } catch (error) {
        this.options.log(`${record.id}: ${what} failed: ${(error as Error).message}`);
      }
      record.pendingModifiedValues = undefined;
      await this.hold(record, since);
      if (runtime) this.refreshNodes(record, runtime);
      if (record.status === 'modifying') record.status = 'available';
      this.options.save();
    });
  }

  /**
   * A change of the group's nodes or shards (scaling-api.ts): available → modifying →
   * `work` on the running processes → every replica in sync → available (also after a
   * failure, which is logged: the group keeps running as it is). Nodes the runtime no
   * longer has leave the record; slots are re-read from the cluster.
   */
  reshape(record: GroupRecord, what: string, work: (runtime: GroupRuntime | ClusterRuntime) => Promise<void>): void {
    record.status = 'modifying';
    this.options.save();
    this.enqueue(record, async () => {
      const runtime = this.runtimes.get(record);
      try {
        if (!runtime) throw new Error('no running processes');
        await work(runtime);
        this.refreshNodes(record, runtime);
        this.options.save();
        await this.waitInSync(runtime);
      } catch (error) {
        this.options.log(`${record.id}: ${what} failed: ${(error as Error).message}`);
      }
      if (runtime) {
        const running = new Set(runtime.nodes().map((node) => node.nodeId));
        record.nodes = record.nodes.filter((node) => running.has(node.nodeId));
        if (runtime instanceof ClusterRuntime) await this.refreshShards(record, runtime);
        this.refreshNodes(record, runtime);
      }
      if (record.status === 'modifying') record.status = 'available';
      this.options.save();
    });
  }

  /** A cluster's node groups as its nodes say: one per shard that has members, with the slots it owns. */
  private async refreshShards(record: GroupRecord, runtime: ClusterRuntime): Promise<void> {
    let owners: Map<string, { start: number; end: number }[]>;
    try {
      owners = await runtime.slotOwners();
    } catch {
      return; // no live primary to ask: keep what the record says
    }
    const shardIds = [...new Set(record.nodes.map((node) => node.nodeGroupId!))].sort();
    record.shards = shardIds.map((nodeGroupId) => ({
      nodeGroupId,
      slots: formatSlotRanges(owners.get(nodeGroupId) ?? []),
    }));
  }

  /** → deleting; the processes stop in the background and then the record disappears. */
  delete(record: GroupRecord): void {
    record.status = 'deleting';
    this.options.save();
    const since = Date.now();
    this.enqueue(record, async () => {
      await this.hold(record, since);
      await this.remove(record);
    });
  }

  /** Stops every group's processes (waiting for work in flight) and forgets the groups. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    // A slot migration in flight stops at its next round instead of finishing first.
    for (const runtime of this.runtimes.values()) if (runtime instanceof ClusterRuntime) runtime.cancel();
    for (const record of this.options.state.groups) {
      if (record.status !== 'deleting') record.status = 'deleting';
    }
    await Promise.allSettled(
      this.options.state.groups.map((record) => this.enqueue(record, () => this.remove(record))),
    );
    await this.tasks.idle();
  }

  /** Every pid of every running group (the server's own cleanup list). */
  pids(): number[] {
    return [...this.runtimes.values()].flatMap((runtime) => runtime.pids());
  }

  private enqueue(record: GroupRecord, work: () => Promise<void>): Promise<void> {
    return this.tasks.run(record, work);
  }

  private groupDir(record: GroupRecord): string {
    return join(this.options.dataDir, record.region, record.id);
  }

  private async startRuntime(
    record: GroupRecord,
    start: { engineBinary: string; authToken?: string; tls?: NodeTls },
  ): Promise<void> {
    if (record.status !== 'creating') return; // deleted (or the server closed) before it started
    let runtime: GroupRuntime | ClusterRuntime;
    try {
      runtime = record.shards
        ? await ClusterRuntime.start({
            groupId: record.id,
            shards: record.shards.map((shard) => ({
              nodeGroupId: shard.nodeGroupId,
              slots: parseSlotRanges(shard.slots),
              memberIds: record.nodes
                .filter((node) => node.nodeGroupId === shard.nodeGroupId)
                .map((node) => node.nodeId),
            })),
            engineBinary: start.engineBinary,
            host: this.options.host,
            dataDir: this.groupDir(record),
            authToken: start.authToken,
            tls: start.tls,
            replicationDelayMs: replicationDelayFor(record, this.options.replicationDelayMs),
            readyTimeoutMs: SYNC_TIMEOUT_MS,
            log: this.options.log,
          })
        : await GroupRuntime.start({
            groupId: record.id,
            nodeIds: record.nodes.map((node) => node.nodeId),
            engineBinary: start.engineBinary,
            host: this.options.host,
            dataDir: this.groupDir(record),
            authToken: start.authToken,
            tls: start.tls,
            replicationDelayMs: replicationDelayFor(record, this.options.replicationDelayMs),
            log: this.options.log,
          });
    } catch (error) {
      record.status = 'create-failed';
      record.failure = (error as Error).message;
      this.options.log(`${record.id}: create failed: ${record.failure}`);
      this.options.save();
      return;
    }
    this.runtimes.set(record, runtime);
    if (runtime instanceof ClusterRuntime) {
      record.configurationEndpoint = { ...runtime.configurationEndpoint };
    } else {
      record.primaryEndpoint = { ...runtime.primaryEndpoint };
      record.readerEndpoint = { ...runtime.readerEndpoint };
    }
    this.refreshNodes(record, runtime);
    this.options.save();
    try {
      await this.waitInSync(runtime);
    } catch (error) {
      record.status = 'create-failed';
      record.failure = (error as Error).message;
      this.options.save();
      return;
    }
    await this.hold(record, Date.parse(record.createdAt));
    if (record.status === 'creating' && !this.closed) {
      record.status = 'available';
      this.options.log(`${record.id}: available`);
      this.options.save();
    }
  }

  /** Waits until the group's phase (begun at `since`) has lasted its lifecycle time; ends early on close. */
  private async hold(record: GroupRecord, since: number): Promise<void> {
    const left = since + lifecycleMsFor(record, this.options.lifecycleMs ?? 0) - Date.now();
    if (left <= 0 || this.closed) return;
    await sleep(left, undefined, { signal: this.closing.signal }).catch(() => undefined);
  }

  private refreshNodes(record: GroupRecord, runtime: GroupRuntime | ClusterRuntime): void {
    const live = new Map(runtime.nodes().map((node) => [node.nodeId, node]));
    for (const node of record.nodes) {
      const now = live.get(node.nodeId);
      if (!now) continue;
      node.port = now.port;
      node.pid = now.pid;
      node.role = now.role;
    }
    record.pids = runtime.pids();
  }

  private async waitInSync(runtime: GroupRuntime | ClusterRuntime): Promise<void> {
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    while (!(await runtime.inSync())) {
      if (this.closed) return;
      if (Date.now() > deadline) throw new Error(`replicas not in sync after ${SYNC_TIMEOUT_MS / 1000}s`);
      await sleep(SYNC_POLL_MS);
    }
  }

  private async remove(record: GroupRecord): Promise<void> {
    const runtime = this.runtimes.get(record);
    if (runtime) {
      await runtime.stop();
      this.runtimes.delete(record);
    }
    await rm(this.groupDir(record), { recursive: true, force: true }).catch(() => undefined);
    const groups = this.options.state.groups;
    const index = groups.indexOf(record);
    if (index >= 0) groups.splice(index, 1);
    this.options.log(`${record.id}: deleted`);
    this.options.save();
  }
}
