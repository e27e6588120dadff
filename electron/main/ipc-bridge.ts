import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { ErrorCode, isStreamName, type EventBatch, type InvokeResult } from '../../shared/contract/index.ts';
import { ipcChannels } from '../../shared/contract/ipc-channels.ts';
import { Subscription } from '../core/event-hub.ts';
import type { Backend } from '../services/backend.ts';
import { isAppUrl } from './security.ts';

/**
 * The Electron transport: one invoke channel into the dispatcher, plus subscribe/unsubscribe.
 * Every message's sender frame must be the top frame of one of our pages; anything else (an
 * iframe, a page that navigated elsewhere) is refused.
 */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, appOrigins: readonly string[]): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, appOrigins);
}

export function registerIpc(ipcMain: IpcMain, backend: Backend, appOrigins: readonly string[]): () => void {
  const subscriptions = new Map<number, Subscription>();

  function subscriptionFor(contents: WebContents): Subscription {
    let sub = subscriptions.get(contents.id);
    if (!sub) {
      sub = new Subscription(backend.hub, (batch: EventBatch) => {
        if (!contents.isDestroyed()) contents.send(ipcChannels.events, batch);
      });
      subscriptions.set(contents.id, sub);
      contents.once('destroyed', () => {
        subscriptions.get(contents.id)?.close();
        subscriptions.delete(contents.id);
      });
    }
    return sub;
  }

  ipcMain.handle(ipcChannels.invoke, async (event, message: unknown): Promise<InvokeResult<unknown>> => {
    if (!isTrustedSender(event, appOrigins)) {
      backend.log.warn('ipc', `refused invoke from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: { code: ErrorCode.forbidden, message: 'This page may not use Wirelab services.' } };
    }
    if (typeof message !== 'object' || message === null) {
      return { ok: false, error: { code: ErrorCode.invalidInput, message: 'request: expected { command, input }' } };
    }
    const { command, input } = message as { command?: unknown; input?: unknown };
    return backend.dispatcher.invoke(command, input);
  });
  ipcMain.on(ipcChannels.subscribe, (event, stream: unknown) => {
    if (!isTrustedSender(event, appOrigins) || !isStreamName(stream)) return;
    subscriptionFor(event.sender).subscribe(stream);
  });
  ipcMain.on(ipcChannels.unsubscribe, (event, stream: unknown) => {
    if (!isTrustedSender(event, appOrigins) || !isStreamName(stream)) return;
    subscriptions.get(event.sender.id)?.unsubscribe(stream);
  });

  return () => {
    ipcMain.removeHandler(ipcChannels.invoke);
    ipcMain.removeAllListeners(ipcChannels.subscribe);
    ipcMain.removeAllListeners(ipcChannels.unsubscribe);
    for (const sub of subscriptions.values()) sub.close();
    subscriptions.clear();
  };
}
