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
  /** Values of params.variant, each worded by its own `code.<CODE>.<variant>`. */
  readonly variants?: readonly string[];
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

/** Why an emulated-link experiment cannot run (shared/timeline/link-advice.ts, link-lab.ts). */
export const linkCodes = spec({
  /** {change} is a command (language-neutral): the sysctl to set, or how to start a container that allows unshare(2). */
  LINK_NAMESPACES_FORBIDDEN: { params: ['setting', 'value', 'change', 'error'] },
  LINK_TOOL_MISSING: { params: ['tool', 'package'] },
  LINK_UNSUPPORTED_OS: { params: ['platform'] },
  LINK_SETUP_FAILED: { params: ['step', 'error'] },
  LINK_DELAY_UNAVAILABLE: { params: [] },
  LINK_TCP_INFO_UNAVAILABLE: { params: ['reason'] },
  /** A tcpdump of the run dropped packets (at the client's end, the server's): no segment is called lost (link-join.ts). */
  LINK_CAPTURE_DROPPED: { params: ['dropped', 'client', 'server'], count: 'dropped' },
});

/** The process monitor's refusals. */
export const processCodes = spec({
  SIGNAL_REFUSED_INIT: { params: ['pid'] },
  /** Worded per host: the desktop app is quit from its window, the browser host (`wirelab serve`) from its terminal. */
  SIGNAL_REFUSED_SELF: { params: ['pid'], variants: ['electron', 'browser'] },
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
export const catalogCodes = { ...captureCodes, ...readProblemCodes, ...markerCodes, ...timelineCodes, ...linkCodes, ...processCodes, ...noticeCodes };
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

/*
 * The packet sender (SenderService, the generator, the forms and the CLI that share its checks).
 * Worded by renderer/src/i18n/sender-text.ts on top of error-text.ts's wording: a `field` param
 * is a field's name (`sender.field.<name>`), a socket error is "op: ERRNO — explanation",
 * `variant` picks `code.<CODE>.<variant>`, and `closing` adds "closing this connection".
 * renderer/src/i18n/sender-text.test.ts fails when a catalog lacks one of them.
 */

/** Mistakes in what the user typed (forms, CLI and dispatcher share these checks). */
export const senderInputCodes = spec({
  PORT_NOT_NUMBER: { params: ['field', 'value', 'min'] },
  PORT_RANGE: { params: ['field', 'value', 'min'] },
  HOST_EMPTY: { params: ['field'] },
  HOST_TOO_LONG: { params: ['field'] },
  HOST_LABEL: { params: ['field', 'label'] },
  /** An address the subnet maths refused; `rule` and its params are shared/subnet's (subnet-zh.ts words them). */
  IP_ADDRESS: { params: ['field', 'rule'] },
  HEX_DIGIT: { params: ['field', 'char', 'position'] },
  HEX_ODD: { params: ['field', 'count'] },
  ESCAPE_TRAILING: { params: ['field'] },
  ESCAPE_HEX: { params: ['field', 'text', 'position'] },
  ESCAPE_UNKNOWN: { params: ['field', 'text', 'position'] },
  BASE64_INVALID: { params: ['field'] },
  NUMBER_RANGE: { params: ['field', 'value', 'min', 'max'] },
  DELIMITER_LENGTH: { params: ['field'] },
  SIZE_KEY_EMPTY: { params: ['field'] },
  FILE_NOT_CHOSEN: { params: ['field'] },
  /** The HTTP composer's URL, method or a header line (shared/http/request.ts). */
  HTTP_URL: { params: ['field'] },
  HTTP_METHOD: { params: ['field'] },
  HTTP_HEADER: { params: ['field'] },
  /** `--challenge` / `--answer` / a script's `answer` step that is not `md5:KEY` or `hmac-sha256:KEY`. */
  CHALLENGE_SPEC: { params: ['field', 'algo'] },
  BIND_FORMAT: { params: ['field', 'value'] },
  HEADER_JSON: { params: ['field'] },
});

/** Socket errors by errno name; `op` says what was being done, `address` where. */
export const socketErrnoCodes = spec({
  ECONNREFUSED: { params: ['op', 'address'] },
  ETIMEDOUT: { params: ['op', 'address'] },
  ECONNRESET: { params: ['op', 'address'] },
  EHOSTUNREACH: { params: ['op', 'address'] },
  ENETUNREACH: { params: ['op', 'address'] },
  ENOTFOUND: { params: ['op', 'address'] },
  EAI_AGAIN: { params: ['op', 'address'] },
  EPIPE: { params: ['op', 'address'] },
  EADDRINUSE: { params: ['op', 'address'] },
  EACCES: { params: ['op', 'address'] },
  EADDRNOTAVAIL: { params: ['op', 'address'] },
  EMSGSIZE: { params: ['op', 'address'] },
  /** Any other errno (its name in `errno`). */
  SOCKET_ERROR: { params: ['op', 'address', 'errno'] },
});

/** What `op` can be in a socket error's params. */
export const socketOps = ['connect', 'listen', 'bind', 'send', 'connection', 'option'] as const;
export type SocketOp = (typeof socketOps)[number];

/** Framing problems (FrameDecoder.problem); `closing` is set when the connection is closed for it. */
export const framingCodes = spec({
  FRAME_TOO_LARGE: { params: ['max'], variants: ['delimiter', 'length', 'header'] },
  FRAME_BAD_LENGTH: { params: ['size'], variants: ['length', 'header'] },
  FRAME_BAD_HEADER: { params: [], variants: ['json', 'size-key'] },
  FRAME_BUDGET: { params: ['capacity'], variants: ['partial', 'announced'] },
  FRAME_TRUNCATED: { params: ['got', 'want'] },
});

/** The packet sender's log markers (its lifecycle, repeats, reply rules). */
export const senderMarkerCodes = spec({
  SENDER_CONNECTED: { params: ['local', 'ms'] },
  SENDER_PEER_FIN: { params: [] },
  SENDER_CLOSED: { params: [] },
  SENDER_CLOSED_TO_RECONNECT: { params: [] },
  SENDER_SENT_FIN: { params: [] },
  REPEAT_DONE: { params: ['count'], count: 'count' },
  REPEAT_STOPPED: { params: ['count'], count: 'count' },
  /** A repeat ended by a failing send; `error` is that send's code (worded with the same params). */
  REPEAT_FAILED: { params: ['count', 'error'], count: 'count' },
  RULE_TIMEOUT: { params: ['rule', 'ms', 'limit'] },
  /** Where the page's view of a log has a hole: `n` entries the stream dropped that the backend no longer held when the page asked again. */
  SENDER_LOG_GONE: { params: ['n'], count: 'n' },
});

/** The sender service's refusals and the traffic generator's failure. */
export const serviceCodes = spec({
  NO_SUCH_SESSION: { params: [] },
  SESSION_CLOSED: { params: [] },
  NO_CLIENTS: { params: [] },
  NO_SUCH_CLIENT: { params: ['peer'] },
  SEND_AFTER_FIN: { params: [] },
  UDP_NEEDS_DESTINATION: { params: [] },
  UDP_FAMILY: { params: ['bound', 'host'] },
  NOT_MULTICAST: { params: ['group'] },
  RULES_EMPTY: { params: [] },
  NO_SUCH_PACKET: { params: [] },
  /** The traffic generator's worker thread failed (its English message says how). */
  WORKER: { params: [] },
});

/**
 * A send→expect script's failed step (electron/services/scripts/script-runner.ts); `field` is
 * the step's action as the script names it, `steps[3].expect`.
 */
export const scriptCodes = spec({
  SCRIPT_TIMEOUT: { params: ['field'] },
  SCRIPT_MISMATCH: { params: ['field'] },
  SCRIPT_PEER_CLOSED: { params: ['field'] },
  SCRIPT_STOPPED: { params: ['field'] },
  SCRIPT_SAVE_DIR: { params: ['field'] },
  /** A file could not be written (its errno in the English message). */
  SCRIPT_IO: { params: ['field'] },
  /** scripts.run while a run is going (one at a time per host). */
  SCRIPT_BUSY: { params: [] },
  /** scripts.transcript / scripts.export for a run the host no longer holds (only the last is kept), or before any. */
  SCRIPT_NO_RUN: { params: [] },
});

/** What the HTTP composer found wrong with a response (shared/http/response-parser.ts, electron/services/http/). */
export const httpResponseCodes = spec({
  HTTP_NOT_HTTP: { params: ['start'] },
  HTTP_BAD_HEADER: { params: ['line'] },
  HTTP_BAD_CHUNK: { params: ['line'] },
  HTTP_TOO_LARGE: { params: ['max'] },
  HTTP_TRUNCATED: { params: ['got'] },
  HTTP_TIMEOUT: { params: ['ms', 'got'] },
});

/** Export to Python (shared/export/python.ts): a session the generator cannot write as a program. */
export const exportCodes = spec({
  EXPORT_UNSUPPORTED: { params: ['what'] },
});

/**
 * Notices and errors of responders and of the save dir (electron/services/sender/responders/,
 * save-file.ts): a file sent or saved, a name made safe, a disk that refused, a responder that failed.
 */
export const responderCodes = spec({
  SENDER_FILE_SENT: { params: ['name', 'bytes'], count: 'bytes' },
  /** A file being sent (sender.sendFile): how far it is. */
  SENDER_FILE_PROGRESS: { params: ['name', 'bytes', 'size'] },
  SENDER_FILE_SHRANK: { params: ['name', 'bytes', 'size'] },
  /** A file send the peer ended mid-file: `sent` bytes of `size` the socket took, `reason` the socket error's code (or `closed`). */
  SENDER_FILE_CUT: { params: ['name', 'sent', 'size', 'reason'] },
  FILE_NOT_FOUND: { params: ['field', 'path'] },
  FILE_NOT_READABLE: { params: ['field', 'path'] },
  FILE_READ_FAILED: { params: ['field', 'path', 'errno'] },
  RESPONDER_QUEUE_FULL: { params: ['max'] },
  RESPONDER_FAILED: { params: ['reason'] },
  /** A body saved to disk: its name in the save dir, its size and SHA-256. */
  SENDER_SAVED: { params: ['name', 'bytes', 'sha256'], count: 'bytes' },
  /** A header's `filename` that could not be used as it was (a path, `..`, a reserved name): saved as `name`. */
  SAVE_NAME_CHANGED: { params: ['given', 'name', 'reason'], variants: ['path', 'dots', 'control', 'reserved', 'empty', 'long'] },
  SAVE_DISK_FULL: { params: ['name', 'dir'] },
  SAVE_NOT_PERMITTED: { params: ['name', 'dir'] },
  SAVE_DIR_MISSING: { params: ['dir'] },
  SAVE_FAILED: { params: ['name', 'dir', 'errno'] },
});

/**
 * The course's server protocols (electron/services/sender/responders/): what they note in the
 * log and why they refuse to open. `name` is a file or chat name as the peer sent it.
 */
export const courseCodes = spec({
  /** A `dir` (serve-dir, http-dir) that cannot be served: not there, or not a folder. */
  RESPONDER_DIR: { params: ['field', 'path'], variants: ['missing', 'not-dir'] },
  RESPONDER_NEEDS_DIR: { params: ['field', 'reply'] },
  /** The protocol frames its own messages: serve-dir speaks header-json, http-dir raw bytes. */
  RESPONDER_FRAMING: { params: ['reply', 'framing'] },
  /** serve-dir, relay, http-dir and challenge need connections: TCP server only. */
  RESPONDER_TCP_ONLY: { params: ['reply'] },
  CHALLENGE_SENT: { params: ['algo'] },
  CHALLENGE_PASSED: { params: ['algo'] },
  CHALLENGE_FAILED: { params: ['algo'] },
  /** A client session answered a server's challenge (`answer`). */
  CHALLENGE_ANSWERED: { params: ['algo'] },
  /** `--answer` was given but the server sent no challenge before the wait ran out (or it closed). */
  CHALLENGE_NONE: { params: [] },
  FTP_NOT_FOUND: { params: ['name'] },
  FTP_BAD_NAME: { params: ['name'] },
  /** A header-json request serve-dir cannot act on; `operate` is what it said (or ""). */
  FTP_BAD_REQUEST: { params: ['operate'], variants: ['operate', 'no-filename'] },
  RELAY_JOINED: { params: ['name'] },
  RELAY_LEFT: { params: ['name'] },
  RELAY_NAME_REFUSED: { params: ['name'], variants: ['empty', 'too-long', 'taken'] },
  /** The request said `Connection: close` (or was HTTP/1.0 without keep-alive): the server closed after answering. */
  HTTP_CONNECTION_CLOSE: { params: [] },
  /** One request a Wirelab HTTP server answered, parsed (its line and headers travel in `header`). */
  HTTP_REQUEST: { params: ['method', 'path', 'status', 'bytes'], count: 'bytes' },
  /** A request the HTTP parser refused (shared/http/request-parser.ts's variants), answered with `status` and closed. */
  HTTP_BAD_REQUEST: {
    params: ['status'],
    variants: ['not-http', 'version', 'header-too-large', 'too-many-headers', 'bad-header', 'bad-length', 'bad-chunk', 'body-too-large', 'unsupported-coding'],
  },
});

/** Every packet-sender code. */
export const senderCodes = {
  ...senderInputCodes,
  ...socketErrnoCodes,
  ...framingCodes,
  ...senderMarkerCodes,
  ...serviceCodes,
  ...scriptCodes,
  ...httpResponseCodes,
  ...exportCodes,
  ...responderCodes,
  ...courseCodes,
};
export type SenderCode = keyof typeof senderCodes;

export function isSenderCode(code: unknown): code is SenderCode {
  return typeof code === 'string' && Object.hasOwn(senderCodes, code);
}

/** Input mistakes: the CLI answers them with exit 2 (usage), as it does INVALID_INPUT. */
export function isInputCode(code: string): boolean {
  return Object.hasOwn(senderInputCodes, code);
}

export const codes: Record<string, CodeSpec> = { ...contractCodes, ...senderCodes, ...catalogCodes };

export function isCatalogCode(code: unknown): code is CatalogCode {
  return typeof code === 'string' && Object.hasOwn(catalogCodes, code);
}
