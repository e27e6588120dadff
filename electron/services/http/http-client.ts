import { WirelabError } from '../../../shared/contract/errors.ts';
import { limits } from '../../../shared/contract/limits.ts';
import { HttpResponseParser } from '../../../shared/http/response-parser.ts';
import { buildHttpRequest, type HttpRequestSpec } from '../../../shared/http/request.ts';
import { TcpClient } from '../sender/tcp-client.ts';

export interface HttpExchange {
  /** The request exactly as sent (its head as text; the body as UTF-8 text). */
  request: string;
  status: number;
  reason: string;
  headers: Record<string, string>;
  rawHeaders: [string, string][];
  /** The body as UTF-8 text (chunked transfer already decoded). */
  body: string;
  bodyBytes: number;
  framing: 'none' | 'length' | 'chunked' | 'close';
  bytesSent: number;
  bytesReceived: number;
  connectMs: number;
}

/**
 * One HTTP/1.1 request on a raw TCP connection, not node:http: the request's bytes are the ones
 * the composer showed (buildHttpRequest), and the response is read by the shared incremental
 * parser as the chunks arrive, so a server that is not HTTP is named instead of hanging.
 */
export async function httpRequest(spec: HttpRequestSpec, timeoutMs = 10_000): Promise<HttpExchange> {
  const { target, bytes } = buildHttpRequest(spec);
  const client = await TcpClient.connect({ host: target.host, port: target.port, timeoutMs });
  const parser = new HttpResponseParser(spec.method.trim().toUpperCase(), limits.httpResponseBytes);
  let received = 0;
  try {
    const res = await new Promise<ReturnType<HttpResponseParser['end']>>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new WirelabError('HTTP_TIMEOUT', `no complete response within ${timeoutMs} ms (${received} bytes arrived)`, undefined, {
              ms: timeoutMs,
              got: received,
            }),
          ),
        timeoutMs,
      );
      const settle = (f: () => void) => {
        clearTimeout(timer);
        client.socket.removeAllListeners('data');
        f();
      };
      client.socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        try {
          if (parser.push(chunk)) settle(() => resolve(parser.result!));
        } catch (e) {
          settle(() => reject(e as Error));
        }
      });
      client.socket.on('end', () => {
        try {
          const r = parser.end();
          settle(() => resolve(r));
        } catch (e) {
          settle(() => reject(e as Error));
        }
      });
      client.socket.on('error', (err: NodeJS.ErrnoException) =>
        settle(() => reject(new WirelabError(err.code ?? 'SOCKET_ERROR', `${err.code ?? 'error'} while reading the response`))),
      );
      client.write(bytes).catch((e: unknown) => settle(() => reject(e as Error)));
    });
    return {
      request: Buffer.from(bytes).toString('utf8'),
      status: res.status,
      reason: res.reason,
      headers: res.headers,
      rawHeaders: res.rawHeaders,
      body: Buffer.from(res.body).toString('utf8'),
      bodyBytes: res.body.length,
      framing: res.framing,
      bytesSent: bytes.length,
      bytesReceived: received,
      connectMs: client.connectMs,
    };
  } finally {
    client.close();
  }
}
