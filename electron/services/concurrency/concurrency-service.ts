import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { fdShortfall, modelInfo, concurrencyModels, type ConcurrencyModel } from '../../../shared/concurrency/models.ts';
import type { LoadReportData, LoadStart, ServerInfo, ServerStatsData } from '../../../shared/contract/concurrency.ts';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';
import { limitMessage, limitParams, limits } from '../../../shared/contract/limits.ts';
import { checkHost } from '../../../shared/sender/endpoint.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { childGuard, startGuarded } from '../app/child-guard.ts';
import { nodeChild } from '../app/node-child.ts';
import { pythonAvailable, pythonCommand } from '../processes/labs.ts';
import { windowsJob } from '../processes/win32-job.ts';
import { oneRunWorker, startWorker } from '../worker-start.ts';
import { fdLimitAdvice, raiseFdLimit } from './fd-limit.ts';
import type { LoadOptions } from './load-run.ts';
import { ServerStats } from './server-stats.ts';

/**
 * The concurrency lab: starts the course's server models (servers/*.py, and Node's own) as real
 * programs, and puts them under load from a worker thread. Each server runs in its own process
 * group (a forking server's children with it), registered with the host's child guard, so it
 * ends with Wirelab however Wirelab ends.
 */

const serversDir = new URL('./servers/', import.meta.url);

/**
 * The model's program on disk. In the packaged app the bundle sits in app.asar, which python3
 * cannot read: electron-builder unpacks out/main/servers (package.json "asarUnpack") beside it.
 */
