import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';
import { packetLibrarySchema, type PacketLibrary, type SavedPacket } from '../../../shared/contract/packets.ts';
import { loadJsonFile, writeFileAtomic, type Recovered } from '../storage/json-file.ts';

export const packetsFileName = 'packets.json';

/** The saved-packets library in `<dataDir>/packets.json`, written atomically after every change. */
export class PacketLibraryService {
  private packets: SavedPacket[] = [];
  private writing: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, packetsFileName);
  }

  async load(): Promise<Recovered | null> {
    const loaded = await loadJsonFile(this.path, packetLibrarySchema, { format: 'wirelab-packets', version: 1, packets: [] });
    this.packets = loaded.value.packets;
    return loaded.recovered;
  }

  list(): SavedPacket[] {
    return [...this.packets];
  }

  private document(): PacketLibrary {
    return { format: 'wirelab-packets', version: 1, packets: this.packets };
  }

  private persist(): Promise<void> {
    const text = `${JSON.stringify(this.document(), null, 2)}\n`;
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.path, text));
    return this.writing;
  }

  async save(input: Omit<SavedPacket, 'savedAt' | 'id'> & { id?: string | undefined }): Promise<SavedPacket> {
    const packet: SavedPacket = { ...input, id: input.id ?? randomUUID(), savedAt: new Date().toISOString() };
    const i = this.packets.findIndex((p) => p.id === packet.id);
    if (i >= 0) this.packets[i] = packet;
    else this.packets.push(packet);
    await this.persist();
    return packet;
  }

  async delete(id: string): Promise<boolean> {
    const before = this.packets.length;
    this.packets = this.packets.filter((p) => p.id !== id);
    if (this.packets.length === before) return false;
    await this.persist();
    return true;
  }

  exportJson(): string {
    return JSON.stringify(this.document(), null, 2);
  }

  /** Imported packets get new ids, so importing the same file twice never overwrites anything. */
  async importJson(json: string): Promise<number> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new WirelabError(ErrorCode.invalidInput, `file: not JSON (${(e as Error).message})`, 'file');
    }
    const doc = packetLibrarySchema.safeParse(parsed);
    if (!doc.success) {
      const issue = doc.error.issues[0];
      throw new WirelabError(ErrorCode.invalidInput, `file: not a Wirelab packet library (${issue?.path.join('.') || 'document'}: ${issue?.message})`, 'file');
    }
    const now = new Date().toISOString();
    this.packets.push(...doc.data.packets.map((p) => ({ ...p, id: randomUUID(), savedAt: now })));
    await this.persist();
    return doc.data.packets.length;
  }
}
