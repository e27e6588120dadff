import { WirelabError } from '../../../shared/contract/errors.ts';
import { limits } from '../../../shared/contract/limits.ts';
import type { ScriptChunk, ScriptEvent } from '../../../shared/contract/clients.ts';
import { parseScript, type ScriptRun, type StepResult } from '../../../shared/scripts/script.ts';
import { ScriptTranscript, type TranscriptChunk } from '../../../shared/scripts/transcript.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { chunkPreview, chunkPreviewBytes } from '../sender/chunk-preview.ts';
import type { Encoding } from '../sender/text-codec.ts';
import { runScript } from './script-runner.ts';

type RunningStep = { step: number; round: number; action: StepResult['action']; at: number };

interface RunState {
  id: number;
  script: string;
  encoding: Encoding;
  steps: StepResult[];
  run: ScriptRun | null;
  current: RunningStep | null;
  /** The seq of the last event published (or that would have been, with no page listening). */
  seq: number;
  transcript: ScriptTranscript;
  stop: AbortController;
}

/**
 * The backend's script runs: one at a time per host, its state here (running, the steps so far,
 * the step running now, the bytes exchanged) so that every window — and a page that reloads
 * mid-run — reads the same run with `scripts.status` and follows it on `scripts.event`. A run
 * owns its connection (the runner's TcpClient / UdpSocket), not a sender session: a script is
 * a short, bounded exchange with its own framing per direction, and its results are step
 * verdicts rather than log entries. The last run's transcript stays until the next run starts.
 */
export class ScriptService {
  private current: RunState | null = null;
  private nextId = 1;

  constructor(private readonly hub?: EventHub) {}

  private publish(state: RunState, event: DistributiveOmit<ScriptEvent, 'runId' | 'seq'>): void {
    state.seq++;
    if (!this.hub || this.hub.listenerCount('scripts.event') === 0) return;
    this.hub.publish('scripts.event', { ...event, runId: state.id, seq: state.seq } as ScriptEvent);
  }

  async run(text: string): Promise<ScriptRun> {
    const script = parseScript(text);
    if (this.current && !this.current.run) throw new WirelabError('SCRIPT_BUSY', 'a script is already running; stop it or wait for it to end');
    const state: RunState = {
      id: this.nextId++,
      script: text,
      encoding: script.connect.encoding,
      steps: [],
      run: null,
      current: null,
      seq: 0,
      transcript: new ScriptTranscript(),
      stop: new AbortController(),
    };
    this.current = state;
    this.publish(state, { kind: 'run-started', at: Date.now() });
    const run = await runScript(script, {
      signal: state.stop.signal,
      transcript: state.transcript,
      onStepStart: (s) => {
        state.current = { ...s, at: Date.now() };
        this.publish(state, { kind: 'step-started', current: state.current });
      },
      onStep: (r) => {
        state.steps.push(r);
        state.current = null;
        this.publish(state, { kind: 'step', result: r });
      },
    });
    state.run = run;
    state.current = null;
    this.publish(state, { kind: 'run-ended', ok: run.ok, ms: run.ms, transcript: state.transcript.stats() });
    return run;
  }

  status() {
    const c = this.current;
    if (!c) return { running: false, script: null, run: null, runId: null, seq: 0, current: null, transcript: null };
    return {
      running: c.run === null,
      script: c.script,
      run: c.run ?? { ok: false, ms: 0, steps: [...c.steps] },
      runId: c.id,
      seq: c.seq,
      current: c.current,
      transcript: c.transcript.stats(),
    };
  }

  private held(runId?: number): RunState {
    const c = this.current;
    if (!c || (runId !== undefined && c.id !== runId))
      throw new WirelabError('SCRIPT_NO_RUN', 'that run is no longer held (the host keeps the last run only); run the script again');
    return c;
  }

  /** One step's chunks, as a page shows them (a page of them: the sender log's page limits). */
  transcript(runId: number, step: number, round: number): { chunks: ScriptChunk[]; more: boolean; transcript: ReturnType<ScriptTranscript['stats']> } {
    const c = this.held(runId);
    const all = c.transcript.ofStep(step, round);
    const chunks: ScriptChunk[] = [];
    let previews = 0;
    for (const k of all) {
      if (chunks.length >= limits.senderLogPage) break;
      previews += Math.min(k.bytes.length, chunkPreviewBytes);
      if (previews > limits.senderLogPageBytes && chunks.length) break;
      chunks.push(this.shown(k, c.encoding));
    }
    return { chunks, more: chunks.length < all.length, transcript: c.transcript.stats() };
  }

  /** A chunk as a page shows it: the sender log's preview (chunk-preview.ts). */
  private shown(k: TranscriptChunk, encoding: Encoding): ScriptChunk {
    return { step: k.step, round: k.round, dir: k.dir, at: k.at, peer: k.peer, ...chunkPreview(k.bytes, encoding) };
  }

  /** The current or last run as pcap (the sender log's writer), from the full bytes. */
  exportPcap(): { name: string; mime: string; data: string; base64: boolean } {
    const c = this.held();
    return {
      name: `wirelab-script-run-${c.id}.pcap`,
      mime: 'application/vnd.tcpdump.pcap',
      data: Buffer.from(c.transcript.toPcap().pcap).toString('base64'),
      base64: true,
    };
  }

  stop(): boolean {
    if (!this.current || this.current.run) return false;
    this.current.stop.abort();
    return true;
  }

  dispose(): void {
    this.stop();
  }
}

/** Omit over each member of a union (a plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
