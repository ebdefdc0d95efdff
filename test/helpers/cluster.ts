/**
 * A real Redis Cluster for tests (redis-server --cluster-enabled processes formed by the
 * emulator's ClusterRuntime, no emulator HTTP): `shards` × (1 + `replicas`) nodes with AWS's
 * even slot split, node ids as AWS names them (cl-0001-001). stop() stops every process and
 * removes the data dir; call it in t.after.
 *
 *   const cluster = await startCluster(3, 1);
 *   t.after(() => cluster.stop());
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterRuntime, evenSlotRanges } from '../../src/local/cluster-runtime.js';
import { findEngineBinary } from '../../src/local/engine-binary.js';

export interface TestCluster {
  runtime: ClusterRuntime;
  /** The configuration endpoint (a proxy to any live node). */
  seed: { host: string; port: number };
  stop(): Promise<void>;
}

export async function startCluster(shards: number, replicas: number, groupId = 'cl'): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eck-cluster-'));
  let runtime: ClusterRuntime;
  try {
    runtime = await ClusterRuntime.start({
      groupId,
      shards: evenSlotRanges(shards).map((slots, index) => {
        const nodeGroupId = String(index + 1).padStart(4, '0');
        return {
          nodeGroupId,
          slots: [slots],
          memberIds: Array.from(
            { length: replicas + 1 },
            (_, member) => `${groupId}-${nodeGroupId}-${String(member + 1).padStart(3, '0')}`,
          ),
        };
      }),
      engineBinary: findEngineBinary('redis').path,
      host: '127.0.0.1',
      dataDir,
      readyTimeoutMs: 60_000,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    runtime,
    seed: { host: runtime.configurationEndpoint.address, port: runtime.configurationEndpoint.port },
    stop: () => (stopped ??= runtime.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}
