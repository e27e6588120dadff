import { describe, expect, it } from 'vitest';
import type { ScriptEvent } from '../../../shared/contract/clients.ts';
import type { StepResult } from '../../../shared/scripts/script.ts';
import { holdBatch, reduceScriptEvents, shownSteps, viewAfterStatus, viewOfStatus, type HeldBatches } from './script-events.ts';

const result = (step: number): StepResult => ({ step, round: 1, action: 'send', ok: true, ms: 1, error: null, code: null });
const stats = { chunks: 2, bytes: 4, dropped: 0, droppedBytes: 0 };
const run: ScriptEvent[] = [
  { kind: 'run-started', runId: 3, seq: 1, at: 0 },
  { kind: 'step-started', runId: 3, seq: 2, current: { step: 0, round: 1, action: 'send', at: 0 } },
  { kind: 'step', runId: 3, seq: 3, result: result(0) },
  { kind: 'step-started', runId: 3, seq: 4, current: { step: 1, round: 1, action: 'send', at: 0 } },
  { kind: 'step', runId: 3, seq: 5, result: result(1) },
  { kind: 'run-ended', runId: 3, seq: 6, ok: true, ms: 9, transcript: stats },
];

describe('a page folds scripts.event into the run it shows (store/script-events.ts)', () => {
  it('from the start, the running step is marked until its result, then the run ends', () => {
    const a = reduceScriptEvents(null, run.slice(0, 2));
    expect(a).toMatchObject({ resync: false, view: { runId: 3, running: true, steps: [], current: { step: 0 } } });
    const b = reduceScriptEvents(a.view, run.slice(2));
    expect(b).toMatchObject({ resync: false, view: { running: false, ok: true, current: null, transcript: stats } });
    expect(b.view!.steps.map((s) => s.step)).toEqual([0, 1]);
    // the view React holds is never changed in place
    expect(a.view!.steps).toEqual([]);
    expect(a.view!.running).toBe(true);
  });

  it('a page opened mid-run starts from scripts.status and applies only the events after its seq (none twice)', () => {
    const status = viewOfStatus({
      running: true,
      script: '{}',
      run: { ok: false, ms: 0, steps: [result(0)] },
      runId: 3,
      seq: 3,
      current: null,
      transcript: stats,
    });
    // the stream was subscribed first, so it also holds events the status already counts
    const r = reduceScriptEvents(status, run);
    expect(r.resync).toBe(false);
    expect(r.view!.steps.map((s) => s.step)).toEqual([0, 1]);
    expect(r.view!.ok).toBe(true);
  });

  it('a gap, drops, or a run whose start it missed ask for scripts.status again', () => {
    const start = reduceScriptEvents(null, run.slice(0, 1)).view;
    expect(reduceScriptEvents(start, [run[2]!]).resync).toBe(true);
    expect(reduceScriptEvents(start, [run[1]!], 5).resync).toBe(true);
    expect(reduceScriptEvents(start, [{ ...run[1]!, runId: 4 }]).resync).toBe(true);
    // an older run's late events are ignored
    expect(reduceScriptEvents(start, [{ ...run[1]!, runId: 2 }])).toEqual({ view: start, resync: false });
  });

  it('a run-ended the stream dropped while a status read was on its way still asks for another read', () => {
    // the status was read mid-run; meanwhile a batch came saying the batcher dropped 1 event (the run's end)
    const status = { running: true, script: '{}', run: { ok: false, ms: 0, steps: [result(0)] }, runId: 3, seq: 3, current: null, transcript: stats };
    const held: HeldBatches = { events: [], dropped: 0 };
    holdBatch(held, { events: [], dropped: 1 });
    holdBatch(held, { events: [], dropped: 0 });
    const r = viewAfterStatus(status, held);
    expect(r.view).toMatchObject({ running: true, ok: null });
    expect(r.resync).toBe(true);
    // with nothing dropped the held events simply apply
    expect(viewAfterStatus(status, { events: run.slice(3), dropped: 0 })).toMatchObject({ resync: false, view: { running: false, ok: true } });
  });

  it('a long run keeps the newest steps and every failed one; the passed ones before are counted', () => {
    const fail = (step: number): StepResult => ({ ...result(step), ok: false, code: 'SCRIPT_TIMEOUT', error: 'x' });
    let v = reduceScriptEvents(null, run.slice(0, 1)).view;
    let seq = 1;
    // 1,200 steps in batches of 100, steps[7] failed (a run that goes on after a failure cannot happen, but a resync view could hold one)
    for (let b = 0; b < 12; b++) {
      const events: ScriptEvent[] = [];
      for (let i = 0; i < 100; i++) {
        const step = b * 100 + i;
        events.push({ kind: 'step', runId: 3, seq: ++seq, result: step === 7 ? fail(7) : result(step) });
      }
      const before = v;
      const beforeSteps = before!.steps.length;
      v = reduceScriptEvents(v, events).view;
      // never changed in place
      expect(before!.steps.length).toBe(beforeSteps);
    }
    expect(v!.steps.length).toBe(shownSteps + 1);
    expect(v!.steps[0]).toMatchObject({ step: 7, ok: false });
    expect(v!.steps[1]!.step).toBe(1200 - shownSteps);
    expect(v!.steps.at(-1)!.step).toBe(1199);
    expect(v!.earlierPassed).toBe(1200 - shownSteps - 1);
    // a page opened late reads all 1,200 in the status and keeps the same
    const late = viewOfStatus({
      running: true,
      script: '{}',
      run: { ok: false, ms: 0, steps: Array.from({ length: 1200 }, (_, i) => (i === 7 ? fail(7) : result(i))) },
      runId: 3,
      seq,
      current: null,
      transcript: stats,
    });
    expect(late!.steps).toEqual(v!.steps);
    expect(late!.earlierPassed).toBe(v!.earlierPassed);
  });
});
