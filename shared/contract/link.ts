import { z } from 'zod';
import { limitMessage, limits } from './limits.ts';

/**
 * The emulated link's part of the contract (issue 16): Wirelab's own client and server in two
 * private network namespaces joined through a third that plays the router (rate, queue, loss),
 * captured in both ends' namespaces. One schema checks the settings for the GUI, the CLI (after
 * shared/timeline/link-spec.ts has read `--link "rate=2mbit,loss=5%"`) and the host.
 */

/** The lessons: each sets its own defaults (shared/timeline/link-experiments.ts) that settings override. */
export const linkExperimentSchema = z.enum(['lossy', 'slow', 'lost-syn', 'lost-ack', 'slow-reader']);
export type LinkExperiment = z.infer<typeof linkExperimentSchema>;

/**
 * Each message starts with the contract's field name, as every other schema's does (the GUI
 * marks that field); the CLI puts its own key (`rate`, `loss`…) in its place (link-spec.ts).
 */
const percent = (field: string) =>
  z
    .number(`${field}: a percentage`)
    .min(0, `${field}: 0–50 % (more than half lost is no longer a link TCP can use)`)
    .max(50, `${field}: 0–50 % (more than half lost is no longer a link TCP can use)`);
const ms = (field: string) => z.number(`${field}: milliseconds`).min(0, `${field}: 0–5000 ms`).max(5000, `${field}: 0–5000 ms`);

export const linkSettingsSchema = z
  .object({
    experiment: linkExperimentSchema,
    /** The bottleneck's rate in kbit/s (tc tbf on the router, both ways); 0: no limit (as fast as veth goes). */
    rateKbit: z
      .number('rateKbit: a bit rate in kbit/s such as 2000')
      .int('rateKbit: whole kbit/s')
      .min(0, 'rateKbit: 0 (no limit) or 8kbit–1gbit')
      .max(1_000_000, 'rateKbit: 0 (no limit) or 8kbit–1gbit')
      .refine((n) => n === 0 || n >= 8, 'rateKbit: 0 (no limit) or 8kbit–1gbit'),
    /** The router's queue in bytes (tbf limit): what waits before the bottleneck; only with a rate. */
    queueBytes: z
      .number('queueBytes: a size in bytes such as 64kb')
      .int('queueBytes: whole bytes')
      .min(3000, 'queueBytes: 3kb–16mb (at least two full-size packets)')
      .max(16 * 1024 * 1024, 'queueBytes: 3kb–16mb (at least two full-size packets)'),
    /** Share of the client → server packets the router drops (nftables numgen). */
    lossPercent: percent('lossPercent'),
    /** Share of the server → client packets (ACKs, in a bulk transfer) the router drops. */
    reverseLossPercent: percent('reverseLossPercent'),
    /** One-way delay and its jitter: sch_netem on the router, where the kernel has it. */
    delayMs: ms('delayMs'),
    jitterMs: ms('jitterMs'),
    /** What the client sends (the server sends one line back in lost-ack). */
    transferBytes: z
      .number('transferBytes: a size such as 4MiB')
      .int('transferBytes: whole bytes')
      .min(1, 'transferBytes: at least 1 byte')
      .max(limits.linkTransferBytes, limitMessage('linkTransferBytes', 'transferBytes', 'per experiment')),
  })
  .strict()
  .refine((s) => s.jitterMs === 0 || s.delayMs > 0, { message: 'jitterMs: needs a delay to vary', path: ['jitterMs'] });
export type LinkSettings = z.infer<typeof linkSettingsSchema>;

/**
 * One TCP_INFO sample of the sender's socket (getsockopt(TCP_INFO), linux/tcp.h), on the
 * capture's clock: `t` is seconds since the capture's first packet in the CLI document, and
 * Unix seconds + ns on the wire (like packets).
 */
export const tcpInfoSampleSchema = z.object({
  tsSec: z.number(),
  tsNs: z.number().int(),
  /** Congestion window, in segments. */
  cwnd: z.number().int(),
  /** Slow-start threshold in segments; null while it is still "infinite" (slow start never left). */
  ssthresh: z.number().int().nullable(),
  /** Smoothed RTT and its variation, ms (tcpi_rtt, tcpi_rttvar are µs). */
  rttMs: z.number(),
  rttvarMs: z.number(),
  /** Segments retransmitted so far on this connection (tcpi_total_retrans). */
  retrans: z.number().int(),
  /** The kernel's delivery rate estimate, bytes per second (tcpi_delivery_rate). */
  deliveryRate: z.number(),
  /** Bytes in flight the kernel counts unacknowledged (tcpi_unacked × mss). */
  unacked: z.number().int(),
  /** The RTO in ms and its backoff exponent: the doubling after each timeout (RFC 6298 §5.5). */
  rtoMs: z.number(),
  backoff: z.number().int(),
  caState: z.enum(['open', 'disorder', 'cwr', 'recovery', 'loss']),
});
export type TcpInfoSample = z.infer<typeof tcpInfoSampleSchema>;

/**
 * An emulated link captured at both ends, joined (shared/timeline/link-join.ts): for each packet
 * of the client's capture that an event carries, by frame number, whether it reached the other
 * end (null: unknown — a tcpdump dropped packets, so a segment missing at the far end may never
 * have been captured there) and how long that took (null: lost, unknown, or no copy to time it by).
 * Three columns of one row each: a reader indexes them together, so their lengths must agree.
 */
export const linkArrivalsSchema = z
  .object({
    frame: z.array(z.number().int()),
    arrived: z.array(z.boolean().nullable()),
    oneWayMs: z.array(z.number().nullable()),
  })
  .superRefine((a, ctx) => {
    for (const field of ['arrived', 'oneWayMs'] as const)
      if (a[field].length !== a.frame.length)
        ctx.addIssue({ code: 'custom', path: [field], message: `${field}: one entry per frame (${a.frame.length}), not ${a[field].length}` });
  });
export type LinkArrivals = z.infer<typeof linkArrivalsSchema>;

/** What each end sent and how much of it the link lost: the client's (`sent`, `lost`) and the server's (`reverse…`). */
export const linkLossSchema = z.object({
  sent: z.number().int(),
  lost: z.number().int(),
  lostPercent: z.number(),
  reverseSent: z.number().int(),
  reverseLost: z.number().int(),
  reverseLostPercent: z.number(),
});
export type LinkLoss = z.infer<typeof linkLossSchema>;

/** Whether emulated links work here; when not, the code says what forbids them and how to change it. */
export const linkStatusSchema = z.object({
  available: z.boolean(),
  /** LINK_NAMESPACES_FORBIDDEN, LINK_TOOL_MISSING, LINK_UNSUPPORTED_OS; null when it works. */
  code: z.string().nullable(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** The same in English, for the CLI. */
  reason: z.string().nullable(),
  /** Whether delay and jitter can be had; when not, LINK_DELAY_UNAVAILABLE words why. */
  delay: z.boolean(),
  /** How: the kernel's sch_netem, or Wirelab's user-space delay line over TUN devices (python3). */
  delayBy: z.enum(['netem', 'tun']).nullable(),
});
export type LinkStatus = z.infer<typeof linkStatusSchema>;

export const linkCommands = {
  /** Whether emulated-link experiments run here (namespaces, tc, nft, tcpdump) and whether delay does. */
  'timeline.linkCapabilities': { input: z.object({}).strict(), output: linkStatusSchema },
  /** Runs one emulated-link experiment; packets, markers and TCP_INFO samples arrive on `timeline.event`. */
  'timeline.link': { input: linkSettingsSchema, output: z.object({ timelineId: z.string() }) },
} as const;
