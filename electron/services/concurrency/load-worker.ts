import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadOptions } from './load-run.ts';

// Runs one load on its own thread, so 10,000 connections' callbacks never delay the main loop
// that serves the UI. Messages: progress / done / error; 'stop' ends the run early.
const port = parentPort!;
let stop = false;
port.on('message', (m) => {
  if (m === 'stop') stop = true;
});
const options = (workerData as { options: LoadOptions }).options;
try {
  const report = await runLoad(
    options,
    (r) => port.postMessage({ type: 'progress', report: r }),
    () => stop,
  );
  port.postMessage({ type: 'done', report });
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  port.postMessage({ type: 'error', code: err.code ?? 'ERROR', message: err.message });
}
// Close the port so the thread ends by itself (the service also terminates it).
port.close();
