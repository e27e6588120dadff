import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';
import { formatLimit, limitOfIssue, limitParams, limits } from '../../../shared/contract/limits.ts';
import { packetLibrarySchema, type PacketLibrary, type SavedPacket } from '../../../shared/contract/packets.ts';
import type { SavedScript } from '../../../shared/contract/clients.ts';
import { JsonDataFile, type LoadedJson } from '../storage/json-file.ts';

export const packetsFileName = 'packets.json';

const emptyLibrary: PacketLibrary = { format: 'wirelab-packets', version: 1, packets: [], scripts: [] };

/** The library as a document: the export, and the file's text less its final newline. */
function documentText(packets: SavedPacket[], scripts: SavedScript[]): string {
  // a library without scripts is written as before, so an older Wirelab reads it unchanged
  const doc: Omit<PacketLibrary, 'scripts'> & { scripts?: SavedScript[] } = { format: 'wirelab-packets', version: 1, packets };
  if (scripts.length) doc.scripts = scripts;
  return JSON.stringify(doc, null, 2);
}

/**
 * The saved-packets library in `<dataDir>/packets.json`, written atomically after every change.
 *
 * What can be saved can be loaded: the file's schema accepts at most `packetLibraryPackets`
 * packets, and import accepts a document of at most `packetImportChars`, so save and import
 * refuse (LIMIT_EXCEEDED, nothing changed) any change that would leave a library the next start
 * would call corrupt, or an export that could not be imported again.
 */
export class PacketLibraryService {
  private packets: SavedPacket[] = [];
  /** Send→expect scripts, the library's second kind of item (shared/scripts/script.ts). */
  private scripts: SavedScript[] = [];
  private changing: Promise<unknown> = Promise.resolve();
  private readonly file: JsonDataFile<PacketLibrary>;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, packetsFileName);
    this.file = new JsonDataFile(this.path, packetLibrarySchema, emptyLibrary);
  }

  async load(): Promise<Pick<LoadedJson<PacketLibrary>, 'recovered' | 'unreadable'>> {
    const loaded = await this.file.load();
    this.packets = loaded.value.packets;
    this.scripts = loaded.value.scripts;
    return loaded;
  }

  list(): SavedPacket[] {
    return [...this.packets];
  }

  /**
   * Runs one change at a time: `next` computes the new list from the current one, it is checked
   * against the limits and written, and only then becomes the library. A refused or failed
   * change leaves both the library and the file as they were.
   */
  private change<R>(
    next: (current: SavedPacket[], scripts: SavedScript[]) => { packets: SavedPacket[]; scripts?: SavedScript[]; result: R; grows: boolean },
  ): Promise<R> {
    const run = async (): Promise<R> => {
      const { packets, result, grows, scripts = this.scripts } = next(this.packets, this.scripts);
      const text = documentText(packets, scripts);
      // Deleting always goes through, so a library that is over a limit can be brought back under it.
      if (grows) checkLibraryLimits(Math.max(packets.length, scripts.length), text.length);
      await this.file.write(`${text}\n`);
      this.packets = packets;
      this.scripts = scripts;
      return result;
    };
    const done = this.changing.then(run, run);
    this.changing = done.catch(() => undefined);
    return done;
  }

  save(input: Omit<SavedPacket, 'savedAt' | 'id'> & { id?: string | undefined }): Promise<SavedPacket> {
    const packet: SavedPacket = { ...input, id: input.id ?? randomUUID(), savedAt: new Date().toISOString() };
    return this.change((current) => {
      const i = current.findIndex((p) => p.id === packet.id);
      const packets = i >= 0 ? current.map((p, j) => (j === i ? packet : p)) : [...current, packet];
      return { packets, result: packet, grows: true };
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!this.packets.some((p) => p.id === id)) return false;
    return this.change((current) => {
      const packets = current.filter((p) => p.id !== id);
      return { packets, result: packets.length !== current.length, grows: false };
    });
  }

  exportJson(): string {
    return documentText(this.packets, this.scripts);
  }

  listScripts(): SavedScript[] {
    return [...this.scripts];
  }

  /** Saves (or replaces, by id) one script; its text is checked by the contract's schema, not run. */
  saveScript(input: { id?: string | undefined; name: string; script: string }): Promise<SavedScript> {
    const saved: SavedScript = { id: input.id ?? randomUUID(), name: input.name, script: input.script, savedAt: new Date().toISOString() };
    return this.change((packets, scripts) => {
      const i = scripts.findIndex((x) => x.id === saved.id);
      return { packets, scripts: i >= 0 ? scripts.map((x, j) => (j === i ? saved : x)) : [...scripts, saved], result: saved, grows: true };
    });
  }

  async deleteScript(id: string): Promise<boolean> {
    if (!this.scripts.some((x) => x.id === id)) return false;
    return this.change((packets, scripts) => ({ packets, scripts: scripts.filter((x) => x.id !== id), result: true, grows: false }));
  }

  /** Imported packets get new ids, so importing the same file twice never overwrites anything. */
  importJson(json: string): Promise<number> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new WirelabError(ErrorCode.invalidInput, `file: not JSON (${(e as Error).message})`, 'file');
    }
    const doc = packetLibrarySchema.safeParse(parsed);
    if (!doc.success) {
      const issue = doc.error.issues[0];
      const limit = issue && limitOfIssue(issue);
      if (limit && limit.limit !== 'packetLibraryPackets') {
        throw new WirelabError(ErrorCode.limitExceeded, `file: ${issue.path.join('.')}: ${issue.message}`, 'file', { ...limit, field: 'file' });
      }
      if (limit) {
        const n = (parsed as { packets: unknown[] }).packets.length;
        throw new WirelabError(
          ErrorCode.limitExceeded,
          `file: the document holds ${n.toLocaleString('en-US')} packets; a library holds at most ${formatLimit(limit.limit)} (limit ${limit.limit})`,
          'file',
          { ...limit, field: 'file', would: n },
        );
      }
      throw new WirelabError(ErrorCode.invalidInput, `file: not a Wirelab packet library (${issue?.path.join('.') || 'document'}: ${issue?.message})`, 'file');
    }
    const now = new Date().toISOString();
    const incoming = doc.data.packets.map((p) => ({ ...p, id: randomUUID(), savedAt: now }));
    const incomingScripts = doc.data.scripts.map((x) => ({ ...x, id: randomUUID(), savedAt: now }));
    return this.change((current, scripts) => ({
      packets: [...current, ...incoming],
      scripts: [...scripts, ...incomingScripts],
      result: incoming.length + incomingScripts.length,
      grows: true,
    }));
  }
}

/** Throws LIMIT_EXCEEDED (field "file", the limit's params) when a library would be over a limit. */
function checkLibraryLimits(count: number, chars: number): void {
  if (count > limits.packetLibraryPackets) {
    throw new WirelabError(
      ErrorCode.limitExceeded,
      `file: the library would hold ${count.toLocaleString('en-US')} packets; it holds at most ${formatLimit('packetLibraryPackets')} (limit packetLibraryPackets)`,
      'file',
      { ...limitParams('packetLibraryPackets'), field: 'file', would: count },
    );
  }
  if (chars > limits.packetLibraryChars) {
    throw new WirelabError(
      ErrorCode.limitExceeded,
      `file: the library's export would be ${chars.toLocaleString('en-US')} characters; it is at most ${formatLimit('packetLibraryChars')} so that it can be imported again (limit packetLibraryChars)`,
      'file',
      { ...limitParams('packetLibraryChars'), field: 'file', would: chars },
    );
  }
}
