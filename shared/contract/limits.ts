import { formatBytes } from '../format/bytes.ts';
import { z } from 'zod';

/**
 * One set of size limits for the whole app. The contract's schemas, the browser host's
 * WebSocket, Electron's IPC bridge, the packet library's file and the CLI all read these, so
 * whatever the contract accepts can also arrive over every transport and be saved and loaded
 * again. A request over a limit gets a typed error that names the limit (code LIMIT_EXCEEDED,
 * params {limit, max}) instead of a closed socket.
 */
const MiB = 1024 * 1024;

/**
 * The packet library as a document (its export, and its file less the final newline). Import
 * accepts exactly this much, so the library's own export always imports again.
 */
const packetLibraryChars = 16 * MiB;

export const limits = {
  /** One composer send (text, hex, escapes or a file as base64), in characters. */
  payloadChars: 16 * MiB,
  /** A packet-library document given to packets.import, in characters. */
  packetImportChars: packetLibraryChars,
  /** The packet library's export (= its file): save and import refuse what would make it longer. */
  packetLibraryChars,
  /** Packets in the library: the file's schema, save and import all hold to this one number. */
  packetLibraryPackets: 10_000,
  /** A capture file given to timeline.import, in bytes before base64. */
  captureImportBytes: 96 * MiB,
  /**
   * What the packet sender's logs of all sessions hold together in the backend (their full
   * bytes plus a fixed cost per entry, session-log.ts): past it the oldest entries of any
   * session go first, and are counted. 32 MiB keeps an export (hex doubles it, JSON adds the
   * text) well under the WebSocket's 129 MiB.
   */
  senderLogBytes: 32 * MiB,
  /** Entries in one page of `sender.log`. */
  senderLogPage: 10_000,
  /**
   * Preview bytes in one page of `sender.log` (each entry carries at most 4 KiB, as hex and
   * text): a page stops short of this, so a reload that reads 10,000 large chunks sends ~8 MiB
   * of previews rather than 100 MB of JSON in one message.
   */
  senderLogPageBytes: 8 * MiB,
  /**
   * Incoming messages one connection may have waiting while its responder is busy (a file
   * going out): past it a TCP connection stops being read (the peer's sends wait in the
   * kernel, TCP's own flow control), so nothing is dropped and memory stays bounded.
   */
  responderQueueBytes: 16 * MiB,
  /**
   * One body streamed to a save dir (header-json or a length prefix announcing more than the
   * 16 MiB in-memory frame cap): a header announcing more is refused (FRAME_TOO_LARGE) before a
   * byte is written, so a garbage size cannot fill the disk.
   */
  senderSaveBytes: 64 * 1024 * MiB,
  /** UDP peers a server keeps a responder for (a chat name, a challenge's progress); past it the longest-known goes. */
  udpResponderPeers: 1024,
  /** Concurrent connections of one load run (C10K: the lab's goal, and what its limits are raised for). */
  loadConnections: 10_000,
  /** One load request, in bytes (the echo is as long). */
  loadRequestBytes: 1 * MiB,
  /** A load run's duration, in ms (10 minutes). */
  loadDurationMs: 600_000,
  /**
   * CPU work a lab server does per request, in ms (the GIL lesson). A second per request is
   * already slow enough to see; more would only make runs time out.
   */
  loadWorkMs: 1000,
  /** A send→expect script's JSON text (shared/scripts/script.ts), in characters. */
  scriptChars: 1 * MiB,
  /** A response body the HTTP composer reads (larger ones are refused, HTTP_TOO_LARGE). */
  httpResponseBytes: 16 * MiB,
  /** Steps in one script (each runs `repeat` times). */
  scriptSteps: 1000,
  /**
   * What a script run's transcript keeps (shared/scripts/transcript.ts): every chunk sent and
   * received with its full bytes, plus the sender log's fixed cost per entry. Past it the
   * oldest chunks go first and are counted, as the sender's log does; 16 MiB keeps the run's
   * pcap export well under the WebSocket's 129 MiB.
   */
  scriptTranscriptBytes: 16 * MiB,
  /**
   * What one emulated-link experiment's client sends. 64 MiB over a 1 Mbit/s link would take
   * nine minutes; the experiment's own bound (shared/timeline/link-experiments.ts) ends it sooner.
   */
  linkTransferBytes: 64 * MiB,
  /**
   * The head of one HTTP request (request line, headers, or a chunked body's trailers) a Wirelab
   * HTTP server reads before answering 431: Node's own http server stops at the same 16 KiB.
   */
  httpHeaderBytes: 16 * 1024,
  /** Header lines in one HTTP request (Node's http server keeps 2,000; a static server needs far fewer). */
  httpHeaderCount: 100,
  /** One HTTP request body a Wirelab HTTP server holds to show in the log (Content-Length or chunked); past it, 413. */
  httpBodyBytes: 1 * MiB,
} as const;

