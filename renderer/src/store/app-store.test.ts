import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { EventBatch, StreamName } from '../../../shared/contract/index.ts';
import { Subscription } from '../../../electron/core/event-hub.ts';
import { createBackend, type Backend } from '../../../electron/services/backend.ts';
import { tempDir } from '../../../test/support/temp-dir.ts';
import type { ContractClient } from '../client/contract-client.ts';
import { createAppStore } from './app-store.ts';
import { atStart, atTail, goneBeforeStart } from './log-window.ts';

/**
 * A real backend reached without a socket: the store's logic is what is under test here.
 * `drop` stands for an event batcher that had to drop events because the page was slow.
 */
function inProcessClient(backend: Backend, drop: (e: { seq: number }) => boolean = () => false): ContractClient {
  return {
    host: 'browser',
    connection: 'connected',
    invoke: (command, input) => backend.dispatcher.call(command, input),
    subscribe<S extends StreamName>(stream: S, listener: (b: EventBatch<S>) => void) {
      const sub = new Subscription(
        backend.hub,
        (b) => {
          const events = (b.events as { seq: number }[]).filter((e) => !drop(e));
          // a batcher delivers no empty batch
          if (events.length || b.dropped) listener({ ...b, events } as EventBatch<S>);
        },
        { flushMs: 1 },
      );
      sub.subscribe(stream);
      return () => sub.close();
    },
    onConnection(listener) {
      listener('connected');
      return () => undefined;
    },
  };
}

async function settle(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('store never settled');
}

describe('app store', () => {
  it('loads settings and the remembered panel, and persists a panel switch', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    await backend.settings.update({ lastPanel: 'timeline', language: 'zh-CN' });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().settingsLoaded);
    expect(store.getState().panel).toBe('timeline');
    expect(store.getState().settings.language).toBe('zh-CN');
    store.getState().setPanel('processes');
    await settle(() => backend.settings.get().lastPanel === 'processes');
  });

  it('rolls back a refused change and shows why', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().settingsLoaded);
    await store.getState().updateSettings({ theme: 'sepia' as never });
    expect(store.getState().settings.theme).toBe('system');
    expect(store.getState().settingsError?.message).toMatch(/^theme: /);
  });

  it('shows notices raised while running and forgets a dismissed one', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().info !== null);
    const n = backend.notices.add('warning', 'TEST', 'look here');
    await settle(() => store.getState().notices.length === 1);
    await store.getState().dismissNotice(n.id);
    expect(store.getState().notices).toEqual([]);
    expect(backend.notices.list()).toEqual([]);
  });
});

