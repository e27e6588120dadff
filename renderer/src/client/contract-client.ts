import type { CommandInput, CommandName, CommandOutput, EventBatch, HostKind, InvokeResult, StreamName } from '../../../shared/contract/index.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/**
 * What the UI knows of the backend. The Electron and the WebSocket implementations carry the
 * same contract; nothing in the panels knows which one it talks to.
 */
export interface ContractClient {
  readonly host: HostKind;
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<InvokeResult<CommandOutput<C>>>;
  subscribe<S extends StreamName>(stream: S, listener: (batch: EventBatch<S>) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  readonly connection: ConnectionState;
}

/** The preload's bridge, as exposed on `window.wirelab` (see electron/preload). */
export interface WirelabBridge {
  readonly host: 'electron';
  invoke(command: string, input: unknown): Promise<InvokeResult<unknown>>;
  subscribe(stream: string, listener: (batch: EventBatch) => void): () => void;
}

declare global {
  interface Window {
    wirelab?: WirelabBridge;
  }
}
