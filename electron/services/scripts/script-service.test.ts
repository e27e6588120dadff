import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptEvent } from '../../../shared/contract/clients.ts';
import type { EventBatch } from '../../../shared/contract/index.ts';
import { readTcpPackets } from '../../../shared/timeline/tcp-packet.ts';
import { startPythonPeer, stopPeer } from '../../../test/support/python-peer.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { Subscription } from '../../core/event-hub.ts';
import { createBackend, type Backend } from '../backend.ts';

const children: ChildProcess[] = [];
const backends: Backend[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stopPeer(c);
  for (const b of backends.splice(0)) await b.dispose();
});

async function setup(peerArgs: string[]) {
  const p = await startPythonPeer('course_peers.py', peerArgs);
  children.push(p.child);
  const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
  backends.push(b);
  // a page's view of the stream: the hub through the same batcher a window or a WebSocket gets
  const events: { event: ScriptEvent; runAnswered: boolean }[] = [];
  let runAnswered = false;
  const sub = new Subscription(b.hub, (batch) => {
    for (const event of (batch as EventBatch<'scripts.event'>).events) events.push({ event, runAnswered });
  });
  sub.subscribe('scripts.event');
  const waitFor = async (pred: (e: ScriptEvent) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (events.some((x) => pred(x.event))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${what} within 15 s: ${JSON.stringify(events.map((x) => x.event.kind))}`);
  };
  return { port: p.port, b, events, waitFor, sub, answered: () => (runAnswered = true) };
}

describe('a script run as it happens (scripts.event, scripts.status, scripts.transcript, scripts.export)', () => {
  it('each step goes out on scripts.event in order while the run goes on, and its bytes stay behind', async () => {
    // the peer sleeps 0.6 s before each answer, so a step's result is seen long before the run ends
    const s = await setup(['slow', '0.6']);
    const script = JSON.stringify({
      connect: { kind: 'tcp', host: '127.0.0.1', port: s.port },
      steps: [{ send: 'one' }, { expect: 'one', timeoutMs: 10_000 }, { send: 'two' }, { expect: 'three', timeoutMs: 3000 }],
    });
    const running = s.b.dispatcher.call('scripts.run', { script }).then((r) => (s.answered(), r));
    await s.waitFor((e) => e.kind === 'step' && e.result.step === 1, 'result of steps[1]');
    // a page that opens now reads the steps so far and where to follow on from
    const mid = await s.b.dispatcher.call('scripts.status', {});
    if (!mid.ok) throw new Error(mid.error.message);
    expect(mid.value).toMatchObject({ running: true, script });
    expect(mid.value.run!.steps.slice(0, 2)).toMatchObject([
      { step: 0, ok: true },
      { step: 1, ok: true, got: 'one' },
    ]);
    const midSeq = mid.value.seq;
    const r = await running;
    expect(r).toMatchObject({ ok: true, value: { ok: false, steps: [{}, {}, {}, { step: 3, ok: false, code: 'SCRIPT_TIMEOUT', got: 'two' }] } });
    await s.waitFor((e) => e.kind === 'run-ended', 'run-ended');

    const kinds = s.events.map((x) =>
      x.event.kind === 'step' ? `step ${x.event.result.step}` : x.event.kind === 'step-started' ? `start ${x.event.current.step}` : x.event.kind,
    );
    expect(kinds).toEqual(['run-started', 'start 0', 'step 0', 'start 1', 'step 1', 'start 2', 'step 2', 'start 3', 'step 3', 'run-ended']);
    expect(s.events.map((x) => x.event.seq)).toEqual(kinds.map((_, i) => i + 1));
    // the steps before the last arrived before scripts.run answered: a page saw them live
    expect(s.events.filter((x) => x.event.kind === 'step' && x.event.result.step < 3).every((x) => !x.runAnswered)).toBe(true);
    expect(midSeq).toBeGreaterThanOrEqual(5);
    expect(s.events.at(-1)!.event).toMatchObject({ kind: 'run-ended', ok: false, transcript: { chunks: 4, bytes: 12, dropped: 0 } });

    // the failed step's bytes: what came while it waited
    const runId = s.events[0]!.event.runId;
    const t3 = await s.b.dispatcher.call('scripts.transcript', { runId, step: 3, round: 1 });
    expect(t3).toMatchObject({ ok: true, value: { more: false, chunks: [{ dir: 'in', text: 'two', hex: '74776f', length: 3, peer: `127.0.0.1:${s.port}` }] } });
    const t0 = await s.b.dispatcher.call('scripts.transcript', { runId, step: 0, round: 1 });
    expect(t0).toMatchObject({ ok: true, value: { chunks: [{ dir: 'out', text: 'one' }] } });
    expect(await s.b.dispatcher.call('scripts.transcript', { runId: runId + 1, step: 0, round: 1 })).toMatchObject({
      ok: false,
      error: { code: 'SCRIPT_NO_RUN' },
    });

    const pcap = await s.b.dispatcher.call('scripts.export', { format: 'pcap' });
    if (!pcap.ok) throw new Error(pcap.error.message);
    const { packets } = readTcpPackets(new Uint8Array(Buffer.from(pcap.value.data, 'base64')));
    expect(packets.map((p) => [p.dstPort === s.port ? 'out' : 'in', Buffer.from(p.data.subarray(p.tcpOffset + p.tcpHeaderLen)).toString()])).toEqual([
      ['out', 'one'],
      ['in', 'one'],
      ['out', 'two'],
      ['in', 'two'],
    ]);
    s.sub.close();
  }, 30_000);

  it('scripts.stop from another window ends a running step at once (SCRIPT_STOPPED)', async () => {
    const s = await setup(['slow', '8']);
    const script = JSON.stringify({ connect: { kind: 'tcp', host: '127.0.0.1', port: s.port }, steps: [{ send: 'x' }, { expect: 'x', timeoutMs: 20_000 }] });
    const t0 = Date.now();
    const running = s.b.dispatcher.call('scripts.run', { script });
    await s.waitFor((e) => e.kind === 'step-started' && e.current.step === 1, 'start of steps[1]');
    expect(await s.b.dispatcher.call('scripts.status', {})).toMatchObject({ ok: true, value: { running: true, current: { step: 1, action: 'expect' } } });
    expect(await s.b.dispatcher.call('scripts.stop', {})).toEqual({ ok: true, value: { stopped: true } });
    expect(await running).toMatchObject({ ok: true, value: { ok: false, steps: [{ ok: true }, { step: 1, code: 'SCRIPT_STOPPED' }] } });
    expect(Date.now() - t0).toBeLessThan(7000);
    s.sub.close();
  }, 30_000);

  it('a send the socket refused is not in the transcript: a 75,000-byte datagram fails with EMSGSIZE and nothing went', async () => {
    const b = await createBackend({ host: 'browser', dataDir: await tempDir() });
    backends.push(b);
    // UDP over IPv4 carries at most 65,507 bytes (RFC 768 / ip(7)): sendto refuses more
    const script = JSON.stringify({ connect: { kind: 'udp', host: '127.0.0.1', port: 9 }, steps: [{ send: '文'.repeat(25_000) }] });
    const r = await b.dispatcher.call('scripts.run', { script });
    expect(r).toMatchObject({ ok: true, value: { ok: false, steps: [{ step: 0, ok: false, code: 'EMSGSIZE' }] } });
    expect(await b.dispatcher.call('scripts.status', {})).toMatchObject({ ok: true, value: { transcript: { chunks: 0, bytes: 0 } } });
    expect(await b.dispatcher.call('scripts.transcript', { runId: 1, step: 0, round: 1 })).toMatchObject({ ok: true, value: { chunks: [] } });
  }, 30_000);
});
