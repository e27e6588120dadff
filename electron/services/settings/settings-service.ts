import { join } from 'node:path';
import { defaultSettings, settingsSchema, type Settings, type SettingsPatch } from '../../../shared/contract/index.ts';
import { JsonDataFile, type LoadedJson } from '../storage/json-file.ts';

export const settingsFileName = 'settings.json';

/** User preferences in `<dataDir>/settings.json`; every change is written atomically. */
export class SettingsService {
  private current: Settings = { ...defaultSettings };
  private updating: Promise<unknown> = Promise.resolve();
  private readonly file: JsonDataFile<Settings>;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, settingsFileName);
    // Older files may lack keys added since: fill them from the defaults rather than call them corrupt.
    this.file = new JsonDataFile(
      this.path,
      settingsSchema.partial().transform((s) => ({ ...defaultSettings, ...s })),
      defaultSettings,
    );
  }

  /** Says what was wrong with the file on disk (moved aside, or unreadable and left alone), if anything. */
  async load(): Promise<Pick<LoadedJson<Settings>, 'recovered' | 'unreadable'>> {
    const loaded = await this.file.load();
    this.current = loaded.value;
    return loaded;
  }

  get(): Settings {
    return { ...this.current };
  }

  /**
   * Changes take effect once they are on disk, one after another, so two quick changes land in
   * order, and a save that fails (DATA_FILE_UNWRITABLE) leaves the settings as they were.
   */
  update(patch: SettingsPatch): Promise<Settings> {
    const run = async (): Promise<Settings> => {
      const next = settingsSchema.parse({ ...this.current, ...patch });
      await this.file.write(`${JSON.stringify(next, null, 2)}\n`);
      this.current = next;
      return { ...next };
    };
    const result = this.updating.then(run, run);
    this.updating = result.catch(() => undefined);
    return result;
  }
}
