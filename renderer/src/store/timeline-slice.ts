import type { StateCreator } from 'zustand/vanilla';
import type {
  CaptureStatus,
  CommandOutput,
  EventBatch,
  PanelId,
  ExperimentKind,
  ServerLane,
  KernelState,
  TimelineMarker,
  TimelinePacket,
  TimelineStatus,
  WirelabErrorData,
} from '../../../shared/contract/index.ts';
import { splitEndpoint, type StreamSummary } from '../../../shared/timeline/tcp-streams.ts';
import type { ContractClient } from '../client/contract-client.ts';
import { toBase64 } from '../../../shared/sender/payload.ts';
import type { LinkArrivals, LinkLoss, LinkSettings, LinkStatus, TcpInfoSample } from '../../../shared/contract/link.ts';

/** Where a timeline's evidence came from. */
export type SourceKind = 'experiment' | 'watch' | 'file';

export interface TimelineSource {
  id: string;
  kind: SourceKind;
  experiment: ExperimentKind | null;
  /** "port 8080", a file name… */
  label: string;
  status: TimelineStatus;
  packets: TimelinePacket[];
  markers: TimelineMarker[];
  kernel: KernelState[];
  /** The sender socket's TCP_INFO samples (emulated-link experiments only). */
  tcpInfo: TcpInfoSample[];
  /** The emulated link's settings, for a link experiment. */
  link: LinkSettings | null;
  /** A link experiment's packets joined with the server's capture: where each arrived (by frame), and the counts. */
  arrivals: LinkArrivals | null;
  linkLoss: LinkLoss | null;
  /** A link experiment's server lanes, each from the server's own capture (drawn instead of inferred from the client's). */
  serverLanes: ServerLane[] | null;
  /** Live sources drop their oldest packets beyond this many (the diagram is for one connection). */
  droppedPackets: number;
  /** Imported files: their conversations; packets hold the one opened. */
  file: {
    name: string;
    format: string | null;
    frames: number;
    tcpPackets: number;
    streams: StreamSummary[];
    problem: CommandOutput<'timeline.import'>['problem'];
    openStream: number | null;
    truncated: boolean;
  } | null;
  /** Which connection of the source is drawn (index into the streams derived from packets); -1 follows the newest. */
  stream: number;
  /** Wall-clock ms when the source was started (for TIME_WAIT countdowns). */
  startedAt: number;
  /** The packet-sender session this capture follows ("Show timeline"), if any. */
  sessionId: string | null;
}

export interface TimelineSlice {
  timeline: {
    capabilities: { capture: CaptureStatus; kernelStates: boolean } | null;
    sources: TimelineSource[];
    selected: string | null;
    /** The frame number of the segment whose details are shown. */
    frame: number | null;
    absolute: boolean;
    watchPort: string;
    watchHost: string;
    /** The last refusal, worded by its code when shown (renderer/src/i18n/error-text.ts). */
    error: WirelabErrorData | null;
    busy: boolean;
    /** Whether emulated-link experiments run here (asked once, when the link card first shows). */
    linkStatus: LinkStatus | null;
  };
  setTimeline(patch: Partial<TimelineSlice['timeline']>): void;
  loadTimelineCapabilities(): Promise<void>;
  runExperiment(kind: ExperimentKind): Promise<void>;
  loadLinkStatus(): Promise<void>;
  /** Runs one emulated-link experiment; its label is what the card shows for it. */
  runLinkExperiment(settings: LinkSettings, label: string): Promise<void>;
  watchPort(port: number, host?: string, label?: string, sessionId?: string): Promise<boolean>;
  /** The packet sender's "show timeline": capture a TCP session's port (its server's), then show the panel. */
  watchSession(sessionId: string, kind: 'tcp-client' | 'tcp-server', local: string, remote: string | null): Promise<void>;
  stopTimeline(id: string): Promise<void>;
  importCapture(name: string, bytes: Uint8Array): Promise<void>;
  openFileStream(sourceId: string, index: number): Promise<void>;
  selectSource(id: string): void;
  selectStream(index: number): void;
  applyTimelineEvents(batch: EventBatch<'timeline.event'>): void;
  removeSource(id: string): void;
}

const LIVE_PACKET_CAP = 20_000;

