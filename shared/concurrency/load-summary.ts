import type { LatencyHistogram } from './histogram.ts';

/**
 * What a load run reports, live and at the end. Counting rule (the test's "counts add up"):
 * every request is `sent` once and ends `answered` or `failed`, or is still `inFlight`, so
 * sent = answered + failed + inFlight, and at the end inFlight is 0. A connection that could not
 * be opened counts one failed request (its first), so a run against a closed port reports
 * failures rather than nothing.
 */
export interface LoadCounts {
  /** Connections asked for, opened (ever), open now, and failed to open. */
  connections: { wanted: number; established: number; open: number; failed: number };
  sent: number;
  answered: number;
  failed: number;
  inFlight: number;
  /** Failures by code: ECONNREFUSED, ECONNRESET, EMFILE, TIMEOUT, CLOSED (the peer sent FIN mid-request)… */
  errors: Record<string, number>;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Latency percentiles in milliseconds, to 3 decimals (µs resolution), from a µs histogram. */
export function latencyMs(h: LatencyHistogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return { p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/** Answers per second over `ms` milliseconds, rounded to a whole number (0 for an empty span). */
export function rate(answered: number, ms: number): number {
  return ms > 0 ? Math.round((answered * 1000) / ms) : 0;
}

/** The CLI's document (`wirelab load tcp … --json`): exactly these keys. */
export interface LoadResultDoc {
  connections: number;
  failed: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  errors: Record<string, number>;
}

export function resultDoc(counts: LoadCounts, latency: LatencySummary, elapsedMs: number): LoadResultDoc {
  return {
    connections: counts.connections.established,
    failed: counts.failed,
    requests: counts.answered,
    rps: rate(counts.answered, elapsedMs),
    latencyMs: latency,
    errors: { ...counts.errors },
  };
}

/** Adds one failure of `code` to the counts (the request ends failed). */
export function countFailure(counts: LoadCounts, code: string): void {
  counts.failed++;
  counts.errors[code] = (counts.errors[code] ?? 0) + 1;
}

export function emptyCounts(wanted: number): LoadCounts {
  return { connections: { wanted, established: 0, open: 0, failed: 0 }, sent: 0, answered: 0, failed: 0, inFlight: 0, errors: {} };
}
