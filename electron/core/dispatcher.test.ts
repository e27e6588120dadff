import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { commandNames, commands, WirelabError, zeroCounters, type CommandName } from '../../shared/contract/index.ts';
import { base64Length, limits } from '../../shared/contract/limits.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { createBackend } from '../services/backend.ts';
import { Dispatcher, type Handlers } from './dispatcher.ts';
import { Logger } from './logger.ts';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'app.info': () => ({ name: 'Wirelab', version: '1', host: 'browser', platform: 'linux', dataDir: '/tmp', notices: [] }),
    'app.ping': ({ at }) => ({ at, serverAt: 1 }),
    'app.dismissNotice': () => ({ dismissed: false }),
    'settings.get': () => ({ language: 'en', theme: 'dark', lastPanel: 'subnet', senderLogCapacity: 100_000, processColumns: { hidden: [], widths: {} } }),
    'settings.update': (p) => ({
      language: 'en',
      theme: 'dark',
      lastPanel: 'subnet',
      senderLogCapacity: 100_000,
      processColumns: { hidden: [], widths: {} },
      ...p,
    }),
    'net.interfaces': () => [],
    'scripts.run': () => ({ ok: true, ms: 0, steps: [] }),
    'scripts.status': () => ({ running: false, script: null, run: null, runId: null, seq: 0, current: null, transcript: null }),
    'scripts.stop': () => ({ stopped: false }),
    'scripts.transcript': () => ({ chunks: [], more: false, transcript: { chunks: 0, bytes: 0, dropped: 0, droppedBytes: 0 } }),
    'scripts.export': () => ({ name: 'x.pcap', mime: 'application/vnd.tcpdump.pcap', data: '', base64: true }),
    'scripts.list': () => [],
    'scripts.save': (x) => ({ id: 'x', savedAt: '', ...x }),
    'scripts.delete': () => ({ deleted: false }),
    'http.request': () => ({
      request: '',
      status: 200,
      reason: 'OK',
      headers: {},
      rawHeaders: [],
      body: '',
      bodyBytes: 0,
      framing: 'none',
      bytesSent: 0,
      bytesReceived: 0,
      connectMs: 0,
    }),
    'sender.exportPython': () => ({ name: 'x.py', program: '' }),
    'presets.open': () => ({ sessions: [] }),
    'sender.open': () => ({ id: 'x', kind: 'udp', local: '', remote: null, connectMs: null, state: 'open', ...zeroCounters }),
    'sender.send': () => ({ bytes: 0 }),
    'sender.sendFile': () => ({ bytes: 0, size: 0, sent: 0, complete: true }),
    'sender.halfClose': () => ({ id: 'x', kind: 'tcp-client', local: '', remote: null, connectMs: null, state: 'half-closed', ...zeroCounters }),
    'sender.reconnect': () => ({ id: 'x', kind: 'tcp-client', local: '', remote: null, connectMs: null, state: 'open', ...zeroCounters }),
    'sender.close': () => ({ closed: true }),
    'sender.repeat': () => ({ started: true }),
    'sender.udpOptions': () => ({ broadcast: false, groups: [] }),
    'sender.stopRepeat': () => ({ sent: 0 }),
    'sender.list': () => [],
    'sender.log': () => ({
      session: {
        id: 'x',
        kind: 'udp',
        local: '',
        remote: null,
        connectMs: null,
        state: 'open',
        ...zeroCounters,
        framing: { kind: 'raw' },
        encoding: 'utf8',
        openedAt: 0,
        messagesIn: 0,
        clients: [],
        repeating: false,
      },
      entries: [],
      firstSeq: 1,
      lastSeq: 0,
      dropped: 0,
    }),
    'sender.clearLog': () => ({ cleared: 0 }),
    'sender.export': () => ({ name: 'x.txt', mime: 'text/plain', data: '', base64: false }),
    'sender.closeAll': () => ({ closed: 0 }),
    'sender.preview': () => ({ length: 0, hex: '' }),
    'generator.start': () => ({ id: 'g' }),
    'generator.stop': () => ({ stopped: false }),
    'packets.list': () => [],
    'packets.save': (p) => ({ ...p, id: 'x', kind: 'any', framing: 'raw', savedAt: 'now' }),
    'packets.delete': () => ({ deleted: false }),
    'packets.export': () => ({ json: '{}' }),
    'packets.import': () => ({ added: 0 }),
    'timeline.capabilities': () => ({
      capture: { available: false, code: 'CAPTURE_UNAVAILABLE' as const, tool: null, reason: 'test', howTo: null },
      kernelStates: false,
    }),
    'timeline.experiment': () => ({ timelineId: 't' }),
    'timeline.watch': () => ({ timelineId: 't' }),
    'timeline.stop': () => ({ stopped: false }),
    'timeline.import': () => ({ timelineId: 't', format: null, frames: 0, tcpPackets: 0, streams: [], problem: null }),
    'timeline.stream': () => ({ packets: [], truncated: false }),
    'timeline.linkCapabilities': () => ({ available: false, code: 'LINK_UNSUPPORTED_OS', reason: 'test', delay: false, delayBy: null }),
    'timeline.link': () => ({ timelineId: 'tl-1' }),
    'processes.configure': () => ({ supported: true, reason: null, code: null, running: false, intervalMs: 1000 }),
    'processes.details': () => null,
    'processes.sockets': () => [],
    'processes.signal': () => ({ sent: false }),
    'processes.labStart': () => ({ id: 'l', kind: 'zombie', pids: [], exited: [], startedAt: 0, error: null }),
    'processes.labStop': () => ({ stopped: false }),
    'concurrency.models': () => ({ python: false, models: [], fdLimit: null }),
    'concurrency.source': () => ({ file: 'x.py', text: '' }),
    'concurrency.serverStart': () => ({ id: 's', model: 'node', port: 1, pid: 1, file: 'x', workMs: 0, state: 'running', exit: null, error: null }),
    'concurrency.serverStop': () => ({ stopped: false }),
    'concurrency.servers': () => [],
    'concurrency.loadStart': () => ({ id: 'l' }),
    'concurrency.loadStop': () => ({ stopped: false }),
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
        'app.ping': () => {
          throw new WirelabError('ECONNREFUSED', 'nobody listens', 'port');
        },
        'settings.get': () => {
          throw new Error('disk on fire');
        },
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

  it('the real backend answers every command that takes no input with a value inside the contract', async () => {
    // The output check is what a drifted service trips (the dispatcher answers INTERNAL then);
    // a stub-handler test could not see it.
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      const noInput = commandNames.filter((n) => commands[n].input.safeParse({}).success && n !== 'settings.update');
      expect(noInput).toEqual(
        expect.arrayContaining([
          'app.info',
          'settings.get',
          'net.interfaces',
          'sender.list',
          'packets.list',
          'packets.export',
          'timeline.capabilities',
          'processes.sockets',
        ]),
      );
      for (const name of noInput) {
        const r = await backend.dispatcher.invoke(name, {});
        expect(r, name).toMatchObject({ ok: true });
      }
    } finally {
      await backend.dispose();
    }
  }, 30_000);
});

