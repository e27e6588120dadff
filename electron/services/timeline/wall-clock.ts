/**
 * Wall-clock time with sub-millisecond resolution, split as pcap stores it, so socket events
 * and kernel states sit on the same clock as the captured packets (the kernel stamps those
 * with CLOCK_REALTIME, the clock Date.now() reads).
 *
 * performance.now() has the resolution (µs) but is monotonic, and performance.timeOrigin is the
 * realtime read once when the process started: after the system clock is slewed or stepped
 * (NTP, a VM resumed) their sum drifts from CLOCK_REALTIME, by seconds in a host that has run
 * for a day — kernel confirmations then land beside the wrong packets and a TIME_WAIT countdown
 * starts at "63 s left" while the kernel says 60. So the fine clock is re-anchored on Date.now()
 * whenever it leaves the millisecond Date.now() names.
 */
export function wallClockFrom(fine: () => number, realtime: () => number, origin: number): () => { tsSec: number; tsNs: number } {
  let offset = origin;
  return () => {
    const hr = fine();
    const now = realtime();
    let ms = offset + hr;
    if (ms < now || ms >= now + 1) {
      offset = now + 0.5 - hr;
      ms = now + 0.5;
    }
    const tsSec = Math.floor(ms / 1000);
    return { tsSec, tsNs: Math.min(999_999_999, Math.round((ms - tsSec * 1000) * 1e6)) };
  };
}

export const wallClock = wallClockFrom(
  () => performance.now(),
  () => Date.now(),
  performance.timeOrigin,
);