export function serverPath(model: ConcurrencyModel): string {
  return fileURLToPath(new URL(modelInfo[model].file, serversDir)).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

type WorkerMessage = { type: 'progress'; report: LoadReportData } | { type: 'done'; report: LoadReportData } | { type: 'error'; code: string; message: string };

interface RunningServer {
  info: ServerInfo;
  child: ChildProcess;
  stats: ServerStats;
}

/** How long a model may take to print its listening line (python3's start is ~50 ms; a loaded CI machine is slower). */
const startTimeoutMs = 15_000;

export class ConcurrencyService {
  private readonly servers = new Map<string, RunningServer>();
  private readonly loads = new Map<string, { worker: Worker; serverId?: string; lost: (() => void) | null }>();

  constructor(private readonly hub: EventHub) {}

  models() {
    const python = pythonAvailable();
    return {
      python,
      models: concurrencyModels.map((id) => ({
        id,
        file: modelInfo[id].file,
        runtime: modelInfo[id].runtime,
        available: modelInfo[id].runtime === 'node' || python,
      })),
      fdLimit: raiseFdLimit(),
    };
  }

  source(model: ConcurrencyModel): { file: string; text: string } {
    return { file: modelInfo[model].file, text: readFileSync(serverPath(model), 'utf8') };
  }

  list(): ServerInfo[] {
    return [...this.servers.values()].map((s) => s.info);
  }

  private publishServer(info: ServerInfo): void {
    this.hub.publish('concurrency.event', { kind: 'server', server: info });
  }

  /**
   * Starts a model server on 127.0.0.1 and resolves once it listens (its first line). `workMs`:
   * CPU work per request (the server's `--work-ms`; 0 = none), within limits.loadWorkMs.
   */
  startServer(model: ConcurrencyModel, port = 0, workMs = 0): Promise<ServerInfo> {
    if (process.platform === 'win32' && model === 'processes')
      throw new WirelabError('UNSUPPORTED', 'model: the process-per-connection model uses fork(), which Windows does not have', 'model');
    const { runtime, file } = modelInfo[model];
    if (runtime === 'python' && !pythonAvailable())
      throw new WirelabError('NO_PYTHON', 'model: this model is a Python program and python3 is not installed here; the node model runs without it', 'model', {
        model,
      });
    if (!Number.isInteger(workMs) || workMs < 0 || workMs > limits.loadWorkMs)
      throw new WirelabError(ErrorCode.limitExceeded, limitMessage('loadWorkMs', 'workMs', 'ms of CPU work per request'), 'workMs', limitParams('loadWorkMs'));
    const path = serverPath(model);
    const args = [String(port), ...(workMs > 0 ? ['--work-ms', String(workMs)] : [])];
    // The host's own limit first: children inherit it (Python servers raise theirs to the hard limit too).
    raiseFdLimit();
    // No shell; detached: a process group of its own, so stopping ends a forking server's children too.
    // Node servers through node-child.ts (inside Electron the app's binary needs ELECTRON_RUN_AS_NODE).
    const node = runtime === 'python' ? null : nodeChild(path, args);
    // python3, or python / py on Windows: the labs' one lookup.
    const command = node ? node.command : (pythonCommand() ?? 'python3');
    // Ended with the host however it ends: the guard's process group on Linux/macOS (announced
    // before the spawn, registered right after), the Job Object on Windows (which has no process
    // groups), as the labs' children are.
    const child = startGuarded(command, () =>
      node
        ? spawn(node.command, node.args, { env: node.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(command, ['-u', path, ...args], { detached: true, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    child.on('error', () => {});
    if (child.pid === undefined) throw new WirelabError('SERVER_FAILED', `model: ${file} could not be started`, 'model');
    const pid = child.pid;
    windowsJob()?.add(pid);
    const id = `server-${randomUUID().slice(0, 8)}`;
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    return new Promise((resolve, reject) => {
      let listening: RunningServer | null = null;
      const timer = setTimeout(() => {
        this.kill(pid);
        reject(
          new WirelabError(
            'SERVER_FAILED',
            `model: ${file} did not report that it listens within ${startTimeoutMs / 1000} s${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
            'model',
          ),
        );
      }, startTimeoutMs);
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let event: { event?: string; port?: number; code?: string; message?: string; fd?: number; limit?: number };
          try {
            event = JSON.parse(line) as typeof event;
          } catch {
            continue; // not one of the server's events
          }
          if (event.event === 'listening' && typeof event.port === 'number' && !listening) {
            clearTimeout(timer);
            listening = {
              info: { id, model, port: event.port, pid, file, workMs, state: 'running', exit: null, error: null },
              child,
              stats: new ServerStats(pid),
            };
            this.servers.set(id, listening);
            this.publishServer(listening.info);
            resolve(listening.info);
          } else if (event.event === 'error' && listening) {
            // select's FD_SETSIZE: a descriptor ≥ 1024 that fd_set cannot hold (select(2)).
            const code = event.code === 'FD_SETSIZE' ? 'FD_SETSIZE' : (event.code ?? 'SERVER_ERROR');
            const message =
              code === 'FD_SETSIZE'
                ? `select() cannot watch descriptor ${event.fd ?? '≥ 1024'}: FD_SETSIZE is ${event.limit ?? 1024} (select(2)); the connections past it were closed. selectors (epoll) and asyncio have no such limit`
                : (event.message ?? code);
            listening.info = { ...listening.info, error: { code, message } };
            this.publishServer(listening.info);
          }
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        childGuard()?.forget(pid);
        if (!listening) {
          reject(
            new WirelabError(
              'SERVER_FAILED',
              `model: ${file} exited (${signal ?? `code ${code}`}) before it listened${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
              'model',
            ),
          );
          return;
        }
        const stoppedByUs = !this.servers.has(id);
        const error = stoppedByUs
          ? listening.info.error
          : {
              code: 'SERVER_EXITED',
              message: `the ${model} server (pid ${pid}) exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
            };
        listening.info = { ...listening.info, state: 'exited', exit: { code, signal }, error };
        this.servers.delete(id);
        this.publishServer(listening.info);
        for (const load of this.loads.values()) if (load.serverId === id) load.lost?.();
      });
    });
  }

  private kill(pid: number): void {
    try {
      // The whole group (a forking server's children too); Windows has no groups: the pid.
      process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  stopServer(id: string): boolean {
    const s = this.servers.get(id);
    if (!s) return false;
    this.servers.delete(id);
    this.kill(s.info.pid);
    return true;
  }

  /** Starts a load run on a worker thread; its progress is published on concurrency.event. */
  startLoad(input: LoadStart): { id: string } {
    if ((input.durationMs === undefined) === (input.count === undefined))
      throw new WirelabError(ErrorCode.invalidInput, 'durationMs: give a duration or a count, exactly one of them', 'durationMs');
    const host = checkHost(input.host);
    const limit = raiseFdLimit();
    const short = limit && fdShortfall(input.conns, limit.soft, limit.hard);
    if (short) {
      throw new WirelabError(
        'FD_LIMIT',
        `conns: ${input.conns} connections need about ${short.need} file descriptors, but this process may open ${short.soft} (hard limit ${short.hard}); ${fdLimitAdvice(short.need)}`,
        'conns',
        { conns: input.conns, need: short.need, soft: short.soft, hard: short.hard },
      );
    }
    const server = input.serverId ? this.servers.get(input.serverId) : undefined;
    const options: LoadOptions = { host, port: input.port, conns: input.conns, size: input.size, timeoutMs: input.timeoutMs, progressMs: 250 };
    if (input.durationMs !== undefined) options.durationMs = input.durationMs;
    if (input.count !== undefined) options.count = input.count;
    if (input.rate !== undefined) options.rate = input.rate;
    const id = randomUUID();
    const target = `${host.includes(':') ? `[${host}]` : host}:${input.port}`;
    const worker = startWorker(new URL('./load-worker.ts', import.meta.url), 'load-worker', { options });
    const entry: { worker: Worker; serverId?: string; lost: (() => void) | null } = { worker, lost: null };
    if (server) entry.serverId = server.info.id;
    this.loads.set(id, entry);
    let serverGone: { code: string; message: string } | null = null;
    // The server's footprint, at most once a second (a /proc scan costs a few ms).
    let statsAt = 0;
    let stats: ServerStatsData = null;
    const serverStats = () => {
      if (server && Date.now() - statsAt >= 1000) {
        statsAt = Date.now();
        stats = server.stats.read() ?? stats;
      }
      return stats;
    };
    const publish = (state: 'running' | 'done' | 'stopped' | 'error', report: LoadReportData | null, error: { code: string; message: string } | null = null) =>
      this.hub.publish('concurrency.event', { kind: 'load', id, state, target, report, server: serverStats(), error });
    const exitedError = { code: 'SERVER_EXITED', message: `the server under load exited mid-run; the results so far are kept` };
    entry.lost = () => {
      serverGone = exitedError;
    };
    // The run's server is no longer running (its exit may be seen after the worker's last word).
    const serverExited = () => (entry.serverId !== undefined && !this.servers.has(entry.serverId) ? exitedError : null);
    const finish = oneRunWorker(
      worker,
      () => this.loads.delete(id),
      () => this.loads.get(id)?.worker === worker,
      (e) => publish('error', null, { code: 'WORKER', message: e.message }),
    );
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') publish('running', m.report);
      else if (m.type === 'done') {
        finish();
        const report = m.report;
        const decide = () => {
          const error = serverGone ?? (report.end === 'connections-lost' ? (serverExited() ?? connectionsLost(report)) : null);
          publish(error ? 'error' : report.end === 'stopped' ? 'stopped' : 'done', report, error);
        };
        // A killed server's connections can close (in the worker) before its exit reaches this
        // thread (SIGCHLD): give the exit a moment, so the run is blamed on the right cause.
        if (report.end === 'connections-lost' && !serverGone && entry.serverId && this.servers.has(entry.serverId)) {
          const started = Date.now();
          const wait = setInterval(() => {
            if (serverGone || !this.servers.has(entry.serverId!) || Date.now() - started > 2000) {
              clearInterval(wait);
              decide();
            }
          }, 20);
        } else decide();
      } else {
        finish();
        publish('error', null, { code: m.code, message: m.message });
      }
    });
    publish('running', null);
    return { id };
  }

  stopLoad(id: string): boolean {
    const l = this.loads.get(id);
    if (!l) return false;
    l.worker.postMessage('stop');
    return true;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.loads.values()].map((l) => l.worker.terminate()));
    this.loads.clear();
    for (const id of [...this.servers.keys()]) this.stopServer(id);
  }
}

/**
 * Every connection ended before the run's time or count: the server refused them all
 * (ECONNREFUSED: nothing listens) or closed them (it died, or reset them).
 */
export function connectionsLost(r: LoadReportData): { code: string; message: string } {
  const { connections, errors } = r.counts;
  if (connections.established === 0 && errors.ECONNREFUSED)
    return { code: 'ECONNREFUSED', message: `nothing is listening at that port: all ${connections.failed} connections were refused (RST to the SYN)` };
  if (connections.established === 0)
    return {
      code: Object.keys(errors)[0] ?? 'CONNECT_FAILED',
      message: `no connection could be opened (${Object.entries(errors)
        .map(([c, n]) => `${c} ×${n}`)
        .join(', ')})`,
    };
  const codes = Object.keys(errors);
  if (codes.length === 1 && codes[0] === 'TIMEOUT')
    return {
      code: 'TIMEOUT',
      message: `the server accepted the connections but did not answer within the timeout (${errors.TIMEOUT} requests); the results so far are kept`,
    };
  return {
    code: 'SERVER_GONE',
    message: `the server closed or reset every connection before the run ended (${
      Object.entries(errors)
        .map(([c, n]) => `${c} ×${n}`)
        .join(', ') || 'no request was in flight'
    }); the results so far are kept`,
  };
}
