import { realpathSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { WirelabError } from '../../../../shared/contract/errors.ts';

/**
 * The folder a course server serves (serve-dir, http-dir), checked when the session opens: it
 * must exist and be a folder. Its real path (symbolic links followed) is what every file it
 * hands out must stay inside.
 */
export function servedFolder(dir: string | undefined, reply: string): string {
  if (dir === undefined || dir.trim() === '')
    throw new WirelabError('RESPONDER_NEEDS_DIR', `dir: ${reply} serves a folder; choose one`, 'dir', { field: 'dir', reply });
  const path = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new WirelabError('RESPONDER_DIR', `dir: the folder ${path} does not exist`, 'dir', { field: 'dir', path, variant: 'missing' });
  }
  if (!isDir) throw new WirelabError('RESPONDER_DIR', `dir: ${path} is a file, not a folder`, 'dir', { field: 'dir', path, variant: 'not-dir' });
  return realpathSync(path);
}

/**
 * The real path of `path` if it is inside `root` (itself a real path), else null: a symbolic
 * link inside the folder that points out of it is refused like `..`. Throws ENOENT as fs does.
 */
export async function insideFolder(root: string, path: string): Promise<string | null> {
  const real = await realpath(path);
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep) ? real : null;
}
