/**
 * `elasticache-kit demo`: the seed walkthrough end to end on the local emulator. Each
 * step is the command a user would type (see src/demo/child-cli.ts); this file decides
 * the order, cleans up on every path (failure, Ctrl-C), and sums the run up.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandContext } from './lazy.js';
import { ChildCli } from '../demo/child-cli.js';
import { DEMO_BENCH } from '../demo/defaults.js';
import { parseDemoOptions, type DemoFlags, type DemoOptions } from '../demo/options.js';
import { CliError, ExitCode, InterruptedError, UsageError } from '../errors.js';
import { localPort } from '../globals.js';
import { interrupted, onInterrupt } from '../interrupt.js';
import type { Topology } from '../topology.js';
import type { Output } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

/** The walkthrough's sizing: the seed used cache.t2.micro, where Multi-AZ must stay off. */
const WALKTHROUGH_NODE_TYPE = 'cache.t2.micro';
const WALKTHROUGH_REPLICAS = 2;
/** The emulator's default VPC: the security group opens the port to it, as the console would. */
const DEMO_ALLOW_FROM = '172.31.0.0/16';

export async function run(context: CommandContext<DemoFlags>): Promise<void> {
  const { globals, output } = context;
  const options = parseDemoOptions(context.options, process.cwd());
  if (globals.endpointUrl || globals.profile) {
    throw new UsageError(
      'demo always runs on the local emulator: drop --endpoint-url/--profile (create-cluster, endpoints and bench work against AWS)',
    );
  }
  const { startInBackground } = await import('../local/launcher.js');
  const { stopEmulator } = await import('../local/stopper.js');
  const { defaultStateDir } = await import('../local/state.js');
  const { REPLICATION_DELAY_TAG } = await import('../local/replication-groups.js');

  const globalArgs = [
    '--local',
    ...(globals.region ? ['--region', globals.region] : []),
    ...(globals.color ? [] : ['--no-color']),
  ];
  const cli = new ChildCli(output, globalArgs);
  const stateDir = defaultStateDir();
  const port = localPort();
  let emulatorStarted = false;
  // 'maybe' while create-cluster runs: an interrupted create leaves a group to delete.
  let group: 'none' | 'maybe' | 'created' = 'none';

  // One cleanup, however many paths ask for it (the failing step and the Ctrl-C handler).
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => (cleaning ??= removeWhatWeStarted());
  const removeWhatWeStarted = async () => {
    if (options.keep) return;
    if (group !== 'none') {
      // After a failed or interrupted create there may be nothing to delete: stay quiet then.
      const deleted = await cli.run(['delete-cluster', options.id, '--yes'], { quiet: group === 'maybe' });
      if (deleted.code === 0 || deleted.code === ExitCode.notFound) group = 'none';
    }
    if (emulatorStarted) {
      output.info(output.paintErr('cyan', '$ elasticache-kit local stop'));
      await stopEmulator(stateDir);
      emulatorStarted = false;
    }
  };
  const stopListening = onInterrupt(async () => {
    await cli.interrupt();
    output.info('interrupted: cleaning up what the demo started');
    await cleanUp();
  });

  try {
    heading(output, 1, 'the local emulator');
    const started = await startInBackground({ port, stateDir }).catch((error: Error) => {
      throw new CliError(`cannot start the local emulator: ${error.message}`);
    });
    emulatorStarted = !started.alreadyRunning;
    output.info(
      started.alreadyRunning ? `already running at ${started.url}` : `started at ${started.url} (state: ${stateDir})`,
    );

    heading(
      output,
      2,
      `a ${options.engine} replication group: 1 primary + ${WALKTHROUGH_REPLICAS} replicas, ${options.replicationDelayMs} ms replication delay`,
    );
    group = 'maybe';
    await step(cli, [
      'create-cluster',
      options.id,
      '--engine',
      options.engine,
      '--node-type',
      WALKTHROUGH_NODE_TYPE,
      '--replicas',
      String(WALKTHROUGH_REPLICAS),
      '--no-multi-az',
      '--allow-from',
      DEMO_ALLOW_FROM,
      '--tag',
      `${REPLICATION_DELAY_TAG}=${options.replicationDelayMs}`,
      '--yes',
    ]);
    group = 'created';

    heading(output, 3, `the endpoints, as the app's config, in ${options.dir}`);
    await mkdir(options.dir, { recursive: true });
    const files = { appConfig: join(options.dir, 'App.config'), dotenv: join(options.dir, '.env') };
    await step(cli, ['endpoints', options.id, '--format', 'appsettings-xml', '--out', files.appConfig]);
    await step(cli, ['endpoints', options.id, '--format', 'dotenv', '--out', files.dotenv]);
    output.info(await readFile(files.appConfig, 'utf8'));
    const topology = JSON.parse(
      (await step(cli, ['endpoints', options.id, '--format', 'json'], { capture: true, quiet: true })).stdout,
    ) as Topology;

    heading(output, 4, `${options.testTimeS} s of set/get traffic on the primary and each replica`);
    const benchFile = join(options.dir, 'bench.json');
    // A paced load (open loop, one load thread): a closed loop on a laptop measures the
    // laptop, pegging every core, and the lag it reports would be our own CPU queue. At a
    // fixed rate the latency and lag figures are the emulator's, and the machine stays usable.
    // create-cluster turned TLS on (its default): bench trusts the emulator's CA, as an app would.
    const { caCertPath } = await import('../local/tls-material.js');
    await step(cli, [
      'bench',
      options.id,
      '--tls',
      '--ca',
      caCertPath(stateDir),
      '--clients',
      String(DEMO_BENCH.clients),
      '--threads',
      '1',
      '--rate',
      String(DEMO_BENCH.rate),
      '--test-time',
      String(options.testTimeS),
      '--warmup',
      '1',
      '--json',
      benchFile,
    ]);
    const { interpretReport } = await import('../bench/report.js');
    const report = JSON.parse(await readFile(benchFile, 'utf8'));
    const sentence = interpretReport(report);

    heading(output, 5, options.keep ? 'kept running (--keep)' : 'cleaning up');
    await cleanUp();

    printSummary(output, { options, topology, files: { ...files, bench: benchFile }, report, sentence });
  } catch (error) {
    await cleanUp().catch(() => undefined);
    throw error;
  } finally {
    stopListening();
  }
}

