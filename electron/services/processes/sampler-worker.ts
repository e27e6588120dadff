import { parentPort, workerData } from 'node:worker_threads';
import { createSampler, listSocketsFor, samplerRoute } from './process-sampler.ts';

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

// /proc where it exists (Linux), the Win32 API on Windows; elsewhere, or when asked (tests), ps and lsof.
const asked = (workerData as { route?: string }).route === 'ps' ? 'ps' : 'auto';
const route = samplerRoute(asked);
const sampler = createSampler(asked);
const sockets = (pid?: number) => listSocketsFor(route, pid);
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
    const alive = threads !== null || isAlive(m.pid);
    parentPort!.postMessage({ type: 'reply', reqId: m.reqId, value: alive ? { pid: m.pid, threads, sockets: sockets(m.pid) } : null });
  } else if (m.type === 'sockets') {
    parentPort!.postMessage({ type: 'reply', reqId: m.reqId, value: sockets() });
  } else if (m.type === 'stop') {
    if (timer) clearTimeout(timer);
    parentPort!.close();
  }
});

/** kill(pid, 0): the process exists (EPERM also means it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

tick();
