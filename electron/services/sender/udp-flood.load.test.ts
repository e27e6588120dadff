import { afterEach, describe, expect, it } from 'vitest';
import { runWirelab } from '../../../test/support/spawn-cli.ts';
import { startHost, until, type HostClient } from '../../../test/support/host-client.ts';

// Issue 10, item 12: a UDP session flooded at 100,000 datagrams/s for 5 s with a page attached
// (a WebSocket client subscribed to the sender's events and reading them) keeps what it is sent,
// and whatever the kernel drops is counted, so nothing is lost silently.

interface Info {
  id: string;
  received: number;
  receivedBytes: number;
  kernelDropped: number | null;
}
let host: HostClient | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

describe('a UDP session under a flood (host as a child process, a page attached)', () => {
  it('keeps ≥ 95% of 100,000 datagrams/s for 5 s, and received + kernelDropped accounts for what was sent', async () => {
    host = await startHost();
    host.subscribe('sender.event');
    const r = await host.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8', reply: 'none' });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const session = r.value as Info & { local: string };
    const port = session.local.split(':').at(-1)!;
    // The sender is another process, paced at 100k/s (sendmmsg batches), 8-byte datagrams.
    const blast = await runWirelab(['blast', 'udp', '127.0.0.1', port, '--count', '500000', '--rate', '100000', '--size', '8', '--json'], 60_000);
    expect(blast.code).toBe(0);
    const sent = (JSON.parse(blast.stdout) as { sent: number }).sent;
    expect(sent).toBeGreaterThan(400_000);
    const info = async () => ((await host!.call('sender.list', {})).value as Info[]).find((s) => s.id === session.id)!;
    // Let the host drain its socket buffer, then read the counters: settled means unchanged for
    // half a second (two reads 20 ms apart could both fall inside one pause of a loaded host).
    let last = -1;
    let since = Date.now();
    await until(
      async () => {
        const now = (await info()).received;
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        return Date.now() - since >= 500;
      },
      20_000,
      'the receive counter to settle',
    );
    const got = await info();
    const kept = got.received / sent;
    expect(got.receivedBytes).toBe(got.received * 8);
    expect(got.kernelDropped).not.toBeNull();
    expect(Math.abs(sent - (got.received + got.kernelDropped!)) / sent).toBeLessThan(0.01);
    expect(kept, `kept ${got.received} of ${sent}, kernel dropped ${got.kernelDropped}`).toBeGreaterThanOrEqual(0.95);
    // the page was really reading: it has seen events of this session
    expect(host.events.length).toBeGreaterThan(1000);
  }, 90_000);
});
