import { describe, expect, it } from 'vitest';
import type { ScriptEvent } from '../../../shared/contract/clients.ts';
import type { StepResult } from '../../../shared/scripts/script.ts';
import { reduceScriptEvents, viewOfStatus } from './script-events.ts';

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
});
