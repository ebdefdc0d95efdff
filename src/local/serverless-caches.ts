/**
 * The life of each serverless cache behind the API: its record (what Describe shows) and
 * its ServerlessRuntime (the real processes). Status moves like ElastiCache's:
 * creating → available, available → modifying → available (usage limits, users),
 * available → deleting → gone. The slow parts run in the background, one at a time per
 * cache, and every change is persisted.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialTasks } from './serial-tasks.js';
import type { AclUser } from './acl.js';
import { ServerlessRuntime } from './serverless-runtime.js';
import type { PersistedState, ServerlessCacheRecord } from './state.js';
import type { TlsMaterial } from './tls-material.js';

export interface ServerlessCachesOptions {
  state: PersistedState;
  save(): void;
  host: string;
  /** Node folders go under here, one per cache. */
  dataDir: string;
  log(line: string): void;
}

const READY_TIMEOUT_MS = 60_000;

export class ServerlessCaches {
  private readonly runtimes = new Map<ServerlessCacheRecord, ServerlessRuntime>();
  /** The background tasks of each cache (start, modify, delete), chained so they never overlap. */
  private readonly tasks = new SerialTasks<ServerlessCacheRecord>((record, error) =>
    this.options.log(`${record.name}: ${error.message}`),
  );
  private closed = false;

  constructor(private readonly options: ServerlessCachesOptions) {
    options.state.serverlessCaches ??= [];
  }

  private get records(): ServerlessCacheRecord[] {
    // Set in the constructor; `local stop`'s reset may replace the array, so read it each time.
    if (!this.options.state.serverlessCaches) this.options.state.serverlessCaches = [];
    return this.options.state.serverlessCaches;
  }

  find(region: string, name: string): ServerlessCacheRecord | undefined {
    return this.records.find((cache) => cache.region === region && cache.name === name);
  }

  list(region: string): ServerlessCacheRecord[] {
    return this.records
      .filter((cache) => cache.region === region)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Adds the record (status creating) and starts its processes in the background. */
  create(record: ServerlessCacheRecord, start: { engineBinary: string; tls: TlsMaterial; users?: AclUser[] }): void {
    this.records.push(record);
    this.options.save();
    this.enqueue(record, () => this.startRuntime(record, start));
  }

  /**
   * available → modifying → available: the usage limits take effect at once; users
   * (null: no user group) are applied to every node when given. On a cache still
   * creating, the change is queued behind the start and the status left alone.
   */
  modify(record: ServerlessCacheRecord, change: { users?: AclUser[] | null }): void {
    const whileCreating = record.status === 'creating';
    if (!whileCreating) {
      record.status = 'modifying';
      this.options.save();
    }
    this.enqueue(record, async () => {
      const runtime = this.runtimes.get(record);
      try {
        await runtime?.applyLimits(record.cacheUsageLimits);
        if (runtime && change.users !== undefined) await runtime.applyUsers(change.users ?? undefined);
      } catch (error) {
        this.options.log(`${record.name}: modify failed: ${(error as Error).message}`);
      }
      if (!whileCreating && record.status === 'modifying') record.status = 'available';
      this.options.save();
    });
  }

  /** → deleting; the processes stop in the background and then the record disappears. */
  delete(record: ServerlessCacheRecord): void {
    record.status = 'deleting';
    this.options.save();
    this.enqueue(record, () => this.remove(record));
  }

  /** Requests the cache's endpoints throttled so far (0 when it runs no processes). */
  throttledCount(record: ServerlessCacheRecord): number {
    return this.runtimes.get(record)?.throttledCount ?? 0;
  }

  /** Stops every cache's processes (waiting for work in flight) and forgets the caches. */
  async close(): Promise<void> {
    this.closed = true;
    for (const record of this.records) record.status = 'deleting';
    await Promise.allSettled(this.records.map((record) => this.enqueue(record, () => this.remove(record))));
    await this.tasks.idle();
  }

  pids(): number[] {
    return [...this.runtimes.values()].flatMap((runtime) => runtime.pids());
  }

  private enqueue(record: ServerlessCacheRecord, work: () => Promise<void>): Promise<void> {
    return this.tasks.run(record, work);
  }

  private cacheDir(record: ServerlessCacheRecord): string {
    return join(this.options.dataDir, record.region, record.name);
  }

  private async startRuntime(
    record: ServerlessCacheRecord,
    start: { engineBinary: string; tls: TlsMaterial; users?: AclUser[] },
  ): Promise<void> {
    if (record.status !== 'creating') return; // deleted (or the server closed) before it started
    let runtime: ServerlessRuntime;
    try {
      runtime = await ServerlessRuntime.start({
        name: record.name,
        engineBinary: start.engineBinary,
        host: this.options.host,
        dataDir: this.cacheDir(record),
        tls: start.tls,
        users: start.users,
        limits: record.cacheUsageLimits,
        readyTimeoutMs: READY_TIMEOUT_MS,
        log: this.options.log,
        // A node replaced after a crash: `local status` / `local stop` must know its pid.
        onNodesChanged: () => this.refreshNodes(record),
      });
    } catch (error) {
      record.status = 'create-failed';
      record.failure = (error as Error).message;
      this.options.log(`${record.name}: create failed: ${record.failure}`);
      this.options.save();
      return;
    }
    this.runtimes.set(record, runtime);
    record.endpoint = runtime.endpoint;
    record.readerEndpoint = runtime.readerEndpoint;
    this.refreshNodes(record);
    if (record.status === 'creating' && !this.closed) {
      record.status = 'available';
      this.options.log(`${record.name}: available`);
    }
    this.options.save();
  }

  private refreshNodes(record: ServerlessCacheRecord): void {
    const runtime = this.runtimes.get(record);
    if (!runtime) return;
    record.nodes = runtime.nodes();
    record.pids = runtime.pids();
    this.options.save();
  }

  private async remove(record: ServerlessCacheRecord): Promise<void> {
    const runtime = this.runtimes.get(record);
    if (runtime) {
      await runtime.stop();
      this.runtimes.delete(record);
    }
    await rm(this.cacheDir(record), { recursive: true, force: true }).catch(() => undefined);
    const index = this.records.indexOf(record);
    if (index >= 0) this.records.splice(index, 1);
    this.options.log(`${record.name}: deleted`);
    this.options.save();
  }
}
