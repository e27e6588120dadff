import { parentPort, workerData } from 'node:worker_threads';
import { ProcessSampler } from './process-sampler.ts';
import { listSockets } from './proc-reader.ts';

/**
 * The sampling loop, off the main thread (the notes: a sample blocks its thread ~6–25 ms; on
 * the main loop that would stall IPC and the browser host). Messages: configure {intervalMs,
 * paused}; details {reqId, pid}; sockets {reqId}; stop.
 */
type In =
  | { type: 'configure'; intervalMs: number; paused: boolean }
  | { type: 'details'; reqId: number; pid: number }
  | { type: 'sockets'; reqId: number }
  | { type: 'stop' };

const sampler = new ProcessSampler();
let intervalMs = (workerData as { intervalMs?: number }).intervalMs ?? 1000;
let paused = false;
let timer: NodeJS.Timeout | null = null;

function tick(): void {
  timer = null;
  if (paused) return;
  const started = performance.now();
  // As JSON text: one string crosses the thread boundary, so the main thread's share is one
  // JSON.parse (timed there) instead of a structured clone of ~1,000 objects before the handler.
  parentPort!.postMessage({ type: 'sample', json: JSON.stringify(sampler.sample()) });
  // Fixed rate: the next sample is due intervalMs after this one started.
  timer = setTimeout(tick, Math.max(10, intervalMs - (performance.now() - started)));
}

parentPort!.on('message', (m: In) => {
  if (m.type === 'configure') {
    intervalMs = m.intervalMs;
    const wasPaused = paused;
    paused = m.paused;
    if (timer) clearTimeout(timer);
    if (!paused) timer = setTimeout(tick, wasPaused ? 0 : intervalMs);
  } else if (m.type === 'details') {
    const threads = sampler.threads(m.pid);
    const sockets = threads ? listSockets(m.pid) : [];
    parentPort!.postMessage({ type: 'reply', reqId: m.reqId, value: threads ? { pid: m.pid, threads, sockets } : null });
  } else if (m.type === 'sockets') {
    parentPort!.postMessage({ type: 'reply', reqId: m.reqId, value: listSockets() });
  } else if (m.type === 'stop') {
    if (timer) clearTimeout(timer);
    parentPort!.close();
  }
});

tick();
