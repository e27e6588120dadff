import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannels } from '../../shared/contract/ipc-channels.ts';

/**
 * The only door between the page and the main process: two functions, never ipcRenderer
 * itself, and callbacks receive the batch without Electron's event object (which would hand
 * the page `event.sender`).
 */
type Batch = { stream: string; events: unknown[]; dropped: number };
const listeners = new Map<string, Set<(batch: Batch) => void>>();

ipcRenderer.on(ipcChannels.events, (_event, batch: Batch) => {
  const set = listeners.get(batch.stream);
  if (set) for (const l of set) l(batch);
});

contextBridge.exposeInMainWorld('wirelab', {
  host: 'electron',
  invoke(command: string, input: unknown): Promise<unknown> {
    return ipcRenderer.invoke(ipcChannels.invoke, { command, input });
  },
  subscribe(stream: string, listener: (batch: Batch) => void): () => void {
    if (typeof stream !== 'string' || typeof listener !== 'function') throw new TypeError('subscribe(stream, listener)');
    let set = listeners.get(stream);
    if (!set) {
      set = new Set();
      listeners.set(stream, set);
      ipcRenderer.send(ipcChannels.subscribe, stream);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        listeners.delete(stream);
        ipcRenderer.send(ipcChannels.unsubscribe, stream);
      }
    };
  },
});
