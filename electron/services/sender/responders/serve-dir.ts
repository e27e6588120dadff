import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Framing } from '../../../../shared/sender/framing.ts';
import { isPlainName } from '../../../../shared/http/static-path.ts';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { insideFolder, servedFolder } from './folder.ts';
import type { IncomingMessage, Responder, ResponderContext, ResponderFactory } from './responder.ts';

/**
 * The course's FTP homework, advanced version (seed 001, 进阶版), as a server: every message is
 * `struct.pack('i', len)` + a JSON header (+ a body), i.e. header-json framing.
 *
 * - `{"operate": "download", "filename": "a.bin"}` (no size: an empty body) → `{"filesize": N}`
 *   and the file's N bytes, streamed from disk (ctx.sendFile).
 * - `{"operate": "upload", "filename": "a.bin", "filesize": N}` + N bytes → saved in the folder
 *   by the session's save machinery (this plan's `save`); answered with nothing, as the notes'
 *   server answers nothing (its client would read a stray answer as the next download's header).
 *
 * What cannot be done is answered to the peer as a header `{"error": CODE, "message": …}` with
 * an empty body (the notes' client reads `filesize` 0 and writes nothing) and noted in the log:
 * a file not found, a name with a folder in it (`../`), an unknown `operate`.
 */

/** The session plan the registry hands the service (structurally its ResponderPlan). */
export interface ServeDirPlan {
  make: ResponderFactory;
  missingSizeIsEmpty: true;
  save: { dir: string; when: (header: Record<string, unknown> | undefined) => boolean };
}

export function serveDirPlan(spec: { dir?: string | undefined; framingIn: Framing; framingOut: Framing }): ServeDirPlan {
  for (const f of [spec.framingIn, spec.framingOut]) {
    if (f.kind !== 'header-json')
      throw new WirelabError('RESPONDER_FRAMING', 'framing: serve-dir frames its own messages: choose header-json framing for this session', 'framing', {
        field: 'framing',
        reply: 'serve-dir',
        framing: 'header-json',
      });
  }
  const root = servedFolder(spec.dir, 'serve-dir');
  return {
    make: () => new ServeDir(root),
    missingSizeIsEmpty: true,
    // a refused name is not saved at all: its body comes to message() in memory and is dropped there
    save: { dir: root, when: (h) => h?.operate === 'upload' && isPlainName(h.filename) },
  };
}

class ServeDir implements Responder {
  constructor(private readonly root: string) {}

  private refuse(ctx: ResponderContext, code: string, message: string, params: Record<string, string>): void {
    ctx.note(code, message, params);
    ctx.send(new Uint8Array(0), { error: code, message });
  }

  async message(m: IncomingMessage, ctx: ResponderContext): Promise<void> {
    const h = m.header ?? {};
    const operate = typeof h.operate === 'string' ? h.operate : '';
    if (operate !== 'upload' && operate !== 'download')
      return this.refuse(ctx, 'FTP_BAD_REQUEST', `the header says operate "${operate}"; serve-dir knows upload and download`, { operate, variant: 'operate' });
    if (h.filename === undefined || h.filename === '')
      return this.refuse(ctx, 'FTP_BAD_REQUEST', `the ${operate} header has no "filename"`, { operate, variant: 'no-filename' });
    const name = String(h.filename);
    if (!isPlainName(h.filename))
      return this.refuse(ctx, 'FTP_BAD_NAME', `refused the file name ${JSON.stringify(name)}: it climbs out of the folder or is not a plain name`, { name });
    if (operate === 'upload') {
      // m.saved: the save machinery streamed it to the folder and logged it; nothing to answer
      return;
    }
    const notFound = () => this.refuse(ctx, 'FTP_NOT_FOUND', `download of ${name}: no such file in the folder`, { name });
    let path: string | null;
    try {
      path = await insideFolder(this.root, join(this.root, name));
      if (path === null || !(await stat(path)).isFile()) return notFound();
    } catch {
      return notFound();
    }
    await ctx.sendFile(path);
  }
}
