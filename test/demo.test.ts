/**
 * `elasticache-kit demo` as a newcomer runs it, without a TTY: it must succeed, write
 * config files an app can read, report bench figures, and leave nothing running.
 * The runs share nothing (each its own folder, state dir and port): they run side by side.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { runCli, spawnCli } from './helpers/cli.js';
import { DEMO_BENCH } from '../src/demo/defaults.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { freePort } from './helpers/ports.js';
import { stopEmulator } from '../src/local/stopper.js';

/** Processes whose working directory or command line mentions the folder (the emulator and its nodes). */
async function processesUsing(folder: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = await readlink(`/proc/${entry}/cwd`);
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cwd.startsWith(folder) || cmdline.includes(folder)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

describe('demo', { concurrency: true }, () => {
  test('demo without a TTY: exit 0, config files parse, bench figures, nothing left running', async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'eck-demo-'));
    const stateDir = join(work, 'state');
    t.after(async () => {
      // Whatever happened, stop what the demo may have left (as `local stop` does) and remove the folder.
      await stopEmulator(stateDir).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    });
    const port = await freePort();
    const result = await runCli(['demo', '--test-time', '1', '--dir', 'out'], {
      cwd: work,
      env: { ELASTICACHE_KIT_LOCAL_PORT: String(port), ELASTICACHE_KIT_STATE_DIR: stateDir, AWS_REGION: 'us-east-1' },
      timeoutMs: 120_000,
    });
    assert.equal(result.code, 0, result.stderr);

    // The walkthrough's appSettings block, read by a real XML parser.
    const xml = new XMLParser({ ignoreAttributes: false }).parse(
      await readFile(join(work, 'out', 'App.config'), 'utf8'),
    );
    const adds = [xml.configuration.appSettings.add].flat() as Array<Record<string, string>>;
    const setting = (key: string) => adds.find((a) => a['@_key'] === key)?.['@_value'];
    // TLS is on (create-cluster's default): ServiceStack.Redis wants ?ssl=true on each host:port.
    assert.match(setting('MasterNodes') ?? '', /^127\.0\.0\.1:\d+\?ssl=true$/);
    assert.match(setting('SlaveNodes') ?? '', /^127\.0\.0\.1:\d+\?ssl=true$/);
    const env = parseEnv(await readFile(join(work, 'out', '.env'), 'utf8'));
    assert.equal(`${env.ELASTICACHE_PRIMARY}?ssl=true`, setting('MasterNodes'));
    assert.equal(env.ELASTICACHE_TLS, 'true');

    // Bench figures: every node did work, every replica has lag samples.
    const report = JSON.parse(await readFile(join(work, 'out', 'bench.json'), 'utf8'));
    assert.equal(report.nodes.length, 3);
    for (const node of report.nodes) assert.ok(node.ops > 0, `${node.id} did work`);
    // Paced, so the figures are the group's and not the machine's CPU queue.
    assert.equal(report.config.rate, DEMO_BENCH.rate);
    assert.equal(report.replication.length, 2);
    for (const replica of report.replication) assert.ok(replica.probes > 0, `${replica.node} was probed`);
    assert.equal(report.cleanup.keysLeft, 0);

    // The summary on stdout: the tables and the sentence that interprets them.
    assert.match(result.stdout, /demo-001\s+primary/);
    assert.match(result.stdout, /stale/i);

    // Nothing left: the emulator and its nodes are gone.
    assert.deepEqual(await processesUsing(stateDir), []);
    const probe = await fetch(`http://127.0.0.1:${port}/`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(probe, 'refused');
  });

  test('demo: bad flags exit 2 naming the flag, and start nothing', async () => {
    const rows = [
      [['--test-time', '0'], '--test-time'],
      [['--replication-delay-ms', 'soon'], '--replication-delay-ms'],
      [['--engine', 'memcached'], '--engine'],
      [['--id', '9lives'], '--id'],
    ] as const;
    const env = { ELASTICACHE_KIT_LOCAL_PORT: '1' };
    for (const [args, flag] of rows) {
      const result = await runCliInProcess(['demo', ...args], { env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.ok(result.stderr.includes(flag), result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    }
    // The real binary answers a row exactly as the in-process program does.
    const args = ['demo', ...rows[0][0]];
    const [child, inProcess] = [await runCli(args, { env }), await runCliInProcess(args, { env })];
    assert.equal(child.code, 2, child.stderr);
    assert.deepEqual([inProcess.code, inProcess.stdout, inProcess.stderr], [child.code, child.stdout, child.stderr]);
  });

  test('demo: Ctrl-C during the bench deletes the group, stops the emulator it started, exits 130', async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'eck-demo-int-'));
    const stateDir = join(work, 'state');
    t.after(async () => {
      await stopEmulator(stateDir).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    });
    const port = await freePort();
    const demo = spawnCli(['demo', '--test-time', '30', '--dir', 'out'], {
      cwd: work,
      env: { ELASTICACHE_KIT_LOCAL_PORT: String(port), ELASTICACHE_KIT_STATE_DIR: stateDir, AWS_REGION: 'us-east-1' },
      after: (fn) => t.after(fn),
    });
    // The load runs from the warmup on: Ctrl-C then, not a second later in the measurement.
    assert.ok(
      await demo.stderrMatches(/bench (warmup|measure)/),
      `the demo was still running when interrupted:\n${demo.stderr()}`,
    );
    demo.child.kill('SIGINT'); // as `kill -INT`: only the demo gets it, and it must pass it on

    assert.equal(await demo.exited, 130, demo.stderr());
    assert.match(demo.stderr(), /interrupted: cleaning up/);
    assert.match(demo.stderr(), /delete-cluster demo --yes/);
    assert.deepEqual(await processesUsing(stateDir), []);
    const probe = await fetch(`http://127.0.0.1:${port}/`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(probe, 'refused');
  });
});
