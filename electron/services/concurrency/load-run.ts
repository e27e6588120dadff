import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../../../shared/concurrency/histogram.ts';
import { countFailure, emptyCounts, latencyMs, rate, type LatencySummary, type LoadCounts } from '../../../shared/concurrency/load-summary.ts';

export interface LoadOptions {
  host: string;
  port: number;
  /** Concurrent connections, each with one request in flight (pipelining 1). */
  conns: number;
  /** Bytes per request: size − 1 × "x" then "\n" (the models' line framing); the echo is as long. */
  size: number;
  /** Stop after this long (ms), or after `count` requests: one of the two. */
  durationMs?: number;
  count?: number;
  /** Requests per second over all connections; none = as fast as the answers come. */
  rate?: number;
  /** A connect or a request unanswered this long fails with TIMEOUT. */
  timeoutMs: number;
  /** How often progress is reported. */
  progressMs?: number;
}

/** How a run ended: its time or count was reached, it was stopped, or every connection was lost early. */
export type LoadEnd = 'done' | 'stopped' | 'connections-lost';

export interface LoadReport {
  counts: LoadCounts;
  /** Since the start of the run. */
  latencyMs: LatencySummary;
  /** Over the last progress interval only (what the live chart plots). */
  windowLatencyMs: LatencySummary;
  elapsedMs: number;
  rps: number;
  windowRps: number;
  /** When the last of the wanted connections was opened (or failed), ms after the start; null until then. */
  connectedMs: number | null;
  end: LoadEnd | null;
}

/** Connects in flight at once: more would overflow a Python server's listen backlog (SYN retries cost 1 s each). */
const maxConnecting = 256;

interface Conn {
  socket: Socket;
  connected: boolean;
  /** When the request in flight was sent (performance.now()), or null when none is. */
  sentAt: number | null;
  received: number;
  /** The pacing timer (with a rate) until this connection's next request is due. */
  timer: NodeJS.Timeout | null;
  /** When the connect began (performance.now()): the sweep times out a connect that hangs. */
  openedAt: number;
  /** This connection's request has been counted as failed already (a timeout, then the close). */
  done: boolean;
}

/**
 * The load generator: `conns` TCP connections to an echo server, each sending one request and
 * waiting for its echo before the next (pipelining 1, so a request's latency is the server's
 * response time plus the loopback's), until the duration or count is reached. Meant for a worker
 * thread (load-worker.ts): its loops must not share the main thread with the UI.
 *
 * Counting (see shared/concurrency/load-summary.ts): each request is sent once and ends answered
 * or failed; a connection that cannot be opened fails its first request; a stopped run forgets
 * the requests still in flight, so sent = answered + failed always holds at the end.
 */
