import type { ScriptEvent } from '../../../shared/contract/clients.ts';
import type { CommandOutput } from '../../../shared/contract/index.ts';
import type { StepResult } from '../../../shared/scripts/script.ts';

/**
 * What a page shows of the backend's script run, and the pure step that folds `scripts.event`
 * into it. The run is the backend's (ScriptService); a page reads `scripts.status` once (on
 * load, on reconnect, after a gap) and then applies only the events whose `seq` follows the
 * one it holds, so a page opened mid-run shows the steps so far and then the rest live, with
 * no step twice and none missing.
 */
type Status = CommandOutput<'scripts.status'>;

/**
 * Steps a page keeps and draws: the newest this many, plus every failed one. A long run (1,000
 * steps × 100 rounds) is followed live without copying or rendering 100,000 rows per batch; the
 * passed steps before them are counted (`earlierPassed`) and the backend's status still has all.
 */
export const shownSteps = 500;

export interface ScriptView {
  runId: number;
  /** The seq of the last event applied (the status's, at first). */
  seq: number;
  running: boolean;
  /** The newest `shownSteps` steps and every failed one before them, in order. */
  steps: StepResult[];
  /** Passed steps before `steps`, no longer kept. */
  earlierPassed: number;
  /** The step running now, marked in the list until its result arrives. */
  current: Status['current'];
  /** Set once the run ended. */
  ok: boolean | null;
  ms: number;
  transcript: Status['transcript'];
}

/**
 * Keeps `v.steps` within shownSteps (plus failures), counting the passed ones it lets go. In
 * place: `v` and its steps are the caller's own copy.
 */
function bound(v: ScriptView): void {
  const excess = v.steps.length - shownSteps;
  if (excess <= 0) return;
  const kept: StepResult[] = [];
  for (let i = 0; i < v.steps.length; i++) {
    const s = v.steps[i]!;
    if (i >= excess || !s.ok) kept.push(s);
    else v.earlierPassed++;
  }
  v.steps = kept;
}

export function viewOfStatus(s: Status): ScriptView | null {
  if (s.runId === null || !s.run) return null;
  const v: ScriptView = {
    runId: s.runId,
    seq: s.seq,
    running: s.running,
    steps: s.run.steps,
    earlierPassed: 0,
    current: s.current,
    ok: s.running ? null : s.run.ok,
    ms: s.run.ms,
    transcript: s.transcript,
  };
  bound(v);
  return v;
}

/** Batches that arrived while a status read was on its way: their events in order, and how many the stream dropped among them. */
export interface HeldBatches {
  events: ScriptEvent[];
  dropped: number;
}

export function holdBatch(held: HeldBatches, batch: { events: readonly ScriptEvent[]; dropped: number }): void {
  for (const e of batch.events) held.events.push(e);
  held.dropped += batch.dropped;
}

/**
 * The status just read with the batches held meanwhile on top. A drop among them asks for
 * another read: the status may predate what was dropped (the run's end), and the events after
 * it cannot say so.
 */
export function viewAfterStatus(status: Status, held: HeldBatches): { view: ScriptView | null; resync: boolean } {
  return reduceScriptEvents(viewOfStatus(status), held.events, held.dropped);
}

/**
 * Applies a batch of events in order. `resync` asks the caller to read `scripts.status` again:
 * the stream dropped events, skipped a seq, or speaks of a run whose start this page missed.
 */
export function reduceScriptEvents(view: ScriptView | null, events: readonly ScriptEvent[], dropped = 0): { view: ScriptView | null; resync: boolean } {
  let v = view;
  let resync = dropped > 0;
  /** Whether `v` is this call's own copy (its steps too): a batch of thousands of steps copies the list once, not once per step. */
  let own = false;
  for (const e of events) {
    if (v && e.runId < v.runId) continue;
    if (e.kind === 'run-started' && (!v || e.runId > v.runId)) {
      v = { runId: e.runId, seq: e.seq, running: true, steps: [], earlierPassed: 0, current: null, ok: null, ms: 0, transcript: null };
      own = true;
      continue;
    }
    if (!v || e.runId > v.runId || e.seq > v.seq + 1) {
      resync = true;
      continue;
    }
    if (e.seq <= v.seq) continue;
    if (!own) {
      v = { ...v, steps: [...v.steps] };
      own = true;
    }
    v.seq = e.seq;
    if (e.kind === 'step-started') v.current = e.current;
    else if (e.kind === 'step') {
      v.steps.push(e.result);
      v.current = null;
    } else if (e.kind === 'run-ended') {
      v.running = false;
      v.current = null;
      v.ok = e.ok;
      v.ms = e.ms;
      v.transcript = e.transcript;
    }
  }
  if (v && own) bound(v);
  return { view: v, resync };
}
