import { createServer, connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { KernelState } from '../../../shared/contract/timeline.ts';
import { endpointText } from '../../../shared/timeline/tcp-streams.ts';
import { findExecutable } from '../find-executable.ts';
import { KernelStateWatcher, netstatArgs, readTcpTable, type TcpTableRoute } from './kernel-states.ts';

/**
 * Both routes to the kernel's socket table, on one real loopback connection: /proc (Linux) and
 * netstat (macOS and Windows; tested here with Linux's net-tools, which `.ci/run` installs).
 */
async function closeFromClient(route: TcpTableRoute): Promise<{ client: string; seen: KernelState[] }> {
  const server = createServer((s) => s.on('end', () => s.end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const seen: KernelState[] = [];
  const watcher = new KernelStateWatcher((k) => seen.push(k), 10, route);
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const client = endpointText('127.0.0.1', sock.localPort!);
  watcher.track(client, `127.0.0.1:${port}`);
  watcher.start();
  // Stay connected until the route has looked at least once (netstat is a child process each
  // poll, slow to start on a loaded machine), then close.
  for (let i = 0; i < 250 && !seen.some((k) => k.client === client); i++) await new Promise((r) => setTimeout(r, 20));
  sock.end();
  await new Promise((r) => sock.once('close', r));
  await new Promise((r) => setTimeout(r, 600));
  await watcher.poll();
  watcher.stop();
  server.close();
  return { client, seen };
}

describe('the kernel socket table', () => {
  it('netstat is here (CI installs net-tools) and each OS is asked in its own words', () => {
    expect(findExecutable('netstat')).not.toBeNull();
    expect(netstatArgs('linux')).toEqual(['-tan']);
    expect(netstatArgs('darwin')).toEqual(['-an', '-p', 'tcp']);
    expect(netstatArgs('win32')).toEqual(['-an', '-p', 'TCP']);
  });

  it('netstat and /proc list the same connection in the same spelling', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const local = sock.localPort!;
    const mine = (rows: { local: string; remote: string; state: string }[]) =>
      rows
        .filter((r) => r.local.endsWith(`:${port}`) || r.remote.endsWith(`:${port}`))
        .map((r) => `${r.local} ${r.remote} ${r.state}`)
        .sort();
    const [proc, netstat] = await Promise.all([readTcpTable('proc'), readTcpTable('netstat')]);
    sock.destroy();
    server.close();
    expect(mine(netstat)).toEqual(mine(proc));
    expect(mine(proc)).toEqual(
      [`127.0.0.1:${port} 0.0.0.0:0 LISTEN`, `127.0.0.1:${port} 127.0.0.1:${local} ESTABLISHED`, `127.0.0.1:${local} 127.0.0.1:${port} ESTABLISHED`].sort(),
    );
  });

  for (const route of ['proc', 'netstat'] as const) {
    it(`${route}: the client that closes first is seen ESTABLISHED, then in TIME_WAIT`, async () => {
      const { client, seen } = await closeFromClient(route);
      const states = seen.filter((k) => k.side === 'client' && k.client === client).map((k) => k.state);
      expect(states[0]).toBe('ESTABLISHED');
      expect(states.at(-1)).toBe('TIME_WAIT');
      const tw = seen.find((k) => k.side === 'client' && k.state === 'TIME_WAIT')!;
      // only /proc carries the kernel's TIME_WAIT timer
      if (route === 'proc') expect(tw.timerSec).toBeGreaterThan(55);
      else expect(tw.timerSec).toBeNull();
    });
  }
});