describe('sender log', () => {
  it('keeps only as many entries as the settings say, newest last, and counts everything', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    await backend.settings.update({ senderLogCapacity: 1000 });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().settingsLoaded);
    const opened = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!opened.ok) throw new Error(opened.error.message);
    await store.getState().syncSessions();
    const id = opened.value.id;
    const ev = (i: number) => ({
      sessionId: id,
      seq: i + 1,
      type: 'chunk' as const,
      dir: 'in' as const,
      at: 1000 + i,
      peer: '127.0.0.1:1',
      length: 1,
      hex: '61',
      text: String(i),
      truncated: false,
      code: null,
      message: null,
    });
    store.getState().applySenderEvents({ stream: 'sender.event', events: Array.from({ length: 1500 }, (_, i) => ev(i)), dropped: 0 });
    const log = store.getState().sender.logs[id]!;
    expect(log.chunks.length).toBe(1000);
    expect(log.chunks.at(0)!.text).toBe('500');
    expect(log.chunks.at(999)!.text).toBe('1499');
    expect(log.bytesIn).toBe(1500);
    expect(log.dropped).toBe(0);
    await backend.dispose();
  });

  /** A UDP session of the backend and a socket of this test that sends it `n` datagrams `#1`, `#2`, …, waiting until the backend logged each batch. */
  async function udpSession(backend: Backend) {
    const opened = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
    if (!opened.ok) throw new Error(opened.error.message);
    const id = opened.value.id;
    const port = Number(opened.value.local.split(':').at(-1));
    const { createSocket } = await import('node:dgram');
    const peer = createSocket('udp4');
    let sent = 0;
    const logged = async () => {
      const r = await backend.dispatcher.call('sender.log', { sessionId: id, limit: 1 });
      return r.ok ? r.value.lastSeq : 0;
    };
    return {
      id,
      async send(n: number) {
        const target = (await logged()) + n;
        for (let i = 0; i < n; i++) {
          sent++;
          await new Promise<void>((r) => peer.send(`#${sent}`, port, '127.0.0.1', () => r()));
        }
        for (let i = 0; i < 400 && (await logged()) < target; i++) await new Promise((r) => setTimeout(r, 10));
        if ((await logged()) < target) throw new Error('the backend never logged the datagrams');
      },
      close: () => new Promise<void>((r) => peer.close(() => r())),
    };
  }

  const seqsOf = (log: { chunks: { toArray(): { seq: number }[] } }) => log.chunks.toArray().map((e) => e.seq);

  it('a gap the live stream dropped (a slow page) is read again from the backend: the view ends up without a hole', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    // the stream "drops" seq 21..60, as a batcher does for a page that stalls
    const store = createAppStore(inProcessClient(backend, (e) => e.seq > 20 && e.seq <= 60));
    await settle(() => store.getState().settingsLoaded);
    const udp = await udpSession(backend);
    await store.getState().syncSessions();
    await udp.send(100);
    await settle(() => store.getState().sender.logs[udp.id]?.lastSeq === 100);
    const log = store.getState().sender.logs[udp.id]!;
    expect(seqsOf(log)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(log.chunks.at(30)!.text).toBe('#31');
    expect([log.dropped, log.bytesIn, log.messagesIn]).toEqual([0, 292, 100]);
    await udp.close();
    await backend.dispose();
  });

  it('says how many entries are gone when the backend no longer held the gap, and shows the rest', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const store = createAppStore(inProcessClient(backend, (e) => e.seq > 20 && e.seq <= 50));
    await settle(() => store.getState().settingsLoaded);
    const udp = await udpSession(backend);
    await store.getState().syncSessions();
    await udp.send(50);
    // the backend lets 1..50 go (another window's Clear: for this page, as if its budget had)
    const cleared = await backend.dispatcher.call('sender.clearLog', { sessionId: udp.id });
    expect(cleared.ok).toBe(true);
    await udp.send(10);
    await settle(() => store.getState().sender.logs[udp.id]?.lastSeq === 60);
    const log = store.getState().sender.logs[udp.id]!;
    const all = log.chunks.toArray();
    expect(all.slice(0, 20).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(all[20]).toMatchObject({ seq: 21, code: 'SENDER_LOG_GONE', params: { n: 30 } });
    expect(all.slice(21).map((e) => e.text)).toEqual(Array.from({ length: 10 }, (_, i) => `#${i + 51}`));
    expect(log.dropped).toBe(30);
    await udp.close();
    await backend.dispose();
  });

  /** `client` with its `sender.log` reads recorded (when, what) and, while `hold` is set, kept waiting until it is released. */
  function watched(client: ContractClient) {
    const reads: { at: number; input: Record<string, unknown> }[] = [];
    let gate: { promise: Promise<void>; open: () => void } | null = null;
    const invoke = client.invoke;
    client.invoke = (async (command: string, input: Record<string, unknown>) => {
      if (command === 'sender.log') {
        reads.push({ at: Date.now(), input });
        if (gate) await gate.promise;
      }
      return (invoke as (c: string, i: unknown) => Promise<unknown>)(command, input);
    }) as ContractClient['invoke'];
    return {
      reads,
      hold() {
        let open!: () => void;
        gate = { promise: new Promise<void>((r) => (open = r)), open: () => open() };
      },
      release() {
        gate?.open();
        gate = null;
      },
    };
  }

  it('a catch-up read that comes back after the user scrolled up is dropped: the window stays where they read', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const client = inProcessClient(backend, (e) => e.seq > 20 && e.seq <= 60);
    const reads = watched(client);
    const store = createAppStore(client);
    await settle(() => store.getState().settingsLoaded);
    const udp = await udpSession(backend);
    await store.getState().syncSessions();
    const get = () => store.getState().sender.logs[udp.id]!;
    await udp.send(20);
    await settle(() => get()?.lastSeq === 20);
    // 21..60 are dropped by the stream; #61 shows the gap and starts a read of it, held here
    reads.hold();
    await udp.send(41);
    await settle(() => get().loading === 'newer');
    const epoch = get().tailEpoch;
    // the user scrolls up to read #5 while the read is on its way
    store.getState().pauseFollow(udp.id);
    reads.release();
    await settle(() => get().loading === null);
    await new Promise((r) => setTimeout(r, 50));
    expect([get().follow, get().firstSeq, get().lastSeq, get().tailEpoch]).toEqual([false, 1, 20, epoch]);
    expect(get().countedSeq).toBe(61);
    // scrolling down reads it then
    for (let i = 0; i < 10 && get().lastSeq < 61; i++) await store.getState().loadNewerEntries(udp.id);
    expect(seqsOf(get())).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    await udp.close();
    await backend.dispose();
  });

  it('under a flood the gap is read once the stream is clean, and the tail at most once a second', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    await backend.settings.update({ senderLogCapacity: 1000 });
    // the live stream carries nothing of this session: this test hands the store its batches
    const client = inProcessClient(backend, () => true);
    const { reads } = watched(client);
    const store = createAppStore(client);
    await settle(() => store.getState().settingsLoaded);
    const udp = await udpSession(backend);
    await udp.send(10);
    await store.getState().syncSessions();
    const get = () => store.getState().sender.logs[udp.id]!;
    await settle(() => get()?.lastSeq === 10);
    const entry = async (seq: number) => {
      const r = await backend.dispatcher.call('sender.log', { sessionId: udp.id, after: seq - 1, limit: 1 });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.entries[0]!;
    };
    const tailReads = () => reads.filter((r) => r.input.sessionId === udp.id && r.input.after === undefined && r.input.before === undefined);
    const before = tailReads().length;
    await udp.send(1500);
    // batches that say the batcher dropped events: no read is started while they come
    for (const seq of [500, 1000, 1500]) {
      store.getState().applySenderEvents({ stream: 'sender.event', events: [await entry(seq)], dropped: 400 });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(tailReads().length).toBe(before);
    expect(get().lastSeq).toBe(10);
    // the stream is clean again: one tail read, and the window follows the tail
    store.getState().applySenderEvents({ stream: 'sender.event', events: [await entry(1510)], dropped: 0 });
    await settle(() => get().lastSeq === 1510);
    expect(tailReads().length).toBe(before + 1);
    // a second gap of more than a window right after: its tail read waits out the second
    await udp.send(1100);
    store.getState().applySenderEvents({ stream: 'sender.event', events: [await entry(2610)], dropped: 0 });
    for (let i = 0; i < 100 && get().lastSeq < 2610; i++) await new Promise((r) => setTimeout(r, 50));
    expect(get().lastSeq).toBe(2610);
    const [first, second] = tailReads().slice(before);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    await udp.close();
    await backend.dispose();
  });

  it('scrolling back reads older entries down to the start of the log within Keep, and scrolling forward follows the tail again', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    await backend.settings.update({ senderLogCapacity: 1000 });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().settingsLoaded);
    const udp = await udpSession(backend);
    for (let i = 0; i < 6; i++) await udp.send(500);
    await store.getState().syncSessions();
    const get = () => store.getState().sender.logs[udp.id]!;
    await settle(() => get()?.lastSeq === 3000);
    expect([get().firstSeq, get().lastSeq, atStart(get())]).toEqual([2001, 3000, false]);
    for (let i = 0; i < 50 && !atStart(get()); i++) {
      await store.getState().loadOlderEntries(udp.id);
      expect(get().chunks.length).toBeLessThanOrEqual(1000);
    }
    expect(seqsOf(get())).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect([atStart(get()), atTail(get()), goneBeforeStart(get())]).toEqual([true, false, 0]);
    // what arrives meanwhile is counted, and read when the user scrolls forward to it
    await udp.send(5);
    await settle(() => get().countedSeq === 3005);
    expect(get().lastSeq).toBe(1000);
    for (let i = 0; i < 50 && !atTail(get()); i++) await store.getState().loadNewerEntries(udp.id);
    expect([get().firstSeq, get().lastSeq, atTail(get())]).toEqual([2006, 3005, true]);
    // following again: live entries are appended
    await udp.send(1);
    await settle(() => get().lastSeq === 3006);
    expect(get().chunks.at(999)!.text).toBe('#3006');
    await udp.close();
    await backend.dispose();
  });
});

