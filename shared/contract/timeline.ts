import { z } from 'zod';
import { wirelabErrorSchema } from './errors.ts';
import { base64Length, limitedString, limits } from './limits.ts';
import { linkArrivalsSchema, linkLossSchema, tcpInfoSampleSchema } from './link.ts';

/**
 * The handshake timeline's part of the contract. Packets travel decoded down to the TCP header
 * (plus the frame's bytes for the hex view); the renderer groups them into connections and
 * derives the diagram with the same shared code the CLI uses (shared/timeline).
 */

export const timelinePacketSchema = z.object({
  frame: z.number().int(),
  tsSec: z.number(),
  tsNs: z.number().int(),
  family: z.union([z.literal(4), z.literal(6)]),
  src: z.string(),
  dst: z.string(),
  srcPort: z.number().int(),
  dstPort: z.number().int(),
  seq: z.number().int(),
  ack: z.number().int(),
  flags: z.number().int(),
  win: z.number().int(),
  len: z.number().int(),
  tcpOffset: z.number().int(),
  tcpHeaderLen: z.number().int(),
  /** The captured frame as hex: all headers and the first 512 bytes of data (`origLen` says how long it was). */
  hex: z.string(),
  origLen: z.number().int(),
});
export type TimelinePacket = z.infer<typeof timelinePacketSchema>;

export const captureStatusSchema = z.object({
  available: z.boolean(),
  /** Why capture is off (CAPTURE_UNAVAILABLE, CAPTURE_NOT_PERMITTED, CAPTURE_FAILED); null when it works. */
  code: z.enum(['CAPTURE_UNAVAILABLE', 'CAPTURE_NOT_PERMITTED', 'CAPTURE_FAILED']).nullable(),
  tool: z.string().nullable(),
  reason: z.string().nullable(),
  howTo: z.string().nullable(),
});
export type CaptureStatus = z.infer<typeof captureStatusSchema>;

/** A socket event of Wirelab's own client or server, drawn as a marker on its side. */
export const timelineMarkerSchema = z.object({
  tsSec: z.number(),
  tsNs: z.number().int(),
  /** The connection's client endpoint "ip:port", which names the stream it belongs to. */
  client: z.string().nullable(),
  side: z.enum(['client', 'server']),
  event: z.enum(['listen', 'connect', 'accept', 'send', 'receive', 'end', 'close', 'error']),
  /** What happened, as a code of shared/contract/codes.ts's markerCodes, and its params. */
  code: z.string(),
  params: wirelabErrorSchema.shape.params,
  /** The same in English, for the CLI and logs; the UI words `code`. */
  detail: z.string(),
});
export type TimelineMarker = z.infer<typeof timelineMarkerSchema>;

/** A state read from the kernel's socket table (/proc/net/tcp), confirming the long states. */
export const kernelStateSchema = z.object({
  tsSec: z.number(),
  tsNs: z.number().int(),
  client: z.string(),
  side: z.enum(['client', 'server']),
  state: z.string(),
  /** Seconds left on the socket's timer (TIME_WAIT's countdown), when the kernel shows one. */
  timerSec: z.number().nullable(),
});
export type KernelState = z.infer<typeof kernelStateSchema>;

export const experimentKindSchema = z.enum(['normal', 'refused', 'half-close', 'server-first', 'reset', 'zero-window', 'keep-alive']);
export type ExperimentKind = z.infer<typeof experimentKindSchema>;

export const timelineStatusSchema = z.object({
  phase: z.enum(['starting', 'capturing', 'done', 'error']),
  /** Shown beside the status; for `error`, what failed (in English: the UI words `code`). */
  message: z.string().nullable(),
  /** For `error`: the failure's code (shared/contract/codes.ts) and params. */
  code: z.string().optional(),
  params: wirelabErrorSchema.shape.params,
  /** Whether packets are being captured, or only sockets and kernel states watched (and why). */
  capture: captureStatusSchema.nullable(),
});
export type TimelineStatus = z.infer<typeof timelineStatusSchema>;

/** RFC 9293's state names, as shared/timeline/tcp-state-machine.ts's TcpState. */
const tcpStates = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RCVD',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;

