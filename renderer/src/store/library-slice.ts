import type { StateCreator } from 'zustand/vanilla';
import type { SavedPacket, WirelabErrorData } from '../../../shared/contract/index.ts';
import type { FramingName } from '../../../shared/sender/framing.ts';
import type { ContractClient } from '../client/contract-client.ts';
import type { SenderSlice } from './sender-slice.ts';

/** The packet library (PacketLibraryService's file) as the page shows it; save and use go through the composer. */
export interface LibrarySlice {
  library: {
    packets: SavedPacket[];
    /** `error` is the backend's refusal, worded by its code (a limit, a file that cannot be saved). */
    message: { ok: boolean; text: string; error?: WirelabErrorData } | null;
  };
  loadLibrary(): Promise<void>;
  savePacket(name: string): Promise<void>;
  usePacket(id: string): void;
  deletePacket(id: string): Promise<void>;
  importPackets(json: string): Promise<void>;
  exportPackets(): Promise<string | null>;
}

export function createLibrarySlice<T extends LibrarySlice & SenderSlice>(client: ContractClient): StateCreator<T, [], [], LibrarySlice> {
  return (set, get) => {
    const patch = (p: Partial<LibrarySlice['library']>) => set({ library: { ...get().library, ...p } } as Partial<T>);
    return {
      library: { packets: [], message: null },
      async loadLibrary() {
        const r = await client.invoke('packets.list', {});
        if (r.ok) patch({ packets: r.value });
      },
      async savePacket(name) {
        const s = get().sender;
        const c = s.composer;
        const view = s.sessions.find((x) => x.info.id === s.active);
        const framing = view?.framing ?? s.form.framing;
        const r = await client.invoke('packets.save', {
          name,
          kind: view ? (view.info.kind === 'udp' ? 'udp' : 'tcp') : 'any',
          framing: framing === 'custom' ? 'raw' : (framing as FramingName),
          payload: { mode: c.mode, text: c.text, encoding: c.encoding, lineEnding: c.lineEnding },
        });
        patch(r.ok ? { packets: [...get().library.packets, r.value], message: null } : { message: { ok: false, text: r.error.message, error: r.error } });
      },
      usePacket(id) {
        const p = get().library.packets.find((x) => x.id === id);
        if (p) get().setComposer({ ...p.payload });
      },
      async deletePacket(id) {
        await client.invoke('packets.delete', { id });
        patch({ packets: get().library.packets.filter((p) => p.id !== id) });
      },
      async importPackets(json) {
        const r = await client.invoke('packets.import', { json });
        if (!r.ok) return patch({ message: { ok: false, text: r.error.message, error: r.error } });
        await get().loadLibrary();
        patch({ message: { ok: true, text: String(r.value.added) } });
      },
      async exportPackets() {
        const r = await client.invoke('packets.export', {});
        return r.ok ? r.value.json : null;
      },
    };
  };
}