describe('sender sessions', () => {
  it("a reconnect stays open even when the old connection's events arrive after the reply (a loaded machine)", async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    const store = createAppStore(inProcessClient(backend));
    await settle(() => store.getState().settingsLoaded);
    const { createServer } = await import('node:net');
    const srv = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    const opened = await backend.dispatcher.call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port,
      framing: { kind: 'raw' },
      encoding: 'utf8',
      timeoutMs: 2000,
    });
    if (!opened.ok) throw new Error(opened.error.message);
    const id = opened.value.id;
    await settle(() => store.getState().sender.sessions.some((v) => v.info.id === id));
    // the reply says open; then the batch brings the old close and the new connect, in that order
    expect(await store.getState().reconnectSession(id)).toBe(true);
    const ev = (seq: number, type: 'close' | 'connect', message: string) => ({
      sessionId: id,
      seq,
      type,
      dir: null,
      at: Date.now(),
      peer: null,
      length: 0,
      hex: '',
      text: '',
      truncated: false,
      code: type === 'close' ? 'SENDER_CLOSED' : 'SENDER_CONNECTED',
      message,
    });
    store.getState().applySenderEvents({
      stream: 'sender.event',
      events: [ev(1e6, 'close', 'connection closed'), ev(1e6 + 1, 'connect', 'from 127.0.0.1:1 in 0.1 ms')],
      dropped: 0,
    });
    expect(store.getState().sender.sessions[0]!.info.state).toBe('open');
    // and a close on its own still closes it
    store.getState().applySenderEvents({ stream: 'sender.event', events: [ev(1e6 + 2, 'close', 'connection closed')], dropped: 0 });
    expect(store.getState().sender.sessions[0]!.info.state).toBe('closed');
    await backend.dispose();
    srv.close();
  });

  it('live in the backend: a reload rebuilds every tab with its log, a second window follows the same traffic, Close all empties both', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      const first = createAppStore(inProcessClient(backend));
      await settle(() => first.getState().settingsLoaded);
      first.getState().setSenderForm({ kind: 'tcp-server', host: '127.0.0.1', port: '0', framing: 'line', reply: 'echo' });
      await first.getState().openSession();
      const server = first.getState().sender.sessions[0]!;
      first.getState().setSenderForm({ kind: 'tcp-client', port: server.info.local.split(':').at(-1)! });
      await first.getState().openSession();
      const client = first.getState().sender.sessions.find((v) => v.info.kind === 'tcp-client')!;
      expect(first.getState().sender.active).toBe(client.info.id);
      first.getState().setComposer({ text: 'hello' });
      await first.getState().sendComposer();
      const texts = (store: typeof first, id: string) =>
        store
          .getState()
          .sender.logs[id]?.messages.toArray()
          .map((e) => e.text) ?? [];
      await settle(() => texts(first, client.info.id).includes('hello'));

      // "reload": a new page on the same backend shows both tabs, their logs and framing
      const reloaded = createAppStore(inProcessClient(backend));
      await settle(() => reloaded.getState().sender.sessions.length === 2 && texts(reloaded, client.info.id).includes('hello'));
      expect(reloaded.getState().sender.sessions.map((v) => v.framing)).toEqual(['line', 'line']);
      expect(texts(reloaded, server.info.id)).toEqual(['hello']);
      expect(reloaded.getState().sender.sessions.find((v) => v.info.kind === 'tcp-server')!.clients).toHaveLength(1);
      const chunksBefore = reloaded.getState().sender.logs[client.info.id]!.chunks.length;

      // sending from the reloaded page reaches both pages, once each
      reloaded.getState().setActiveSession(client.info.id);
      reloaded.getState().setComposer({ text: 'again' });
      await reloaded.getState().sendComposer();
      await settle(() => texts(first, client.info.id).includes('again') && texts(reloaded, client.info.id).includes('again'));
      expect(texts(reloaded, client.info.id)).toEqual(['hello', 'again']);
      expect(texts(first, client.info.id)).toEqual(['hello', 'again']);
      expect(reloaded.getState().sender.logs[client.info.id]!.chunks.length).toBe(chunksBefore + 2);

      // a session another window opens appears here too
      const udp = await backend.dispatcher.call('sender.open', { kind: 'udp', host: '127.0.0.1', port: 0, framing: { kind: 'raw' }, encoding: 'utf8' });
      if (!udp.ok) throw new Error(udp.error.message);
      await backend.dispatcher.call('sender.send', {
        sessionId: udp.value.id,
        payload: { mode: 'text', text: 'ping', encoding: 'utf8', lineEnding: 'none' },
        host: '127.0.0.1',
        port: Number(udp.value.local.split(':').at(-1)),
      });
      await settle(() => first.getState().sender.sessions.length === 3 && reloaded.getState().sender.sessions.length === 3);

      await reloaded.getState().closeAllSessions();
      expect(backend.sender.list()).toEqual([]);
      await settle(() => first.getState().sender.sessions.length === 0);
      expect(first.getState().sender.logs).toEqual({});
    } finally {
      await backend.dispose();
    }
  });
});

