import { readFileSync } from 'node:fs';
import { WirelabError, type HostKind } from '../../shared/contract/index.ts';
import { buildPayload } from '../../shared/sender/payload.ts';
import { encodeFrame, framingByName } from '../../shared/sender/framing.ts';
import { encodeText } from './sender/text-codec.ts';
import { Dispatcher, type Handlers } from '../core/dispatcher.ts';
import { EventHub } from '../core/event-hub.ts';
import { Logger } from '../core/logger.ts';
import { NoticeService, reportDataFileProblem } from './app/notice-service.ts';
import { acquireChildGuard } from './app/child-guard.ts';
import { SettingsService } from './settings/settings-service.ts';
import { listInterfaces } from './network/interfaces-service.ts';
import { SenderService } from './sender/sender-service.ts';
import { PacketLibraryService } from './sender/packet-library.ts';
import { GeneratorService } from './sender/generator-service.ts';
import { TimelineService } from './timeline/timeline-service.ts';
import { ProcessService } from './processes/process-service.ts';
import type { NodeLauncher } from './processes/labs.ts';
import { ConcurrencyService } from './concurrency/concurrency-service.ts';
import { ScriptService } from './scripts/script-service.ts';
import { SessionExport } from './export/session-export.ts';
import { httpRequest } from './http/http-client.ts';
import { PresetService } from './presets/preset-service.ts';

export interface BackendOptions {
  host: HostKind;
  dataDir: string;
  version?: string;
  logger?: Logger;
  /** How labs start Node (Electron passes utilityProcess.fork; default: this binary). */
  launchNode?: NodeLauncher;
}

/**
 * Everything behind the contract, with no transport: the Electron shell, the browser host,
 * the CLI and the tests all build one of these and differ only in how requests reach it.
 */
