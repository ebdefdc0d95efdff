/**
 * README.md is the newcomer's first page: every command it shows must exist, every flag it
 * names must be one that `--help` lists, and every flag `--help` lists is in the README.
 * (The help comes from the commander program in-process; test/cli.test.ts runs the binary's.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCliInProcess as runCli } from './helpers/cli-in-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');
const GLOBAL_WITH_VALUE = new Set(['--region', '--profile', '--endpoint-url', '--output']);

const helpCache = new Map<string, Promise<Set<string>>>();
function flagsOf(command: string[]): Promise<Set<string>> {
  const key = command.join(' ');
  if (!helpCache.has(key)) {
    helpCache.set(
      key,
      runCli([...command, '--help']).then((result) => {
        assert.equal(result.code, 0, `elasticache-kit ${key} --help: ${result.stderr}`);
        return new Set(result.stdout.match(/--[a-z][a-z0-9-]*/g) ?? []);
      }),
    );
  }
  return helpCache.get(key)!;
}

/** Every `elasticache-kit …` command in the README's code blocks, with continuation lines joined. */
function commandsInCodeBlocks(): string[] {
  const commands: string[] = [];
  for (const block of README.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    let current: string | undefined;
    for (const line of lines) {
      if (current !== undefined && /^\s+\S/.test(line) && !line.includes('elasticache-kit ')) {
        current += ' ' + line.trim();
        continue;
      }
      if (current !== undefined) commands.push(current);
      current = undefined;
      for (const match of line.matchAll(/elasticache-kit ([^"#;&|)]*)/g)) {
        if (current !== undefined) commands.push(current);
        current = match[1]!.replace(/\\$/, '').trim();
      }
    }
    if (current !== undefined) commands.push(current);
  }
  return commands.filter((c) => c.length > 0 && !c.startsWith('local emulator'));
}

function parse(command: string): { path: string[]; flags: string[] } {
  const words = command.split(/\s+/).filter(Boolean);
  const path: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.replace(/^[[(]+/, '');
    for (const flag of word.match(/--[a-z][a-z0-9-]*/g) ?? []) flags.push(flag);
    if (word.startsWith('--')) {
      if (path.length === 0 && GLOBAL_WITH_VALUE.has(word)) i++;
      continue;
    }
    if (path.length === 0 && /^[a-z][a-z-]+$/.test(word)) path.push(word);
    else if (path[0] === 'local' && path.length === 1 && /^(start|stop|status)$/.test(word)) path.push(word);
  }
  return { path, flags };
}

test('README gives the two commands, and the test command is the one CI runs', () => {
  assert.match(README, /npm ci && npm run demo/);
  assert.match(README, /^npm test\b/m);
  assert.match(readFileSync(`${ROOT}.ci/run`, 'utf8'), /^npm test$/m);
});

test('every command in the README exists and takes the flags the README gives it', async () => {
  const globals = await flagsOf([]);
  const commands = commandsInCodeBlocks();
  assert.ok(commands.length >= 20, `found ${commands.length} commands in README code blocks`);
  const seen = new Set<string>();
  for (const command of commands) {
    const { path, flags } = parse(command);
    if (path.length === 0) continue; // e.g. `elasticache-kit …` placeholders
    seen.add(path.join(' '));
    const own = await flagsOf(path);
    for (const flag of flags) {
      assert.ok(
        own.has(flag) || globals.has(flag),
        `README: elasticache-kit ${command}\n  ${flag} is not in \`elasticache-kit ${path.join(' ')} --help\``,
      );
    }
  }
  for (const name of [
    'create-cluster',
    'wait',
    'list',
    'failover',
    'scale',
    'delete-cluster',
    'endpoints',
    'bench',
    'local start',
    'local stop',
    'local status',
    'demo',
  ]) {
    assert.ok(seen.has(name), `README shows ${name}`);
  }
});

/** The flags a command's `--help` defines: the first column of its Options section, not flags its examples mention. */
async function definedFlagsOf(command: string[]): Promise<string[]> {
  const result = await runCli([...command, '--help']);
  assert.equal(result.code, 0, `elasticache-kit ${command.join(' ')} --help: ${result.stderr}`);
  const options = result.stdout.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return options
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/)[0] ?? '')
    .flatMap((term) => term.match(/--[a-z][a-z0-9-]*/g) ?? [])
    .filter((flag) => flag !== '--help' && flag !== '--version');
}

/** Flags the README shows with each command: the `elasticache-kit <command>` line and its indented continuations. */
function flagsShownPerCommand(): Map<string, Set<string>> {
  const shown = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of README.split('\n')) {
    const start = line.match(/^elasticache-kit ((?:local )?[a-z][a-z-]+)/);
    if (start) {
      const key = start[1]!;
      current = shown.get(key) ?? new Set<string>();
      shown.set(key, current);
    } else if (!(current && /^\s+\S/.test(line))) {
      current = undefined;
    }
    for (const flag of line.match(/--[a-z][a-z0-9-]*/g) ?? []) current?.add(flag);
  }
  return shown;
}

test('every flag a --help defines is shown with its command in the README', async () => {
  const shown = flagsShownPerCommand();
  const missing: string[] = [];
  for (const flag of await definedFlagsOf([])) if (!README.includes(flag)) missing.push(`(global) ${flag}`);
  const paths = ['create-cluster', 'wait', 'list', 'failover', 'scale', 'delete-cluster', 'endpoints', 'bench', 'demo'];
  for (const path of [...paths.map((p) => [p]), ['local', 'start'], ['local', 'stop'], ['local', 'status']]) {
    const key = path.join(' ');
    for (const flag of await definedFlagsOf(path)) if (!shown.get(key)?.has(flag)) missing.push(`${key} ${flag}`);
  }
  assert.deepEqual(missing, [], 'flags that --help defines but the README never shows with their command');
});

test('every command --help lists is documented in the README synopsis', async () => {
  const help = (await runCli(['--help'])).stdout;
  const listed = [...help.matchAll(/^  ([a-z][a-z-]+)\b/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
  for (const name of listed) assert.ok(README.includes(`elasticache-kit ${name}`), `README documents ${name}`);
});

test('the flags in the walkthrough table exist', async () => {
  const all = new Set<string>();
  for (const path of [
    [],
    ['create-cluster'],
    ['endpoints'],
    ['bench'],
    ['wait'],
    ['delete-cluster'],
    ['demo'],
    ['local', 'start'],
  ]) {
    for (const flag of await flagsOf(path)) all.add(flag);
  }
  const tableFlags = [...README.matchAll(/^\|.*$/gm)].flatMap((row) => row[0].match(/--[a-z][a-z0-9-]*/g) ?? []);
  assert.ok(tableFlags.length > 10);
  for (const flag of tableFlags) assert.ok(all.has(flag), `README table names ${flag}, which no --help lists`);
});
