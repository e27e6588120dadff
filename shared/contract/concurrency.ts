import { z } from 'zod';
import { concurrencyModels } from '../concurrency/models.ts';
import { limitMessage, limits } from './limits.ts';

/**
 * The concurrency lab's part of the contract: start one of the course's server models, put it
 * under load from a worker thread, follow both on `concurrency.event`.
 */
export const concurrencyModelSchema = z.enum(concurrencyModels);

const empty = z.object({}).strict();
const whole = (field: string) => z.number().int(`${field}: a whole number`);
/** At most a limit of limits.ts, with its English message (the field, the limit and its name). */
const atMost = (n: z.ZodNumber, name: 'loadConnections' | 'loadRequestBytes' | 'loadDurationMs' | 'loadWorkMs', field: string, what: string) =>
  n.max(limits[name], limitMessage(name, field, what));

export const serverInfoSchema = z.object({
  id: z.string(),
  model: concurrencyModelSchema,
  port: z.number().int(),
  pid: z.number().int(),
  /** The program's file name (its text: concurrency.source). */
  file: z.string(),
  /** CPU work per request, in ms, the server was started with (0: none; its `--work-ms`). */
  workMs: z.number().int(),
  state: z.enum(['running', 'exited']),
  /** How it exited (null while running). */
  exit: z.object({ code: z.number().int().nullable(), signal: z.string().nullable() }).nullable(),
  /** A named failure the server reported (select's FD_SETSIZE) or its exit (SERVER_EXITED). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ServerInfo = z.infer<typeof serverInfoSchema>;

export const serverStartSchema = z
  .object({
    model: concurrencyModelSchema,
    port: whole('port').min(0, 'port: 0–65535').max(65535, 'port: 0–65535').optional(),
    /**
     * CPU work per request, in ms (0: none): the server runs a busy loop that long for each request
     * line — pure Python holding the GIL in the Python models, JavaScript on the event loop in
     * Node's — so the models differ in how many cores they can use.
     */
    workMs: atMost(whole('workMs').min(0, 'workMs: 0 or more ms'), 'loadWorkMs', 'workMs', 'ms of CPU work per request').default(0),
  })
  .strict();
export type ServerStart = z.input<typeof serverStartSchema>;

export const loadStartSchema = z
  .object({
    host: z.string().trim().min(1).max(253).default('127.0.0.1'),
    port: whole('port').min(1, 'port: 1–65535').max(65535, 'port: 1–65535'),
    conns: atMost(whole('conns').min(1, 'conns: at least 1 connection'), 'loadConnections', 'conns', 'connections'),
    size: atMost(whole('size').min(1, 'size: at least 1 byte (the line\'s "\\n")'), 'loadRequestBytes', 'size', 'per request'),
    /** Stop after this long, or after `count` requests: exactly one of the two (the service checks). */
    durationMs: atMost(whole('durationMs').min(1, 'durationMs: at least 1 ms'), 'loadDurationMs', 'durationMs', 'ms per run').optional(),
    count: whole('count').min(1, 'count: at least 1 request').max(1e9, 'count: at most 1,000,000,000 requests').optional(),
    rate: z.number().min(0.1, 'rate: at least 0.1 requests/s').max(1e6, 'rate: at most 1,000,000 requests/s').optional(),
    timeoutMs: whole('timeoutMs').min(100, 'timeoutMs: at least 100 ms').max(120_000, 'timeoutMs: at most 120 s').default(5000),
    /** The lab server being loaded, if it is one of ours: its exit ends the run with SERVER_EXITED. */
    serverId: z.string().max(64).optional(),
  })
  .strict();
export type LoadStart = z.infer<typeof loadStartSchema>;

const latencySchema = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() });

export const loadReportSchema = z.object({
  counts: z.object({
    connections: z.object({ wanted: z.number().int(), established: z.number().int(), open: z.number().int(), failed: z.number().int() }),
    sent: z.number().int(),
    answered: z.number().int(),
    failed: z.number().int(),
    inFlight: z.number().int(),
    errors: z.record(z.string(), z.number().int()),
  }),
  latencyMs: latencySchema,
  windowLatencyMs: latencySchema,
  elapsedMs: z.number(),
  rps: z.number(),
  windowRps: z.number(),
  connectedMs: z.number().nullable(),
  end: z.enum(['done', 'stopped', 'connections-lost']).nullable(),
});
export type LoadReportData = z.infer<typeof loadReportSchema>;

/** The server's processes (a forking server's children too), threads and memory, when Linux's /proc tells. */
export const serverStatsSchema = z.object({ processes: z.number().int(), threads: z.number().int(), rssBytes: z.number(), cpu: z.number() }).nullable();
export type ServerStatsData = z.infer<typeof serverStatsSchema>;

export const concurrencyEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('server'), server: serverInfoSchema }),
  z.object({
    kind: z.literal('load'),
    id: z.string(),
    state: z.enum(['running', 'done', 'stopped', 'error']),
    target: z.string(),
    report: loadReportSchema.nullable(),
    server: serverStatsSchema,
    /** Why the run ended early; the report still carries its partial results. */
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
]);
export type ConcurrencyEvent = z.infer<typeof concurrencyEventSchema>;

export const concurrencyCommands = {
  /** The models, whether python3 is here, and this host's open-file limits (for C10K). */
  'concurrency.models': {
    input: empty,
    output: z.object({
      python: z.boolean(),
      models: z.array(z.object({ id: concurrencyModelSchema, file: z.string(), runtime: z.enum(['python', 'node']), available: z.boolean() })),
      fdLimit: z.object({ soft: z.number(), hard: z.number() }).nullable(),
    }),
  },
  /** A model's program text (to read and export). */
  'concurrency.source': { input: z.object({ model: concurrencyModelSchema }).strict(), output: z.object({ file: z.string(), text: z.string() }) },
  'concurrency.serverStart': { input: serverStartSchema, output: serverInfoSchema },
  'concurrency.serverStop': { input: z.object({ id: z.string() }).strict(), output: z.object({ stopped: z.boolean() }) },
  'concurrency.servers': { input: empty, output: z.array(serverInfoSchema) },
  /** Starts a load on a worker thread; progress arrives on `concurrency.event`. */
  'concurrency.loadStart': { input: loadStartSchema, output: z.object({ id: z.string() }) },
  'concurrency.loadStop': { input: z.object({ id: z.string() }).strict(), output: z.object({ stopped: z.boolean() }) },
} as const;
