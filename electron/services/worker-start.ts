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

/**
 * The lifecycle of a worker that does one run (a generator run, a load run). Each run ends its
 * thread: a finished worker left alone keeps its isolate (~30 MB and two threads each; issue 10
 * measured 7.7 GB after 300 runs). Returns `finish`, which the owner calls when the run is over:
 * it forgets the run (`forget`), drops the message listeners and terminates the thread (safe after
 * exit). A thread that errs reports through `onError`; one that dies without a word (out of
 * memory, terminated) still finishes. `isCurrent` says whether the owner still holds this worker.
 */
export function oneRunWorker(worker: Worker, forget: () => void, isCurrent: () => boolean, onError: (e: Error) => void): () => void {
  const finish = () => {
    forget();
    worker.removeAllListeners('message');
    void worker.terminate();
  };
  worker.on('error', (e) => {
    finish();
    onError(e);
  });
  worker.once('exit', () => {
    if (isCurrent()) finish();
    worker.removeAllListeners();
  });
  return finish;
}
