/**
 * Every code the backend can put on the contract — an error's, a notice's, a timeline marker's
 * or status's — with the params it carries. The backend also sends an English `message` (the
 * CLI prints it, the log keeps it); the renderer words the code from its catalogs instead
 * (`renderer/src/i18n/error-text.ts`), and a unit test fails when a catalog lacks a code listed
 * here. Adding a code: list it here, give it `code.<CODE>` in en.ts and zh-CN.ts.
 */
export interface CodeSpec {
  /** The params the wording needs; every one of them is sent with the code. */
  readonly params: readonly string[];
  /** The param whose number picks the plural form ("1 byte", "2 bytes": Intl.PluralRules). */
  readonly count?: string;
  /** A param whose value is itself a code of this registry, worded with the same params. */
  readonly nested?: string;
}

const spec = <T extends Record<string, CodeSpec>>(codes: T): T => codes;

/** Why live capture is off (CaptureStatus.code; its `tool` field names the program). */
export const captureCodes = spec({
  CAPTURE_UNAVAILABLE: { params: [] },
  CAPTURE_NOT_PERMITTED: { params: ['tool'] },
  CAPTURE_FAILED: { params: ['tool'] },
});

/** Where a capture file stopped reading (shared/timeline/pcap-reader.ts's ReadProblem.code). */
export const readProblemCodes = spec({
  CAPTURE_FILE_EMPTY: { params: [] },
  CAPTURE_FILE_SHORT: { params: ['bytes'], count: 'bytes' },
  CAPTURE_FILE_TRUNCATED_RECORD: { params: ['bytes'], count: 'bytes' },
  CAPTURE_FILE_TRUNCATED_BLOCK: { params: ['bytes'], count: 'bytes' },
  CAPTURE_FILE_NOT_CAPTURE: { params: ['magic'] },
  CAPTURE_FILE_CORRUPT: { params: [] },
});

/** The experiments' and a watched session's socket events (TimelineMarker.code). */
export const markerCodes = spec({
  MARK_LISTENING: { params: ['address'] },
  MARK_ACCEPTED: { params: ['peer'] },
  MARK_CONNECTED: { params: [] },
  MARK_CONNECTED_AFTER: { params: ['ms'] },
  MARK_SENT_TEXT: { params: ['bytes', 'text'], count: 'bytes' },
  MARK_BYTES: { params: ['bytes'], count: 'bytes' },
  MARK_FIN_FROM_CLIENT: { params: [] },
  MARK_FIN_FROM_SERVER: { params: [] },
  MARK_SHUT_WR: { params: [] },
  MARK_CLOSED: { params: [] },
  MARK_RST_ABORT: { params: [] },
  MARK_NOT_READING: { params: ['seconds'] },
  MARK_READING_AGAIN: { params: [] },
  MARK_READ_AFTER_RESUME: { params: ['bytes'], count: 'bytes' },
  MARK_WRITE_BLOCKED: { params: ['bytes'], count: 'bytes' },
  MARK_WRITTEN_ALL: { params: ['bytes'], count: 'bytes' },
  MARK_KEEPALIVE_ON: { params: ['seconds'] },
  MARK_CONNECTION_REFUSED: { params: ['address'] },
  MARK_SOCKET_ERROR: { params: ['errno'] },
});

/** The timeline service's refusals and a live timeline's failure (TimelineStatus.code). */
export const timelineCodes = spec({
  NOT_A_CAPTURE: { params: ['name', 'problem'], nested: 'problem' },
  NO_SUCH_TIMELINE: { params: [] },
  NOT_A_CAPTURE_NAME: { params: ['name'] },
  EXPERIMENT_FAILED: { params: ['reason'] },
  NOT_AN_ENDPOINT: { params: ['text'] },
});

/** The process monitor's refusals. */
export const processCodes = spec({
  SIGNAL_REFUSED_INIT: { params: ['pid'] },
  SIGNAL_REFUSED_SELF: { params: ['pid'] },
  EPERM: { params: ['pid', 'signal'] },
  ESRCH: { params: ['pid'] },
  SIGNAL_FAILED: { params: ['pid', 'signal', 'errno'] },
  /** Windows (shared/processes/win32-parse.ts): there are no signals, only these actions. */
  ACCESS_DENIED: { params: ['pid', 'action'] },
  WIN32_ERROR: { params: ['pid', 'action', 'error'] },
  PROCESSES_UNSUPPORTED: { params: ['platform'] },
  /** The labs (electron/services/processes/labs.ts); the service adds {kind}. */
  UNSUPPORTED: { params: [] },
  LAB_FAILED: { params: ['kind'] },
  NO_PYTHON: { params: [] },
});

/** Things the user is told that were no reply to a request (`app.notice`), and data-file errors. */
export const noticeCodes = spec({
  SETTINGS_CORRUPT: { params: ['path'] },
  PACKETS_CORRUPT: { params: ['path'] },
  DATA_FILE_UNREADABLE: { params: ['path', 'reason'] },
  DATA_FILE_UNWRITABLE: { params: ['path', 'reason'] },
});

/**
 * The codes the renderer words from `code.<CODE>` catalog entries. LIMIT_EXCEEDED is worded per
 * limit (`limit.<name>`, {max}) and has its own catalog test.
 */
export const catalogCodes = { ...captureCodes, ...readProblemCodes, ...markerCodes, ...timelineCodes, ...processCodes, ...noticeCodes };
export type CatalogCode = keyof typeof catalogCodes;

/** The contract machinery's own codes; the renderer shows their English message as it is for now. */
export const contractCodes = spec({
  INVALID_INPUT: { params: ['field'] },
  UNKNOWN_COMMAND: { params: [] },
  UNKNOWN_STREAM: { params: [] },
  INTERNAL: { params: [] },
  DISCONNECTED: { params: [] },
  FORBIDDEN: { params: [] },
  LIMIT_EXCEEDED: { params: ['limit', 'max'] },
});

/**
 * The packet sender's codes as they are today (errno codes passed through, framing problems,
 * missing sessions); its panel still words them from the English message. When it moves to
 * codes, give each its params and move the group into `catalogCodes`.
 */
export const senderCodes = spec({
  ECONNREFUSED: { params: [] },
  EADDRINUSE: { params: [] },
  EACCES: { params: [] },
  EPIPE: { params: [] },
  ETIMEDOUT: { params: [] },
  FRAME_TOO_LARGE: { params: [] },
  FRAME_TRUNCATED: { params: [] },
  NO_SUCH_SESSION: { params: [] },
  NO_SUCH_CLIENT: { params: [] },
  NO_CLIENTS: { params: [] },
  SESSION_CLOSED: { params: [] },
  NO_SUCH_PACKET: { params: [] },
  WORKER: { params: [] },
});

export const codes: Record<string, CodeSpec> = { ...contractCodes, ...senderCodes, ...catalogCodes };

export function isCatalogCode(code: unknown): code is CatalogCode {
  return typeof code === 'string' && Object.hasOwn(catalogCodes, code);
}
