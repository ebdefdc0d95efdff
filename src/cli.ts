/**
 * The elasticache-kit program: global options, command registration, and the one place
 * that turns errors into a message on stderr and an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { addGlobalOptions } from './cli-globals.js';
import { CliError, ExitCode, messageOf } from './errors.js';
import { exitWhenDone } from './exit-when-done.js';
import { setProgramStreams } from './commands/lazy.js';
import type { OutputStreams } from './ui/output.js';
import { terminalColumns, writeTo } from './ui/process-stdio.js';
import { register as registerLocal } from './commands/local.js';
import { register as registerCreateCluster } from './commands/create-cluster.js';
import { register as registerWait } from './commands/wait.js';
import { register as registerList } from './commands/list.js';
import { register as registerFailover } from './commands/failover.js';
import { register as registerModify } from './commands/modify.js';
import { register as registerDeleteCluster } from './commands/delete-cluster.js';
import { register as registerEndpoints } from './commands/endpoints.js';
import { register as registerScale } from './commands/scale.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerDemo } from './commands/demo.js';

const EXAMPLES = `
Examples:
  $ elasticache-kit demo                                   # the whole walkthrough on the local emulator
  $ elasticache-kit --local create-cluster demo --replicas 2 --allow-from 10.0.0.0/16 --yes
  $ elasticache-kit --local endpoints demo --format appsettings-xml --out web.config
  $ elasticache-kit --local bench demo --test-time 10
  $ elasticache-kit --region eu-west-1 create-cluster orders-cache --node-type cache.t3.small
  $ eval "$(elasticache-kit endpoints orders-cache --format shell)"

Exit codes: 0 ok, 1 failure at run time, 2 usage or validation error (nothing changed),
3 not found, 4 timed out waiting, 130 interrupted.`;

export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** Every command, by name: buildProgram declares in full only those the command line names. */
const COMMANDS: [name: string, register: (program: Command, complete: boolean) => void][] = [
  ['create-cluster', registerCreateCluster],
  ['wait', registerWait],
  ['list', registerList],
  ['failover', registerFailover],
  ['modify', registerModify],
  ['delete-cluster', registerDeleteCluster],
  ['endpoints', registerEndpoints],
  ['scale', registerScale],
  ['bench', registerBench],
  ['local', registerLocal],
  ['demo', registerDemo],
];

/**
 * The program, writing to `streams` (the process's own by default; tests pass their own to
 * run the CLI in-process). Set before the commands are registered: they inherit it.
 * Given the command line it will parse (`argv`), it declares the options, help and action of
 * the commands named in it only, the others by name, summary and arguments (declaredOnly):
 * enough for the list of commands, for `help <command>` and for "did you mean".
 */
export function buildProgram(streams: OutputStreams = process, argv?: readonly string[]): Command {
  const program = new Command('elasticache-kit')
    .description('Create, discover, benchmark and emulate Amazon ElastiCache (Valkey / Redis OSS) replication groups.')
    .configureOutput({
      writeOut: (text) => writeTo(streams, 'stdout', text),
      writeErr: (text) => writeTo(streams, 'stderr', text),
      // Commander's own fallback when not a terminal: 80 columns.
      getOutHelpWidth: () => terminalColumns(streams, 'stdout') ?? 80,
      getErrHelpWidth: () => terminalColumns(streams, 'stderr') ?? 80,
      // The help has no styles to strip (and commander's check would create process.stdout).
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);
  setProgramStreams(program, streams);
  addGlobalOptions(program);
  const named = argv && new Set(argv.slice(2));
  for (const [name, register] of COMMANDS) {
    register(program, !named || named.has(name));
    if (program.commands.at(-1)?.name() !== name) throw new Error(`COMMANDS names ${name} for another command`);
  }
  exitOverrideEverywhere(program);
  return program;
}

/** Commander exits by itself on usage errors; we want exit code 2 and our own handling. */
function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideEverywhere(sub);
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
  exitWhenDone();
}

/** Parses and runs one command line; the exit code the process should end with. */
export async function run(argv: string[], streams: OutputStreams = process): Promise<number> {
  try {
    await buildProgram(streams, argv).parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, argv.includes('--debug'), (text) => writeTo(streams, 'stderr', text));
  }
}

function reportError(error: unknown, debug: boolean, writeErr: (text: string) => void): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; real usage errors were already printed.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const prefix = 'elasticache-kit: ';
  if (error instanceof CliError) {
    writeErr(prefix + error.message + '\n');
    if (debug && error.cause) writeErr(String((error.cause as Error).stack ?? error.cause) + '\n');
    return error.exitCode;
  }
  writeErr(prefix + 'unexpected error: ' + messageOf(error) + '\n');
  if (debug && error instanceof Error) writeErr((error.stack ?? '') + '\n');
  else writeErr('(run again with --debug for the stack trace)\n');
  return ExitCode.failure;
}
