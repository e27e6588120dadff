/**
 * One side of electron/services/sender/multicast-netns.test.ts. Two network namespaces are
 * joined by a veth pair: the sender side "a" has v0 (10.9.0.1/24, fd09::1/64), the receiver
 * side "b" has v1 (10.9.0.2/24, fd09::2/64). Each side runs the real backend and drives it
 * through the contract, as the UI does. Fixed ports are fine: the namespaces are private.
 *
 *   rx: UDP sessions on b, joined to 239.9.9.9 and ff05::909 on v1, plus one for broadcast;
 *       prints {"ready":true}, then what each got once all arrived (or after 8 s).
 *   tx: sends to them from a, and checks the multicast-loopback toggle with a receiver of its own.
 */
import type { SenderEvent } from '../../shared/contract/sender.ts';
import { createBackend } from '../../electron/services/backend.ts';
import { tempDir } from './temp-dir.ts';

export const ports = { v4: 40000, broadcast: 40001, v6: 40002, local: 40003 } as const;

const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
const events: SenderEvent[] = [];
backend.hub.on('sender.event', (e) => events.push(e));
const call = backend.dispatcher.call.bind(backend.dispatcher);
const text = (t: string) => ({ mode: 'text' as const, text: t, encoding: 'utf8' as const, lineEnding: 'none' as const });
const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};
const open = async (host: string, port: number) => must(await call('sender.open', { kind: 'udp', host, port, framing: { kind: 'raw' }, encoding: 'utf8' }));
const got = (id: string) => events.filter((e) => e.sessionId === id && e.dir === 'in' && e.type === 'chunk').map((e) => e.text);
const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (process.argv[2] === 'rx') {
  const v4 = await open('0.0.0.0', ports.v4);
  must(await call('sender.udpOptions', { sessionId: v4.id, join: { group: '239.9.9.9', iface: '10.9.0.2' } }));
  const bc = await open('0.0.0.0', ports.broadcast);
  const v6 = await open('::', ports.v6);
  must(await call('sender.udpOptions', { sessionId: v6.id, join: { group: 'ff05::909', iface: 'fd09::2' } }));
  print({ ready: true });
  const end = Date.now() + 8000;
  while (Date.now() < end && (got(v4.id).length < 2 || got(bc.id).length < 1 || got(v6.id).length < 1)) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  print({ v4: got(v4.id), broadcast: got(bc.id), v6: got(v6.id) });
} else {
  const result: Record<string, unknown> = {};
  // A receiver on the sending side, joined on v0: it hears the sender only through IP_MULTICAST_LOOP.
  const local = await open('0.0.0.0', ports.local);
  must(await call('sender.udpOptions', { sessionId: local.id, join: { group: '239.9.9.9', iface: '10.9.0.1' } }));
  const tx = await open('10.9.0.1', 0);
  for (const loop of [false, true]) {
    must(await call('sender.udpOptions', { sessionId: tx.id, multicastInterface: '10.9.0.1', multicastTtl: 1, multicastLoopback: loop }));
    must(await call('sender.send', { sessionId: tx.id, payload: text(`v4 loop ${loop ? 'on' : 'off'}`), host: '239.9.9.9', port: ports.v4 }));
    must(await call('sender.send', { sessionId: tx.id, payload: text(`v4 loop ${loop ? 'on' : 'off'}`), host: '239.9.9.9', port: ports.local }));
  }
  const refused = await call('sender.send', { sessionId: tx.id, payload: text('broadcast'), host: '10.9.0.255', port: ports.broadcast });
  result.broadcastWithoutFlag = refused.ok ? 'sent' : refused.error.code;
  must(await call('sender.udpOptions', { sessionId: tx.id, broadcast: true }));
  must(await call('sender.send', { sessionId: tx.id, payload: text('broadcast'), host: '10.9.0.255', port: ports.broadcast }));
  const tx6 = await open('fd09::1', 0);
  must(await call('sender.udpOptions', { sessionId: tx6.id, multicastInterface: 'fd09::1', multicastTtl: 1 }));
  must(await call('sender.send', { sessionId: tx6.id, payload: text('v6 group'), host: 'ff05::909', port: ports.v6 }));
  await new Promise((r) => setTimeout(r, 400));
  result.local = got(local.id);
  print(result);
}
await backend.dispose();
process.exit(0);
