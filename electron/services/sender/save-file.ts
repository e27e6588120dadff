import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, existsSync, statSync, accessSync, constants, type WriteStream } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { variantName } from '../../../shared/sender/save-name.ts';

/** What one save may hold in memory ahead of the disk (the socket is paused past it). */
export const writeAheadBytes = 8 * 1024 * 1024;

/** `.part` paths this process is writing: two bodies of one name arriving together get two. */
const partsInUse = new Set<string>();

/** What a body saved to disk was: where it went, its size, its SHA-256 (computed while writing). */
export interface SavedBody {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

/** A write that failed, as the log's named error: ENOSPC, EACCES, a folder gone, or any other errno. */
export function saveError(err: NodeJS.ErrnoException, name: string, dir: string): WirelabError {
  const errno = err.code ?? 'EIO';
  if (errno === 'ENOSPC' || errno === 'EDQUOT')
    return new WirelabError('SAVE_DISK_FULL', `the disk is full (${errno}): ${name} was not saved in ${dir}; the partial file was removed`, 'saveDir', {
      name,
      dir,
    });
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS')
    return new WirelabError('SAVE_NOT_PERMITTED', `no permission to write in ${dir} (${errno}): ${name} was not saved`, 'saveDir', { name, dir });
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return new WirelabError('SAVE_DIR_MISSING', `save folder: ${dir} does not exist`, 'saveDir', { dir });
  return new WirelabError('SAVE_FAILED', `saving ${name} in ${dir} failed (${errno}); the partial file was removed`, 'saveDir', { name, dir, errno });
}

/** The save folder must exist and be writable when the session opens (checked again by every write). */
export function checkSaveDir(dir: string, field = 'saveDir'): void {
  let folder = false;
  try {
    folder = statSync(dir).isDirectory();
    if (folder) accessSync(dir, constants.W_OK);
  } catch (e) {
    const err = saveError(e as NodeJS.ErrnoException, '', dir);
    throw new WirelabError(
      err.code,
      err.code === 'SAVE_NOT_PERMITTED' ? `${field}: no permission to write in ${dir}` : `${field}: ${dir} does not exist`,
      field,
      err.params,
    );
  }
  if (!folder) throw new WirelabError('SAVE_DIR_MISSING', `${field}: ${dir} is a file, not a folder`, field, { dir });
}

/**
 * One body being streamed to `dir/NAME.part`, renamed to NAME only when complete: a transfer
 * cut short, a full disk or a refused write never leaves a file named as if it were whole.
 * `write` returns false when the disk is behind (the caller stops reading the socket until
 * `drained`); an error is reported once through `onError`, the `.part` removed, and later
 * writes are dropped so the stream's framing stays in step.
 */
export class SaveWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly out: WriteStream;
  private readonly part: string;
  private written = 0;
  private error: WirelabError | null = null;
  private readonly closed: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly overwrite: boolean,
    private readonly onError: (e: WirelabError) => void,
  ) {
    let n = 0;
    const partOf = (i: number) => join(dir, `${variantName(name, i)}.part`);
    while (existsSync(partOf(n)) || partsInUse.has(partOf(n))) n++;
    this.part = partOf(n);
    partsInUse.add(this.part);
    // 'wx': never write into a file someone else made under that name in the meantime
    // 8 MiB may wait for the disk before the socket is paused: with the default 16 KiB every
    // 64 KiB read would pause the socket until its write completed, serialising network and disk
    this.out = createWriteStream(this.part, { flags: 'wx', highWaterMark: writeAheadBytes });
    this.closed = new Promise((resolve) => this.out.once('close', () => resolve()));
    void this.closed.then(() => partsInUse.delete(this.part));
    this.out.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
  }

  get failed(): boolean {
    return this.error !== null;
  }

  write(bytes: Uint8Array): boolean {
    if (this.error) return true;
    this.written += bytes.length;
    this.hash.update(bytes);
    return this.out.write(bytes);
  }

  /** Resolves when the disk has taken what was written (or the write failed). */
  drained(): Promise<void> {
    if (this.error || !this.out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
  }

  private fail(e: NodeJS.ErrnoException): void {
    if (this.error) return;
    this.error = saveError(e, this.name, this.dir);
    this.out.destroy();
    // EEXIST: the .part is not ours to remove
    if (e.code !== 'EEXIST') void this.closed.then(() => unlink(this.part).catch(() => undefined));
    this.onError(this.error);
  }

  /** The body is complete: flush, rename to its name (a free variant unless `overwrite`), and say what was saved; null if it failed. */
  async finish(): Promise<SavedBody | null> {
    if (!this.error) await new Promise<void>((resolve) => this.out.end(() => resolve()));
    await this.closed;
    if (this.error) return null;
    try {
      const name = this.overwrite ? await this.replace() : await this.claim();
      return { name, path: join(this.dir, name), bytes: this.written, sha256: this.hash.digest('hex') };
    } catch (e) {
      this.fail(e as NodeJS.ErrnoException);
      await unlink(this.part).catch(() => undefined);
      return null;
    }
  }

  /** --overwrite: rename(2) replaces a file of that name in one step. */
  private async replace(): Promise<string> {
    await rename(this.part, join(this.dir, this.name));
    return this.name;
  }

  /**
   * No overwrite: link(2) fails with EEXIST instead of replacing, so two bodies finishing at
   * once cannot both take "a.bin" (a check, then rename, could). Where hard links are not
   * supported (FAT, some network shares) a checked rename is the fallback.
   */
  private async claim(): Promise<string> {
    for (let n = 0; ; n++) {
      const name = variantName(this.name, n);
      const path = join(this.dir, name);
      try {
        await link(this.part, path);
        await unlink(this.part);
        return name;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
        if (existsSync(path)) continue;
        await rename(this.part, path);
        return name;
      }
    }
  }

  /** The body will not complete (the peer went, the stream broke): the partial file goes. */
  async abort(): Promise<void> {
    if (!this.error) {
      this.error = new WirelabError('SAVE_FAILED', 'aborted', 'saveDir', { name: this.name, dir: this.dir, errno: 'ABORTED' });
      this.out.destroy();
    }
    await this.closed;
    await unlink(this.part).catch(() => undefined);
  }
}
