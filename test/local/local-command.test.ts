/**
 * `elasticache-kit local start|status|stop` through the built CLI, as a user runs them:
 * a background server, groups with real nodes, and nothing left running afterwards,
 * also when the server was killed hard. Each command (start in the background, status,
 * ca, stop, a bad flag) runs the real binary once; the other runs go through the same
 * commander program in-process (helpers/cli-in-process.ts). Every test has a state dir and
 * port of its own: they run side by side.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ElastiCacheClient,
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
} from '@aws-sdk/client-elasticache';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { freePort, portIsFree } from '../helpers/ports.js';
import { spawn } from 'node:child_process';
import { readState, groupPids, processAlive, emptyState, writeState, type GroupRecord } from '../../src/local/state.js';
import { stopEmulator } from '../../src/local/stopper.js';
import { parseInfo, respCommand } from '../../src/local/resp.js';
import { ensureEmulator, probe } from '../../src/local/launcher.js';
import { ec2Sdk } from '../helpers/ec2.js';

const { DescribeInstancesCommand, EC2Client } = ec2Sdk();

async function sandbox(t: { after(fn: () => Promise<void>): void }) {
  const stateDir = await mkdtemp(join(tmpdir(), 'eck-local-'));
  const port = await freePort();
  const env = { ELASTICACHE_KIT_STATE_DIR: stateDir, ELASTICACHE_KIT_LOCAL_PORT: String(port) };
  t.after(async () => {
    // Whatever happened in the test: nothing of it keeps running.
    await stopEmulator(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  });
  return { stateDir, port, env, url: `http://127.0.0.1:${port}` };
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A detached redis-server (its own session, so no test process group owns it) on a free
 * port, once it answers there as itself. freePort() only says the port was free a moment
 * ago: the suite's other files start servers and open connections all the while, so a
 * server that lost its port is replaced, and the answer must carry this pid, not merely
 * come from whatever now listens there.
 */
async function startUnownedRedis(t: { after(fn: () => void): void }): Promise<{ pid: number; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { detached: true, stdio: 'ignore' },
    );
    server.unref();
    const pid = server.pid!;
    t.after(() => {
      if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    const deadline = Date.now() + 10_000;
    while (server.exitCode === null && server.signalCode === null && Date.now() < deadline) {
      if ((await redisProcessId(port)) === pid) return { pid, port };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    if (attempt === 3) throw new Error(`redis-server did not come up on a free port in ${attempt} attempts`);
  }
}

/** The process_id a Redis server on the port reports in INFO, or undefined when none answers. */
async function redisProcessId(port: number): Promise<number | undefined> {
  try {
    const info = parseInfo(String(await respCommand({ host: '127.0.0.1', port, timeoutMs: 1000 }, 'INFO', 'server')));
    return Number(info.get('process_id'));
  } catch {
    return undefined;
  }
}

function client(url: string): ElastiCacheClient {
  return new ElastiCacheClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
}

async function createGroup(url: string, id: string): Promise<void> {
  const elasticache = client(url);
  try {
    await elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: id,
        ReplicationGroupDescription: 'cli test',
        NumCacheClusters: 2,
      }),
    );
    // Looked at every 50 ms: the SDK's waiter waits at least a second between looks.
    await eventually(
      async () =>
        (await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id })))
          .ReplicationGroups?.[0]?.Status === 'available',
      30_000,
    );
  } finally {
    elasticache.destroy();
  }
}