describe('limits', () => {
  const d = new Dispatcher(handlers(), new Logger());
  const payload = (text: string) => ({ mode: 'text' as const, text, encoding: 'utf8' as const, lineEnding: 'none' as const });

  it('a payload over payloadChars answers LIMIT_EXCEEDED naming the field and the limit; one at the limit passes', async () => {
    expect(await d.invoke('sender.send', { sessionId: 's', payload: payload('x'.repeat(limits.payloadChars + 1)) })).toEqual({
      ok: false,
      error: {
        code: 'LIMIT_EXCEEDED',
        field: 'payload.text',
        message: 'payload: at most 16 MiB of text per send (limit payloadChars)',
        params: { limit: 'payloadChars', max: limits.payloadChars, field: 'payload.text' },
      },
    });
    expect(await d.invoke('sender.send', { sessionId: 's', payload: payload('x'.repeat(limits.payloadChars)) })).toMatchObject({ ok: true });
  });

  it('a capture over captureImportBytes answers LIMIT_EXCEEDED with the limit in bytes', async () => {
    const base64 = 'A'.repeat(base64Length(limits.captureImportBytes) + 4);
    expect(await d.invoke('timeline.import', { name: 'big.pcap', base64 })).toMatchObject({
      ok: false,
      error: {
        code: 'LIMIT_EXCEEDED',
        field: 'base64',
        message: 'file: at most 96 MiB per capture file (limit captureImportBytes)',
        params: { limit: 'captureImportBytes', max: 96 * 1024 * 1024 },
      },
    });
    expect(await d.invoke('timeline.import', { name: 'ok.pcap', base64: 'A'.repeat(base64Length(limits.captureImportBytes)) })).toMatchObject({ ok: true });
  });
});

/** zod's internals, as far as this walk needs them. */
type Def = { type: string; shape?: Record<string, Z>; options?: Z[]; innerType?: Z; in?: Z; element?: Z; entries?: Record<string, string>; values?: unknown[] };
type Z = z.ZodType & { _zod: { def: Def }; minValue?: number | null; maxValue?: number | null; isInt?: boolean };
type Path = (string | number)[];
interface NumberCase {
  value: unknown;
  path: Path;
  num: Z;
}

