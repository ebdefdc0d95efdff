/**
 * Reading the file `--out` names before anything is changed: its text (to merge into), or
 * nothing when it does not exist yet. Problems are found here, before any API call.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, UsageError, messageOf } from '../errors.js';

export interface ExistingFile {
  path: string;
  /** Undefined when the file does not exist yet. */
  text?: string;
  mode?: number;
}

export function readExistingFile(path: string, flag = '--out'): ExistingFile {
  const absolute = resolve(path);
  let stats;
  try {
    stats = statSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`cannot read ${path}: ${messageOf(error)}`);
    const folder = dirname(absolute);
    let folderStats;
    try {
      folderStats = statSync(folder);
    } catch {
      throw new UsageError(`${flag} ${path}: the folder ${folder} does not exist`);
    }
    if (!folderStats.isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is not a folder`);
    return { path: absolute };
  }
  if (stats.isDirectory()) throw new UsageError(`${flag} ${path} is a folder; name a file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${messageOf(error)}`);
  }
  const text = bytes.toString('utf8');
  // Only UTF-8 is edited: decoding anything else and writing it back would change bytes we do not own.
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new CliError(
      `cannot read ${path}: it is not UTF-8 text (the tool edits only UTF-8 files, and left it untouched)`,
    );
  }
  return { path: absolute, text, mode: stats.mode & 0o7777 };
}
