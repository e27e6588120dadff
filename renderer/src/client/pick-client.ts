import './zod-jitless.ts';
import type { ContractClient } from './contract-client.ts';
import { ElectronClient } from './electron-client.ts';
import { WebSocketClient } from './ws-client.ts';

/** Inside Electron the preload has put a bridge on window; anywhere else, the page came from the browser host. */
export function pickClient(): ContractClient {
  if (window.wirelab) return new ElectronClient(window.wirelab);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocketClient(`${scheme}//${location.host}/ws`);
}
