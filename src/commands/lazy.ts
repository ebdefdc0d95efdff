/**
 * Commands are declared up front (so --help lists them; their flags when the command line
 * names them, see buildProgram) but their code, with the AWS SDK, ioredis, inquirer and ora
 * behind it, is imported only when run.
 */
import { type Command, Option } from 'commander';
import { readGlobals } from '../cli-globals.js';
import { Output, type OutputStreams } from '../ui/output.js';
import { exitQuietlyWhenStdoutCloses } from '../ui/process-stdio.js';
import type { GlobalOptions } from '../globals.js';

export interface CommandContext<Options = Record<string, unknown>> {
  /** Positional arguments, in declaration order (variadic ones as arrays). */
  args: unknown[];
  options: Options;
  globals: GlobalOptions;
  output: Output;
  command: Command;
}

export interface CommandModule {
  // biome-ignore lint/suspicious/noExplicitAny: each command module types its own options
  run(context: CommandContext<any>): Promise<void>;
}

/** The streams a program writes to, when not the process's own (see buildProgram). */
const programStreams = new WeakMap<Command, OutputStreams>();

export function setProgramStreams(program: Command, streams: OutputStreams): void {
  programStreams.set(program, streams);
}

function streamsOf(command: Command): OutputStreams {
  let root = command;
  while (root.parent) root = root.parent;
  return programStreams.get(root) ?? process;
}

/**
 * Ends the declaration of a command that this run will not parse (buildProgram completes only
 * the commands its command line names): its name, summary and arguments are there for the
 * program's `--help`, its options, help text and action are not. Why: declaring every option
 * of every command was 6 ms of a 50 ms `--help`. A hidden option keeps "[options]" after the
 * name in the list of commands.
 */
export function declaredOnly(command: Command, { options = true } = {}): void {
  if (options) command.addOption(new Option('--options').hideHelp());
}

export function lazyAction(load: () => Promise<CommandModule>) {
  return async (...actionArgs: unknown[]): Promise<void> => {
    const command = actionArgs[actionArgs.length - 1] as Command;
    const args = actionArgs.slice(0, -2);
    const globals = readGlobals(command);
    const streams = streamsOf(command);
    if (streams === process) exitQuietlyWhenStdoutCloses();
    const output = new Output(globals, streams);
    const module = await load();
    await module.run({ args, options: command.opts(), globals, output, command });
  };
}
