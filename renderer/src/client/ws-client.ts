import {
  ErrorCode,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventBatch,
  type InvokeResult,
  type StreamName,
} from '../../../shared/contract/index.ts';
import { maxWireMessageBytes, oversizeMessage, type ServerMessage } from '../../../shared/contract/wire.ts';
import type { ConnectionState, ContractClient } from './contract-client.ts';

interface Pending {
  resolve(result: InvokeResult<unknown>): void;
}

/**
 * The browser host's transport. The cookie set when the page was opened with its token
 * authenticates the socket. It reconnects with backoff (the server may be restarted) and
 * re-subscribes; requests in flight when the socket drops fail with DISCONNECTED instead of
 * hanging.
 */
export class WebSocketClient implements ContractClient {
  readonly host = 'browser' as const;
  connection: ConnectionState = 'connecting';
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: string[] = [];
  private readonly listeners = new Map<string, Set<(batch: EventBatch) => void>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private retryMs = 250;

  constructor(private readonly url: string) {
    this.open();
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    for (const l of this.connectionListeners) l(state);
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.setConnection('connected');
      for (const stream of this.listeners.keys()) ws.send(JSON.stringify({ type: 'subscribe', stream }));
      for (const msg of this.queue.splice(0)) ws.send(msg);
    };
    ws.onmessage = (ev) => this.receive(String(ev.data));
    ws.onclose = (ev: CloseEvent) => {
      this.ws = null;
      // The host says why when it closes on purpose (1007/1008/1009 and a reason): pass it on.
      const why = ev.reason ? ` (${ev.code}: ${ev.reason})` : '';
      const error = {
        code: ErrorCode.disconnected,
        message: `The connection to the Wirelab backend was lost${why}.`,
        params: { closeCode: ev.code, reason: ev.reason },
      };
      for (const [, p] of this.pending) p.resolve({ ok: false, error });
      this.pending.clear();
      this.setConnection('disconnected');
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  private receive(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'result') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.resolve(msg.ok ? { ok: true, value: msg.value } : { ok: false, error: msg.error });
    } else if (msg.type === 'events') {
      const set = this.listeners.get(msg.stream);
      if (set) for (const l of set) l({ stream: msg.stream, events: msg.events, dropped: msg.dropped } as EventBatch);
    }
  }

  private send(message: object): void {
    this.sendText(JSON.stringify(message));
  }

  private sendText(text: string): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.queue.push(text);
  }

  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<InvokeResult<CommandOutput<C>>> {
    const id = this.nextId++;
    const text = JSON.stringify({ type: 'invoke', id, command, input });
    // Over the host's bound the socket would close (1009) and take every request in flight with
    // it: refuse this one request instead, naming the limit.
    const bytes = oversizeMessage(text);
    if (bytes !== null) {
      return Promise.resolve({
        ok: false,
        error: {
          code: ErrorCode.limitExceeded,
          message: `${command}: the request is ${bytes} bytes, over the ${maxWireMessageBytes}-byte limit of one message`,
          params: { limit: 'maxWireMessageBytes', max: maxWireMessageBytes },
        },
      });
    }
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'] });
      this.sendText(text);
    });
  }

  subscribe<S extends StreamName>(stream: S, listener: (batch: EventBatch<S>) => void): () => void {
    let set = this.listeners.get(stream);
    if (!set) {
      set = new Set();
      this.listeners.set(stream, set);
      this.send({ type: 'subscribe', stream });
    }
    set.add(listener as (batch: EventBatch) => void);
    return () => {
      set.delete(listener as (batch: EventBatch) => void);
      if (set.size === 0) {
        this.listeners.delete(stream);
        this.send({ type: 'unsubscribe', stream });
      }
    };
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connection);
    return () => this.connectionListeners.delete(listener);
  }
}
