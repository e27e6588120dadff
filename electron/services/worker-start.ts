import { Worker } from 'node:worker_threads';

/**
 * Starts one of the services' worker threads. From source (tsx: the CLI, the browser host, tests)
 * the worker is its .ts file behind a bootstrap that registers tsx in the thread (workers do not
 * inherit the main thread's loader); built, it is a bundle of its own beside the one starting it,
 * with that one's extension: out/main/<name>.js (an electron-vite entry of the app) or
 * out/cli/<name>.mjs (the CLI's, scripts/build-cli.mjs).
 */
export function startWorker(source: URL, builtName: string, workerData: Record<string, unknown>): Worker {
  const here = import.meta.url;
  if (/\.ts$/.test(new URL(here).pathname)) {
    return new Worker(new URL('./worker-bootstrap.mjs', here), { workerData: { ...workerData, entry: source.href } });
  }
  const ext = /\.mjs$/.test(new URL(here).pathname) ? '.mjs' : '.js';
  return new Worker(new URL(`./${builtName}${ext}`, here), { workerData });
}
