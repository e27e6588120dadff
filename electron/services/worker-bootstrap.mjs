// Starts a TypeScript worker when the app runs from source through tsx (the CLI, the browser
// host, tests): workers do not inherit the main thread's loader, so register it here first.
// The built Electron app starts its bundled JavaScript worker directly and never uses this.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