describe('host counters', () => {
  it('a page whose event stream dropped every entry still shows the exact counts, from sender.counters', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      // Every sender.event (they carry a seq) is lost on the way, as for a page far behind a flood.
      const store = createAppStore(inProcessClient(backend, (e) => typeof e.seq === 'number'));
      await settle(() => store.getState().settingsLoaded);
      store.getState().setSenderForm({ kind: 'udp', host: '127.0.0.1', port: '0', framing: 'raw' });
      await store.getState().openSession();
      const id = store.getState().sender.sessions[0]!.info.id;
      const port = Number(store.getState().sender.sessions[0]!.info.local.split(':').at(-1));
      const sock = createSocket('udp4');
      for (let i = 0; i < 50; i++) await new Promise<void>((r) => sock.send(Buffer.from('0123456789'), port, '127.0.0.1', () => r()));
      sock.close();
      const info = () => store.getState().sender.sessions.find((v) => v.info.id === id)!.info;
      const end = Date.now() + 5000;
      while (info().received < 50 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(info()).toMatchObject({ received: 50, receivedBytes: 500, kernelDropped: 0 });
      // The log itself saw none of it: the counts did not come from events.
      expect(store.getState().sender.logs[id]!.messagesIn).toBe(0);
    } finally {
      await backend.dispose();
    }
  });
});