describe('local start|status|stop|ca', { concurrency: true }, () => {
  test('local start (background) → status → stop leaves no process', async (t) => {
    const box = await sandbox(t);
    const started = await runCli(['local', 'start', '--instances', '2'], { env: box.env });
    assert.equal(started.code, 0, started.stderr);
    assert.ok(started.stdout.includes(box.url), started.stdout);
    // --instances reaches the background server: two bastions for bench --workers.
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint: box.url,
      credentials: { accessKeyId: 'AKIATESTEMULATOR0000', secretAccessKey: 'x' },
    });
    const bastions = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Role', Values: ['bastion'] }] }),
    );
    ec2.destroy();
    assert.equal(bastions.Reservations?.length, 2);
    assert.ok(started.stdout.includes(`export AWS_ENDPOINT_URL=${box.url}`));

    const again = await runCliInProcess(['local', 'start'], { env: box.env });
    assert.equal(again.code, 0);
    assert.match(again.stderr, /already running/);

    await createGroup(box.url, 'cli-demo');
    const status = await runCli(['--output', 'json', 'local', 'status'], { env: box.env });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.equal(report.running, true);
    assert.equal(report.url, box.url);
    assert.equal(report.groups.length, 1);
    assert.equal(report.groups[0].status, 'available');
    const nodePorts: number[] = report.groups[0].nodes.map((node: { port: number }) => node.port);
    assert.equal(nodePorts.length, 2);
    const table = await runCliInProcess(['local', 'status'], { env: box.env });
    assert.match(table.stdout, /cli-demo\s+us-east-1\s+available/);
    assert.match(table.stdout, /CA certificate\s+\(none yet/, 'no TLS group yet: no CA');

    const ca = await runCli(['local', 'ca'], { env: box.env });
    assert.equal(ca.code, 0, ca.stderr);
    assert.equal(ca.stdout.trim(), join(box.stateDir, 'tls', 'ca.crt'));
    assert.match(readFileSync(ca.stdout.trim(), 'utf8'), /BEGIN CERTIFICATE/);
    assert.equal(statSync(join(box.stateDir, 'tls', 'ca.key')).mode & 0o777, 0o600);
    const withCa = JSON.parse(
      (await runCliInProcess(['--output', 'json', 'local', 'status'], { env: box.env })).stdout,
    );
    assert.equal(withCa.caCertificate, ca.stdout.trim(), 'status names the CA');

    const pids = [report.pid as number, ...groupPids(readState(box.stateDir))];
    assert.equal(pids.length, 3);
    const stopped = await runCli(['local', 'stop'], { env: box.env });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /Stopped the emulator/);
    for (const pid of pids) assert.equal(processAlive(pid), false, `pid ${pid} is gone`);
    for (const port of [box.port, ...nodePorts]) assert.equal(await portIsFree(port), true, `port ${port} is free`);
    const after = await runCliInProcess(['local', 'status'], { env: box.env });
    assert.match(after.stdout, /not running/);
  });

  test('a server killed hard takes its nodes along; stop and status cope', async (t) => {
    const box = await sandbox(t);
    assert.equal((await runCliInProcess(['local', 'start'], { env: box.env })).code, 0);
    await createGroup(box.url, 'killed');
    const state = readState(box.stateDir);
    const nodePids = groupPids(state);
    assert.equal(nodePids.length, 2);
    process.kill(state.server!.pid, 'SIGKILL');
    await eventually(() => !processAlive(state.server!.pid));

    const status = JSON.parse(
      (await runCliInProcess(['--output', 'json', 'local', 'status'], { env: box.env })).stdout,
    );
    assert.equal(status.running, false);
    const stopped = JSON.parse((await runCliInProcess(['--output', 'json', 'local', 'stop'], { env: box.env })).stdout);
    assert.equal(stopped.wasRunning, false);
    await eventually(() => nodePids.every((pid) => !processAlive(pid)));
    assert.equal(readState(box.stateDir).groups.length, 0, 'the state is cleared');
  });

  test('orphaned nodes of a dead server (no parent-death signal, e.g. macOS): status lists them, start and stop kill them', async (t) => {
    const box = await sandbox(t);
    const orphanage = async () => {
      // A real redis-server nobody owns, recorded in the state file of a server that is gone.
      const orphan = await startUnownedRedis(t);
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => dead.once('exit', resolve));
      const state = emptyState();
      state.server = {
        pid: dead.pid!,
        host: '127.0.0.1',
        port: box.port,
        url: box.url,
        startedAt: new Date().toISOString(),
      };
      state.groups = [
        {
          id: 'orphan',
          region: 'us-east-1',
          status: 'available',
          nodes: [
            {
              nodeId: 'orphan-001',
              role: 'primary',
              availabilityZone: 'us-east-1a',
              port: orphan.port,
              pid: orphan.pid,
            },
          ],
          pids: [orphan.pid],
        } as GroupRecord,
      ];
      writeState(box.stateDir, state);
      return orphan.pid;
    };

    const first = await orphanage();
    const status = JSON.parse(
      (await runCliInProcess(['--output', 'json', 'local', 'status'], { env: box.env })).stdout,
    );
    assert.equal(status.running, false);
    assert.deepEqual(status.orphanPids, [first]);
    const stopped = JSON.parse((await runCliInProcess(['--output', 'json', 'local', 'stop'], { env: box.env })).stdout);
    assert.deepEqual(stopped.killedOrphans, [first]);
    await eventually(() => !processAlive(first));

    const second = await orphanage();
    assert.equal((await runCliInProcess(['local', 'start'], { env: box.env })).code, 0);
    await eventually(() => !processAlive(second));
    assert.equal((await runCliInProcess(['local', 'stop'], { env: box.env })).code, 0);
  });

  test('bad flags exit 2 naming the flag; a missing engine exits 1 with the install hint; nothing starts', async (t) => {
    const box = await sandbox(t);
    const cases: Array<[string[], RegExp]> = [
      [['local', 'start', '--port', '70000'], /--port must be an integer 1-65535 \(got 70000\)/],
      [['local', 'start', '--port', 'abc'], /--port/],
      [['local', 'start', '--replication-delay-ms', '-5'], /--replication-delay-ms/],
      [['local', 'start', '--instances', '21'], /--instances must be/],
      [['local', 'start', '--no-such-flag'], /--no-such-flag/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliInProcess(args, { env: box.env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    // One row through the real binary too.
    const row = cases.find(([args]) => args.includes('70000'));
    assert.ok(row);
    const child = await runCli(row[0], { env: box.env });
    assert.equal(child.code, 2, child.stderr);
    assert.match(child.stderr, row[1]);
    const missing = await runCliInProcess(['local', 'start', '--redis-server', join(box.stateDir, 'no-redis-server')], {
      env: box.env,
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /apt-get install -y redis-server/);
    assert.equal(missing.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(await probe(box.url), 'none', 'no server was started');
  });

  test('ensureEmulator (used by --local) starts one when none answers, and reuses it', async (t) => {
    const box = await sandbox(t);
    await ensureEmulator({ port: box.port, stateDir: box.stateDir });
    assert.equal(await probe(box.url), 'emulator');
    const pid = readState(box.stateDir).server!.pid;
    await ensureEmulator({ port: box.port, stateDir: box.stateDir });
    assert.equal(readState(box.stateDir).server!.pid, pid, 'the running one is reused');
    const result = await stopEmulator(box.stateDir);
    assert.equal(result.wasRunning, true);
    assert.equal(processAlive(pid), false);
  });

  test('ensureEmulator: a port taken by another program is a clear error, and nothing is started', async (t) => {
    const box = await sandbox(t);
    const { createServer } = await import('node:http');
    const other = createServer((_request, response) => response.end('not the emulator'));
    await new Promise<void>((resolve) => other.listen(box.port, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await assert.rejects(
      ensureEmulator({ port: box.port, stateDir: box.stateDir }),
      (error: Error & { exitCode?: number }) => {
        assert.match(error.message, new RegExp(`^--local: port ${box.port} on 127.0.0.1 is used by another program`));
        assert.equal(error.exitCode, 1);
        return true;
      },
    );
    assert.equal(readState(box.stateDir).server, undefined);
  });
});
