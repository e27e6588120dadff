import type { ContractClient, ConnectionState, WirelabBridge } from './contract-client.ts';
import type { CommandName, CommandInput, CommandOutput, EventBatch, InvokeResult, StreamName } from '../../../shared/contract/index.ts';

/** Talks to the main process through the preload's contextBridge functions. */
export class ElectronClient implements ContractClient {
  readonly host = 'electron' as const;
  readonly connection: ConnectionState = 'connected';
  constructor(private readonly bridge: WirelabBridge) {}

  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<InvokeResult<CommandOutput<C>>> {
    return this.bridge.invoke(command, input) as Promise<InvokeResult<CommandOutput<C>>>;
  }

  subscribe<S extends StreamName>(stream: S, listener: (batch: EventBatch<S>) => void): () => void {
    return this.bridge.subscribe(stream, listener as (batch: EventBatch) => void);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    // IPC to the main process cannot drop while the window lives.
    listener('connected');
    return () => undefined;
  }
}
