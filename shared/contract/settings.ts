import { z } from 'zod';

export const panelIds = ['sender', 'subnet', 'timeline', 'processes'] as const;
export const panelIdSchema = z.enum(panelIds);
export type PanelId = z.infer<typeof panelIdSchema>;

export const languageSchema = z.enum(['system', 'en', 'zh-CN']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({
  language: languageSchema,
  theme: themeSchema,
  lastPanel: panelIdSchema,
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = { language: 'system', theme: 'system', lastPanel: 'sender' };

/** An update names only what changes; unknown keys are a mistake worth reporting. */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
