import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { GeneratorProgress } from '../../../shared/contract/sender.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { createBackend } from '../backend.ts';

describe('generator on a worker thread', () => {
  it('counts received and lost when the target is a Wirelab server, and reports progress', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const progress: GeneratorProgress[] = [];
    backend.hub.on('generator.progress', (p) => progress.push(p));
    const sink = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!sink.ok) throw new Error(sink.error.message);
    const port = Number(sink.value.local.split(':').at(-1));
    const started = await backend.dispatcher.call('generator.start', { proto: 'udp', host: '127.0.0.1', port, count: 3000, size: 8, rate: 5_000 });
    expect(started.ok).toBe(true);
    const end = Date.now() + 15_000;
    while (!progress.some((p) => p.state === 'done') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const done = progress.find((p) => p.state === 'done')!;
    expect(done.report).toMatchObject({ proto: 'udp', path: 'dgram', sent: 3000, bytes: 24_000 });
    expect(done.target).toBe(`127.0.0.1:${port}`);
    // Loss on loopback is rare but real when the machine is busy: the accounting must add up.
    expect(done.received).toBeGreaterThan(2500);
    expect(done.received! + done.lost!).toBe(3000);
    expect(progress.filter((p) => p.state === 'running').length).toBeGreaterThan(1);
    await backend.dispose();
  });

  it('stops on request, reports a closed port, and names a bad target', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const progress: GeneratorProgress[] = [];
    backend.hub.on('generator.progress', (p) => progress.push(p));
    // a plain socket, not a Wirelab server: nothing is known about what it received
    const sink = createSocket('udp4');
    await new Promise<void>((res) => sink.bind(0, '127.0.0.1', res));
    const r = await backend.dispatcher.call('generator.start', {
      proto: 'udp',
      host: '127.0.0.1',
      port: sink.address().port,
      count: 10_000_000,
      size: 8,
      rate: 1000,
    });
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((res) => setTimeout(res, 300));
    expect(await backend.dispatcher.call('generator.stop', { id: r.value.id })).toEqual({ ok: true, value: { stopped: true } });
    const end = Date.now() + 5000;
    while (!progress.some((p) => p.state === 'stopped') && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    const stopped = progress.find((p) => p.state === 'stopped')!;
    expect(stopped.report!.sent).toBeGreaterThan(0);
    expect(stopped.report!.sent).toBeLessThan(10_000);
    expect(stopped.received).toBeNull();
    const closedPort = sink.address().port;
    sink.close();
    // a connected UDP socket learns from ICMP "port unreachable" that nobody listens
    const refused = await backend.dispatcher.call('generator.start', {
      proto: 'udp',
      host: '127.0.0.1',
      port: closedPort,
      count: 100_000,
      size: 8,
      rate: 10_000,
    });
    if (!refused.ok) throw new Error(refused.error.message);
    const until = Date.now() + 5000;
    while (!progress.some((p) => p.id === refused.value.id && p.state === 'error') && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    expect(progress.find((p) => p.id === refused.value.id && p.state === 'error')?.error?.code).toBe('ECONNREFUSED');
    expect(await backend.dispatcher.call('generator.start', { proto: 'udp', host: '127.0.0.1', port: 9, count: 0, size: 8, rate: 0 })).toMatchObject({
      ok: false,
      error: { field: 'count' },
    });
    expect(await backend.dispatcher.call('generator.start', { proto: 'udp', host: 'bad host', port: 9, count: 1, size: 8, rate: 0 })).toMatchObject({
      ok: false,
      error: { field: 'host' },
    });
    await backend.dispose();
  });
});

describe('generator with a saved packet', () => {
  it('sends the saved packet framed as saved', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const got: string[] = [];
    const sink = createSocket('udp4');
    sink.on('message', (m) => got.push(m.toString('hex')));
    await new Promise<void>((res) => sink.bind(0, '127.0.0.1', res));
    const saved = await backend.dispatcher.call('packets.save', {
      name: 'hi',
      kind: 'udp',
      framing: 'len16be',
      payload: { mode: 'text', text: 'hi', encoding: 'utf8', lineEnding: 'none' },
    });
    if (!saved.ok) throw new Error(saved.error.message);
    const r = await backend.dispatcher.call('generator.start', {
      proto: 'udp',
      host: '127.0.0.1',
      port: sink.address().port,
      count: 5,
      size: 1,
      rate: 1000,
      packetId: saved.value.id,
    });
    expect(r.ok).toBe(true);
    const end = Date.now() + 5000;
    while (got.length < 5 && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    expect(got).toEqual(Array(5).fill('00026869'));
    expect(
      await backend.dispatcher.call('generator.start', { proto: 'udp', host: '127.0.0.1', port: 9, count: 1, size: 1, rate: 0, packetId: 'gone' }),
    ).toMatchObject({ ok: false, error: { field: 'packetId' } });
    sink.close();
    await backend.dispose();
  });
});
