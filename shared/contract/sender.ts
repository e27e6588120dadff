import { z } from 'zod';
import { framingSchema } from '../sender/framing.ts';
import { replyRuleSchema, rulesProblem } from '../sender/reply-rules.ts';
import { limitedString, limits } from './limits.ts';

/** What the composer sends: the user's text in one of three notations, encoded one of two ways. */
export const payloadSpecSchema = z.object({
  /** `file` carries the file's bytes as base64 in `text` (the page reads the file it was given). */
  mode: z.enum(['text', 'hex', 'escaped', 'file']),
  text: limitedString('payloadChars', 'payload', 'of text per send'),
  encoding: z.enum(['utf8', 'gbk']).default('utf8'),
  lineEnding: z.enum(['none', 'lf', 'crlf']).default('none'),
  /**
   * header-json framing: fields of the JSON header beside the size key, e.g. the FTP homework's
   * `{"operate": "upload", "filename": "a.bin"}`; the size key itself is always computed.
   */
  header: z.record(z.string().max(64), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])).optional(),
});
export type PayloadSpec = z.infer<typeof payloadSpecSchema>;

const host = z.string().trim().min(1, 'type a host name or an address').max(253);
const port = z.number().int().min(0).max(65535);

/**
 * Client authentication as the course notes do it (seed 001): the server sends 32 random bytes
 * on connect; the client answers `md5(key + challenge).hexdigest()` (or HMAC-SHA256 of the
 * challenge under the key, hex); the server compares and goes on, or closes. CLI: `md5:KEY`.
 */
export const challengeSpecSchema = z.object({
  algo: z.enum(['md5', 'hmac-sha256']),
  key: z.string().min(1, 'key: at least one character').max(1024, 'key: at most 1024 characters'),
});
export type ChallengeSpec = z.infer<typeof challengeSpecSchema>;

/** A folder on the host's disk (save dir, serve dir, HTTP root); checked for existence when the session opens. */
const dirPath = z.string().trim().min(1, 'type a folder').max(4096);

/**
 * Where incoming bodies go besides the log: each decoded message (a header-announced file under
 * its sanitised `filename`, otherwise numbered) is streamed to this folder; `overwrite` lets a
 * name that exists be replaced (otherwise a numbered name is chosen).
 */
const saveFields = {
  saveDir: dirPath.optional(),
  overwrite: z.boolean().default(false),
};

/** Framing per direction (the remote-command server reads raw and answers header-json): each defaults to `framing`. */
const directionFields = {
  framingIn: framingSchema.optional(),
  framingOut: framingSchema.optional(),
};

/**
 * How Wirelab's own servers answer: not at all, echo, one fixed reply (escapes such as `\r\n`
 * and `\xHH` honoured), rules, or one of the course's protocols — `serve-dir` (the FTP
 * homework's upload / download over header-json, rooted at `dir`), `relay` (a chat room),
 * `http-dir` (an HTTP/1.1 static server rooted at `dir`). `challenge` puts client authentication
 * in front of any of them; `greet` is sent to each client on connect (escapes honoured).
 */
const replyFields = {
  reply: z.enum(['none', 'echo', 'fixed', 'rules', 'serve-dir', 'relay', 'http-dir']).default('none'),
  replyText: z.string().max(65536).default(''),
  rules: z.array(replyRuleSchema).max(50).default([]),
  dir: dirPath.optional(),
  greet: z.string().max(65536).default(''),
  challenge: challengeSpecSchema.optional(),
};

/** A rule pattern the regex engine refuses (a backreference, say) is an input error, worded once in reply-rules.ts. */
function checkRules(v: { rules: z.infer<typeof replyRuleSchema>[] }, ctx: z.RefinementCtx): void {
  const problem = rulesProblem(v.rules);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
}

export const openSessionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tcp-client'),
    host,
    port: port.min(1, 'port: 1–65535'),
    framing: framingSchema,
    encoding: z.enum(['utf8', 'gbk']),
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
    /** The local address to connect from (`--bind [HOST:]PORT`); port 0 lets the kernel choose. */
    bind: z.object({ host: host.optional(), port }).optional(),
    /** Answer the server's 32-byte challenge before anything else is sent (`--answer md5:KEY`). */
    answer: challengeSpecSchema.optional(),
    ...directionFields,
    ...saveFields,
  }),
  z
    .object({
      kind: z.literal('tcp-server'),
      host,
      port,
      framing: framingSchema,
      encoding: z.enum(['utf8', 'gbk']),
      ...directionFields,
      ...saveFields,
      ...replyFields,
    })
    .superRefine(checkRules),
  z
    .object({
      kind: z.literal('udp'),
      host,
      port,
      framing: framingSchema,
      encoding: z.enum(['utf8', 'gbk']),
      ...directionFields,
      ...saveFields,
      ...replyFields,
    })
    .superRefine(checkRules),
]);
export type OpenSession = z.infer<typeof openSessionSchema>;