/** The smallest valid value of a schema (optional and defaulted keys left out). */
function sample(s: Z): unknown {
  const def = s._zod.def;
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape!)
          .map(([k, v]) => [k, sample(v)])
          .filter(([, v]) => v !== undefined),
      );
    case 'union':
      return sample(def.options![0]!);
    case 'optional':
    case 'default':
      return undefined;
    case 'nullable':
      return sample(def.innerType!);
    case 'pipe':
      return sample(def.in!);
    case 'array':
      return [];
    case 'string':
      return 'x';
    case 'boolean':
      return false;
    case 'enum':
      return Object.values(def.entries!)[0];
    case 'literal':
      return def.values![0];
    case 'number':
      return s.minValue ?? 0;
    default:
      return undefined;
  }
}

/** Every number field reachable in a schema, each inside an otherwise valid input. */
function numberCases(s: Z): NumberCase[] {
  const def = s._zod.def;
  switch (def.type) {
    case 'number':
      return [{ value: s.minValue ?? 0, path: [], num: s }];
    case 'optional':
    case 'default':
    case 'nullable':
      return numberCases(def.innerType!);
    case 'pipe':
      return numberCases(def.in!);
    case 'union':
      return def.options!.flatMap(numberCases);
    case 'array':
      return numberCases(def.element!).map((c) => ({ ...c, value: [c.value], path: [0, ...c.path] }));
    case 'object': {
      const base = sample(s) as Record<string, unknown>;
      return Object.entries(def.shape!).flatMap(([k, v]) => numberCases(v).map((c) => ({ ...c, value: { ...base, [k]: c.value }, path: [k, ...c.path] })));
    }
    default:
      return [];
  }
}

/** The variant of a discriminated input (sender.open's kind), to tell its cases apart. */
function kindOf(value: unknown): string {
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === 'string' ? ` (${kind})` : '';
}

function setAt(value: unknown, path: Path, leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, leaf);
  return copy;
}

describe('every number a user can type is validated by the contract', () => {
  const cases = commandNames.flatMap((name) => numberCases(commands[name].input as unknown as Z).map((c) => ({ name, ...c })));

  it('finds the number fields (pids, ports, counts, sizes, intervals…)', () => {
    const fields = cases.map((c) => `${c.name} ${c.path.join('.')}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'processes.signal pid',
        'processes.details pid',
        'sender.open port',
        'generator.start size',
        'sender.repeat intervalMs',
        'timeline.stream index',
        'settings.update senderLogCapacity',
        'processes.labStart count',
      ]),
    );
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [`${c.name} ${c.path.join('.')}${kindOf(c.value)}`, c] as const))(
    '%s has bounds, and out-of-range, fractional and non-number values are INVALID_INPUT naming it, never INTERNAL',
    async (_label, c) => {
      const reached: string[] = [];
      // A handler that is reached means validation let the value through.
      const all = Object.fromEntries(
        commandNames.map((n) => [
          n,
          () => {
            reached.push(n);
            throw new Error('validation let this through');
          },
        ]),
      ) as unknown as Handlers;
      const d = new Dispatcher(all, new Logger());
      const name = c.name as CommandName;
      expect(commands[name].input.safeParse(c.value).success, 'the valid base input').toBe(true);
      expect(Number.isFinite(c.num.minValue), 'a lower bound').toBe(true);
      expect(Number.isFinite(c.num.maxValue), 'an upper bound').toBe(true);
      const bad: unknown[] = [c.num.minValue! - 1, c.num.maxValue! + 1, 'NaN', '1', null, true, {}];
      if (c.num.isInt) bad.push(c.num.minValue! + 0.5, 2 ** 31, 2 ** 53);
      // Integers the user types (pids, ports, counts) fit the 32-bit range the OS types use.
      if (c.num.isInt) expect(c.num.maxValue!).toBeLessThan(2 ** 31);
      for (const v of bad) {
        const r = await d.invoke(name, setAt(c.value, c.path, v));
        expect(r, `${JSON.stringify(v)}`).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: c.path.join('.') } });
        if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^${c.path.join('\\.')}: `));
      }
      expect(reached).toEqual([]);
    },
  );

  it('processes.signal with pid 2147483648 through the real backend answers INVALID_INPUT naming pid (it was ERR_INVALID_ARG_TYPE)', async () => {
    const backend = await createBackend({ host: 'browser', dataDir: await tempDir() });
    try {
      expect(await backend.dispatcher.call('processes.signal', { pid: 2147483648, signal: 'SIGTERM' })).toEqual({
        ok: false,
        error: { code: 'INVALID_INPUT', field: 'pid', message: 'pid: a process id is at most 2147483647', params: { field: 'pid' } },
      });
      // The largest pid the OS type holds reaches the service and gets its typed answer (no such process).
      const r = await backend.dispatcher.call('processes.signal', { pid: 2 ** 31 - 1, signal: 'SIGCONT' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).not.toBe('INTERNAL');
    } finally {
      await backend.dispose();
    }
  });
});
