import type { Server } from 'node:net';
import { WirelabError } from '../../../shared/contract/errors.ts';
import type { CaptureStatus, ExperimentKind, KernelState, TimelineEvent, TimelineMarker, TimelinePacket } from '../../../shared/contract/timeline.ts';
import type { SenderEvent } from '../../../shared/contract/sender.ts';
import { ACK, SYN, readTcpPackets } from '../../../shared/timeline/tcp-packet.ts';
import type { ReadProblem } from '../../../shared/timeline/pcap-reader.ts';
import { endpointText, groupStreams, splitEndpoint, summarizeStream, type StreamSummary, type TcpStream } from '../../../shared/timeline/tcp-streams.ts';
import { packetToWire } from '../../../shared/timeline/packet-wire.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { captureAvailability, PacketCapture, problemOf, type CaptureTool, type PacketArrival } from './packet-capture.ts';
import { captureAdvice } from '../../../shared/timeline/capture-advice.ts';
import { KernelStateWatcher, kernelStatesSupported } from './kernel-states.ts';
import type { LinkSettings, LinkStatus } from '../../../shared/contract/link.ts';
import { checkRunnable, linkAvailability } from './link-lab.ts';
import { linkTimeline } from './link-timeline.ts';
import { closedPort, experimentClient, experimentServer, marker, markerAt, type ExperimentHooks } from './experiments.ts';

/** A packet-sender session whose socket events become markers on a watched timeline. */
export interface WatchedSession {
  id: string;
  kind: 'tcp-client' | 'tcp-server' | 'udp';
  local: string;
}

interface Live {
  /** Unsubscribes from the packet sender's events, when a session is watched. */
  off?: () => void;
  capture: PacketCapture | null;
  kernel: KernelStateWatcher;
  server: Server | null;
  stopped: boolean;
  done: Promise<void>;
}

/** Imported files are kept so their conversations can be opened one at a time. */
const KEEP_IMPORTS = 4;
const STREAM_PACKET_CAP = 20_000;

/**
 * Live timelines (experiments, watching a port) and imported captures. Every packet, marker and
 * kernel state goes out on `timeline.event`; the UI derives the diagram from them.
 */
export class TimelineService {
  private next = 1;
  private readonly live = new Map<string, Live>();
  private readonly imports = new Map<string, { streams: TcpStream[] }>();
  private availability: Promise<CaptureStatus> | null = null;
  private linkStatus: Promise<LinkStatus> | null = null;
  /** Emulated-link runs still going: stop() and dispose() end their namespaces. */
  private readonly links = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Packet → parsed latencies in ms (kernel timestamp to parser output), for `npm run bench`. */
  readonly latencies: number[] = [];
  private latencyCount = 0;

  constructor(
    private readonly hub: EventHub,
    /** Tests name the capture program (a missing one, or dumpcap); by default tcpdump, else dumpcap. */
    private readonly options: { tool?: CaptureTool } = {},
  ) {}

  capabilities(): Promise<{ capture: CaptureStatus; kernelStates: boolean }> {
    this.availability ??= captureAvailability();
    return this.availability.then((capture) => ({ capture, kernelStates: kernelStatesSupported() }));
  }

  /** Whether emulated-link experiments run here (probed once: it makes a namespace). */
  linkCapabilities(): Promise<LinkStatus> {
    this.linkStatus ??= linkAvailability();
    return this.linkStatus;
  }

  /** Runs one emulated-link experiment (link-timeline.ts); refuses at once when links cannot be made here. */
  async link(settings: LinkSettings): Promise<{ timelineId: string }> {
    const status = await this.linkCapabilities();
    checkRunnable(settings, status);
    const id = `tl-${this.next++}`;
    const abort = new AbortController();
    const done = linkTimeline(settings, status, (part) => this.emit(id, part), abort.signal).finally(() => this.links.delete(id));
    this.links.set(id, { abort, done });
    return { timelineId: id };
  }

  private emit(timelineId: string, part: Partial<Omit<TimelineEvent, 'timelineId'>>): void {
    this.hub.publish('timeline.event', { timelineId, packets: [], markers: [], kernel: [], status: null, ...part });
  }

  private onPacket(id: string, a: PacketArrival, track?: (client: string, server: string) => void): void {
    const ts = a.frame.tsSec * 1000 + a.frame.tsNs / 1e6;
    // The last 10,000, overwritten in place: shift() would copy the array on every packet.
    this.latencies[this.latencyCount++ % 10_000] = a.parsedAt - ts;
    if (track && (a.packet.flags & (SYN | ACK)) === SYN) track(endpointText(a.packet.src, a.packet.srcPort), endpointText(a.packet.dst, a.packet.dstPort));
    this.emit(id, { packets: [packetToWire(a.packet)] });
  }