export function runLoad(o: LoadOptions, progress: (r: LoadReport) => void = () => undefined, stopped: () => boolean = () => false): Promise<LoadReport> {
  const request = Buffer.alloc(o.size, 0x78);
  request[o.size - 1] = 0x0a;
  const counts = emptyCounts(o.conns);
  const all = new LatencyHistogram();
  const window = new LatencyHistogram();
  const started = performance.now();
  const deadline = o.durationMs !== undefined ? started + o.durationMs : Infinity;
  let connectedMs: number | null = null;
  let opened = 0;
  let connecting = 0;
  let live = 0;
  let lastTick = started;
  let lastAnswered = 0;
  let stopping = false;
  const conns = new Set<Conn>();
  const readBuffer = Buffer.allocUnsafe(65536);

  const canIssue = () => !stopping && performance.now() < deadline && (o.count === undefined || counts.sent < o.count);

  const snapshot = (end: LoadEnd | null): LoadReport => {
    const now = performance.now();
    const elapsed = now - started;
    const windowRps = rate(counts.answered - lastAnswered, now - lastTick);
    const report: LoadReport = {
      counts: structuredClone(counts),
      latencyMs: latencyMs(all),
      windowLatencyMs: latencyMs(window),
      elapsedMs: Math.round(elapsed),
      rps: rate(counts.answered, elapsed),
      windowRps,
      connectedMs,
      end,
    };
    lastTick = now;
    lastAnswered = counts.answered;
    window.reset();
    return report;
  };

  return new Promise((resolve) => {
    let finished = false;
    const ticker = setInterval(() => {
      if (stopped() && !stopping) stopAll();
      progress(snapshot(null));
    }, o.progressMs ?? 250);
    // Timeouts by a sweep every 100 ms, not a timer per request: creating and clearing a timer
    // for each of ~100,000 requests a second cost the generator a fifth of its rate (measured).
    const sweeper = setInterval(() => {
      const late = performance.now() - o.timeoutMs;
      for (const c of conns) {
        if (c.sentAt !== null && c.sentAt < late) {
          fail(c, 'TIMEOUT');
          c.socket.destroy();
        } else if (!c.connected && c.openedAt < late) c.socket.destroy(Object.assign(new Error('connect timed out'), { code: 'TIMEOUT' }));
      }
    }, 100);
    // A duration run ends on time even if every connection is stuck behind a blocking server.
    const endTimer = o.durationMs !== undefined ? setTimeout(() => conns.forEach(nextOrEnd), o.durationMs + 1) : null;

    const finish = () => {
      if (finished || live > 0 || (opened < o.conns && !stopping)) return;
      finished = true;
      clearInterval(ticker);
      clearInterval(sweeper);
      if (endTimer) clearTimeout(endTimer);
      // No connection ever opened (all refused, say) is a lost run even if the count was used up by failures.
      const reached = stopping
        ? 'stopped'
        : counts.connections.established > 0 && (performance.now() >= deadline || (o.count !== undefined && counts.sent >= o.count))
          ? 'done'
          : 'connections-lost';
      resolve(snapshot(reached));
    };

    const clear = (c: Conn) => {
      if (c.timer) clearTimeout(c.timer);
      c.timer = null;
    };

    /** The request in flight on `c` failed with `code` (once per request). */
    const fail = (c: Conn, code: string) => {
      if (c.sentAt === null || c.done) return;
      c.done = true;
      c.sentAt = null;
      counts.inFlight--;
      countFailure(counts, code);
    };

    const send = (c: Conn) => {
      if (!canIssue()) return c.socket.end();
      counts.sent++;
      counts.inFlight++;
      c.received = 0;
      c.sentAt = performance.now();
      c.socket.write(request);
    };

    /** After an answer (or at the deadline): the next request, paced by the rate, or the end. */
    function nextOrEnd(c: Conn) {
      if (c.sentAt !== null || c.socket.destroyed) return;
      if (!canIssue()) return void c.socket.end();
      if (!o.rate) return send(c);
      // Drift-corrected pacing over all connections: request i is due at start + i/rate.
      const wait = started + (counts.sent * 1000) / o.rate - performance.now();
      if (wait <= 0) return send(c);
      c.timer = setTimeout(() => {
        c.timer = null;
        if (c.sentAt === null && !c.socket.destroyed) nextOrEnd(c);
      }, wait);
    }

    function stopAll() {
      stopping = true;
      if (live === 0) finish();
      // Requests in flight when the user stops are not counted at all (neither answered nor failed).
      for (const c of conns) {
        if (c.sentAt !== null) {
          counts.sent--;
          counts.inFlight--;
          c.sentAt = null;
        }
        clear(c);
        c.socket.destroy();
      }
    }

    /** `n` bytes of echo arrived on `c`. */
    function received(c: Conn, n: number) {
      if (c.sentAt === null) return; // bytes after a timeout: the request is already failed
      c.received += n;
      if (c.received < o.size) return;
      const us = (performance.now() - c.sentAt) * 1000;
      all.record(us);
      window.record(us);
      clear(c);
      c.sentAt = null;
      counts.inFlight--;
      counts.answered++;
      nextOrEnd(c);
    }

    const openOne = () => {
      opened++;
      connecting++;
      live++;
      // onread: the socket reads into one shared buffer and calls back with the byte count — no
      // Buffer per read and no stream machinery; the echo's bytes are only counted, never kept.
      const c: Conn = { socket: null as unknown as Socket, connected: false, sentAt: null, received: 0, timer: null, openedAt: performance.now(), done: false };
      c.socket = connect({ host: o.host, port: o.port, onread: { buffer: readBuffer, callback: (n: number) => (received(c, n), true) } });
      conns.add(c);
      const s = c.socket;
      s.setNoDelay(true);
      const connectSettled = () => {
        connecting--;
        if (opened === o.conns && connecting === 0 && connectedMs === null) connectedMs = Math.round(performance.now() - started);
        while (opened < o.conns && connecting < maxConnecting && !stopping) openOne();
      };
      s.once('connect', () => {
        clear(c);
        c.connected = true;
        counts.connections.established++;
        counts.connections.open++;
        connectSettled();
        nextOrEnd(c);
      });
      s.on('end', () => {
        // The server closed its side (FIN) with our request unanswered.
        fail(c, 'CLOSED');
      });
      s.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? 'ERROR';
        if (!c.connected) {
          // Could not connect: its first request fails (if the run still wanted one).
          counts.connections.failed++;
          if (canIssue()) {
            counts.sent++;
            countFailure(counts, code);
          } else counts.errors[code] = (counts.errors[code] ?? 0) + 1;
        } else fail(c, code);
      });
      s.on('close', () => {
        clear(c);
        if (c.sentAt !== null) fail(c, 'CLOSED');
        if (!c.connected) connectSettled();
        else counts.connections.open--;
        conns.delete(c);
        live--;
        finish();
      });
    };
    for (let i = 0; i < Math.min(o.conns, maxConnecting); i++) openOne();
  });
}
