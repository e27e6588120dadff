import { z } from 'zod';

export const panelIds = ['sender', 'subnet', 'timeline', 'processes', 'concurrency'] as const;
export const panelIdSchema = z.enum(panelIds);
export type PanelId = z.infer<typeof panelIdSchema>;

export const languageSchema = z.enum(['system', 'en', 'zh-CN']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({
  language: languageSchema,
  theme: themeSchema,
  lastPanel: panelIdSchema,
  /** Entries each packet-sender log column keeps; the oldest go first. */
  senderLogCapacity: z
    .number()
    .int('senderLogCapacity: a whole number')
    .min(1000, 'senderLogCapacity: at least 1,000')
    .max(1_000_000, 'senderLogCapacity: at most 1,000,000'),
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = { language: 'system', theme: 'system', lastPanel: 'sender', senderLogCapacity: 100_000 };

/** An update names only what changes; unknown keys are a mistake worth reporting. */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
