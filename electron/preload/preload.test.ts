import { describe, expect, it } from 'vitest';
import * as electron from 'electron';
import { ipcChannels } from '../../shared/contract/ipc-channels.ts';

const fake = electron as unknown as typeof import('../../test/support/electron-fake.ts');

describe('preload bridge', () => {
  it('exposes only invoke/subscribe, never ipcRenderer, and strips the IPC event from callbacks', async () => {
    await import('./index.ts');
    const api = fake.contextBridge.exposed.get('wirelab') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['host', 'invoke', 'subscribe']);
    expect(Object.values(api)).not.toContain(fake.ipcRenderer);

    await (api.invoke as (c: string, i: unknown) => Promise<unknown>)('app.info', {});
    expect(fake.ipcRenderer.invoked.at(-1)).toEqual({ channel: ipcChannels.invoke, args: [{ command: 'app.info', input: {} }] });

    const got: unknown[][] = [];
    const off = (api.subscribe as (s: string, cb: (...a: unknown[]) => void) => () => void)('app.notice', (...args) => got.push(args));
    expect(fake.ipcRenderer.sent.at(-1)).toEqual({ channel: ipcChannels.subscribe, args: ['app.notice'] });
    const batch = { stream: 'app.notice', events: [1], dropped: 0 };
    fake.ipcRenderer.emit(ipcChannels.events, { sender: 'secret' }, batch);
    fake.ipcRenderer.emit(ipcChannels.events, {}, { stream: 'other', events: [2], dropped: 0 });
    expect(got).toEqual([[batch]]);
    off();
    expect(fake.ipcRenderer.sent.at(-1)).toEqual({ channel: ipcChannels.unsubscribe, args: ['app.notice'] });
  });
});