export const sessionInfoSchema = z.object({
  id: z.string(),
  kind: z.enum(['tcp-client', 'tcp-server', 'udp']),
  local: z.string(),
  remote: z.string().nullable(),
  connectMs: z.number().nullable(),
  state: z.enum(['open', 'half-closed', 'closed']),
  /** Datagrams (UDP) or chunks (TCP) read, and their bytes. */
  received: z.number().int(),
  receivedBytes: z.number(),
  /** Datagrams or writes sent (replies included), and their bytes. */
  sent: z.number().int(),
  sentBytes: z.number(),
  /**
   * Datagrams the kernel dropped because this socket's receive buffer was full (Linux: the
   * socket's `drops` in /proc/net/udp); null where the OS does not tell. TCP never drops: 0.
   */
  kernelDropped: z.number().int().nullable(),
  /** Datagrams or chunks counted but not sent to the log because a flood exceeded its budget (log-budget.ts). */
  notLogged: z.number().int(),
  /** 1-based indexes of reply rules turned off for overrunning their deadline (RULE_TIMEOUT). */
  timedOutRules: z.array(z.number().int()),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/**
 * The host's exact counters of the sessions whose counts moved in the last tick (about once a
 * second, `sender.counters`). Events can be dropped for a page that falls behind and a flood is
 * logged only up to its budget, so these, not a sum of events, are the counts a view shows.
 */
export const senderCountersSchema = z.object({
  at: z.number(),
  sessions: z.array(
    sessionInfoSchema.pick({
      id: true,
      received: true,
      receivedBytes: true,
      sent: true,
      sentBytes: true,
      kernelDropped: true,
      notLogged: true,
      timedOutRules: true,
    }),
  ),
});
export type SenderCounters = z.infer<typeof senderCountersSchema>;

/** The counters of a session that has not moved a byte yet. */
export const zeroCounters = { received: 0, receivedBytes: 0, sent: 0, sentBytes: 0, kernelDropped: 0, notLogged: 0, timedOutRules: [] as number[] };

/**
 * One thing that happened on a session. `chunk` is a raw read or write exactly as the socket
 * delivered it; `message` is what the framing decoded from the incoming stream — the two side by
 * side are the sticky-packet view.
 */
export const senderEventSchema = z.object({
  sessionId: z.string(),
  /**
   * The entry's place in the session's log (session-log.ts): rises by one per entry, so a page
   * read with `sender.log` and the live stream stitch without gaps or duplicates.
   * `session-closed` is the one event outside the log (seq 0): the session is gone.
   */
  seq: z.number().int(),
  /** `notice`: something a responder or the save dir did (saved a file, a client joined, a challenge passed), by its code. */
  type: z.enum(['chunk', 'message', 'connect', 'close', 'error', 'client-open', 'client-close', 'repeat-end', 'session-closed', 'notice']),
  dir: z.enum(['in', 'out']).nullable(),
  at: z.number(),
  peer: z.string().nullable(),
  length: z.number().int(),
  hex: z.string(),
  text: z.string(),
  /** Only the first 4 KiB of a large chunk travel to the UI; `length` has the real size. */
  truncated: z.boolean(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  /** A decoded message's JSON header (header-json framing). */
  header: z.record(z.string(), z.unknown()).optional(),
  /** What the renderer words `code` from (shared/contract/codes.ts); `message` is the English. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type SenderEvent = z.infer<typeof senderEventSchema>;

/** A client connected to a TCP server session, with what it sent and was sent. */
export const serverClientSchema = z.object({ peer: z.string(), since: z.number(), bytesIn: z.number(), bytesOut: z.number() });

/**
 * What a page needs to rebuild a session's tab after a reload, or to show one another page
 * opened: its info, how it frames and decodes, its clients, whether a repeat runs.
 */
export const sessionSummarySchema = sessionInfoSchema.extend({
  framing: framingSchema,
  /** How incoming bytes are cut and outgoing ones wrapped (the composer shows the outgoing one); each is `framing` unless set apart (absent: `framing`). */
  framingIn: framingSchema.optional(),
  framingOut: framingSchema.optional(),
  encoding: z.enum(['utf8', 'gbk']),
  openedAt: z.number(),
  /** Messages the framing decoded from incoming bytes (with raw framing: incoming chunks). */
  messagesIn: z.number().int(),
  clients: z.array(serverClientSchema),
  repeating: z.boolean(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const logPageInputSchema = z
  .object({
    sessionId: z.string(),
    /** Entries older than this seq (scrolling back), or newer than `after` (catching up); the tail without either. */
    // a seq; 32-bit like every number a user can type (2^31 entries is 12 hours of a 50,000/s flood)
    before: z.number().int().min(0, 'before: a seq, 0 or more').max(2_147_483_647, 'before: a seq, at most 2147483647').optional(),
    after: z.number().int().min(0, 'after: a seq, 0 or more').max(2_147_483_647, 'after: a seq, at most 2147483647').optional(),
    limit: z
      .number()
      .int()
      .min(1, 'limit: at least 1 entry')
      .max(limits.senderLogPage, `limit: at most ${limits.senderLogPage.toLocaleString('en-US')} entries per page`)
      .default(1000),
  })
  .strict()
  .refine((v) => v.before === undefined || v.after === undefined, { message: 'before: give before or after, not both', path: ['before'] });

/** One page of a session's log with the session as it was when the page was read (same instant). */
export const logPageSchema = z.object({
  session: sessionSummarySchema,
  entries: z.array(senderEventSchema),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  /** Entries this session lost to the shared log budget (limits.senderLogBytes) or a clear. */
  dropped: z.number().int(),
});
export type LogPage = z.infer<typeof logPageSchema>;

/** A session's whole log as a file, built from the backend's full bytes (log-export.ts). */
export const logExportSchema = z.object({
  name: z.string(),
  mime: z.string(),
  /** The file: text as it is, or base64 when `base64` (pcap). */
  data: z.string(),
  base64: z.boolean(),
});

export const sendInputSchema = z.object({
  sessionId: z.string(),
  payload: payloadSpecSchema,
  /** UDP: where to send (the session's remote by default). */
  host: host.optional(),
  port: port.optional(),
  /** TCP server: one client (its "ip:port"), or every client when absent. */
  clientPeer: z.string().max(64).optional(),
});

/**
 * A file on the host's disk sent as one message of the session's outgoing framing (header-json:
 * `header`'s fields beside the computed size key, then the file), streamed in constant memory;
 * progress is logged as SENDER_FILE_PROGRESS notices, the end as SENDER_FILE_SENT (or
 * SENDER_FILE_CUT with the bytes actually written when the peer closed or reset mid-file).
 */
export const sendFileInputSchema = z
  .object({
    sessionId: z.string(),
    path: z.string().trim().min(1, 'file: type the path of a file on the host').max(4096, 'file: at most 4096 characters'),
    header: payloadSpecSchema.shape.header,
    /** TCP server: the client to send to (its "ip:port"); needed when more than one is connected. */
    clientPeer: z.string().max(64).optional(),
  })
  .strict();

/**
 * What a file send did: `bytes` on the wire (framing included), the body's `sent` of `size`,
 * and whether all of it went; `reason` (a socket error's code, or `closed`) when the peer ended it.
 */
export const sendFileOutputSchema = z.object({
  bytes: z.number(),
  size: z.number(),
  sent: z.number(),
  complete: z.boolean(),
  reason: z.string().optional(),
});

export const repeatInputSchema = sendInputSchema.extend({
  intervalMs: z.number().int().min(1, 'intervalMs: at least 1 ms').max(3_600_000, 'intervalMs: at most one hour'),
  /** 0 repeats until stopped. */
  count: z.number().int().min(0).max(100_000_000),
});

export const udpOptionsSchema = z.object({
  sessionId: z.string(),
  /** SO_BROADCAST: without it, sending to a broadcast address fails with EACCES. */
  broadcast: z.boolean().optional(),
  multicastTtl: z.number().int().min(0, 'multicastTtl: 0–255').max(255, 'multicastTtl: 0–255').optional(),
  multicastLoopback: z.boolean().optional(),
  /** The local address multicast leaves from (127.0.0.1 keeps it on this machine). */
  multicastInterface: z.string().max(64).optional(),
  join: z.object({ group: z.string().max(64), iface: z.string().max(64).optional() }).optional(),
  leave: z.object({ group: z.string().max(64), iface: z.string().max(64).optional() }).optional(),
});
export const udpStateSchema = z.object({ broadcast: z.boolean(), groups: z.array(z.string()) });

export const generatorStartSchema = z.object({
  proto: z.enum(['udp', 'tcp']),
  host,
  port: port.min(1, 'port: 1–65535'),
  count: z.number().int().min(1, 'count: at least 1 packet').max(100_000_000, 'count: at most 100,000,000'),
  size: z
    .number()
    .int()
    .min(1, 'size: at least 1 byte')
    .max(1024 * 1024, 'size: at most 1 MiB'),
  /** Packets per second; 0 = as fast as possible. */
  rate: z.number().int().min(0).max(1_000_000, 'rate: at most 1,000,000 packets/s'),
  /** Send a saved packet (its payload, framed as saved) instead of `size` bytes of filler. */
  packetId: z.string().max(64).optional(),
});

export const generatorReportSchema = z.object({
  proto: z.enum(['udp', 'tcp']),
  path: z.enum(['sendmmsg', 'dgram', 'tcp']),
  sent: z.number().int(),
  bytes: z.number(),
  seconds: z.number(),
  pps: z.number(),
  gbps: z.number(),
});

/** Progress of one generator run; `received`/`lost` are known when the target is one of Wirelab's own servers. */
export const generatorProgressSchema = z.object({
  id: z.string(),
  state: z.enum(['running', 'done', 'stopped', 'error']),
  report: generatorReportSchema.nullable(),
  target: z.string(),
  received: z.number().nullable(),
  lost: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type GeneratorProgress = z.infer<typeof generatorProgressSchema>;
