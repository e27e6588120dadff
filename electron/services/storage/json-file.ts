import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { z } from 'zod';

/**
 * Writes the whole file or nothing: a crash or full disk mid-write leaves the previous
 * version in place, because readers only ever see a completed file renamed over the old one.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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

export interface Recovered {
  /** Where the unreadable file was moved to, so the user can still rescue it. */
  backupPath: string;
  reason: string;
}

export interface LoadedJson<T> {
  value: T;
  recovered: Recovered | null;
}

/** `<name>.corrupt-<timestamp>`; the timestamp keeps several rescues apart and sorts by age. */
export function corruptBackupName(path: string, now = new Date()): string {
  return `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * Reads a JSON file that must match `schema`. A missing file yields `fallback`. A file that is
 * not JSON or does not match is never silently discarded: it is moved aside and reported, and
 * the caller starts from `fallback`.
 */
export async function loadJsonFile<T>(path: string, schema: z.ZodType<T>, fallback: T): Promise<LoadedJson<T>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback, recovered: null };
    throw err;
  }
  let reason: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { value: parsed.data, recovered: null };
    const issue = parsed.error.issues[0];
    reason = `${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'does not match the expected format'}`;
  } catch (err) {
    reason = `not valid JSON (${(err as Error).message})`;
  }
  const backupPath = corruptBackupName(path);
  await fs.rename(path, backupPath);
  return { value: fallback, recovered: { backupPath, reason } };
}
