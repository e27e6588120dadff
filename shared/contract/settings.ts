import { z } from 'zod';

export const panelIds = ['sender', 'subnet', 'timeline', 'processes', 'concurrency'] as const;
export const panelIdSchema = z.enum(panelIds);
export type PanelId = z.infer<typeof panelIdSchema>;

export const languageSchema = z.enum(['system', 'en', 'zh-CN']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

/** The process table's columns, in their order on screen. */
export const processColumnSchema = z.enum(['pid', 'ppid', 'name', 'user', 'state', 'cpu', 'rssBytes', 'threads', 'startTime', 'command']);
export type ProcessColumn = z.infer<typeof processColumnSchema>;

/** The process table as the user set it: the columns hidden and the widths dragged (px); the rest keep their defaults. */
export const processColumnsSchema = z
  .object({
    hidden: z.array(processColumnSchema.exclude(['pid', 'name'], { message: 'processColumns.hidden: PID and Name are always shown' })).max(8),
    widths: z.partialRecord(
      processColumnSchema,
      z.number().int('processColumns.widths: whole pixels').min(40, 'processColumns.widths: at least 40 px').max(800, 'processColumns.widths: at most 800 px'),
    ),
  })
  .strict();
export type ProcessColumns = z.infer<typeof processColumnsSchema>;

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
  processColumns: processColumnsSchema,
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = {
  language: 'system',
  theme: 'system',
  lastPanel: 'sender',
  senderLogCapacity: 100_000,
  processColumns: { hidden: [], widths: {} },
};

/** An update names only what changes; unknown keys are a mistake worth reporting. */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
