/** The global options, declared once on the program and read from any subcommand. */
import { Option, type Command } from 'commander';
import { OUTPUT_FORMATS, type GlobalOptions, type OutputFormat } from './globals.js';

export function addGlobalOptions(program: Command): void {
  program
    .option('--region <region>', 'AWS region (default: AWS_REGION, then the profile)')
    .option('--profile <name>', 'named profile from ~/.aws/config and ~/.aws/credentials')
    .option('--endpoint-url <url>', 'send AWS API calls to this URL instead of AWS')
    .option(
      '--local',
      'use the local emulator (http://127.0.0.1:$ELASTICACHE_KIT_LOCAL_PORT, default 4566), starting it when needed',
    )
    .addOption(
      new Option('--output <format>', 'result format on stdout').choices(OUTPUT_FORMATS as string[]).default('table'),
    )
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--debug', 'log API calls and internals to stderr');
}

export function readGlobals(command: Command): GlobalOptions {
  const all = command.optsWithGlobals();
  return {
    region: all.region as string | undefined,
    profile: all.profile as string | undefined,
    endpointUrl: all.endpointUrl as string | undefined,
    local: Boolean(all.local),
    output: (all.output ?? 'table') as OutputFormat,
    color: all.color !== false,
    debug: Boolean(all.debug),
  };
}
