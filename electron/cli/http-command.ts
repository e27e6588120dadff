import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WirelabError } from '../../shared/contract/errors.ts';
import { isInputCode } from '../../shared/contract/codes.ts';
import { visibleText } from '../../shared/sender/payload.ts';
import { httpRequest } from '../services/http/http-client.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const httpHelp = `wirelab http METHOD URL [--header "K: V"]… [--data TEXT | --data-file PATH] [--timeout MS] [--json]

Sends one HTTP/1.1 request on a plain TCP connection and prints the exact bytes sent, then the
response parsed: status line, headers, body (chunked transfer decoded; the end found by
Content-Length, the chunks, or the server closing). Host, Content-Length (when there is a body)
and Connection: close are added unless given. With --json: {"status", "reason", "headers",
"body", "bytesSent", "bytesReceived", "request"} — header names in lower case.

Only http:// URLs: https is not offered, because TLS encrypts the request — the bytes on the
wire would be ciphertext, not the request this command is for showing (use curl for https).`;

export async function httpCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      header: { type: 'string', multiple: true },
      data: { type: 'string' },
      'data-file': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [method, url, ...extra] = positionals;
  if (method === undefined || url === undefined) throw new UsageError('http needs a method and a URL (try wirelab http --help)');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (quote a header: --header "Accept: text/html")`);
  if (values.data !== undefined && values['data-file'] !== undefined) throw new UsageError('give --data or --data-file, not both');
  let body: Uint8Array = new Uint8Array(0);
  if (values.data !== undefined) body = Buffer.from(values.data, 'utf8');
  if (values['data-file'] !== undefined) {
    try {
      body = readFileSync(values['data-file']);
    } catch (e) {
      throw new UsageError(`--data-file: cannot read ${values['data-file']} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const timeout = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 120_000)
    throw new UsageError(`--timeout must be a whole number of ms from 100 to 120000, not "${values.timeout}"`);
  let r: Awaited<ReturnType<typeof httpRequest>>;
  try {
    r = await httpRequest({ method, url, headers: values.header ?? [], body }, timeout);
  } catch (e) {
    // a server that is not HTTP, a refused connection, a timeout: the exchange failed (exit 1), said plainly
    if (!(e instanceof WirelabError) || e.code === 'INVALID_INPUT' || isInputCode(e.code)) throw e;
    io.err(`wirelab http: ${e.code}: ${e.message}`);
    return 1;
  }
  if (values.json) {
    const { status, reason, headers, body: text, bytesSent, bytesReceived, request } = r;
    io.out(JSON.stringify({ status, reason, headers, body: text, bytesSent, bytesReceived, request }));
  } else {
    io.out(`> sent ${r.bytesSent} bytes:`);
    for (const l of r.request.split('\r\n')) io.out(`> ${visibleText(l)}`);
    io.out(`< HTTP ${r.status} ${r.reason} (${r.bytesReceived} bytes received, body ${r.bodyBytes} bytes by ${r.framing})`);
    for (const [k, v] of r.rawHeaders) io.out(`< ${k}: ${v}`);
    io.out('');
    io.out(r.body);
  }
  return 0;
}