  /** Starts capture on a port; when it cannot run, says why and carries on without packets. */
  private async startCapture(
    id: string,
    port: number,
    host: string | undefined,
    track?: (c: string, s: string) => void,
  ): Promise<{ capture: PacketCapture | null; status: CaptureStatus }> {
    try {
      const capture = await PacketCapture.start({ port, host }, (a) => this.onPacket(id, a, track), this.options.tool ? { tool: this.options.tool } : {});
      return { capture, status: { available: true, code: null, tool: capture.tool.kind, reason: null, howTo: null } };
    } catch (e) {
      const err = e instanceof WirelabError ? e : new WirelabError('CAPTURE_FAILED', String(e));
      if (err.code === 'INVALID_INPUT') throw err;
      const status = (await this.capabilities()).capture;
      return {
        capture: null,
        status: {
          available: false,
          code: problemOf(err.code),
          tool: status.tool,
          reason: err.message,
          howTo: status.howTo ?? captureAdvice(problemOf(err.code), process.platform),
        },
      };
    }
  }

  experiment(kind: ExperimentKind): { timelineId: string } {
    const id = `tl-${this.next++}`;
    const kernel = new KernelStateWatcher((k: KernelState) => this.emit(id, { kernel: [k] }));
    const hooks: ExperimentHooks = {
      marker: (m) => this.emit(id, { markers: [markerAt(m)] }),
      connection: (client, server) => {
        kernel.track(client, server);
        kernel.start();
      },
    };
    const live: Live = { capture: null, kernel, server: null, stopped: false, done: Promise.resolve() };
    this.live.set(id, live);
    this.emit(id, { status: { phase: 'starting', message: null, capture: null } });
    live.done = (async () => {
      try {
        let port: number;
        if (kind === 'refused') port = await closedPort();
        else {
          const s = await experimentServer(kind, hooks);
          live.server = s.server;
          port = s.port;
        }
        const { capture, status } = await this.startCapture(id, port, '127.0.0.1');
        live.capture = capture;
        this.emit(id, { status: { phase: 'capturing', message: null, capture: status } });
        await experimentClient(kind, port, hooks);
        // Let the last ACKs arrive and the kernel table show the final states (TIME_WAIT, CLOSED).
        await new Promise((r) => setTimeout(r, 150));
        await this.finish(id, live);
        this.emit(id, { status: { phase: 'done', message: null, capture: status } });
      } catch (e) {
        await this.finish(id, live);
        const message = e instanceof Error ? e.message : String(e);
        // The errno (EADDRINUSE, EMFILE…) when there is one: the UI words the failure around it.
        const reason = (e as NodeJS.ErrnoException).code ?? message;
        this.emit(id, { status: { phase: 'error', message, code: 'EXPERIMENT_FAILED', params: { reason }, capture: null } });
      }
    })();
    return { timelineId: id };
  }

  /**
   * Captures every connection on a port until stopped (the packet sender's "show timeline").
   * With a session, that session's socket events (connect, send, recv, FIN, close, errors) are
   * drawn as markers on its side.
   */
  async watch(port: number, host?: string, session?: WatchedSession): Promise<{ timelineId: string }> {
    const id = `tl-${this.next++}`;
    const kernel = new KernelStateWatcher((k) => this.emit(id, { kernel: [k] }), 50);
    const track = (c: string, s: string) => {
      kernel.track(c, s);
      kernel.start();
    };
    const { capture, status } = await this.startCapture(id, port, host, track);
    const live: Live = { capture, kernel, server: null, stopped: false, done: Promise.resolve() };
    if (session)
      live.off = this.hub.on('sender.event', (e) => {
        if (e.sessionId !== session.id) return;
        const m = senderMarker(e, session);
        if (m) this.emit(id, { markers: [markerAt(m)] });
      });
    this.live.set(id, live);
    this.emit(id, { status: { phase: 'capturing', message: `port ${port}`, capture: status } });
    return { timelineId: id };
  }

  /** Remembers a socket event of the packet sender (or anything else) on a watched timeline. */
  addMarker(timelineId: string, m: Omit<TimelineMarker, 'tsSec' | 'tsNs'>): void {
    if (this.live.has(timelineId)) this.emit(timelineId, { markers: [markerAt(m)] });
  }

