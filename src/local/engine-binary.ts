/**
 * Finds the server binary the emulator runs for each node: an explicit --redis-server
 * path, else valkey-server / redis-server from PATH (preferring the requested engine).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

export type Engine = 'redis' | 'valkey';

export interface EngineBinary {
  path: string;
  engine: Engine;
  version: string;
}

const INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or pass --redis-server PATH';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Parses `redis-server --version` / `valkey-server --version` output. */
export function parseVersionOutput(output: string): { engine: Engine; version: string } | undefined {
  const match = /^(Redis|Valkey) server v=(\S+)/im.exec(output.trim());
  if (!match) return undefined;
  return { engine: match[1]!.toLowerCase() as Engine, version: match[2]! };
}

/**
 * What each binary said of itself, by path and file identity (a binary replaced in place is
 * asked again). A process that starts many emulators, as the tests do, runs each binary once.
 */
const probed = new Map<string, { engine: Engine; version: string }>();

function probe(path: string): { engine: Engine; version: string } {
  const file = statSync(path);
  const key = `${path}\0${file.dev}:${file.ino}:${file.size}:${file.mtimeMs}`;
  const known = probed.get(key);
  if (known) return known;
  const parsed = askVersion(path);
  probed.set(key, parsed);
  return parsed;
}

function askVersion(path: string): { engine: Engine; version: string } {
  let output: string;
  try {
    output = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${path} --version failed (${(error as Error).message.split('\n')[0]}): ${INSTALL_HINT}`);
  }
  const parsed = parseVersionOutput(output);
  if (!parsed) throw new Error(`${path} does not look like redis-server or valkey-server: ${INSTALL_HINT}`);
  return parsed;
}

export function findEngineBinary(engine: Engine, explicit?: string): EngineBinary {
  if (explicit !== undefined) {
    if (!isExecutableFile(explicit)) {
      throw new Error(`--redis-server ${explicit}: no such executable file; ${INSTALL_HINT}`);
    }
    return { path: explicit, ...probe(explicit) };
  }
  const order = engine === 'valkey' ? ['valkey-server', 'redis-server'] : ['redis-server', 'valkey-server'];
  for (const name of order) {
    const path = findOnPath(name);
    if (path) return { path, ...probe(path) };
  }
  throw new Error(`redis-server not found on PATH: ${INSTALL_HINT}`);
}
