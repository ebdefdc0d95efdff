/**
 * One definition per flag (src/flags.ts): a bad number or choice is rejected by the
 * option's own argParser while commander parses (exit 2, one line naming the flag and
 * what it accepts, before any command code runs), and the command's --help shows the
 * same range or choices, because both come from the same Option.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { UsageError } from '../src/errors.js';
import { choiceOption, integerOption, numberOption, parseChoice, parseInteger, parseNumber } from '../src/flags.js';

const ENV = { AWS_ACCESS_KEY_ID: '', AWS_REGION: '' };

interface Row {
  /** The command path (no id: the argParser rejects the value before arguments are checked). */
  command: string[];
  flag: string;
  bad: string;
  /** What the message says the flag accepts, and the help must say too. */
  accepts: RegExp;
  /** A hidden flag: not in --help. */
  hidden?: boolean;
}

const integer = (min: number, max: number) => new RegExp(`must be an integer (${min}-${max}) \\(got `);
const number = (min: number, max: number) => new RegExp(`must be a number (${min}-${max}) \\(got `);
const choice = (...choices: string[]) => new RegExp(`must be one of (${choices.join(', ')}) \\(got `);

const minutes = () => /must be minutes, (more than 0 and at most 1440) \(got /;

const ROWS: Row[] = [
  ...['create-cluster', 'wait', 'failover', 'modify', 'scale', 'delete-cluster', 'endpoints'].map(
    (command): Row => ({ command: [command], flag: '--wait-timeout', bad: '0', accepts: minutes() }),
  ),
  {
    command: ['endpoints'],
    flag: '--format',
    bad: 'yaml',
    accepts: choice('json', 'appsettings-xml', 'appsettings-json', 'dotenv', 'shell', 'github', 'url', 'stackexchange'),
  },
  { command: ['endpoints'], flag: '--use', bad: 'primary', accepts: choice('endpoints', 'nodes') },
  { command: ['bench'], flag: '--clients', bad: 'abc', accepts: integer(1, 1000) },
  { command: ['bench'], flag: '--clients', bad: '0', accepts: integer(1, 1000) },
  { command: ['bench'], flag: '--threads', bad: '257', accepts: integer(1, 256) },
  { command: ['bench'], flag: '--pipeline', bad: '1001', accepts: integer(1, 1000) },
  { command: ['bench'], flag: '--data-size', bad: '1048577', accepts: integer(1, 1048576) },
  { command: ['bench'], flag: '--key-maximum', bad: '2.5', accepts: integer(1, 10000000) },
  { command: ['bench'], flag: '--key-pattern', bad: 'Z', accepts: choice('R', 'G', 'S') },
  { command: ['bench'], flag: '--read-from', bad: 'leader', accepts: choice('primary', 'replicas', 'all') },
  { command: ['bench'], flag: '--test-time', bad: '0.05', accepts: number(0.1, 86400) },
  { command: ['bench'], flag: '--requests', bad: '0', accepts: integer(1, 1000000000000) },
  { command: ['bench'], flag: '--rate', bad: '-5', accepts: integer(0, 10000000) },
  { command: ['bench'], flag: '--warmup', bad: 'soon', accepts: number(0, 3600) },
  { command: ['bench'], flag: '--lag-probes', bad: '1001', accepts: integer(0, 1000) },
  { command: ['bench'], flag: '--key-ttl', bad: '9', accepts: integer(10, 604800) },
  { command: ['bench'], flag: '--request-timeout', bad: '99', accepts: integer(100, 600000) },
  { command: ['bench'], flag: '--start-in', bad: '3601', accepts: integer(1, 3600) },
  { command: ['bench'], flag: '--worker-timeout', bad: '9', accepts: integer(10, 86400) },
  { command: ['bench'], flag: '--start-at', bad: 'now', accepts: integer(1, 100000000000000), hidden: true },
  { command: ['local', 'start'], flag: '--port', bad: '70000', accepts: integer(1, 65535) },
  { command: ['local', 'start'], flag: '--replication-delay-ms', bad: '60001', accepts: integer(0, 60000) },
  { command: ['local', 'start'], flag: '--lifecycle-ms', bad: '-1', accepts: integer(0, 3600000) },
  { command: ['local', 'start'], flag: '--instances', bad: '21', accepts: integer(0, 20) },
  { command: ['demo'], flag: '--replication-delay-ms', bad: 'x', accepts: integer(0, 60000) },
  { command: ['demo'], flag: '--test-time', bad: '601', accepts: integer(1, 600) },
  { command: ['demo'], flag: '--engine', bad: 'memcached', accepts: choice('redis', 'valkey') },
  { command: ['create-cluster'], flag: '--engine', bad: 'memcached', accepts: choice('redis', 'valkey') },
  { command: ['create-cluster'], flag: '--replicas', bad: '6', accepts: integer(0, 5) },
  { command: ['create-cluster'], flag: '--shards', bad: '0', accepts: integer(1, 500) },
  {
    command: ['create-cluster'],
    flag: '--cluster-mode',
    bad: 'on',
    accepts: choice('enabled', 'disabled', 'compatible'),
  },
  { command: ['create-cluster'], flag: '--port', bad: '80', accepts: integer(1024, 65535) },
  { command: ['create-cluster'], flag: '--max-data-storage', bad: '0', accepts: integer(1, 5000) },
  { command: ['create-cluster'], flag: '--min-data-storage', bad: '5001', accepts: integer(1, 5000) },
  { command: ['create-cluster'], flag: '--max-ecpu-per-second', bad: '999', accepts: integer(1000, 15000000) },
  { command: ['create-cluster'], flag: '--min-ecpu-per-second', bad: 'x', accepts: integer(1000, 15000000) },
  { command: ['scale'], flag: '--replicas', bad: '6', accepts: integer(0, 5) },
  { command: ['scale'], flag: '--shards', bad: '501', accepts: integer(1, 500) },
  {
    command: ['modify'],
    flag: '--transit-encryption-mode',
    bad: 'on',
    accepts: choice('off', 'preferred', 'required'),
  },
];

const helpCache = new Map<string, Promise<string>>();
function helpOf(command: string[]): Promise<string> {
  const key = command.join(' ');
  if (!helpCache.has(key)) {
    helpCache.set(
      key,
      runCliInProcess([...key.split(' '), '--help']).then((result) => {
        assert.equal(result.code, 0, result.stderr);
        return result.stdout;
      }),
    );
  }
  return helpCache.get(key)!;
}

/** The first line of an option's entry: two spaces, then the flags. */
const optionLine = (flag: string) => new RegExp(`^ {2}(-\\w, )?${flag}\\b`, 'm');

/** The help entry of one flag, its wrapped lines joined into one. */
function helpEntry(help: string, flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => optionLine(flag).test(line));
  assert.ok(start >= 0, `${flag} is in the help:\n${help}`);
  const entry = [lines[start]!];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s{10,}\S/.test(line)) break;
    entry.push(line);
  }
  return entry.join(' ').replace(/\s+/g, ' ');
}

