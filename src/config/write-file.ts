/**
 * The one way files are written: atomically. The new content goes to a temporary file in
 * the same folder (created exclusively, random suffix), is fsynced, gets the right mode,
 * and is renamed over the target; then the folder is fsynced so the rename itself
 * survives a crash. rename(2) within a folder is atomic, so a reader, or a process killed
 * at any moment, sees the old file or the new one, never a torn one. A failure before the
 * rename removes the temporary file and leaves the target as it was.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  linkSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  copyFileSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const SECRET_MODE = 0o600;
export const DEFAULT_MODE = 0o644;

export interface WriteOptions {
  /** The content holds a secret: the file is 0600 whatever its mode was. */
  secret?: boolean;
  /** Keep the previous file as FILE.bak. */
  backup?: boolean;
  /** Test hook: runs after the temporary file is complete, before the rename. */
  beforeRename?: (tempPath: string) => void;
}

export interface WriteResult {
  path: string;
  created: boolean;
  mode: number;
  /** The previous mode, when a secret forced it tighter (the caller warns). */
  tightenedFrom?: number;
  backupPath?: string;
}

export function writeFileAtomic(target: string, content: string | Uint8Array, options: WriteOptions = {}): WriteResult {
  // Write through a symlink to the file it points at, rather than replacing the link.
  const existing = statOrUndefined(target);
  const path = existing ? realpathSync(target) : target;
  const previousMode = existing ? existing.mode & 0o7777 : undefined;
  const mode = options.secret ? SECRET_MODE : (previousMode ?? DEFAULT_MODE);
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);

  let fd: number | undefined;
  let renamed = false;
  try {
    // O_EXCL: never write through a file (or symlink) someone planted at this name.
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, SECRET_MODE);
    // Mode set explicitly: the umask must not loosen or tighten what we keep.
    fchmodSync(fd, mode);
    if (existing && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
      try {
        fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // Only root may give files away; the content matters more than the owner.
      }
    }
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;

    let backupPath: string | undefined;
    if (options.backup && existing) backupPath = keepBackup(path);
    options.beforeRename?.(temp);
    renameSync(temp, path);
    renamed = true;
    syncFolder(folder);
    return {
      path,
      created: !existing,
      mode,
      ...(previousMode !== undefined && options.secret && (previousMode & 0o077) !== 0
        ? { tightenedFrom: previousMode }
        : {}),
      ...(backupPath ? { backupPath } : {}),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already gone
      }
    }
  }
}

/**
 * FILE.bak, replaced atomically too: a hard link to the current file (same inode, so the
 * old bytes and mode, at no cost), renamed into place; a copy where links are not allowed.
 */
function keepBackup(path: string): string {
  const backupPath = `${path}.bak`;
  const temp = join(dirname(path), `.${basename(path)}.bak.${randomBytes(6).toString('hex')}.tmp`);
  try {
    try {
      linkSync(path, temp);
    } catch {
      copyFileSync(path, temp, constants.COPYFILE_EXCL);
    }
    renameSync(temp, backupPath);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing to clean
    }
    throw error;
  }
  return backupPath;
}

/** Makes the rename durable; some platforms cannot open a folder, and that is not an error. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
