import { WirelabError } from '../contract/errors.ts';
import { linkExperimentSchema, linkSettingsSchema, type LinkExperiment, type LinkSettings } from '../contract/link.ts';

/**
 * The CLI's link settings, `--link "rate=2mbit,queue=64kb,loss=5%,experiment=slow"` and
 * `--transfer 4MiB`, read into the contract's LinkSettings: each experiment's defaults first,
 * then what the user wrote, then the contract's schema (the one validation source). Units are
 * tc's (tc(8): kbit, mbit, gbit are powers of 1000; kb, mb of 1024, as tc reads them).
 */

/** Each lesson's link (and its one-line lesson, in the renderer's `tl.link.lesson.*`). */
export const linkExperimentDefaults: Record<LinkExperiment, Omit<LinkSettings, 'experiment'>> = {
  // A bulk transfer over a 10 Mbit/s link losing 5 % of the data: retransmissions, fast
  // retransmit after three duplicate ACKs, SACK blocks; a lost tail waits for the RTO.
  lossy: { rateKbit: 10_000, queueBytes: 100_000, lossPercent: 5, reverseLossPercent: 0, delayMs: 0, jitterMs: 0, transferBytes: 512 * 1024 },
  // 2 Mbit/s with a deep queue: slow start fills the queue, the RTT grows with it (bufferbloat).
  slow: { rateKbit: 2_000, queueBytes: 150_000, lossPercent: 0, reverseLossPercent: 0, delayMs: 0, jitterMs: 0, transferBytes: 512 * 1024 },
  // The first SYN is dropped by a rule matching only it: the client sends it again after the initial RTO.
  'lost-syn': { rateKbit: 0, queueBytes: 100_000, lossPercent: 0, reverseLossPercent: 0, delayMs: 0, jitterMs: 0, transferBytes: 1024 },
  // The handshake's final ACK is dropped: the server, still in SYN_RECV, sends its SYN+ACK again.
  'lost-ack': { rateKbit: 0, queueBytes: 100_000, lossPercent: 0, reverseLossPercent: 0, delayMs: 0, jitterMs: 0, transferBytes: 1024 },
  // A fast link and a reader that sleeps between small reads: the window closes and opens.
  'slow-reader': { rateKbit: 0, queueBytes: 100_000, lossPercent: 0, reverseLossPercent: 0, delayMs: 0, jitterMs: 0, transferBytes: 256 * 1024 },
};

/** The contract's field → the CLI's key, for messages: the user wrote `rate=`, not `rateKbit`. */
export const linkSpecKeys: Record<string, string> = {
  experiment: 'experiment',
  rateKbit: 'rate',
  queueBytes: 'queue',
  lossPercent: 'loss',
  reverseLossPercent: 'reverse-loss',
  delayMs: 'delay',
  jitterMs: 'jitter',
  transferBytes: 'transfer',
};

/** A mistake in what was typed: the message names the key typed, `field` the contract's field (the GUI marks it). */
const fail = (key: string, rule: string, value: string): never => {
  const field = Object.keys(linkSpecKeys).find((f) => linkSpecKeys[f] === key) ?? key;
  throw new WirelabError('INVALID_INPUT', `${key}: ${rule} (got "${value}")`, field);
};

/** tc's rates: bit, kbit, mbit, gbit (×1000), also with "/s" or "bps" for bytes per second. Returns kbit/s. */
export function parseRate(text: string, field = 'rate'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)?(?:\/s)?$/i.exec(text.trim());
  if (!m) return fail(field, 'a bit rate such as 500kbit, 2mbit or 1gbit', text);
  const unit = (m[2] ?? 'bit').toLowerCase();
  const bits = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 }[unit]!;
  return Math.round((Number(m[1]) * bits) / 1000);
}

/** A size: b, kb/k/kib, mb/m/mib, gb/gib (×1024, as tc and most tools read them). Returns bytes. */
export function parseSize(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!m) return fail(field, 'a size such as 64kb, 4MiB or 1500 (bytes)', text);
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const n = Number(m[1]) * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit] ?? 1);
  if (!Number.isInteger(n)) return fail(field, 'whole bytes', text);
  return n;
}