/** `a, b, c` as the help lists choices: `a, b or c`. */
const asHelpList = (list: string) => list.replace(/, ([^,]+)$/, ' or $1');

for (const row of ROWS) {
  const args = [...row.command, row.flag, row.bad];
  test(`${args.join(' ')} → exit 2 naming the flag and its range; --help shows the same`, async () => {
    const result = await runCliInProcess(args, { env: ENV });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.ok(result.stderr.startsWith(`elasticache-kit: ${row.flag} `), result.stderr);
    const accepts = row.accepts.exec(result.stderr);
    assert.ok(accepts, `${result.stderr} matches ${row.accepts}`);
    assert.ok(result.stderr.includes(`(got ${row.bad})`), result.stderr);
    const help = await helpOf(row.command);
    if (row.hidden) {
      assert.doesNotMatch(help, optionLine(row.flag), `${row.flag} is hidden`);
      return;
    }
    const entry = helpEntry(help, row.flag);
    const expected = row.accepts.source.includes('one of') ? asHelpList(accepts[1]!) : accepts[1]!;
    assert.ok(entry.includes(expected), `help of ${row.flag} says ${expected}: ${entry}`);
  });
}

test('help shows the default the command applies, from the same number', async () => {
  const bench = await helpOf(['bench']);
  assert.match(helpEntry(bench, '--clients'), /connections per node, 1-1000 \(default 50\)/);
  assert.match(helpEntry(bench, '--test-time'), /0\.1-86400 \(default 10\)/);
  assert.match(helpEntry(bench, '--read-from'), /primary, replicas or all \(default all\)/);
  const demo = await helpOf(['demo']);
  assert.match(helpEntry(demo, '--replication-delay-ms'), /0-60000 \(default 1\)/);
  const start = await helpOf(['local', 'start']);
  assert.match(helpEntry(start, '--instances'), /0-20 \(default 0\)/);
  const create = await helpOf(['create-cluster']);
  assert.match(helpEntry(create, '--port'), /1024-65535 \(default 6379\)/);
});

