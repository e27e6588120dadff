import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { UdpSocket } from './udp-socket.ts';

describe('UDP receive in batches (recvmmsg on Linux, dgram elsewhere)', () => {
  it('a flood is read in batches with every datagram, its bytes and its sender intact; a quiet socket goes back to dgram', async () => {
    const got: { text: string; port: number; address: string }[] = [];
    let sawBurst = false;
    const rx = await UdpSocket.bind({ host: '127.0.0.1', port: 0 }, (d, from) => {
      got.push({ text: d.toString(), port: from.port, address: from.address });
      if (rx?.bursting) sawBurst = true;
    });
    const tx = createSocket('udp4');
    await new Promise<void>((r) => tx.bind(0, '127.0.0.1', () => r()));
    const n = 20_000;
    // in waves of 250 every 2 ms (~125k/s): the receiver shares this thread, so the socket's
    // buffer must hold a wave while the sender has the loop
    for (let i = 0; i < n; i += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, k) => new Promise<void>((r) => tx.send(`m${i + k}`, rx.port, '127.0.0.1', () => r()))));
      await new Promise((r) => setTimeout(r, 2));
    }
    const end = Date.now() + 10_000;
    while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(n);
    expect(got.map((g) => g.text)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect(new Set(got.map((g) => `${g.address}:${g.port}`))).toEqual(new Set([`127.0.0.1:${tx.address().port}`]));
    if (process.platform === 'linux' && rx.batched) expect(sawBurst).toBe(true);
    // quiet for a while: one datagram still arrives (dgram reads again)
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.bursting).toBe(false);
    tx.send('late', rx.port, '127.0.0.1');
    while (got.length < n + 1 && Date.now() < end + 5000) await new Promise((r) => setTimeout(r, 10));
    expect(got.at(-1)?.text).toBe('late');
    tx.close();
    await rx.close();
  }, 30_000);
});
