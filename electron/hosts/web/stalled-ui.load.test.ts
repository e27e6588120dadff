import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { invoke, openUiSocket, rssBytes, serveChild, type ServedHost } from '../../../test/support/served-host.ts';

let host: ServedHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const floodMs = 5000;
const rssLimit = 300 * 1024 * 1024;

/**
 * The flood's pace: 100,000 datagrams of 4,000 bytes a second (400 MB/s). Paced, not as fast as
 * the loop allows, so every machine measures the same load: how much the host holds depends on
 * how many datagrams it takes in, and this pace peaked highest here (at 200,000/s or unpaced the
 * kernel drops more of them and the host holds less).
 */
const floodRate = 100_000;

/** Sends datagrams to `port` at `floodRate` (or as fast as the loop allows below it) for `ms`; resolves with how many went. */
async function udpFlood(port: number, ms: number): Promise<number> {
  const sock = createSocket('udp4');
  // Random bytes decode to U+FFFD in the event's text, so each event carries its full preview.
  const payload = randomBytes(4000);
  let sent = 0;
  const start = Date.now();
  const end = start + ms;
  try {
    while (Date.now() < end) {
      // Ahead of the pace: wait until the schedule catches up.
      const due = ((Date.now() - start) / 1000) * floodRate;
      if (sent >= due) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      await new Promise<void>((resolve) => {
        let left = 64;
        for (let i = 0; i < 64; i++) {
          sock.send(payload, port, '127.0.0.1', () => {
            sent++;
            if (--left === 0) resolve();
          });
        }
      });
    }
  } finally {
    sock.close();
  }
  return sent;
}

describe('a UI socket that stops reading during a flood', () => {
  it('keeps the host under 300 MB and tells the UI how many events it dropped once it reads again', async () => {
    host = await serveChild();
    const ws: WebSocket = await openUiSocket(host);
    const opened = await invoke(ws, 1, 'sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    expect(opened.ok).toBe(true);
    const local = (opened.value as { local: string }).local;
    const udpPort = Number(local.slice(local.lastIndexOf(':') + 1));

    let dropped = 0;
    let events = 0;
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { type: string; events?: unknown[]; dropped?: number };
      if (msg.type !== 'events') return;
      events += msg.events?.length ?? 0;
      dropped += msg.dropped ?? 0;
    });
    ws.send(JSON.stringify({ type: 'subscribe', stream: 'sender.event' }));
    await invoke(ws, 2, 'app.ping', { at: 0 }); // the subscription is in place once this answers

    // The UI stops reading: the kernel's buffers fill and the host's writes back up.
    const raw = (ws as unknown as { _socket: Socket })._socket;
    raw.pause();

    const pid = host.child.pid!;
    let peak = rssBytes(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
    let sent = 0;
    try {
      sent = await udpFlood(udpPort, floodMs);
      // Let the host drain what the kernel still holds for the session.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      clearInterval(sampler);
    }
    console.log(`stalled UI: ${sent} datagrams sent in ${floodMs} ms; host VmRSS peak ${(peak / 1048576).toFixed(0)} MB`);
    // A flood it was (a quarter of the pace at least, on the most loaded machine).
    expect(sent).toBeGreaterThan((floodRate * floodMs) / 1000 / 4);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(rssLimit);

    // Reading again, the UI hears of the events it missed on the next batches.
    raw.resume();
    const deadline = Date.now() + 20_000;
    while (dropped === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    console.log(`stalled UI: after resuming, ${events} events received, ${dropped} reported dropped`);
    expect(dropped).toBeGreaterThan(0);
    // The socket still carries the contract.
    expect(await invoke(ws, 3, 'app.ping', { at: 7 })).toMatchObject({ ok: true, value: { at: 7 } });
    ws.close();
  }, 90_000);
});