test('the parsers: typed values, underscores, decimals, case', () => {
  assert.equal(parseInteger('--n', '1_000', { min: 1, max: 1000 }), 1000);
  assert.equal(parseInteger('--n', 7, { min: 1, max: 10 }), 7);
  assert.throws(
    () => parseInteger('--n', '', { min: 1, max: 10 }),
    /^UsageError: --n must be an integer 1-10 \(got ""\)$/,
  );
  assert.throws(() => parseInteger('--n', '1e3', { min: 1, max: 10_000 }), /must be an integer/);
  assert.equal(parseNumber('--s', '0.5', { min: 0.1, max: 10 }), 0.5);
  assert.throws(
    () => parseNumber('--s', 'Infinity', { min: 0, max: 10 }),
    /--s must be a number 0-10 \(got Infinity\)/,
  );
  assert.equal(parseChoice('--read-from', 'REPLICAS', ['primary', 'replicas', 'all'] as const), 'replicas');
  assert.throws(
    () => parseChoice('--mode', 'Required', ['off', 'required'] as const, { ignoreCase: false }),
    /--mode must be one of off, required \(got Required\)/,
  );
});

test('through commander: the value reaches the action typed, a bad one rejects parseAsync with the UsageError itself', async () => {
  const program = () => {
    const command = new Command('x')
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} })
      .addOption(integerOption('-c, --clients <n>', 'connections', { min: 1, max: 1000 }, 50))
      .addOption(numberOption('--test-time <s>', 'seconds', { min: 0.1, max: 60 }))
      .addOption(choiceOption('--read-from <where>', 'GETs go to', ['primary', 'all'] as const))
      .action(() => {});
    return command;
  };
  const ok = program();
  await ok.parseAsync(['node', 'x', '-c', '20', '--test-time', '0.5', '--read-from', 'ALL']);
  assert.deepEqual(ok.opts(), { clients: 20, testTime: 0.5, readFrom: 'all' });
  const absent = program();
  await absent.parseAsync(['node', 'x']);
  assert.deepEqual(absent.opts(), {}, 'an absent flag stays undefined (the default is help text)');
  await assert.rejects(
    program().parseAsync(['node', 'x', '--clients', 'abc']),
    (error: unknown) =>
      error instanceof UsageError && error.message === '--clients must be an integer 1-1000 (got abc)',
  );
  assert.throws(
    () => program().parse(['node', 'x', '--read-from', 'leader']),
    (error: unknown) => error instanceof UsageError && /--read-from must be one of primary, all/.test(error.message),
  );
});
