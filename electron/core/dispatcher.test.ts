import { describe, expect, it } from 'vitest';
import { commandNames, WirelabError, zeroCounters } from '../../shared/contract/index.ts';
import { Dispatcher, type Handlers } from './dispatcher.ts';
import { Logger } from './logger.ts';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'app.info': () => ({ name: 'Wirelab', version: '1', host: 'browser', platform: 'linux', dataDir: '/tmp', notices: [] }),
    'app.ping': ({ at }) => ({ at, serverAt: 1 }),
    'app.dismissNotice': () => ({ dismissed: false }),
    'settings.get': () => ({ language: 'en', theme: 'dark', lastPanel: 'subnet', senderLogCapacity: 100_000 }),
    'settings.update': (p) => ({ language: 'en', theme: 'dark', lastPanel: 'subnet', senderLogCapacity: 100_000, ...p }),
    'net.interfaces': () => [],
    'sender.open': () => ({ id: 'x', kind: 'udp', local: '', remote: null, connectMs: null, state: 'open', ...zeroCounters }),
    'sender.send': () => ({ bytes: 0 }),
    'sender.halfClose': () => ({ id: 'x', kind: 'tcp-client', local: '', remote: null, connectMs: null, state: 'half-closed', ...zeroCounters }),
    'sender.reconnect': () => ({ id: 'x', kind: 'tcp-client', local: '', remote: null, connectMs: null, state: 'open', ...zeroCounters }),
    'sender.close': () => ({ closed: true }),
    'sender.repeat': () => ({ started: true }),
    'sender.udpOptions': () => ({ broadcast: false, groups: [] }),
    'sender.stopRepeat': () => ({ sent: 0 }),
    'sender.list': () => [],
    'sender.preview': () => ({ length: 0, hex: '' }),
    'generator.start': () => ({ id: 'g' }),
    'generator.stop': () => ({ stopped: false }),
    'packets.list': () => [],
    'packets.save': (p) => ({ ...p, id: 'x', kind: 'any', framing: 'raw', savedAt: 'now' }),
    'packets.delete': () => ({ deleted: false }),
    'packets.export': () => ({ json: '{}' }),
    'packets.import': () => ({ added: 0 }),
    'timeline.capabilities': () => ({ capture: { available: false, code: 'CAPTURE_UNAVAILABLE' as const, tool: null, reason: 'test', howTo: null }, kernelStates: false }),
    'timeline.experiment': () => ({ timelineId: 't' }),
    'timeline.watch': () => ({ timelineId: 't' }),
    'timeline.stop': () => ({ stopped: false }),
    'timeline.import': () => ({ timelineId: 't', format: null, frames: 0, tcpPackets: 0, streams: [], problem: null }),
    'timeline.stream': () => ({ packets: [], truncated: false }),
    'processes.configure': () => ({ supported: true, reason: null, running: false, intervalMs: 1000 }),
    'processes.details': () => null,
    'processes.sockets': () => [],
    'processes.signal': () => ({ sent: false }),
    'processes.labStart': () => ({ id: 'l', kind: 'zombie', pids: [], startedAt: 0, error: null }),
    'processes.labStop': () => ({ stopped: false }),
    ...overrides,
  };
}

describe('Dispatcher', () => {
  it('validates input and names the field and the rule', async () => {
    const d = new Dispatcher(handlers(), new Logger());
    const r = await d.invoke('settings.update', { language: 'fr' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.field).toBe('language');
    expect(r.error.message).toMatch(/^language: .*("en"|zh-CN)/);
  });

  it('rejects keys the contract does not know (a typo is not silently ignored)', async () => {
    const d = new Dispatcher(handlers(), new Logger());
    const r = await d.invoke('settings.update', { langauge: 'en' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('answers unknown commands with a typed error instead of throwing', async () => {
    const d = new Dispatcher(handlers(), new Logger());
    await expect(d.invoke('rm -rf', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    await expect(d.invoke(42, {})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    await expect(d.invoke('__proto__', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it('passes a service error code through, and turns any other failure into INTERNAL', async () => {
    const log = new Logger();
    const d = new Dispatcher(
      handlers({
        'app.ping': () => { throw new WirelabError('ECONNREFUSED', 'nobody listens', 'port'); },
        'settings.get': () => { throw new Error('disk on fire'); },
      }),
      log,
    );
    expect(await d.invoke('app.ping', { at: 1 })).toEqual({ ok: false, error: { code: 'ECONNREFUSED', message: 'nobody listens', field: 'port' } });
    expect(await d.invoke('settings.get', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('disk on fire') } });
    expect(log.entries().some((e) => e.level === 'error' && e.message.includes('settings.get'))).toBe(true);
  });

  it('refuses a service result that drifted from the contract', async () => {
    const d = new Dispatcher(handlers({ 'app.ping': () => ({ at: 'soon' }) as never }), new Logger());
    expect(await d.invoke('app.ping', { at: 1 })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('has a handler for every command in the contract', () => {
    const d = new Dispatcher(handlers(), new Logger());
    for (const name of commandNames) expect(d.hasHandler(name), name).toBe(true);
  });
});