function parsePercent(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
  if (!m) return fail(field, 'a percentage such as 5%', text);
  return Number(m[1]);
}

function parseMs(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s)?$/i.exec(text.trim());
  if (!m) return fail(field, 'a time such as 50ms or 0.2s', text);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[(m[2] ?? 'ms').toLowerCase() as 'us' | 'ms' | 's'];
}

const keys = ['experiment', 'rate', 'queue', 'loss', 'reverse-loss', 'delay', 'jitter'] as const;

/**
 * `rate=2mbit,loss=5%` → LinkSettings. Without `experiment=`, a link that loses packets runs the
 * lossy lesson and any other the slow one. `rate=none` lifts the limit. The result has passed
 * linkSettingsSchema; its errors name the field (`rate`, `queue`…) and the rule.
 */
export function parseLinkSpec(text: string, transfer?: string): LinkSettings {
  const given = new Map<string, string>();
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) fail('link', 'key=value pairs separated by commas, such as rate=2mbit,loss=5%', part.trim());
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!(keys as readonly string[]).includes(key)) fail('link', `one of ${keys.join(', ')}`, key);
    if (given.has(key)) fail(key, 'given once', part.trim());
    given.set(key, part.slice(eq + 1).trim());
  }
  let experiment: LinkExperiment;
  const named = given.get('experiment');
  if (named !== undefined) {
    const r = linkExperimentSchema.safeParse(named);
    if (!r.success) return fail('experiment', `one of ${linkExperimentSchema.options.join(', ')}`, named);
    experiment = r.data;
  } else experiment = given.has('loss') || given.has('reverse-loss') ? 'lossy' : 'slow';
  const s: LinkSettings = { experiment, ...linkExperimentDefaults[experiment] };
  const rate = given.get('rate');
  if (rate !== undefined) s.rateKbit = /^(none|off|unlimited|0)$/i.test(rate) ? 0 : parseRate(rate);
  const queue = given.get('queue');
  if (queue !== undefined) s.queueBytes = parseSize(queue, 'queue');
  const loss = given.get('loss');
  if (loss !== undefined) s.lossPercent = parsePercent(loss, 'loss');
  const back = given.get('reverse-loss');
  if (back !== undefined) s.reverseLossPercent = parsePercent(back, 'reverse-loss');
  const delay = given.get('delay');
  if (delay !== undefined) s.delayMs = parseMs(delay, 'delay');
  const jitter = given.get('jitter');
  if (jitter !== undefined) s.jitterMs = parseMs(jitter, 'jitter');
  if (transfer !== undefined) s.transferBytes = parseSize(transfer, 'transfer');
  return checkLinkSettings(s);
}

/** The contract's schema; its first issue as INVALID_INPUT naming the field (the contract's), its message in the CLI's words. */
export function checkLinkSettings(s: unknown): LinkSettings {
  const r = linkSettingsSchema.safeParse(s);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0] ?? 'link');
  const key = linkSpecKeys[field] ?? field;
  // Every message of the schema starts with its field's name: swap that name for the key typed.
  const message = issue.message.startsWith(`${field}: `) ? `${key}: ${issue.message.slice(field.length + 2)}` : issue.message;
  throw new WirelabError('INVALID_INPUT', message, field);
}

/** The settings as the CLI and the panel print them: "rate=2mbit queue=150000b loss=5%". */
export function linkSpecText(s: LinkSettings): string {
  const parts = [`experiment=${s.experiment}`];
  parts.push(s.rateKbit === 0 ? 'rate=none' : s.rateKbit % 1000 === 0 ? `rate=${s.rateKbit / 1000}mbit` : `rate=${s.rateKbit}kbit`);
  if (s.rateKbit !== 0) parts.push(`queue=${s.queueBytes}b`);
  if (s.lossPercent) parts.push(`loss=${s.lossPercent}%`);
  if (s.reverseLossPercent) parts.push(`reverse-loss=${s.reverseLossPercent}%`);
  if (s.delayMs) parts.push(`delay=${s.delayMs}ms`);
  if (s.jitterMs) parts.push(`jitter=${s.jitterMs}ms`);
  return parts.join(',');
}
