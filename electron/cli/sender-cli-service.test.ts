import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';

// `wirelab send` and `listen` run on SenderService (issue 11, item 6): the app's explanations
// and codes, not raw Node errors; whole messages from the service's log, not its previews.

async function listening(onConnection: (sock: import('node:net').Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('the CLI drives the sender service', () => {
  it('send: a reset connection is explained as the app explains it, with its errno code', async () => {
    // the peer answers the first bytes with a RST (SO_LINGER 0 and close)
    const { server, port } = await listening((sock) => sock.once('data', () => sock.resetAndDestroy()));
    const r = await runWirelab(['send', 'tcp', '127.0.0.1', String(port), 'hello', '--wait', '3000', '--json']);
    server.close();
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { sent: number; error: { code: string; message: string } | null };
    expect(doc.sent).toBe(5);
    expect(doc.error).toEqual({
      code: 'ECONNRESET',
      message: 'connection: ECONNRESET — the peer reset the connection (RST): it crashed, or closed with data still unread',
    });
    expect(r.stderr).toMatch(/^wirelab send: connection: ECONNRESET — the peer reset/);
  }, 30_000);

  it('listen: a 10 KB message comes out whole, and an echo goes back framed', async () => {
    const { child, line, output } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--echo', '--frame', 'len32be', '--count', '1', '--json'], /listening/);
    try {
      const { port } = JSON.parse(line) as { port: number };
      const body = 'ab'.repeat(5000);
      const r = await runWirelab(['send', 'tcp', '127.0.0.1', String(port), body, '--frame', 'len32be', '--wait', '3000', '--json']);
      const doc = JSON.parse(r.stdout) as { sent: number; messages: { text: string }[] };
      expect(doc.sent).toBe(10_004);
      expect(doc.messages.map((m) => m.text)).toEqual([body]);
      expect(await stop(child)).toBe(0);
      const events = output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; text?: string; hex?: string });
      const message = events.find((e) => e.event === 'message')!;
      expect(message.text).toBe(body);
      expect(message.hex).toHaveLength(20_000);
    } finally {
      await stop(child);
    }
  }, 30_000);
});
