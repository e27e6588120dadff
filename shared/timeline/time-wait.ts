import type { KernelState } from '../contract/timeline.ts';
import type { StreamAnalysis } from './tcp-analysis.ts';
import { timeWaitSeconds } from './tcp-state-machine.ts';

export type TimeWaitLeft = { client: number | null; server: number | null };

/**
 * Seconds left of TIME_WAIT on each side of a connection whose last state is TIME_WAIT (null
 * for a side that is not in it), at wall-clock `nowMs`. The kernel's own timer wins when the
 * socket table showed one (/proc/net/tcp's timer 3, read at `tsSec`); otherwise the OS's
 * default (Linux 60 s, TCP_TIMEWAIT_LEN) counted from the segment that entered the state.
 * Negative once it is over.
 */
export function timeWaitLeft(analysis: StreamAnalysis, kernel: readonly KernelState[], platform: string, nowMs: number): TimeWaitLeft {
  const left: TimeWaitLeft = { client: null, server: null };
  const now = nowMs / 1000;
  for (const side of ['client', 'server'] as const) {
    const last = analysis.states[side].at(-1);
    if (last?.state !== 'TIME_WAIT') continue;
    const k = kernel.filter((x) => x.client === analysis.client && x.side === side && x.state === 'TIME_WAIT' && x.timerSec !== null).at(-1);
    // Never more than the timer itself: a "now" older than the observation cannot add time.
    left[side] = k
      ? k.timerSec! - Math.max(0, now - (k.tsSec + k.tsNs / 1e9))
      : timeWaitSeconds(platform) - Math.max(0, now - (analysis.startSec + analysis.startNs / 1e9 + last.t));
  }
  return left;
}

/** Whether a countdown is on screen at all (the panel ticks once a second only then). */
export function inTimeWait(analysis: StreamAnalysis): boolean {
  return analysis.states.client.at(-1)?.state === 'TIME_WAIT' || analysis.states.server.at(-1)?.state === 'TIME_WAIT';
}