/** One end's state changes, `t` in seconds since the connection's first segment in the client's capture. */
export const serverLaneSchema = z.object({
  client: z.string(),
  server: z.string(),
  states: z.array(z.object({ t: z.number(), state: z.enum(tcpStates) })),
});
export type ServerLane = z.infer<typeof serverLaneSchema>;

export const timelineEventSchema = z.object({
  timelineId: z.string(),
  packets: z.array(timelinePacketSchema),
  markers: z.array(timelineMarkerSchema),
  kernel: z.array(kernelStateSchema),
  status: timelineStatusSchema.nullable(),
  /** The sender socket's TCP_INFO samples, on an emulated-link experiment (shared/contract/link.ts). */
  tcpInfo: z.array(tcpInfoSampleSchema).optional(),
  /** On an emulated-link experiment: where this event's packets arrived, one entry each, in order (the two ends' captures joined). */
  arrivals: linkArrivalsSchema.optional(),
  /** On an emulated-link experiment's last event: how much each end sent and the link lost. */
  linkLoss: linkLossSchema.optional(),
  /**
   * On an emulated-link experiment: each connection's server lane from the server's own capture
   * (shared/timeline/end-lanes.ts), which the diagram draws instead of inferring it from the client's.
   */
  serverLanes: z.array(serverLaneSchema).optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const streamSummarySchema = z.object({
  index: z.number().int(),
  client: z.string(),
  server: z.string(),
  guessed: z.boolean(),
  packets: z.number().int(),
  bytes: z.number().int(),
  firstFrame: z.number().int(),
  durationSec: z.number(),
  hasSyn: z.boolean(),
  hasFin: z.boolean(),
  hasRst: z.boolean(),
});

/** The largest index or id an int32 holds: no capture has more conversations than that. */
const maxInt32 = 2 ** 31 - 1;

const ip = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F:.]+$/, 'host: an IP address (the capture filter takes addresses, not names)')
  .max(45);

export const timelineCommands = {
  /** Whether live capture works here and, if not, what is missing and how to grant it. */
  'timeline.capabilities': { input: z.object({}).strict(), output: z.object({ capture: captureStatusSchema, kernelStates: z.boolean() }) },
  /** Runs one experiment between Wirelab's own client and server on loopback; events arrive on `timeline.event`. */
  'timeline.experiment': { input: z.object({ kind: experimentKindSchema }).strict(), output: z.object({ timelineId: z.string() }) },
  /** Captures every connection to or from a port (a packet-sender session's, say) until stopped. */
  'timeline.watch': {
    input: z
      .object({
        host: ip.optional(),
        port: z.number().int('port: a whole number').min(1, 'port: 1–65535').max(65535, 'port: 1–65535'),
        /** A packet-sender session whose socket events are drawn as markers. */
        sessionId: z.string().max(64).optional(),
      })
      .strict(),
    output: z.object({ timelineId: z.string() }),
  },
  'timeline.stop': { input: z.object({ timelineId: z.string() }).strict(), output: z.object({ stopped: z.boolean() }) },
  /** Reads a .pcap / .pcapng the user opened (base64); lists its TCP conversations. */
  'timeline.import': {
    input: z
      .object({ name: z.string().max(255), base64: limitedString('captureImportBytes', 'file', 'per capture file', base64Length(limits.captureImportBytes)) })
      .strict(),
    output: z.object({
      timelineId: z.string(),
      format: z.string().nullable(),
      frames: z.number().int(),
      tcpPackets: z.number().int(),
      streams: z.array(streamSummarySchema),
      /** Where reading stopped, for a truncated or corrupt file (everything before it is kept). */
      problem: z
        .object({ offset: z.number().int(), framesRead: z.number().int(), message: z.string(), code: z.string(), params: wirelabErrorSchema.shape.params })
        .nullable(),
    }),
  },
  /** The packets of one conversation of an imported file (at most 20,000: `truncated` says if more). */
  'timeline.stream': {
    input: z
      .object({ timelineId: z.string(), index: z.number().int('index: a whole number').min(0, 'index: 0 or more').max(maxInt32, 'index: at most 2147483647') })
      .strict(),
    output: z.object({ packets: z.array(timelinePacketSchema), truncated: z.boolean() }),
  },
} as const;