export type LimitName = keyof typeof limits;

/** The base64 length of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Limits that count things (packets, entries, connections, milliseconds) rather than bytes. */
const countLimits: ReadonlySet<LimitName> = new Set([
  'packetLibraryPackets',
  'senderLogPage',
  'udpResponderPeers',
  'loadConnections',
  'loadDurationMs',
  'loadWorkMs',
  'httpHeaderCount',
  'scriptSteps',
]);

/**
 * "16 MiB", "96 MiB", "10,000": a limit as a reader reads it, sizes in MiB and counts with the
 * locale's separators. The backend's English messages and the renderer's words both use it, so
 * the two never disagree about what a limit is.
 */
export function formatLimit(name: LimitName, locale = 'en-US', max: number = limits[name]): string {
  if (countLimits.has(name)) return max.toLocaleString(locale);
  return max % MiB === 0 ? formatBytes(max) : max.toLocaleString(locale);
}

/** The params every LIMIT_EXCEEDED error carries, so the renderer can word it in any language. */
export interface LimitParams {
  limit: LimitName;
  max: number;
  [key: string]: string | number | boolean;
}

export function limitParams(name: LimitName): LimitParams {
  return { limit: name, max: limits[name] };
}

/**
 * Whether a zod issue is one of these limits: the schemas attach `limitParams` to the check
 * (zod keeps a refinement's `params` on its issue), so the dispatcher can answer
 * LIMIT_EXCEEDED instead of INVALID_INPUT without matching message text.
 */
export function limitOfIssue(issue: { code: string; params?: unknown }): LimitParams | null {
  if (issue.code !== 'custom' || typeof issue.params !== 'object' || issue.params === null) return null;
  const { limit } = issue.params as { limit?: unknown };
  return typeof limit === 'string' && Object.hasOwn(limits, limit) ? limitParams(limit as LimitName) : null;
}

/** The English message of a limit: names the field, the limit in words and the limit's name. */
export function limitMessage(name: LimitName, field: string, what: string): string {
  return `${field}: at most ${formatLimit(name)} ${what} (limit ${name})`;
}

/**
 * A string of at most `limits[name]` (or `maxLength`, for a limit counted in other units such as
 * base64 bytes). Over it, the issue carries the limit's params and the dispatcher answers
 * LIMIT_EXCEEDED.
 */
export function limitedString(name: LimitName, field: string, what: string, maxLength: number = limits[name]) {
  return z.string().refine((s) => s.length <= maxLength, { message: limitMessage(name, field, what), params: limitParams(name), abort: true });
}

/** An array of at most `limits[name]` items, with the same typed issue. */
export function limitedArray<T extends z.ZodType>(item: T, name: LimitName, field: string, what: string) {
  return z.array(item).refine((a) => a.length <= limits[name], { message: limitMessage(name, field, what), params: limitParams(name) });
}
