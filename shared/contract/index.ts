import { z } from 'zod';
import { limitedString } from './limits.ts';
import { wirelabErrorSchema } from './errors.ts';
import { settingsPatchSchema, settingsSchema } from './settings.ts';
import { savedPacketSchema } from './packets.ts';
import { timelineCommands, timelineEventSchema } from './timeline.ts';
import { linkCommands } from './link.ts';
import { processCommands, processSampleSchema } from './processes.ts';
import { concurrencyCommands, concurrencyEventSchema } from './concurrency.ts';
import { clientCommands, scriptEventSchema } from './clients.ts';
import {
  openSessionSchema,
  payloadSpecSchema,
  repeatInputSchema,
  senderEventSchema,
  senderCountersSchema,
  sendInputSchema,
  sendFileInputSchema,
  sendFileOutputSchema,
  sessionInfoSchema,
  udpOptionsSchema,
  udpStateSchema,
  generatorStartSchema,
  generatorProgressSchema,
  sessionSummarySchema,
  logPageInputSchema,
  logPageSchema,
  logExportSchema,
} from './sender.ts';

/**
 * The one contract between the UI and the services. Both transports (Electron IPC and the
 * browser host's WebSocket) carry exactly these commands and streams; the dispatcher in
 * electron/core validates every request against `input` before a service sees it.
 */

export const noticeSchema = z.object({
  id: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  code: z.string(),
  message: z.string(),
  at: z.string(),
  /** What the renderer needs to word `code` in the user's language (a file's path, an errno code…). */
  params: wirelabErrorSchema.shape.params,
});
export type Notice = z.infer<typeof noticeSchema>;

export const hostKindSchema = z.enum(['electron', 'browser']);
export type HostKind = z.infer<typeof hostKindSchema>;

export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  host: hostKindSchema,
  platform: z.string(),
  dataDir: z.string(),
  notices: z.array(noticeSchema),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const netInterfaceSchema = z.object({
  name: z.string(),
  up: z.boolean().nullable(),
  mac: z.string().nullable(),
  internal: z.boolean(),
  addresses: z.array(
    z.object({
      family: z.union([z.literal(4), z.literal(6)]),
      address: z.string(),
      prefix: z.number().int().min(0).max(128),
      cidr: z.string(),
      scopeId: z.number().int().nullable(),
    }),
  ),
});
export type NetInterface = z.infer<typeof netInterfaceSchema>;

const empty = z.object({}).strict();

