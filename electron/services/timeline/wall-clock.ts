/**
 * Wall-clock time with sub-millisecond resolution, split as pcap stores it, so socket events
 * and kernel states sit on the same clock as the captured packets (the kernel stamps those
 * with CLOCK_REALTIME; performance.timeOrigin + now() is the same clock in µs steps).
 */
export function wallClock(): { tsSec: number; tsNs: number } {
  const ms = performance.timeOrigin + performance.now();
  const tsSec = Math.floor(ms / 1000);
  return { tsSec, tsNs: Math.min(999_999_999, Math.round((ms - tsSec * 1000) * 1e6)) };
}
