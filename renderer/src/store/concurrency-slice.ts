import type { StateCreator } from 'zustand/vanilla';
import type { ConcurrencyModel } from '../../../shared/concurrency/models.ts';
import type {
  CommandOutput,
  ConcurrencyEvent,
  EventBatch,
  LoadReportData,
  ServerInfo,
  ServerStatsData,
  WirelabErrorData,
} from '../../../shared/contract/index.ts';
import type { ContractClient } from '../client/contract-client.ts';

type LoadEvent = Extract<ConcurrencyEvent, { kind: 'load' }>;

/** One point of the live chart: requests/s and p99 over the last progress interval. */
export interface ChartPoint {
  t: number;
  rps: number;
  p99: number;
  open: number;
  /** The server's threads (all its processes') and resident memory, sampled once a second; null where /proc is missing. */
  threads: number | null;
  rssBytes: number | null;
  /** The server's CPU over the last second, % of one core (200 = two cores busy). */
  cpu: number | null;
}

/** A finished run, one row of the comparison table. */
export interface RunRow {
  id: string;
  model: ConcurrencyModel | null;
  conns: number;
  size: number;
  /** CPU work per request the server was started with, in ms (0: none). */
  workMs: number;
  state: LoadEvent['state'];
  report: LoadReportData;
  /**
   * The server's largest process and thread counts, memory and CPU (% of one core, over a
   * second) seen during the run.
   */
  peak: { processes: number; threads: number; rssBytes: number; cpu: number } | null;
  error: LoadEvent['error'];
  /** A named failure the server reported during the run (select's FD_SETSIZE). */
  serverError: string | null;
}

/** Points kept for the chart: 4 a second for 5 minutes. */
const maxPoints = 1200;

export interface ConcurrencySlice {
  concurrency: {
    models: CommandOutput<'concurrency.models'> | null;
    model: ConcurrencyModel;
    source: { model: ConcurrencyModel; file: string; text: string } | null;
    showSource: boolean;
    server: ServerInfo | null;
    conns: number;
    size: number;
    durationMs: number;
    /** Requests per second over all connections; 0 = as fast as answers come. */
    rate: number;
    /** CPU work per request for the next server started, in ms (0: none; at most limits.loadWorkMs). */
    workMs: number;
    load: LoadEvent | null;
    /** The model the current load runs against (the table names it). */
    loadModel: ConcurrencyModel | null;
    /** The CPU work per request of the server the current load runs against. */
    loadWorkMs: number;
    peak: RunRow['peak'];
    series: ChartPoint[];
    runs: RunRow[];
    error: WirelabErrorData | null;
    busy: boolean;
  };
  setConcurrency(patch: Partial<ConcurrencySlice['concurrency']>): void;
  loadModels(): Promise<void>;
  chooseModel(model: ConcurrencyModel): Promise<void>;
  startModelServer(): Promise<void>;
  stopModelServer(): Promise<void>;
  startLoadRun(): Promise<void>;
  stopLoadRun(): Promise<void>;
  applyConcurrencyEvents(batch: EventBatch<'concurrency.event'>): void;
}

function higher(peak: RunRow['peak'], s: ServerStatsData): RunRow['peak'] {
  if (!s) return peak;
  if (!peak) return { processes: s.processes, threads: s.threads, rssBytes: s.rssBytes, cpu: s.cpu };
  return {
    processes: Math.max(peak.processes, s.processes),
    threads: Math.max(peak.threads, s.threads),
    rssBytes: Math.max(peak.rssBytes, s.rssBytes),
    cpu: Math.max(peak.cpu, s.cpu),
  };
}

export function createConcurrencySlice<T extends ConcurrencySlice>(client: ContractClient): StateCreator<T, [], [], ConcurrencySlice> {
  return (set, get) => {
    const c = () => get().concurrency;
    const patch = (p: Partial<ConcurrencySlice['concurrency']>) => set({ concurrency: { ...c(), ...p } } as Partial<T>);
    return {
      concurrency: {
        models: null,
        model: 'selectors',
        source: null,
        showSource: false,
        server: null,
        conns: 100,
        size: 64,
        durationMs: 3000,
        rate: 0,
        workMs: 0,
        load: null,
        loadModel: null,
        loadWorkMs: 0,
        peak: null,
        series: [],
        runs: [],
        error: null,
        busy: false,
      },
      setConcurrency: patch,
      async loadModels() {
        const r = await client.invoke('concurrency.models', {});
        if (!r.ok) return patch({ error: r.error });
        // Where python3 is missing, the Node model is the one that runs.
        const model = r.value.python ? c().model : 'node';
        patch({ models: r.value, model });
        const servers = await client.invoke('concurrency.servers', {});
        if (servers.ok && servers.value[0] && !c().server) patch({ server: servers.value[0] });
        await get().chooseModel(model);
      },
      async chooseModel(model) {
        patch({ model, error: null });
        const r = await client.invoke('concurrency.source', { model });
        if (r.ok && c().model === model) patch({ source: { model, ...r.value } });
      },
      async startModelServer() {
        patch({ busy: true, error: null });
        const running = c().server;
        if (running?.state === 'running') await client.invoke('concurrency.serverStop', { id: running.id });
        const r = await client.invoke('concurrency.serverStart', { model: c().model, workMs: c().workMs });
        patch(r.ok ? { busy: false, server: r.value } : { busy: false, error: r.error, server: null });
      },
      async stopModelServer() {
        const s = c().server;
        if (!s) return;
        await client.invoke('concurrency.serverStop', { id: s.id });
      },
      async startLoadRun() {
        const { server, conns, size, durationMs, rate } = c();
        if (!server || server.state !== 'running') return;
        patch({ busy: true, error: null, series: [], peak: null, load: null, loadModel: server.model, loadWorkMs: server.workMs });
        const r = await client.invoke('concurrency.loadStart', {
          host: '127.0.0.1',
          port: server.port,
          conns,
          size,
          durationMs,
          ...(rate > 0 ? { rate } : {}),
          serverId: server.id,
        });
        patch(r.ok ? { busy: false } : { busy: false, error: r.error });
      },
      async stopLoadRun() {
        const l = c().load;
        if (l && l.state === 'running') await client.invoke('concurrency.loadStop', { id: l.id });
      },
      applyConcurrencyEvents(batch) {
        let { server, load, series, runs, peak } = c();
        for (const e of batch.events) {
          if (e.kind === 'server') {
            if (!server || server.id === e.server.id) server = e.server;
            continue;
          }
          if (load && load.id !== e.id && load.state === 'running') continue; // another window's run
          load = e;
          peak = higher(peak, e.server);
          if (e.report && e.state === 'running') {
            series = [
              ...series,
              {
                t: e.report.elapsedMs,
                rps: e.report.windowRps,
                p99: e.report.windowLatencyMs.p99,
                open: e.report.counts.connections.open,
                threads: e.server?.threads ?? null,
                rssBytes: e.server?.rssBytes ?? null,
                cpu: e.server?.cpu ?? null,
              },
            ];
            if (series.length > maxPoints) series = series.slice(-maxPoints);
          }
          if (e.state !== 'running' && e.report && !runs.some((r) => r.id === e.id)) {
            const { conns, size, loadModel, loadWorkMs } = c();
            runs = [
              ...runs,
              {
                id: e.id,
                model: loadModel,
                conns,
                size,
                workMs: loadWorkMs,
                state: e.state,
                report: e.report,
                peak,
                error: e.error,
                serverError: server?.error?.code ?? null,
              },
            ];
          }
        }
        patch({ server, load, series, runs, peak });
      },
    };
  };
}
