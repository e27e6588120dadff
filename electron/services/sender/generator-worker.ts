import { parentPort, workerData } from 'node:worker_threads';
import { runGenerator, type GeneratorOptions } from './generator.ts';

// Runs the traffic generator on its own thread, so a flat-out send loop never blocks the
// main loop that serves the UI. Messages: progress / done / error; 'stop' ends it early.
const port = parentPort!;
let stop = false;
port.on('message', (m) => {
  if (m === 'stop') stop = true;
});
const options = (workerData as { options: GeneratorOptions }).options;
try {
  const report = await runGenerator(
    options,
    (r) => port.postMessage({ type: 'progress', report: r }),
    () => stop,
  );
  port.postMessage({ type: 'done', report, stopped: stop });
} catch (e) {
  const err = e as NodeJS.ErrnoException & { code?: string };
  port.postMessage({ type: 'error', code: err.code ?? 'ERROR', message: err.message });
}
// The 'message' listener above keeps this thread alive after the run: close the port so the
// thread ends by itself (the service also terminates it; either alone frees the thread's heap).
port.close();