describe('generator and library slices', () => {
  it('the generator checks its form with the shared checks (codes and params), the library saves and loads a packet into the composer', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      const store = createAppStore(inProcessClient(backend));
      await settle(() => store.getState().settingsLoaded);
      store.getState().setGeneratorForm({ port: '70000' });
      await store.getState().startGenerator();
      expect(store.getState().generator.error).toMatchObject({ code: 'PORT_RANGE', field: 'port', params: { field: 'port', value: '70000', min: 1 } });
      store.getState().setGeneratorForm({ port: '9', rate: 'fast' });
      await store.getState().startGenerator();
      expect(store.getState().generator.error).toMatchObject({ code: 'NUMBER_RANGE', field: 'rate', params: { value: 'fast', min: 0, max: 1_000_000 } });

      store.getState().setComposer({ text: 'saved text' });
      await store.getState().savePacket('greeting');
      const [saved] = store.getState().library.packets;
      expect(saved).toMatchObject({ name: 'greeting', payload: { text: 'saved text' } });
      store.getState().setComposer({ text: 'something else' });
      store.getState().usePacket(saved!.id);
      expect(store.getState().sender.composer.text).toBe('saved text');
      await store.getState().deletePacket(saved!.id);
      expect(store.getState().library.packets).toEqual([]);
      expect(await backend.dispatcher.call('packets.list', {})).toEqual({ ok: true, value: [] });
    } finally {
      await backend.dispose();
    }
  });
});

describe('concurrency slice', () => {
  it('starts the Node model, runs a load, keeps the live series and adds the run to the table', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      const store = createAppStore(inProcessClient(backend));
      await settle(() => store.getState().settingsLoaded);
      await store.getState().loadModels();
      await store.getState().chooseModel('node');
      expect(store.getState().concurrency.source?.text).toContain('net.createServer');
      // The panel's "CPU work per request" field: given to the server when it starts.
      store.getState().setConcurrency({ workMs: 10 });
      await store.getState().startModelServer();
      expect(store.getState().concurrency.server).toMatchObject({ model: 'node', state: 'running', workMs: 10 });
      store.getState().setConcurrency({ conns: 3, durationMs: 1500 });
      await store.getState().startLoadRun();
      for (let i = 0; i < 100 && store.getState().concurrency.runs.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const { runs, series, load } = store.getState().concurrency;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ model: 'node', conns: 3, workMs: 10, state: 'done', error: null });
      // The server did the work: 10 ms of CPU per request, and 3 connections queue on its one thread.
      expect(runs[0]!.report.latencyMs.p50).toBeGreaterThanOrEqual(9);
      expect(runs[0]!.peak?.cpu).toBeGreaterThan(0);
      expect(runs[0]!.report.counts.answered).toBeGreaterThan(0);
      expect(runs[0]!.report.counts.sent).toBe(runs[0]!.report.counts.answered + runs[0]!.report.counts.failed);
      expect(series.length).toBeGreaterThan(1);
      expect(load?.state).toBe('done');
      await store.getState().stopModelServer();
      await settle(() => store.getState().concurrency.server?.state === 'exited');
    } finally {
      await backend.dispose();
    }
  });
});
