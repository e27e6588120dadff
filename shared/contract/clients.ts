import { z } from 'zod';
import { limitedString } from './limits.ts';
import { scriptRunSchema, scriptTextSchema } from '../scripts/script.ts';
import { presetIds } from '../presets/presets.ts';

/**
 * The course's client tools (issue 13, items 5 and 6): send→expect scripts, the HTTP request
 * composer and export to Python. A script runs on its own connection in the backend
 * (electron/services/scripts/); its state (running or not, the steps so far, the last result)
 * is the backend's, read with `scripts.status`, so a reloaded page finds the run it started.
 */

/** A script in the packet library, kept as the JSON text the editor shows (comments of layout preserved). */
export const savedScriptSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'name: give the script a name').max(120),
  script: scriptTextSchema,
  savedAt: z.string(),
});
export type SavedScript = z.infer<typeof savedScriptSchema>;

export const scriptStatusSchema = z.object({
  running: z.boolean(),
  /** The script of the current or last run, as text. */
  script: z.string().nullable(),
  /** The steps so far (running) or the whole result (done); null before the first run. */
  run: scriptRunSchema.nullable(),
});

export const httpRequestInputSchema = z
  .object({
    method: z.string().trim().min(1, 'method: type a method such as GET').max(20),
    url: z.string().trim().min(1, 'url: type an http:// URL').max(8192),
    headers: z.array(z.string().max(8192)).max(100, 'headers: at most 100 header lines').default([]),
    body: limitedString('payloadChars', 'body', 'of request body').default(''),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict();

export const httpExchangeSchema = z.object({
  /** The request exactly as sent. */
  request: z.string(),
  status: z.number().int(),
  reason: z.string(),
  headers: z.record(z.string(), z.string()),
  rawHeaders: z.array(z.tuple([z.string(), z.string()])),
  body: z.string(),
  bodyBytes: z.number().int(),
  framing: z.enum(['none', 'length', 'chunked', 'close']),
  bytesSent: z.number().int(),
  bytesReceived: z.number().int(),
  connectMs: z.number(),
});
export type HttpExchangeData = z.infer<typeof httpExchangeSchema>;

export const clientCommands = {
  /** Runs a send→expect script to its end (each step bounded by its timeout) and answers its result. */
  'scripts.run': { input: z.object({ script: scriptTextSchema }).strict(), output: scriptRunSchema },
  'scripts.status': { input: z.object({}).strict(), output: scriptStatusSchema },
  'scripts.stop': { input: z.object({}).strict(), output: z.object({ stopped: z.boolean() }) },
  'scripts.list': { input: z.object({}).strict(), output: z.array(savedScriptSchema) },
  'scripts.save': {
    input: savedScriptSchema
      .omit({ savedAt: true, id: true })
      .extend({ id: z.string().max(64).optional() })
      .strict(),
    output: savedScriptSchema,
  },
  'scripts.delete': { input: z.object({ id: z.string() }).strict(), output: z.object({ deleted: z.boolean() }) },
  /** One HTTP/1.1 request on raw TCP; the bytes it sends are buildHttpRequest's (shared/http/request.ts), which the composer previews. */
  'http.request': { input: httpRequestInputSchema, output: httpExchangeSchema },
  /** Opens a course experiment as a server and its clients (shared/presets/presets.ts); answers their session ids, server first. */
  'presets.open': { input: z.object({ id: z.enum(presetIds) }).strict(), output: z.object({ sessions: z.array(z.string()) }) },
  /** A session as a runnable Python 3 program (shared/export/python.ts). */
  'sender.exportPython': { input: z.object({ sessionId: z.string() }).strict(), output: z.object({ name: z.string(), program: z.string() }) },
} as const;
