import { z } from 'zod';
import { limitedString, limits } from './limits.ts';
import { actionKeys, scriptRepeatMax, scriptRunSchema, scriptTextSchema, stepResultSchema } from '../scripts/script.ts';
import { logExportSchema, senderEventSchema } from './sender.ts';
import { presetIds } from '../presets/presets.ts';

/**
 * The course's client tools (issue 13, items 5 and 6): send→expect scripts, the HTTP request
 * composer and export to Python. A script runs on its own connection in the backend
 * (electron/services/scripts/); its state (running or not, the steps so far, the last result)
 * is the backend's, read with `scripts.status`, so a reloaded page finds the run it started,
 * and each step goes out on `scripts.event` as it starts and ends, so every page follows it live.
 */

/** A script in the packet library, kept as the JSON text the editor shows (comments of layout preserved). */
export const savedScriptSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'name: give the script a name').max(120),
  script: scriptTextSchema,
  savedAt: z.string(),
});
export type SavedScript = z.infer<typeof savedScriptSchema>;

/** How much of a run's transcript is held (shared/scripts/transcript.ts), and what the bound dropped. */
export const transcriptStatsSchema = z.object({
  chunks: z.number().int(),
  bytes: z.number().int(),
  dropped: z.number().int(),
  droppedBytes: z.number().int(),
});

/** The step a run is in, from its `step-started` mark until its result. */
export const runningStepSchema = z.object({ step: z.number().int(), round: z.number().int(), action: z.enum(actionKeys), at: z.number() });

export const scriptStatusSchema = z.object({
  running: z.boolean(),
  /** The script of the current or last run, as text. */
  script: z.string().nullable(),
  /** The steps so far (running) or the whole result (done); null before the first run. */
  run: scriptRunSchema.nullable(),
  /** Which run this is (rises by one per run; null before the first). */
  runId: z.number().int().nullable(),
  /** The seq of the run's last event so far: a page applies only the `scripts.event`s after it. */
  seq: z.number().int(),
  /** The step running now (null between steps, and once the run ended). */
  current: runningStepSchema.nullable(),
  transcript: transcriptStatsSchema.nullable(),
});

/**
 * A run as it happens, on `scripts.event`: `seq` rises by one per event within a run (from 1),
 * so a page that read `scripts.status` applies exactly the events after the status's `seq`.
 * Verdicts travel as codes and params (the step result's `code`), never as prose to show.
 */
export const scriptEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run-started'), runId: z.number().int(), seq: z.number().int(), at: z.number() }),
  z.object({ kind: z.literal('step-started'), runId: z.number().int(), seq: z.number().int(), current: runningStepSchema }),
  z.object({ kind: z.literal('step'), runId: z.number().int(), seq: z.number().int(), result: stepResultSchema }),
  z.object({
    kind: z.literal('run-ended'),
    runId: z.number().int(),
    seq: z.number().int(),
    ok: z.boolean(),
    ms: z.number(),
    transcript: transcriptStatsSchema,
  }),
]);
export type ScriptEvent = z.infer<typeof scriptEventSchema>;

/** One chunk of a run's transcript as a page shows it: the sender log event's preview fields (at most 4 KiB as hex and text, chunk-preview.ts), with its step. */
export const scriptChunkSchema = senderEventSchema.pick({ at: true, peer: true, length: true, hex: true, text: true, truncated: true }).extend({
  step: z.number().int(),
  round: z.number().int(),
  dir: z.enum(['in', 'out']),
});
export type ScriptChunk = z.infer<typeof scriptChunkSchema>;

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
  /** What one step of the current or last run sent and received (a page of at most `limits.senderLogPage` chunks and `senderLogPageBytes` of previews). */
  'scripts.transcript': {
    input: z
      .object({
        runId: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1),
        /** -1: what went while connecting. */
        step: z
          .number()
          .int()
          .min(-1)
          .max(limits.scriptSteps - 1),
        round: z.number().int().min(1).max(scriptRepeatMax),
      })
      .strict(),
    output: z.object({ chunks: z.array(scriptChunkSchema), more: z.boolean(), transcript: transcriptStatsSchema }),
  },
  /** The current or last run's transcript as a pcap file, through the sender log's pcap writer. */
  'scripts.export': { input: z.object({ format: z.enum(['pcap']) }).strict(), output: logExportSchema },
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