  private async finish(id: string, live: Live): Promise<void> {
    if (live.stopped) return;
    live.stopped = true;
    live.off?.();
    await live.capture?.stop();
    await live.kernel.poll();
    live.kernel.stop();
    if (live.server) await new Promise((r) => live.server!.close(r));
    this.live.delete(id);
  }

  async stop(timelineId: string): Promise<boolean> {
    const link = this.links.get(timelineId);
    if (link) {
      link.abort.abort();
      await link.done;
      return true;
    }
    const live = this.live.get(timelineId);
    if (!live) return false;
    await this.finish(timelineId, live);
    this.emit(timelineId, { status: { phase: 'done', message: null, capture: null } });
    return true;
  }

  /** Reads a capture file the user opened: every TCP conversation in it, and where it broke if it did. */
  import(
    name: string,
    bytes: Uint8Array,
  ): { timelineId: string; format: string | null; frames: number; tcpPackets: number; streams: StreamSummary[]; problem: ReadProblem | null } {
    const { frames, format, problem, packets } = readTcpPackets(bytes);
    if (problem && frames === 0)
      throw new WirelabError('NOT_A_CAPTURE', `${name}: ${problem.message}`, 'file', { name, problem: problem.code, ...problem.params });
    const streams = groupStreams(packets);
    const id = `file-${this.next++}`;
    this.imports.set(id, { streams });
    while (this.imports.size > KEEP_IMPORTS) this.imports.delete(this.imports.keys().next().value!);
    return {
      timelineId: id,
      format,
      frames,
      tcpPackets: packets.length,
      streams: streams.map(summarizeStream),
      problem: problem ? { ...problem, message: `${name}: ${problem.message}` } : null,
    };
  }

  stream(timelineId: string, index: number): { packets: TimelinePacket[]; truncated: boolean } {
    const file = this.imports.get(timelineId);
    if (!file) throw new WirelabError('NO_SUCH_TIMELINE', 'timelineId: that file is no longer open: import it again', 'timelineId');
    const s = file.streams[index];
    if (!s) throw new WirelabError('INVALID_INPUT', `index: the file has ${file.streams.length} conversations (0–${file.streams.length - 1})`, 'index');
    return {
      packets: s.packets.slice(0, STREAM_PACKET_CAP).map((p) => packetToWire(p)),
      truncated: s.packets.length > STREAM_PACKET_CAP,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map(([id, l]) => this.finish(id, l)));
    for (const l of this.links.values()) l.abort.abort();
    await Promise.all([...this.links.values()].map((l) => l.done));
  }
}

/** A packet-sender event as a timeline marker, in the experiments' words (so it translates the same way). */
export function senderMarker(e: SenderEvent, session: WatchedSession): Omit<TimelineMarker, 'tsSec' | 'tsNs'> | null {
  const side = session.kind === 'tcp-server' ? 'server' : 'client';
  // The connection's client end names its stream: a client session's own address, or the peer a server talks to.
  const client = side === 'client' ? session.local : e.peer && splitEndpoint(e.peer) ? e.peer : null;
  const peerSide = side === 'client' ? 'server' : 'client';
  switch (e.type) {
    case 'chunk':
      return client ? marker(client, side, e.dir === 'out' ? 'send' : 'receive', 'MARK_BYTES', { bytes: e.length ?? 0 }, `${e.length} bytes`) : null;
    case 'connect':
      return marker(client, side, 'connect', 'MARK_CONNECTED', {}, 'connected');
    case 'client-open':
      return marker(client, side, 'accept', 'MARK_ACCEPTED', { peer: e.peer ?? '?' }, `accepted ${e.peer}`);
    case 'client-close':
      return marker(client, side, 'close', 'MARK_CLOSED', {}, 'socket closed');
    case 'close':
      if (e.dir === 'out') return marker(client, side, 'end', 'MARK_SHUT_WR', {}, 'shutdown(SHUT_WR): FIN sent, still reading');
      // The sender's close event says in its message whether the peer's FIN ended it (its code comes in a later step).
      if (/FIN/.test(e.message ?? ''))
        return marker(
          client,
          side,
          'end',
          peerSide === 'client' ? 'MARK_FIN_FROM_CLIENT' : 'MARK_FIN_FROM_SERVER',
          {},
          `the ${peerSide} sent FIN (read returned 0)`,
        );
      return marker(client, side, 'close', 'MARK_CLOSED', {}, 'socket closed');
    case 'error':
      return marker(client, side, 'error', 'MARK_SOCKET_ERROR', { errno: e.code ?? 'error' }, `${e.code ?? 'error'}: ${e.message ?? ''}`);
    default:
      return null;
  }
}