async function step(cli: ChildCli, args: string[], options: { capture?: boolean; quiet?: boolean } = {}) {
  // After Ctrl-C the cleanup owns the emulator: start nothing new.
  if (interrupted()) throw new InterruptedError('demo interrupted');
  const result = await cli.run(args, options);
  if (result.code !== 0) {
    const code = result.code === ExitCode.interrupted ? ExitCode.interrupted : ExitCode.failure;
    throw new CliError(`demo step failed (exit ${result.code}): elasticache-kit ${args.join(' ')}`, code);
  }
  return result;
}

function heading(output: Output, number: number, text: string): void {
  output.info('');
  output.info(output.paintErr('bold', `[${number}/5] ${text}`));
}

interface Summary {
  options: DemoOptions;
  topology: Topology;
  files: { appConfig: string; dotenv: string; bench: string };
  report: {
    durationS: number;
    nodes: Array<{
      id: string;
      role: string;
      opsPerSec: number;
      hits: number;
      misses: number;
      errors: number;
      latencyMs: { p50: number; p99: number };
    }>;
    replication: Array<{
      node: string;
      lagMs: { p50: number; p99: number; max: number };
      staleReadRatio: number;
      probes: number;
    }>;
    client: { cpuPercent: number };
  };
  sentence: string;
}

function printSummary(output: Output, summary: Summary): void {
  const { options, topology, files, report, sentence } = summary;
  if (output.json) {
    output.printJson({
      replicationGroupId: options.id,
      kept: options.keep,
      replicationDelayMs: options.replicationDelayMs,
      topology,
      files,
      bench: report,
      interpretation: sentence,
    });
    return;
  }
  const nodes = renderTable(
    ['node', 'role', 'ops/s', 'p50 ms', 'p99 ms', 'hits', 'misses', 'errors'],
    report.nodes.map((n) => [
      n.id,
      n.role,
      Math.round(n.opsPerSec),
      n.latencyMs.p50,
      n.latencyMs.p99,
      n.hits,
      n.misses,
      n.errors,
    ]),
  );
  const lag = renderTable(
    ['replica', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'stale reads'],
    report.replication.map((r) => [
      r.node,
      r.lagMs.p50,
      r.lagMs.p99,
      r.lagMs.max,
      `${(r.staleReadRatio * 100).toFixed(1)}%`,
    ]),
  );
  const primary = topology.primaryEndpoint ?? topology.nodes.find((n) => n.role === 'primary');
  const lines = [
    '',
    output.paint(
      'bold',
      `Replication group ${options.id}: ${topology.engine} ${topology.engineVersion}, 1 primary + ${topology.nodes.length - 1} replicas, ${options.replicationDelayMs} ms simulated replication delay`,
    ),
    `Config: ${files.appConfig} (MasterNodes/SlaveNodes), ${files.dotenv}; bench report: ${files.bench}`,
    '',
    nodes,
    lag,
    output.paint('bold', capitalise(sentence) + '.'),
  ];
  if (options.keep && primary) {
    lines.push(
      '',
      'Still running (--keep). Connect with:',
      `  redis-cli -h ${primary.address} -p ${primary.port}            # the primary endpoint`,
      ...(topology.readerEndpoint
        ? [
            `  redis-cli -h ${topology.readerEndpoint.address} -p ${topology.readerEndpoint.port}            # the reader endpoint`,
          ]
        : []),
      'Clean up with:',
      `  elasticache-kit --local delete-cluster ${options.id} --yes && elasticache-kit local stop`,
    );
  }
  output.result(lines.join('\n'));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.$/, '');
}
