import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, EventBatch, Notice, PanelId, Settings, SettingsPatch, WirelabErrorData } from '../../../shared/contract/index.ts';
import { defaultSettings } from '../../../shared/contract/settings.ts';
import type { ConnectionState, ContractClient } from '../client/contract-client.ts';
import { createSubnetSlice, type SubnetSlice } from './subnet-slice.ts';
import { createSenderSlice, type SenderSlice } from './sender-slice.ts';
import { createGeneratorSlice, type GeneratorSlice } from './generator-slice.ts';
import { createLibrarySlice, type LibrarySlice } from './library-slice.ts';
import { createTimelineSlice, type TimelineSlice } from './timeline-slice.ts';
import { createProcessesSlice, type ProcessesSlice } from './processes-slice.ts';
import { createConcurrencySlice, type ConcurrencySlice } from './concurrency-slice.ts';

/**
 * One store built from slices (Zustand docs, "slices pattern"); actions sit beside the state
 * they change. Derived values (the resolved locale and theme) are computed by selectors in the
 * components, never stored.
 */
export interface ShellSlice {
  panel: PanelId;
  connection: ConnectionState;
  info: AppInfo | null;
  latencyMs: number | null;
  notices: Notice[];
  setPanel(panel: PanelId): void;
  dismissNotice(id: string): Promise<void>;
}

export interface SettingsSlice {
  settings: Settings;
  settingsLoaded: boolean;
  /** The backend's refusal of the last settings change (worded by code in the banner). */
  settingsError: WirelabErrorData | null;
  updateSettings(patch: SettingsPatch): Promise<void>;
}

export type AppState = ShellSlice &
  SettingsSlice &
  SubnetSlice &
  SenderSlice &
  GeneratorSlice &
  LibrarySlice &
  TimelineSlice &
  ProcessesSlice &
  ConcurrencySlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(client: ContractClient): AppStore {
  const store = createStore<AppState>()((set, get, api) => ({
    ...createSubnetSlice<AppState>(client)(set, get, api),
    ...createSenderSlice<AppState>(client)(set, get, api),
    ...createGeneratorSlice<AppState>(client)(set, get, api),
    ...createLibrarySlice<AppState>(client)(set, get, api),
    ...createTimelineSlice<AppState>(client)(set, get, api),
    ...createProcessesSlice<AppState>(client)(set, get, api),
    ...createConcurrencySlice<AppState>(client)(set, get, api),
    panel: 'sender',
    connection: client.connection,
    info: null,
    latencyMs: null,
    notices: [],
    setPanel(panel) {
      if (get().panel === panel) return;
      set({ panel });
      void get().updateSettings({ lastPanel: panel });
    },
    async dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
      await client.invoke('app.dismissNotice', { id });
    },

    settings: { ...defaultSettings },
    settingsLoaded: false,
    settingsError: null,
    async updateSettings(patch) {
      const before = get().settings;
      // Apply at once so the UI answers the click; roll back if the backend refuses.
      set({ settings: { ...before, ...patch }, settingsError: null });
      const result = await client.invoke('settings.update', patch);
      if (result.ok) set({ settings: result.value });
      else set({ settings: before, settingsError: result.error });
    },
  }));

  async function load(): Promise<void> {
    const [info, settings] = await Promise.all([client.invoke('app.info', {}), client.invoke('settings.get', {})]);
    if (info.ok) store.setState({ info: info.value, notices: info.value.notices });
    if (settings.ok) store.setState({ settings: settings.value, settingsLoaded: true, panel: settings.value.lastPanel });
    // The backend owns the sender's sessions: after a (re)load or a reconnect, show every one.
    await store.getState().syncSessions();
    await ping();
  }

  async function ping(): Promise<void> {
    const ping = await client.invoke('app.ping', { at: performance.now() });
    if (ping.ok) store.setState({ latencyMs: Math.round((performance.now() - ping.value.at) * 10) / 10 });
  }

  // The first call after start-up is slow (cold code paths); re-measure now and then so the
  // status bar shows the steady round trip.
  let pinger: ReturnType<typeof setInterval> | null = null;
  client.onConnection((connection) => {
    store.setState({ connection });
    if (pinger !== null) clearInterval(pinger);
    pinger = null;
    if (connection === 'connected') {
      void load();
      pinger = setInterval(() => void ping(), 5000);
    }
  });
  // Under a flood batches arrive every frame; merging what came in the last 50 ms into one store
  // update keeps React to ~20 renders a second while the log still fills in real time.
  let pending: EventBatch<'sender.event'>[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let lastApplied = 0;
  const flushSender = () => {
    flushTimer = null;
    lastApplied = performance.now();
    const batches = pending;
    pending = [];
    if (batches.length === 1) store.getState().applySenderEvents(batches[0]!);
    else if (batches.length > 1) {
      store
        .getState()
        .applySenderEvents({ stream: 'sender.event', events: batches.flatMap((b) => b.events), dropped: batches.reduce((n, b) => n + b.dropped, 0) });
    }
  };
  client.subscribe('sender.event', (batch) => {
    pending.push(batch);
    // Idle: apply at once, so a reply shows without delay. Busy: at most every 50 ms.
    flushTimer ??= setTimeout(flushSender, performance.now() - lastApplied < 50 ? 50 : 0);
  });
  client.subscribe('sender.counters', (batch) => store.getState().applySenderCounters(batch));
  client.subscribe('timeline.event', (batch) => store.getState().applyTimelineEvents(batch));
  client.subscribe('processes.sample', (batch) => store.getState().applyProcessSample(batch));
  client.subscribe('generator.progress', (batch) => store.getState().applyGeneratorProgress(batch));
  client.subscribe('concurrency.event', (batch) => store.getState().applyConcurrencyEvents(batch));
  client.subscribe('app.notice', (batch) => {
    const known = new Set(store.getState().notices.map((n) => n.id));
    store.setState({ notices: [...store.getState().notices, ...batch.events.filter((n) => !known.has(n.id))] });
  });
  return store;
}