export interface Backend {
  dispatcher: Dispatcher;
  hub: EventHub;
  log: Logger;
  settings: SettingsService;
  notices: NoticeService;
  sender: SenderService;
  timeline: TimelineService;
  processes: ProcessService;
  /** Closes every socket, server and child process the services own. Safe to call twice. */
  dispose(): Promise<void>;
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function createBackend(options: BackendOptions): Promise<Backend> {
  const log = options.logger ?? new Logger();
  const hub = new EventHub();
  const notices = new NoticeService(hub);
  const settings = new SettingsService(options.dataDir);
  const version = options.version ?? packageVersion();

  const packets = new PacketLibraryService(options.dataDir);
  // A file that could not be read was moved aside (or, if it could not be read at all, left alone): say so, once, as a notice.
  const warn = (scope: string) => (message: string) => log.warn(scope, message);
  reportDataFileProblem(
    notices,
    warn('settings'),
    { name: 'settings', path: settings.path, what: 'Your settings file', corruptCode: 'SETTINGS_CORRUPT', fallback: 'the defaults are in use' },
    await settings.load(),
  );
  reportDataFileProblem(
    notices,
    warn('packets'),
    {
      name: 'packets',
      path: packets.path,
      what: 'Your saved packets file',
      corruptCode: 'PACKETS_CORRUPT',
      fallback: 'the library starts empty and nothing was deleted',
    },
    await packets.load(),
  );

  const sender = new SenderService(hub);
  // Everything that owns a socket or a child process is closed here when the app quits.
  const generator = new GeneratorService(hub, sender);
  const timeline = new TimelineService(hub);
  const processes = new ProcessService(hub, options.launchNode, 'auto', options.host);
  const concurrency = new ConcurrencyService(hub);
  const scripts = new ScriptService(hub);
  const sessionExport = new SessionExport(hub);
  const presets = new PresetService(sender, options.dataDir, (id, spec) => sessionExport.remember(id, spec));
  // The child guard ends what the services spawned if this host dies without disposing (SIGKILL,
  // a crash); first in the list, so it closes last, after the services have ended their children.
  const disposers: (() => Promise<void> | void)[] = [
    acquireChildGuard(),
    () => sender.dispose(),
    () => generator.dispose(),
    () => timeline.dispose(),
    () => processes.dispose(),
    () => concurrency.dispose(),
    () => scripts.dispose(),
  ];
  let disposed = false;

  const handlers: Handlers = {
    'app.info': () => ({
      name: 'Wirelab',
      version,
      host: options.host,
      platform: process.platform,
      dataDir: options.dataDir,
      notices: notices.list(),
    }),
    'app.ping': ({ at }) => ({ at, serverAt: Date.now() }),
    'app.dismissNotice': ({ id }) => ({ dismissed: notices.dismiss(id) }),
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'net.interfaces': () => listInterfaces(),
    'sender.open': async (spec) => {
      const info = await sender.open(spec);
      sessionExport.remember(info.id, spec);
      return info;
    },
    'sender.send': ({ sessionId, payload, host, port, clientPeer }) => sender.send(sessionId, payload, { host, port, clientPeer }),
    'sender.sendFile': ({ sessionId, path, header, clientPeer }) => sender.sendFile(sessionId, path, { header, clientPeer }),
    'sender.repeat': async ({ sessionId, payload, host, port, intervalMs, count }) => ({
      started: await sender.repeat(sessionId, payload, { host, port }, intervalMs, count),
    }),
    'sender.stopRepeat': ({ sessionId }) => ({ sent: sender.stopRepeat(sessionId) }),
    'sender.udpOptions': ({ sessionId, ...options }) => sender.udpOptions(sessionId, options),
    'sender.halfClose': ({ sessionId }) => sender.halfClose(sessionId),
    'sender.reconnect': ({ sessionId }) => sender.reconnect(sessionId),
    'sender.close': async ({ sessionId }) => ({ closed: await sender.close(sessionId) }),
    'sender.list': () => sender.list(),
    'sender.log': ({ sessionId, ...q }) => sender.logPage(sessionId, q),
    'sender.clearLog': ({ sessionId }) => ({ cleared: sender.clearLog(sessionId) }),
    'sender.export': ({ sessionId, format }) => sender.exportLog(sessionId, format),
    'sender.closeAll': async () => ({ closed: await sender.closeAll() }),
    'sender.preview': ({ payload }) => sender.preview(payload),
    'generator.start': ({ packetId, ...o }) => {
      if (!packetId) return generator.start(o);
      const saved = packets.list().find((p) => p.id === packetId);
      if (!saved) throw new WirelabError('NO_SUCH_PACKET', 'packetId: that saved packet no longer exists', 'packetId');
      // The saved packet's bytes, framed as it was saved.
      const body = buildPayload(saved.payload, (t) => encodeText(t, saved.payload.encoding), 'payload');
      return generator.start({ ...o, payload: encodeFrame(framingByName(saved.framing), body) });
    },
    'generator.stop': ({ id }) => ({ stopped: generator.stop(id) }),
    'packets.list': () => packets.list(),
    'packets.save': (p) => packets.save(p),
    'packets.delete': async ({ id }) => ({ deleted: await packets.delete(id) }),
    'packets.export': () => ({ json: packets.exportJson() }),
    'packets.import': async ({ json }) => ({ added: await packets.importJson(json) }),
    'timeline.capabilities': () => timeline.capabilities(),
    'timeline.experiment': ({ kind }) => timeline.experiment(kind),
    'timeline.watch': ({ port, host, sessionId }) => {
      const info = sessionId === undefined ? undefined : sender.list().find((x) => x.id === sessionId);
      if (sessionId !== undefined && !info) throw new WirelabError('NO_SUCH_SESSION', 'sessionId: that session has closed', 'sessionId');
      return timeline.watch(port, host, info && { id: info.id, kind: info.kind, local: info.local });
    },
    'timeline.stop': async ({ timelineId }) => ({ stopped: await timeline.stop(timelineId) }),
    'timeline.import': ({ name, base64 }) => timeline.import(name, new Uint8Array(Buffer.from(base64, 'base64'))),
    'timeline.stream': ({ timelineId, index }) => timeline.stream(timelineId, index),
    'timeline.linkCapabilities': () => timeline.linkCapabilities(),
    'timeline.link': (settings) => timeline.link(settings),
    'processes.configure': ({ running, intervalMs }) => processes.configure(running, intervalMs),
    'processes.details': ({ pid }) => processes.details(pid),
    'processes.sockets': () => processes.sockets(),
    'processes.signal': ({ pid, signal }) => processes.signal(pid, signal),
    'processes.labStart': ({ kind, count }) => processes.labStart(kind, count),
    'processes.labStop': ({ id }) => ({ stopped: processes.labStop(id) }),
    'concurrency.models': () => concurrency.models(),
    'concurrency.source': ({ model }) => concurrency.source(model),
    'concurrency.serverStart': ({ model, port, workMs }) => concurrency.startServer(model, port, workMs),
    'concurrency.serverStop': ({ id }) => ({ stopped: concurrency.stopServer(id) }),
    'concurrency.servers': () => concurrency.list(),
    'concurrency.loadStart': (input) => concurrency.startLoad(input),
    'concurrency.loadStop': ({ id }) => ({ stopped: concurrency.stopLoad(id) }),
    'scripts.run': ({ script }) => scripts.run(script),
    'scripts.status': () => scripts.status(),
    'scripts.stop': () => ({ stopped: scripts.stop() }),
    'scripts.transcript': ({ runId, step, round }) => scripts.transcript(runId, step, round),
    'scripts.export': () => scripts.exportPcap(),
    'scripts.list': () => packets.listScripts(),
    'scripts.save': (s) => packets.saveScript(s),
    'scripts.delete': async ({ id }) => ({ deleted: await packets.deleteScript(id) }),
    'http.request': ({ method, url, headers, body, timeoutMs }) => httpRequest({ method, url, headers, body: Buffer.from(body, 'utf8') }, timeoutMs),
    'presets.open': ({ id }) => presets.open(id),
    'sender.exportPython': ({ sessionId }) => sessionExport.program(sessionId, sender.logs.has(sessionId) ? sender.logs.all(sessionId) : []),
  };

  return {
    dispatcher: new Dispatcher(handlers, log),
    hub,
    log,
    settings,
    notices,
    sender,
    timeline,
    processes,
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const d of disposers.reverse()) await d();
    },
  };
}
