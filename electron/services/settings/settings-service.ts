import { join } from 'node:path';
import {
  defaultSettings,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../shared/contract/index.ts';
import { loadJsonFile, writeFileAtomic, type Recovered } from '../storage/json-file.ts';

export const settingsFileName = 'settings.json';

/** User preferences in `<dataDir>/settings.json`; every change is written atomically. */
export class SettingsService {
  private current: Settings = { ...defaultSettings };
  private writing: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, settingsFileName);
  }

  /** Returns what had to be rescued, if the file on disk was unreadable. */
  async load(): Promise<Recovered | null> {
    // Older files may lack keys added since: fill them from the defaults rather than call them corrupt.
    const loaded = await loadJsonFile(this.path, settingsSchema.partial().transform((s) => ({ ...defaultSettings, ...s })), defaultSettings);
    this.current = loaded.value;
    return loaded.recovered;
  }

  get(): Settings {
    return { ...this.current };
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const next = settingsSchema.parse({ ...this.current, ...patch });
    this.current = next;
    // Serialise writes so two quick changes land in order and the last one wins on disk.
    const text = `${JSON.stringify(next, null, 2)}\n`;
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.path, text));
    await this.writing;
    return { ...next };
  }
}
