import type { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { WirelabError } from '../../../shared/contract/errors.ts';
import type { HostKind } from '../../../shared/contract/index.ts';
import type { LabInfo, LabKind, SignalName, SocketRowData } from '../../../shared/contract/processes.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { startWorker } from '../worker-start.ts';
import type { ProcessSample } from './process-sampler.ts';
import type { ThreadRow } from './proc-reader.ts';
import { procSupported } from './proc-reader.ts';
import { psAvailable } from './ps-route.ts';
import { win32ApiAvailable } from './win32-api.ts';
import { signalWin32 } from './win32-route.ts';
import { LabRunner, type NodeLauncher } from './labs.ts';

interface Support {
  supported: boolean;
  reason: string | null;
  code: 'PROCESSES_UNSUPPORTED' | null;
  platform: string;
}

type WorkerMessage = { type: 'sample'; json: string } | { type: 'reply'; reqId: number; value: unknown };

/** Why a signal was refused, in words (kill(2)'s errors). */
export function explainSignalError(code: string | undefined, pid: number, signal: SignalName): WirelabError {
  if (code === 'EPERM') {
    return new WirelabError(
      'EPERM',
      `Not allowed to send ${signal} to ${pid}: it belongs to another user (or is protected). Only its owner or root may signal it; Wirelab does not ask for root.`,
      'pid',
      { pid, signal },
    );
  }
  if (code === 'ESRCH') return new WirelabError('ESRCH', `No process ${pid}: it has already exited.`, 'pid', { pid });
  return new WirelabError('SIGNAL_FAILED', `Could not send ${signal} to ${pid} (${code ?? 'unknown error'}).`, 'pid', {
    pid,
    signal,
    errno: code ?? 'unknown',
  });
}

/**
 * The process monitor: a sampler on a worker thread publishing `processes.sample`, on-demand
 * details and sockets from the same thread, signals, and the labs.
 */
export class ProcessService {
  private worker: Worker | null = null;
  private running = false;
  private intervalMs = 1000;
  private reqId = 0;
  private readonly pending = new Map<number, (value: unknown) => void>();
  readonly labs: LabRunner;
  /** Main-thread ms spent receiving and publishing each sample (the last 100), for `npm run bench`. */
  readonly mainThreadMs: number[] = [];

  constructor(
    private readonly hub: EventHub,
    launchNode?: NodeLauncher,
    /** Force the ps/lsof route (tests run it on Linux); default: /proc where it exists. */
    private readonly route: 'auto' | 'ps' = 'auto',
    /** Which host this process is: how the user ends it instead of signalling it (its window, or its terminal). */
    private readonly host: HostKind = 'browser',
  ) {
    this.labs = new LabRunner(launchNode);
  }

  private support: Support | null = null;

  /** Decided once: it reads /proc or runs `ps`, and the answer does not change while the app runs. */
  supported(): { supported: boolean; reason: string | null; code: 'PROCESSES_UNSUPPORTED' | null; params?: { platform: string } } {
    this.support ??= this.detectSupport();
    const { supported, reason, code, platform } = this.support;
    return code ? { supported, reason, code, params: { platform } } : { supported, reason, code };
  }

  private detectSupport(): Support {
    const platform = process.platform;
    if (platform === 'win32') {
      const w = win32ApiAvailable();
      return w.ok ? { supported: true, reason: null, code: null, platform } : { supported: false, reason: w.reason, code: 'PROCESSES_UNSUPPORTED', platform };
    }
    if (procSupported() || psAvailable()) return { supported: true, reason: null, code: null, platform };
    return {
      supported: false,
      code: 'PROCESSES_UNSUPPORTED',
      platform,
      reason: `The process panel reads /proc (Linux), ps and lsof (macOS) or the Win32 API (Windows); on ${platform} none of them is there.`,
    };
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(new URL('./sampler-worker.ts', import.meta.url), 'sampler-worker', { intervalMs: this.intervalMs, route: this.route });
    w.postMessage({ type: 'configure', intervalMs: this.intervalMs, paused: !this.running });
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'sample') {
        const t0 = performance.now();
        const sample = JSON.parse(m.json) as ProcessSample;
        this.hub.publish('processes.sample', { ...sample, labs: this.labs.list(), selfPid: process.pid });
        this.mainThreadMs.push(performance.now() - t0);
        if (this.mainThreadMs.length > 100) this.mainThreadMs.shift();
      } else {
        this.pending.get(m.reqId)?.(m.value);
        this.pending.delete(m.reqId);
      }
    });
    w.on('error', () => {
      this.worker = null;
    });
    this.worker = w;
    return w;
  }

  /** The sampler thread's event-loop utilization since `since` (its share of one core), for `npm run bench`. */
  workerUtilization(since?: EventLoopUtilization): EventLoopUtilization | null {
    return this.worker ? this.worker.performance.eventLoopUtilization(since) : null;
  }

  configure(running: boolean, intervalMs?: number): ReturnType<ProcessService['supported']> & { running: boolean; intervalMs: number } {
    const support = this.supported();
    if (!support.supported) return { ...support, running: false, intervalMs: this.intervalMs };
    this.running = running;
    if (intervalMs !== undefined) this.intervalMs = intervalMs;
    if (running || this.worker) this.ensureWorker().postMessage({ type: 'configure', intervalMs: this.intervalMs, paused: !running });
    return { ...support, running, intervalMs: this.intervalMs };
  }

  private ask<T>(message: Record<string, unknown>): Promise<T> {
    const support = this.supported();
    if (!support.supported) return Promise.reject(new WirelabError('PROCESSES_UNSUPPORTED', support.reason!, undefined, support.params));
    const reqId = ++this.reqId;
    return new Promise<T>((resolve) => {
      this.pending.set(reqId, resolve as (v: unknown) => void);
      this.ensureWorker().postMessage({ ...message, reqId });
    });
  }

  details(pid: number): Promise<{ pid: number; threads: ThreadRow[] | null; sockets: SocketRowData[] } | null> {
    return this.ask({ type: 'details', pid });
  }

  sockets(): Promise<SocketRowData[]> {
    return this.ask({ type: 'sockets' });
  }

  signal(pid: number, signal: SignalName): { sent: boolean } {
    // Guards a click cannot undo: init and Wirelab itself.
    if (pid === 1)
      throw new WirelabError('SIGNAL_REFUSED_INIT', 'pid: Wirelab will not signal process 1 (init): the whole system depends on it.', 'pid', { pid });
    if (pid === process.pid) {
      const how = this.host === 'electron' ? 'quit it from its window instead' : 'stop it with Ctrl+C in the terminal that runs `wirelab serve` instead';
      throw new WirelabError('SIGNAL_REFUSED_SELF', `pid: that is Wirelab itself; ${how}.`, 'pid', { pid, variant: this.host });
    }
    // Windows has no signals: terminate, suspend and resume through the Win32 API (win32-route.ts).
    if (process.platform === 'win32') return signalWin32(pid, signal);
    try {
      process.kill(pid, signal);
      return { sent: true };
    } catch (e) {
      throw explainSignalError((e as NodeJS.ErrnoException).code, pid, signal);
    }
  }

  async labStart(kind: LabKind, count?: number): Promise<LabInfo> {
    try {
      return await this.labs.start(kind, count);
    } catch (e) {
      // The UI words LAB_FAILED around the lab's name; the runner's English keeps the details.
      if (e instanceof WirelabError && e.params === undefined) throw new WirelabError(e.code, e.message, e.field, { kind });
      throw e;
    }
  }

  labStop(id: string): boolean {
    return this.labs.stop(id);
  }

  async dispose(): Promise<void> {
    this.labs.dispose();
    const w = this.worker;
    this.worker = null;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
    if (w) await w.terminate();
  }
}