export const commands = {
  'app.info': { input: empty, output: appInfoSchema },
  'app.ping': {
    input: z.object({ at: z.number().min(0, 'at: a time in ms, 0 or more').max(8.64e15, 'at: a time in ms, at most 8.64e15 (the last Date)') }).strict(),
    output: z.object({ at: z.number(), serverAt: z.number() }),
  },
  'app.dismissNotice': { input: z.object({ id: z.string().min(1) }).strict(), output: z.object({ dismissed: z.boolean() }) },
  'settings.get': { input: empty, output: settingsSchema },
  'settings.update': { input: settingsPatchSchema, output: settingsSchema },
  /** This machine's network interfaces (the subnet panel loads one into the calculator). */
  'net.interfaces': { input: empty, output: z.array(netInterfaceSchema) },
  'sender.open': { input: openSessionSchema, output: sessionInfoSchema },
  'sender.send': { input: sendInputSchema, output: z.object({ bytes: z.number().int() }) },
  /** Streams a file from the host's disk as one framed message (constant memory, with progress notices). */
  'sender.sendFile': { input: sendFileInputSchema, output: sendFileOutputSchema },
  /** Send the same payload every intervalMs (drift-corrected), count times or until stopped; macros expand each time. */
  'sender.repeat': { input: repeatInputSchema, output: z.object({ started: z.boolean() }) },
  'sender.stopRepeat': { input: z.object({ sessionId: z.string() }).strict(), output: z.object({ sent: z.number().int() }) },
  /** UDP: broadcast flag, multicast TTL / loopback / interface, join and leave groups. */
  'sender.udpOptions': { input: udpOptionsSchema, output: udpStateSchema },
  /** Send FIN and keep reading (TCP half-close). */
  'sender.halfClose': { input: z.object({ sessionId: z.string() }).strict(), output: sessionInfoSchema },
  /** A TCP client session closes its connection and connects again to the same address (same log). */
  'sender.reconnect': { input: z.object({ sessionId: z.string() }).strict(), output: sessionInfoSchema },
  'sender.close': { input: z.object({ sessionId: z.string() }).strict(), output: z.object({ closed: z.boolean() }) },
  /** Every open session, as a page needs it to show the session's tab (the backend owns sessions; a reload loses none). */
  'sender.list': { input: empty, output: z.array(sessionSummarySchema) },
  /** One page of a session's log (full entries with seq); the stream carries what comes after. */
  'sender.log': { input: logPageInputSchema, output: logPageSchema },
  /** Empties a session's log in the backend (every page's view of it); seq keeps rising. */
  'sender.clearLog': { input: z.object({ sessionId: z.string() }).strict(), output: z.object({ cleared: z.number().int() }) },
  /** A session's whole log as text, JSON or pcap, from the full bytes the backend holds. */
  'sender.export': { input: z.object({ sessionId: z.string(), format: z.enum(['text', 'json', 'pcap']) }).strict(), output: logExportSchema },
  /** Closes every session (Close all): their ports are free when this answers. */
  'sender.closeAll': { input: empty, output: z.object({ closed: z.number().int() }) },
  /** Starts the traffic generator on a worker thread; progress arrives on `generator.progress`. */
  'generator.start': { input: generatorStartSchema, output: z.object({ id: z.string() }) },
  'generator.stop': { input: z.object({ id: z.string() }).strict(), output: z.object({ stopped: z.boolean() }) },
  'packets.list': { input: empty, output: z.array(savedPacketSchema) },
  /** Saves (or replaces, by id) one packet. */
  'packets.save': { input: savedPacketSchema.omit({ savedAt: true }).extend({ id: z.string().max(64).optional() }), output: savedPacketSchema },
  'packets.delete': { input: z.object({ id: z.string() }).strict(), output: z.object({ deleted: z.boolean() }) },
  /** The whole library as a JSON document (the same format the file on disk uses). */
  'packets.export': { input: empty, output: z.object({ json: z.string() }) },
  /** Adds the packets of an exported document; returns how many were added. */
  'packets.import': {
    input: z.object({ json: limitedString('packetImportChars', 'file', 'of JSON per import') }).strict(),
    output: z.object({ added: z.number().int() }),
  },
  /** The bytes a payload would be (for the composer's live count and hex preview; GBK needs the Node side). */
  'sender.preview': { input: z.object({ payload: payloadSpecSchema }).strict(), output: z.object({ length: z.number().int(), hex: z.string() }) },
  ...timelineCommands,
  ...linkCommands,
  ...processCommands,
  ...concurrencyCommands,
  ...clientCommands,
} as const;

export const streams = {
  /** Things the user should be told about that were not a reply to a request (a corrupt file…). */
  'app.notice': noticeSchema,
  'sender.event': senderEventSchema,
  /** Each session's exact counters, about once a second while they move (SenderService's counters tick). */
  'sender.counters': senderCountersSchema,
  'generator.progress': generatorProgressSchema,
  /** Packets, socket markers, kernel states and status of a live timeline (experiment or watch). */
  'timeline.event': timelineEventSchema,
  /** One sample of every process (about once a second while the panel samples). */
  'processes.sample': processSampleSchema,
  /** The concurrency lab: its servers' state and its load runs' progress. */
  'concurrency.event': concurrencyEventSchema,
  /** A script run's steps as they start and end (electron/services/scripts/script-service.ts). */
  'scripts.event': scriptEventSchema,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>;

export type Streams = typeof streams;
export type StreamName = keyof Streams;
export type StreamEvent<S extends StreamName> = z.output<Streams[S]>;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}
export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}

/** A batch of events of one stream, as both transports deliver them. */
export interface EventBatch<S extends StreamName = StreamName> {
  stream: S;
  events: StreamEvent<S>[];
  /** Events the batcher had to drop since the previous batch because the consumer fell behind. */
  dropped: number;
}

export * from './errors.ts';
export * from './settings.ts';
export * from './sender.ts';
export * from './packets.ts';
export * from './timeline.ts';
export * from './processes.ts';
export * from './concurrency.ts';
export * from './clients.ts';
