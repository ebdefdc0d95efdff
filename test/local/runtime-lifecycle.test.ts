// GroupRuntime edges: a single-node group, a start that fails half way, and the
// 'exit' safety net that keeps node processes from outliving the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupRuntime } from '../../src/local/group-runtime.js';
import { findEngineBinary } from '../../src/local/engine-binary.js';
import { parseInfo, respCommand } from '../../src/local/resp.js';
import { portIsFree } from '../helpers/ports.js';

const HOST = '127.0.0.1';
const binary = findEngineBinary('redis');
const execFileAsync = promisify(execFile);

function processAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

function tempDir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a single-node group: the reader endpoint leads to the primary; failover is refused', async (t) => {
  const dataDir = tempDir(t, 'eck-single-');
  const runtime = await GroupRuntime.start({
    groupId: 'solo',
    nodeIds: ['solo-001'],
    engineBinary: binary.path,
    host: HOST,
    dataDir,
    replicationDelayMs: 0,
  });
  t.after(() => runtime.stop());
  assert.equal(await runtime.inSync(), true);
  const [node] = runtime.nodes();
  assert.equal(node!.role, 'primary');
  await respCommand({ host: HOST, port: runtime.primaryEndpoint.port }, 'SET', 'k', 'v');
  assert.equal(await respCommand({ host: HOST, port: runtime.readerEndpoint.port }, 'GET', 'k'), 'v');
  const info = parseInfo(
    String(await respCommand({ host: HOST, port: runtime.readerEndpoint.port }, 'INFO', 'server')),
  );
  assert.equal(Number(info.get('tcp_port')), node!.port);
  await assert.rejects(runtime.failover(), /no replica/);
});

test('a start that fails half way stops what it had started and rejects', async (t) => {
  const dir = tempDir(t, 'eck-broken-');
  // A server binary that works as a primary and refuses to run as a replica.
  const wrapper = join(dir, 'redis-server');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif grep -q '^replicaof' "$1"; then echo 'no replicas today' >&2; exit 1; fi\nexec ${binary.path} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const lines: string[] = [];
  await assert.rejects(
    GroupRuntime.start({
      groupId: 'broken',
      nodeIds: ['broken-001', 'broken-002'],
      engineBinary: wrapper,
      host: HOST,
      dataDir: join(dir, 'data'),
      replicationDelayMs: 0,
      log: (line) => lines.push(line),
    }),
    /exited at start: no replicas today/,
  );
  const started = lines.map((line) => /pid (\d+) on [\d.]+:(\d+)/.exec(line)).filter((match) => match !== null);
  const pids = started.map((match) => Number(match[1]));
  const ports = started.map((match) => Number(match[2]));
  assert.equal(pids.length, 2, lines.join('\n'));
  for (const pid of pids) assert.ok(!processAlive(pid), `pid ${pid} is gone`);
  for (const port of ports) assert.ok(await portIsFree(port), `port ${port} is free`);
});

test("the 'exit' safety net kills node processes when the emulator exits without stop()", async (t) => {
  const dataDir = tempDir(t, 'eck-exit-');
  const module = new URL('../../src/local/group-runtime.js', import.meta.url).href;
  const script = `
    const { GroupRuntime } = await import(${JSON.stringify(module)});
    const runtime = await GroupRuntime.start({ groupId: 'exit', nodeIds: ['exit-001', 'exit-002'],
      engineBinary: ${JSON.stringify(binary.path)}, host: '127.0.0.1', dataDir: ${JSON.stringify(dataDir)}, replicationDelayMs: 0 });
    process.stdout.write(JSON.stringify({ pids: runtime.pids(), ports: runtime.nodes().map((n) => n.port) }));
    process.exit(0);`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
  await assertNothingOutlives(t, stdout, 'its parent');
});

test('node processes die with the emulator even when it is SIGKILLed (Linux: setpriv --pdeathsig)', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const dataDir = tempDir(t, 'eck-kill9-');
  const module = new URL('../../src/local/group-runtime.js', import.meta.url).href;
  const script = `
    const { GroupRuntime } = await import(${JSON.stringify(module)});
    const runtime = await GroupRuntime.start({ groupId: 'k9', nodeIds: ['k9-001', 'k9-002'],
      engineBinary: ${JSON.stringify(binary.path)}, host: '127.0.0.1', dataDir: ${JSON.stringify(dataDir)}, replicationDelayMs: 0 });
    // writeSync: stdout to a pipe is asynchronous, and SIGKILL would not wait for it.
    (await import('node:fs')).writeSync(1, JSON.stringify({ pids: runtime.pids(), ports: runtime.nodes().map((n) => n.port) }));
    process.kill(process.pid, 'SIGKILL');`;
  const stdout = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (_error, out) =>
      resolve(out),
    );
  });
  await assertNothingOutlives(t, stdout, 'its SIGKILLed parent');
});

/**
 * The child printed its group's pids and ports, then died: none of them may outlive it.
 * The kernel closes a dead process's sockets a moment after it is gone: allow for that.
 */
async function assertNothingOutlives(
  t: { after(fn: () => void): void },
  report: string,
  parent: string,
): Promise<void> {
  const { pids, ports } = JSON.parse(report) as { pids: number[]; ports: number[] };
  t.after(() => {
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  assert.equal(pids.length, 2);
  const deadline = Date.now() + 3000;
  while (pids.some(processAlive) && Date.now() < deadline) await sleep(20);
  for (const pid of pids) assert.ok(!processAlive(pid), `pid ${pid} did not outlive ${parent}`);
  for (const port of ports) {
    const until = Date.now() + 3000;
    while (!(await portIsFree(port)) && Date.now() < until) await sleep(50);
    assert.ok(await portIsFree(port), `port ${port} is free`);
  }
}