/** A link source's arrival columns with the events' appended, the newest LIVE_PACKET_CAP kept as its packets are. */
function joinArrivals(held: LinkArrivals | null, events: EventBatch<'timeline.event'>['events']): LinkArrivals {
  const all = [held, ...events.map((e) => e.arrivals)].filter((a) => a !== null && a !== undefined);
  const from = Math.max(0, all.reduce((n, a) => n + a.frame.length, 0) - LIVE_PACKET_CAP);
  return {
    frame: all.flatMap((a) => a.frame).slice(from),
    arrived: all.flatMap((a) => a.arrived).slice(from),
    oneWayMs: all.flatMap((a) => a.oneWayMs).slice(from),
  };
}
const KEEP_SOURCES = 12;

/** Needs the shell's setPanel: "show timeline" in the packet sender switches panels. */
export function createTimelineSlice<T extends TimelineSlice & { setPanel(panel: PanelId): void }>(
  client: ContractClient,
): StateCreator<T, [], [], TimelineSlice> {
  return (set, get) => {
    const patch = (p: Partial<TimelineSlice['timeline']>) => set({ timeline: { ...get().timeline, ...p } } as Partial<T>);
    const add = (source: TimelineSource) => {
      const sources = [source, ...get().timeline.sources].slice(0, KEEP_SOURCES);
      patch({ sources, selected: source.id, frame: null, error: null });
    };
    const update = (id: string, f: (s: TimelineSource) => TimelineSource) => patch({ sources: get().timeline.sources.map((s) => (s.id === id ? f(s) : s)) });
    const blank = (id: string, kind: SourceKind, label: string, experiment: ExperimentKind | null = null): TimelineSource => ({
      id,
      kind,
      experiment,
      label,
      status: { phase: 'starting', message: null, capture: null },
      packets: [],
      markers: [],
      kernel: [],
      tcpInfo: [],
      link: null,
      arrivals: null,
      linkLoss: null,
      serverLanes: null,
      droppedPackets: 0,
      file: null,
      stream: kind === 'watch' ? -1 : 0,
      startedAt: Date.now(),
      sessionId: null,
    });
    // Events can arrive before the command's reply names the timeline: hold them until then.
    const early = new Map<string, EventBatch<'timeline.event'>['events']>();

    return {
      timeline: {
        capabilities: null,
        sources: [],
        selected: null,
        frame: null,
        absolute: false,
        watchPort: '',
        watchHost: '127.0.0.1',
        error: null,
        busy: false,
        linkStatus: null,
      },
      setTimeline: patch,
      async loadTimelineCapabilities() {
        const r = await client.invoke('timeline.capabilities', {});
        if (r.ok) patch({ capabilities: r.value });
      },
      async runExperiment(kind) {
        patch({ busy: true });
        const r = await client.invoke('timeline.experiment', { kind });
        patch({ busy: false });
        if (!r.ok) return patch({ error: r.error });
        add(blank(r.value.timelineId, 'experiment', kind, kind));
        const held = early.get(r.value.timelineId);
        early.delete(r.value.timelineId);
        if (held) get().applyTimelineEvents({ stream: 'timeline.event', events: held, dropped: 0 });
      },
      async loadLinkStatus() {
        const r = await client.invoke('timeline.linkCapabilities', {});
        if (r.ok) patch({ linkStatus: r.value });
      },
      async runLinkExperiment(settings, label) {
        patch({ busy: true });
        const r = await client.invoke('timeline.link', settings);
        patch({ busy: false });
        if (!r.ok) return patch({ error: r.error });
        add({ ...blank(r.value.timelineId, 'experiment', label), link: settings });
        const held = early.get(r.value.timelineId);
        early.delete(r.value.timelineId);
        if (held) get().applyTimelineEvents({ stream: 'timeline.event', events: held, dropped: 0 });
      },
      async watchPort(port, host, label, sessionId) {
        patch({ busy: true });
        const r = await client.invoke('timeline.watch', { port, ...(host ? { host } : {}), ...(sessionId ? { sessionId } : {}) });
        patch({ busy: false });
        if (!r.ok) {
          patch({ error: r.error });
          return false;
        }
        add({ ...blank(r.value.timelineId, 'watch', label ?? `${host ?? '*'} : ${port}`), sessionId: sessionId ?? null });
        const held = early.get(r.value.timelineId);
        early.delete(r.value.timelineId);
        if (held) get().applyTimelineEvents({ stream: 'timeline.event', events: held, dropped: 0 });
        return true;
      },
      async watchSession(sessionId, kind, local, remote) {
        // The server's end names the connection: a client's remote, or a server's own address.
        const end = splitEndpoint(kind === 'tcp-client' ? remote : local);
        const text = (kind === 'tcp-client' ? remote : local) ?? '';
        if (!end) return patch({ error: { code: 'NOT_AN_ENDPOINT', message: `${text}: not an address and port`, params: { text } } });
        // A wildcard bind (0.0.0.0, ::) or a host name cannot go into the capture filter: filter on the port alone.
        const host = /^[0-9.]+$|:/.test(end.host) && end.host !== '0.0.0.0' && end.host !== '::' ? end.host : undefined;
        if (await get().watchPort(end.port, host, `${kind === 'tcp-client' ? remote : local}`, sessionId)) get().setPanel('timeline');
      },
      async stopTimeline(id) {
        await client.invoke('timeline.stop', { timelineId: id });
      },
      async importCapture(name, bytes) {
        patch({ busy: true, error: null });
        const r = await client.invoke('timeline.import', { name, base64: toBase64(bytes) });
        patch({ busy: false });
        if (!r.ok) return patch({ error: r.error });
        const v = r.value;
        const source = blank(v.timelineId, 'file', name);
        source.status = { phase: 'done', message: null, capture: null };
        source.file = {
          name,
          format: v.format,
          frames: v.frames,
          tcpPackets: v.tcpPackets,
          streams: v.streams,
          problem: v.problem,
          openStream: null,
          truncated: false,
        };
        add(source);
        if (v.streams.length > 0) await get().openFileStream(v.timelineId, 0);
      },
      async openFileStream(sourceId, index) {
        const r = await client.invoke('timeline.stream', { timelineId: sourceId, index });
        if (!r.ok) return patch({ error: r.error });
        update(sourceId, (s) => ({
          ...s,
          packets: r.value.packets,
          stream: 0,
          file: s.file && { ...s.file, openStream: index, truncated: r.value.truncated },
        }));
        patch({ frame: null });
      },
      selectSource(id) {
        patch({ selected: id, frame: null });
      },
      selectStream(index) {
        const id = get().timeline.selected;
        if (id) update(id, (s) => ({ ...s, stream: index }));
        patch({ frame: null });
      },
      removeSource(id) {
        const sources = get().timeline.sources.filter((s) => s.id !== id);
        patch({ sources, selected: get().timeline.selected === id ? (sources[0]?.id ?? null) : get().timeline.selected });
        void client.invoke('timeline.stop', { timelineId: id });
      },
      applyTimelineEvents(batch) {
        const known = new Set(get().timeline.sources.map((s) => s.id));
        const byId = new Map<string, EventBatch<'timeline.event'>['events']>();
        for (const e of batch.events) {
          if (!known.has(e.timelineId)) {
            early.set(e.timelineId, [...(early.get(e.timelineId) ?? []), e]);
            // Timelines another window started never get claimed here: keep only the newest few.
            if (early.size > 16) early.delete(early.keys().next().value!);
            continue;
          }
          byId.set(e.timelineId, [...(byId.get(e.timelineId) ?? []), e]);
        }
        if (byId.size === 0) return;
        patch({
          sources: get().timeline.sources.map((s) => {
            const events = byId.get(s.id);
            if (!events) return s;
            let packets = s.packets.concat(events.flatMap((e) => e.packets));
            let dropped = s.droppedPackets;
            if (packets.length > LIVE_PACKET_CAP) {
              dropped += packets.length - LIVE_PACKET_CAP;
              packets = packets.slice(-LIVE_PACKET_CAP);
            }
            const status = events
              .map((e) => e.status)
              .filter((x) => x !== null)
              .at(-1);
            return {
              ...s,
              packets,
              droppedPackets: dropped,
              markers: s.markers.concat(events.flatMap((e) => e.markers)),
              kernel: s.kernel.concat(events.flatMap((e) => e.kernel)),
              tcpInfo: events.some((e) => e.tcpInfo) ? s.tcpInfo.concat(events.flatMap((e) => e.tcpInfo ?? [])) : s.tcpInfo,
              arrivals: events.some((e) => e.arrivals) ? joinArrivals(s.arrivals, events) : s.arrivals,
              linkLoss: events.findLast((e) => e.linkLoss)?.linkLoss ?? s.linkLoss,
              serverLanes: events.findLast((e) => e.serverLanes)?.serverLanes ?? s.serverLanes,
              status: status ? { ...status, capture: status.capture ?? s.status.capture } : s.status,
            };
          }),
        });
      },
    };
  };
}
