import type { StateCreator } from 'zustand/vanilla';
import type {
  CommandOutput,
  EventBatch,
  LabKind,
  ProcessRowData,
  ProcessSampleData,
  SignalName,
  SocketRowData,
  WirelabErrorData,
} from '../../../shared/contract/index.ts';
import type { ContractClient } from '../client/contract-client.ts';

export type ProcessTab = 'processes' | 'connections' | 'labs';
export type SortKey = 'pid' | 'ppid' | 'name' | 'user' | 'state' | 'cpu' | 'rssBytes' | 'threads' | 'startTime';

/** How long a new row glows green, and a vanished one stays red, as TCPView does. */
export const FLASH_MS = 2000;

export interface ProcessesSlice {
  processes: {
    supported: boolean | null;
    /** Why the panel cannot run here, worded by its code (PROCESSES_UNSUPPORTED…) when shown. */
    reason: WirelabErrorData | null;
    paused: boolean;
    intervalMs: number;
    sample: ProcessSampleData | null;
    /** pid → wall-clock ms until which the row shows as new. */
    fresh: Record<number, number>;
    /** Rows that vanished recently, shown in red until `until`. */
    gone: { row: ProcessRowData; until: number }[];
    tab: ProcessTab;
    tree: boolean;
    sort: { key: SortKey; desc: boolean };
    filter: string;
    normalized: boolean;
    selected: number | null;
    details: CommandOutput<'processes.details'>;
    sockets: SocketRowData[] | null;
    socketFilter: string;
    /** A signal waiting for the user's confirmation. */
    confirm: { pid: number; name: string; signal: SignalName } | null;
    /** The last signal sent, or the last refusal (worded by its code when shown). */
    message: { kind: 'ok'; text: string } | { kind: 'error'; error: WirelabErrorData } | null;
    labBusy: boolean;
  };
  setProcesses(patch: Partial<ProcessesSlice['processes']>): void;
  startSampling(): Promise<void>;
  stopSampling(): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
  applyProcessSample(batch: EventBatch<'processes.sample'>): void;
  selectProcess(pid: number | null): Promise<void>;
  loadSockets(): Promise<void>;
  requestSignal(pid: number, signal: SignalName): void;
  confirmSignal(): Promise<void>;
  startLab(kind: LabKind, count?: number): Promise<void>;
  stopLab(id: string): Promise<void>;
}

export function createProcessesSlice<T extends ProcessesSlice>(client: ContractClient): StateCreator<T, [], [], ProcessesSlice> {
  return (set, get) => {
    const patch = (p: Partial<ProcessesSlice['processes']>) => set({ processes: { ...get().processes, ...p } } as Partial<T>);
    const refreshDetails = async (pid: number) => {
      const r = await client.invoke('processes.details', { pid });
      if (get().processes.selected !== pid) return;
      if (r.ok) patch({ details: r.value });
    };
    return {
      processes: {
        supported: null,
        reason: null,
        paused: false,
        intervalMs: 1000,
        sample: null,
        fresh: {},
        gone: [],
        tab: 'processes',
        tree: false,
        sort: { key: 'cpu', desc: true },
        filter: '',
        normalized: false,
        selected: null,
        details: null,
        sockets: null,
        socketFilter: '',
        confirm: null,
        message: null,
        labBusy: false,
      },
      setProcesses: patch,
      async startSampling() {
        const r = await client.invoke('processes.configure', { running: !get().processes.paused });
        if (!r.ok) return patch({ supported: false, reason: r.error });
        const v = r.value;
        const reason = v.supported ? null : { code: v.code ?? 'PROCESSES_UNSUPPORTED', message: v.reason ?? '', ...(v.params ? { params: v.params } : {}) };
        patch({ supported: v.supported, reason, intervalMs: v.intervalMs });
      },
      async stopSampling() {
        await client.invoke('processes.configure', { running: false });
      },
      async setPaused(paused) {
        patch({ paused });
        await client.invoke('processes.configure', { running: !paused });
      },
      applyProcessSample(batch) {
        const sample = batch.events.at(-1);
        if (!sample) return;
        const now = Date.now();
        const fresh: Record<number, number> = {};
        for (const [pid, until] of Object.entries(get().processes.fresh)) if (until > now) fresh[Number(pid)] = until;
        for (const e of batch.events) for (const pid of e.added) fresh[pid] = now + FLASH_MS;
        const gone = get().processes.gone.filter((g) => g.until > now);
        for (const e of batch.events) for (const row of e.removed) gone.push({ row, until: now + FLASH_MS });
        patch({ sample, fresh, gone });
        const selected = get().processes.selected;
        if (selected !== null) void refreshDetails(selected);
      },
      async selectProcess(pid) {
        patch({ selected: pid, details: null });
        if (pid !== null) await refreshDetails(pid);
      },
      async loadSockets() {
        const r = await client.invoke('processes.sockets', {});
        if (r.ok) patch({ sockets: r.value });
        else patch({ message: { kind: 'error', error: r.error } });
      },
      requestSignal(pid, signal) {
        const row = get().processes.sample?.processes.find((p) => p.pid === pid);
        patch({ confirm: { pid, signal, name: row?.name ?? '?' }, message: null });
      },
      async confirmSignal() {
        const c = get().processes.confirm;
        if (!c) return;
        patch({ confirm: null });
        const r = await client.invoke('processes.signal', { pid: c.pid, signal: c.signal });
        patch({ message: r.ok ? { kind: 'ok', text: `${c.signal} → ${c.pid} (${c.name})` } : { kind: 'error', error: r.error } });
      },
      async startLab(kind, count) {
        patch({ labBusy: true, message: null });
        const r = await client.invoke('processes.labStart', count === undefined ? { kind } : { kind, count });
        patch({ labBusy: false, ...(r.ok ? {} : { message: { kind: 'error' as const, error: r.error } }) });
      },
      async stopLab(id) {
        await client.invoke('processes.labStop', { id });
      },
    };
  };
}
