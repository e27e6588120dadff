import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { z } from 'zod';
import { WirelabError } from '../../../shared/contract/errors.ts';

/** `.settings.json.<pid>.<8 hex>.tmp`: the pid says whose write it was (see removeStaleTemps). */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function tempPattern(path: string): RegExp {
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
}

/**
 * Writes the whole file or nothing: a crash or full disk mid-write leaves the previous
 * version in place, because readers only ever see a completed file renamed over the old one.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** A write older than this is abandoned whoever started it: no save of ours takes minutes. */
const staleTempMs = 10 * 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else (kill(2)).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files of `path`'s atomic writes that a killed run left behind (SIGKILL or a
 * power cut between open and rename). Only our own naming pattern is touched, and not while the
 * writer may still be at work: the desktop app and `wirelab serve` share the folder, so a temp
 * of a live process other than this one is left unless it is old. Returns the names removed.
 */
export async function removeStaleTemps(path: string, now = Date.now()): Promise<string[]> {
  const pattern = tempPattern(path);
  let names: string[];
  try {
    names = await fs.readdir(dirname(path));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const full = join(dirname(path), name);
    try {
      const st = await fs.lstat(full);
      if (!st.isFile()) continue;
      const stale = now - st.mtimeMs > staleTempMs;
      if (!stale && (pid === process.pid || processAlive(pid))) continue;
      await fs.rm(full, { force: true });
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do at start-up.
    }
  }
  return removed;
}

export interface Recovered {
  /** Where the unreadable file was moved to, so the user can still rescue it. */
  backupPath: string;
  reason: string;
}

/**
 * The file could not even be read (a directory, no permission, a symlink loop…). It is left
 * exactly where and as it is: it may be something the user made on purpose.
 */
export interface Unreadable {
  /** The errno code: EISDIR, EACCES, ELOOP, ENOTDIR… */
  code: string;
  reason: string;
}

export interface LoadedJson<T> {
  value: T;
  recovered: Recovered | null;
  unreadable: Unreadable | null;
}

/** `<name>.corrupt-<timestamp>`; the timestamp keeps several rescues apart and sorts by age. */
export function corruptBackupName(path: string, now = new Date()): string {
  return `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/** What the errno codes a data file meets mean to its user (open(2), rename(2)). */
const errnoWords: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOTDIR: 'a folder on its path is a file',
  ELOOP: 'its symbolic links form a loop',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

function errnoOf(err: unknown): { code: string; reason: string } {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'EIO';
  // Node's own text is "CODE: words, syscall 'path'": keep the words only, the path is said elsewhere.
  const words = e instanceof Error ? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(err);
  return { code, reason: errnoWords[code] ?? words };
}

/**
 * Reads a JSON file that must match `schema`. A missing file yields `fallback`. A file that is
 * not JSON or does not match is never silently discarded: it is moved aside and reported, and
 * the caller starts from `fallback`. A path that cannot be read at all is reported and left alone.
 * Leftover temp files of interrupted writes to `path` go first.
 */
export async function loadJsonFile<T>(path: string, schema: z.ZodType<T>, fallback: T): Promise<LoadedJson<T>> {
  await removeStaleTemps(path);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback, recovered: null, unreadable: null };
    return { value: fallback, recovered: null, unreadable: errnoOf(err) };
  }
  let reason: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { value: parsed.data, recovered: null, unreadable: null };
    const issue = parsed.error.issues[0];
    reason = `${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'does not match the expected format'}`;
  } catch (err) {
    reason = `not valid JSON (${(err as Error).message})`;
  }
  const backupPath = corruptBackupName(path);
  try {
    await fs.rename(path, backupPath);
  } catch (err) {
    // Could not move it aside (a read-only folder): keep it where it is, and never write over it.
    const moved = errnoOf(err);
    return { value: fallback, recovered: null, unreadable: { code: moved.code, reason: `${reason}; it could not be moved aside (${moved.reason})` } };
  }
  return { value: fallback, recovered: { backupPath, reason }, unreadable: null };
}

/** Code of a save that could not reach the disk; params {path, reason}. */
export const dataFileUnwritable = 'DATA_FILE_UNWRITABLE';

/**
 * One data file of the app (settings, the packet library): loads it, then writes every change
 * atomically, one write at a time. A file that was unreadable at load is never written over (it
 * could be the user's only copy); saves answer a typed error until it is gone.
 */
export class JsonDataFile<T> {
  private blocked: Unreadable | null = null;

  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
    private readonly fallback: T,
  ) {}

  async load(): Promise<LoadedJson<T>> {
    const loaded = await loadJsonFile(this.path, this.schema, this.fallback);
    this.blocked = loaded.unreadable;
    return loaded;
  }

  async write(text: string): Promise<void> {
    if (this.blocked) {
      // Removed since start-up: nothing is lost by writing a fresh file.
      const gone = await fs.lstat(this.path).then(
        () => false,
        (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
      );
      if (!gone) throw this.unwritable(this.blocked.code, `it could not be read at start (${this.blocked.reason}), so Wirelab does not write over it`);
      this.blocked = null;
    }
    try {
      await writeFileAtomic(this.path, text);
    } catch (err) {
      const { code, reason } = errnoOf(err);
      throw this.unwritable(code, reason);
    }
  }

  private unwritable(code: string, reason: string): WirelabError {
    return new WirelabError(dataFileUnwritable, `${this.path}: could not be saved (${code}: ${reason}); fix or remove it and try again`, undefined, {
      path: this.path,
      reason: code,
    });
  }
}
