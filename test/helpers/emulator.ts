/**
 * The local emulator for tests: started in the test process on a free port with a temp
 * state dir, real SDK clients pointed at it, and `env` for child CLIs. Call close() in
 * t.after: it stops the server and every redis-server it started, and removes the dir.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateReplicationGroupCommand,
  ElastiCacheClient,
  type CreateReplicationGroupCommandInput,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsContext } from '../../src/aws/clients.js';
import { waitForReplicationGroup } from '../../src/aws/wait.js';
import { startEmulator } from '../../src/local/server.js';
import { ensureTlsMaterial, tlsDir } from '../../src/local/tls-material.js';
import { ec2Sdk } from './ec2.js';

export interface TestEmulator {
  url: string;
  port: number;
  stateDir: string;
  /** Environment for child CLIs: dummy credentials, us-east-1, the endpoint, the port and state dir. */
  env: NodeJS.ProcessEnv;
  elasticache: ElastiCacheClient;
  /** Made at first use (see helpers/ec2.ts). */
  readonly ec2: EC2Client;
  close(): Promise<void>;
}

export const TEST_REGION = 'us-east-1';

/**
 * State dirs of emulators not closed yet. A test that forgets close() (or a process that
 * exits mid-test) still leaves no temp dir; its nodes die with the process (redis-node's
 * own safety net).
 */
const openStateDirs = new Set<string>();
let exitHookInstalled = false;
function removeOnExit(stateDir: string): void {
  openStateDirs.add(stateDir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of openStateDirs) rmSync(dir, { recursive: true, force: true });
  });
}
const TEST_CREDENTIALS = { accessKeyId: 'AKIATESTEMULATOR0000', secretAccessKey: 'test-secret' };

/**
 * TLS material made once per test process and copied into each test emulator's state dir:
 * making it runs openssl five times, synchronously, in the process that also serves the
 * emulator, and a suite starts a hundred emulators. The emulator finds it there and keeps it,
 * as it keeps its own from an earlier start (src/local/tls-material.ts, which makes it anew
 * in the tests of `local` and of the material itself).
 */
let tlsTemplate: string | undefined;
export function copyTlsMaterial(stateDir: string): void {
  if (tlsTemplate === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'eck-tls-template-'));
    removeOnExit(dir);
    ensureTlsMaterial(dir, '127.0.0.1');
    tlsTemplate = tlsDir(dir);
  }
  cpSync(tlsTemplate, tlsDir(stateDir), { recursive: true });
}

export async function startTestEmulator(
  options: { replicationDelayMs?: number; lifecycleMs?: number; instances?: number; log?: (line: string) => void } = {},
): Promise<TestEmulator> {
  const stateDir = await mkdtemp(join(tmpdir(), 'eck-emulator-'));
  let emulator;
  try {
    copyTlsMaterial(stateDir);
    emulator = await startEmulator({
      host: '127.0.0.1',
      port: 0,
      stateDir,
      replicationDelayMs: options.replicationDelayMs ?? 0,
      lifecycleMs: options.lifecycleMs ?? 0,
      ...(options.instances !== undefined ? { instances: options.instances } : {}),
      log:
        options.log ?? (process.env.EMULATOR_LOG ? (line) => process.stderr.write(`[emulator] ${line}\n`) : undefined),
    });
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  removeOnExit(stateDir);
  const clientConfig = {
    region: TEST_REGION,
    endpoint: emulator.url,
    credentials: TEST_CREDENTIALS,
    // Errors are what tests look at: no retries hiding them or slowing the suite.
    maxAttempts: 1,
  };
  // As the CLI does (src/aws/clients.ts): the SDK's Node-version notice is noise in test logs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const elasticache = new ElastiCacheClient(clientConfig);
  let ec2: EC2Client | undefined;
  const env: NodeJS.ProcessEnv = {
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_ENDPOINT_URL: emulator.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    ELASTICACHE_KIT_LOCAL_PORT: String(emulator.port),
    ELASTICACHE_KIT_STATE_DIR: stateDir,
  };
  let closing: Promise<void> | undefined;
  return {
    url: emulator.url,
    port: emulator.port,
    stateDir,
    env,
    elasticache,
    get ec2() {
      // Made at first use: most files that start an emulator never call EC2 (helpers/ec2.ts).
      ec2 ??= new (ec2Sdk().EC2Client)(clientConfig);
      return ec2;
    },
    close: () =>
      (closing ??= (async () => {
        elasticache.destroy();
        ec2?.destroy();
        try {
          await emulator.close();
        } finally {
          await rm(stateDir, { recursive: true, force: true });
          openStateDirs.delete(stateDir);
        }
      })()),
  };
}

/** The AwsContext the CLI's cores take, on the emulator's clients. */
export function awsContextOf(emulator: TestEmulator): AwsContext {
  return {
    elasticache: emulator.elasticache,
    // Read through, so a core that never calls EC2 (the waiter below) does not load it.
    get ec2() {
      return emulator.ec2;
    },
    region: TEST_REGION,
    endpointUrl: emulator.url,
    local: true,
  };
}

/**
 * Creates a replication group through the SDK (a description and one node unless the
 * input says otherwise; TLS with `TransitEncryptionEnabled: true`) and resolves with
 * Describe's answer once it is available. Polled every 50 ms: the SDK's waiter waits at
 * least a second between looks, most of it after the group is ready. (Tests of the SDK
 * waiter itself call it directly.)
 */
export async function createAvailableGroup(
  emulator: TestEmulator,
  input: Partial<CreateReplicationGroupCommandInput> & { ReplicationGroupId: string },
): Promise<ReplicationGroup> {
  const id = input.ReplicationGroupId;
  await emulator.elasticache.send(
    new CreateReplicationGroupCommand({ ReplicationGroupDescription: 'test', NumCacheClusters: 1, ...input }),
  );
  return waitUntilAvailable(emulator, id);
}

/**
 * A cluster-mode-enabled group of `shards` node groups with `replicas` each (the cluster.on
 * parameter group, as create-cluster --shards asks for it), available.
 */
export function createAvailableClusterGroup(
  emulator: TestEmulator,
  id: string,
  layout: { shards: number; replicas: number },
  input: Partial<CreateReplicationGroupCommandInput> = {},
): Promise<ReplicationGroup> {
  return createAvailableGroup(emulator, {
    ReplicationGroupId: id,
    NumCacheClusters: undefined,
    CacheParameterGroupName: 'default.redis7.cluster.on',
    NumNodeGroups: layout.shards,
    ReplicasPerNodeGroup: layout.replicas,
    AutomaticFailoverEnabled: true,
    ...input,
  });
}

/** Resolves with Describe's answer once the group is available, looking every 50 ms. */
export async function waitUntilAvailable(emulator: TestEmulator, id: string): Promise<ReplicationGroup> {
  const group = await waitForReplicationGroup(awsContextOf(emulator), id, {
    until: 'available',
    timeoutMs: 90_000,
    pollMs: 50,
  });
  if (!group) throw new Error(`${id}: Describe does not return it`);
  return group;
}
