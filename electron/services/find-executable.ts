import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where system tools live even when PATH leaves them out (sbin is often missing for users). */
const systemDirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/**
 * A program's path, found without running it and without a shell: the first executable `name`
 * (name.exe on Windows) on PATH or in the system folders; null when there is none.
 */
export function findExecutable(name: string): string | null {
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...systemDirs]) {
    const path = join(dir, file);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      /* not here */
    }
  }
  return null;
}
