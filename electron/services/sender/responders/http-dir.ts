import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import type { Framing } from '../../../../shared/sender/framing.ts';
import { contentTypeOf } from '../../../../shared/http/mime.ts';
import { header, HttpRequestParser, keepsAlive, type HttpRequest } from '../../../../shared/http/request-parser.ts';
import { listingPage, response, responseHead, statusPage } from '../../../../shared/http/response.ts';
import { resolveStaticPath } from '../../../../shared/http/static-path.ts';
import { insideFolder, servedFolder } from './folder.ts';
import type { IncomingMessage, NoteParams, Responder, ResponderContext, ResponderFactory } from './responder.ts';

/** How much of a request body the log shows as text (the whole body is in the raw chunks). */
const bodyPreviewChars = 2048;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The course's tiny web server (seed 003) done properly: an HTTP/1.1 static server rooted at a
 * folder, on a TCP server session whose framing is raw both ways (HTTP finds its own message
 * boundaries: shared/http/request-parser.ts). Each request is noted parsed — method, path,
 * status, bytes, and the headers and body for the log to show — and answered with the right
 * status, Content-Length and Content-Type; GET and HEAD; keep-alive unless the request says
 * `Connection: close` (or is HTTP/1.0 without keep-alive). A path that climbs out of the folder,
 * plain, encoded or through a symbolic link, is answered 403, never with the file.
 */
export function httpDirPlan(spec: { dir?: string | undefined; framingIn: Framing; framingOut: Framing }): { make: ResponderFactory } {
  for (const f of [spec.framingIn, spec.framingOut]) {
    if (f.kind !== 'raw')
      throw new WirelabError('RESPONDER_FRAMING', 'framing: http-dir frames its own messages: choose raw framing for this session', 'framing', {
        field: 'framing',
        reply: 'http-dir',
        framing: 'raw',
      });
  }
  const root = servedFolder(spec.dir, 'http-dir');
  return { make: () => new HttpDir(root) };
}

interface Answer {
  status: number;
  /** Bytes of the response's body (a file's size, 0 for HEAD), as curl's size_download counts them. */
  bytes: number;
}

class HttpDir implements Responder {
  private readonly parser = new HttpRequestParser();
  /** The current request's 200 head is on the wire (its body is a file being streamed). */
  private headSent = false;
  constructor(private readonly root: string) {}

  async message(m: IncomingMessage, ctx: ResponderContext): Promise<void> {
    for (const req of this.parser.push(m.bytes)) {
      const close = !keepsAlive(req);
      let a: Answer;
      try {
        a = await this.answer(req, ctx, close);
      } catch (e) {
        // The folder changed under a request (a file removed between its checks). Before the head
        // went out the client still gets an answer; after it, the promised length cannot be kept.
        if (this.headSent) return ctx.close('RESPONDER_FAILED', `the responder failed: ${(e as Error).message}`, { reason: (e as Error).message });
        a = this.page(ctx, req, 500, `reading the file failed: ${(e as Error).message}`, close);
      }
      const path = req.target.length > 200 ? req.target.slice(0, 200) + '…' : req.target;
      ctx.note('HTTP_REQUEST', `${req.method} ${path} → ${a.status} (${a.bytes.toLocaleString('en-US')} bytes)`, {
        method: req.method,
        path,
        status: a.status,
        bytes: a.bytes,
        ...requestParams(req),
      });
      if (close) return ctx.close('HTTP_CONNECTION_CLOSE', 'closed the connection after the answer, as the request asked (Connection: close)');
    }
    const p = this.parser.problem;
    if (p) {
      const r = response({ status: p.status, type: 'text/html; charset=utf-8', body: statusPage(p.status, p.message), close: true });
      ctx.sendRaw(r.head);
      ctx.sendRaw(r.body);
      ctx.close('HTTP_BAD_REQUEST', `${p.message}: answered ${p.status} and closed`, { status: p.status, variant: p.variant });
    }
  }

  private page(ctx: ResponderContext, req: HttpRequest, status: number, detail: string, close: boolean, extra: [string, string][] = []): Answer {
    const r = response({ status, type: 'text/html; charset=utf-8', body: statusPage(status, detail), close, head: req.method === 'HEAD', extra });
    ctx.sendRaw(r.head);
    ctx.sendRaw(r.body);
    return { status, bytes: r.body.length };
  }

  private async answer(req: HttpRequest, ctx: ResponderContext, close: boolean): Promise<Answer> {
    this.headSent = false;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return this.page(ctx, req, 405, `${req.method} is not served here: this is a static server (GET, HEAD)`, close, [['Allow', 'GET, HEAD']]);
    const target = resolveStaticPath(req.target);
    if (!target.ok) return this.page(ctx, req, target.status, target.reason, close);
    let path = join(this.root, ...target.segments);
    let real: string | null;
    try {
      real = await insideFolder(this.root, path);
    } catch {
      return this.page(ctx, req, 404, `${target.path} is not in this folder`, close);
    }
    if (real === null) return this.page(ctx, req, 403, `${target.path} leads out of the folder`, close);
    let st = await stat(real);
    if (st.isDirectory()) {
      // a folder's URL ends with "/", so the links of its page resolve inside it
      if (!target.dir) return this.page(ctx, req, 301, `${target.path}/`, close, [['Location', encodeURI(`${target.path}/`)]]);
      const index = join(real, 'index.html');
      const indexStat = await stat(index).catch(() => null);
      if (!indexStat?.isFile()) {
        const entries = (await readdir(real, { withFileTypes: true }))
          .map((e) => ({ name: e.name, dir: e.isDirectory() }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const r = response({ status: 200, type: 'text/html; charset=utf-8', body: listingPage(target.path, entries), close, head: req.method === 'HEAD' });
        ctx.sendRaw(r.head);
        ctx.sendRaw(r.body);
        return { status: 200, bytes: r.body.length };
      }
      path = index;
      st = indexStat;
    } else path = real;
    if (!st.isFile()) return this.page(ctx, req, 403, `${target.path} is not a regular file`, close);
    const headers: [string, string][] = [
      ['Content-Type', contentTypeOf(path)],
      ['Content-Length', String(st.size)],
      ['Last-Modified', st.mtime.toUTCString()],
    ];
    if (close) headers.push(['Connection', 'close']);
    const head = responseHead({ status: 200, headers });
    ctx.sendRaw(head);
    this.headSent = true;
    if (req.method === 'HEAD') return { status: 200, bytes: 0 };
    // raw framing: the file's bytes exactly, streamed from disk with the socket's backpressure
    const sent = await ctx.sendFile(path);
    return { status: 200, bytes: sent.bytes };
  }
}

/** The request as the log shows it: its line, its headers one per line, the body's start as text. */
function requestParams(req: HttpRequest): NoteParams {
  const params: NoteParams = {
    requestLine: `${req.method} ${req.target} ${req.version}`,
    headers: req.headers.map(([k, v]) => `${k}: ${v}`).join('\n'),
    bodyBytes: req.body.length,
  };
  if (req.body.length > 0) {
    const type = header(req.headers, 'content-type') ?? '';
    const decoder = /charset=(?!utf-?8)/i.test(type) ? latin1 : utf8;
    params.body = decoder.decode(req.body.subarray(0, bodyPreviewChars * 4)).slice(0, bodyPreviewChars);
  }
  if (req.chunked) params.chunked = true;
  return params;
}
