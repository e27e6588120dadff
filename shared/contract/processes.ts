import { z } from 'zod';

/** The process monitor's part of the contract. Row fields are `wirelab ps --json`'s. */

export const processRowSchema = z.object({
  pid: z.number().int(),
  ppid: z.number().int(),
  name: z.string(),
  user: z.string().nullable(),
  state: z.string(),
  /** null where the OS gives no thread count cheaply (macOS's ps). */
  threads: z.number().int().nullable(),
  /** % of one core over the last interval. */
  cpu: z.number(),
  rssBytes: z.number(),
  startTime: z.string(),
  command: z.string(),
});
export type ProcessRowData = z.infer<typeof processRowSchema>;

export const threadRowSchema = z.object({ tid: z.number().int(), name: z.string(), state: z.string(), cpu: z.number() });
export type ThreadRowData = z.infer<typeof threadRowSchema>;

export const socketRowSchema = z.object({
  proto: z.enum(['tcp', 'tcp6', 'udp', 'udp6']),
  local: z.string(),
  remote: z.string(),
  state: z.string(),
  pid: z.number().int().nullable(),
  process: z.string().nullable(),
});
export type SocketRowData = z.infer<typeof socketRowSchema>;

export const labKindSchema = z.enum(['pool', 'threads', 'producer-consumer', 'zombie', 'orphan', 'daemon', 'stopped', 'gil']);
export type LabKind = z.infer<typeof labKindSchema>;

export const labInfoSchema = z.object({
  id: z.string(),
  kind: labKindSchema,
  /** Every pid the lab started (the ones to look for in the table). */
  pids: z.array(z.number().int()),
  /** Those of `pids` that have exited (ended by a signal, or done); when all have, the lab has finished. */
  exited: z.array(z.number().int()),
  startedAt: z.number(),
  /** Set when the lab could not start or its processes failed. */
  error: z.string().nullable(),
});
export type LabInfo = z.infer<typeof labInfoSchema>;

export const processSampleSchema = z.object({
  at: z.number(),
  tookMs: z.number(),
  cores: z.number().int(),
  processes: z.array(processRowSchema),
  added: z.array(z.number().int()),
  removed: z.array(processRowSchema),
  labs: z.array(labInfoSchema),
  /** The pid of the process serving this UI (the app itself), to mark it. */
  selfPid: z.number().int(),
});
export type ProcessSampleData = z.infer<typeof processSampleSchema>;

export const signalNameSchema = z.enum(['SIGTERM', 'SIGKILL', 'SIGSTOP', 'SIGCONT']);
export type SignalName = z.infer<typeof signalNameSchema>;

/**
 * A pid the OS type can hold: pid_t is a signed 32-bit int on Linux, macOS and Windows' DWORD
 * fits the same positive range (Linux itself stops at pid_max, 4194304, see proc(5)). Bigger
 * numbers made process.kill throw ERR_INVALID_ARG_TYPE instead of a typed answer.
 */
const pid = z
  .number()
  .int('pid: a whole number')
  .min(1, 'pid: a process id is 1 or more')
  .max(2 ** 31 - 1, 'pid: a process id is at most 2147483647');

export const processCommands = {
  /** Whether this OS is supported, and the sampling settings in force. */
  'processes.configure': {
    input: z
      .object({
        running: z.boolean(),
        intervalMs: z
          .number()
          .int('intervalMs: a whole number of ms')
          .min(250, 'intervalMs: at least 250 ms')
          .max(10_000, 'intervalMs: at most 10 s')
          .optional(),
      })
      .strict(),
    output: z.object({
      supported: z.boolean(),
      /** Why not, in English; the UI words `code` (PROCESSES_UNSUPPORTED) from `params`. */
      reason: z.string().nullable(),
      code: z.enum(['PROCESSES_UNSUPPORTED']).nullable(),
      params: z.object({ platform: z.string() }).optional(),
      running: z.boolean(),
      intervalMs: z.number().int(),
    }),
  },
  /** One process's threads (CPU since the previous call for it; null where the OS route lists none) and sockets; null when it has gone. */
  'processes.details': {
    input: z.object({ pid }).strict(),
    output: z.object({ pid: z.number().int(), threads: z.array(threadRowSchema).nullable(), sockets: z.array(socketRowSchema) }).nullable(),
  },
  /** Every TCP and UDP socket with its owner (TCPView). */
  'processes.sockets': { input: z.object({}).strict(), output: z.array(socketRowSchema) },
  'processes.signal': { input: z.object({ pid, signal: signalNameSchema }).strict(), output: z.object({ sent: z.boolean() }) },
  'processes.labStart': {
    input: z
      .object({ kind: labKindSchema, count: z.number().int('count: a whole number').min(1, 'count: at least 1').max(16, 'count: at most 16').optional() })
      .strict(),
    output: labInfoSchema,
  },
  'processes.labStop': { input: z.object({ id: z.string() }).strict(), output: z.object({ stopped: z.boolean() }) },
} as const;
