/**
 * Every code the packet sender puts on the contract — an error's, a framing problem's, a log
 * marker's — with the params it carries. The backend also sends an English `message` (the CLI
 * prints it, logs keep it); the renderer words the code from `code.<CODE>` (or
 * `code.<CODE>.<variant>` when params.variant is set) in its catalogs, and a unit test fails
 * when a catalog lacks one. (main's shared/contract/codes.ts keeps a `senderCodes` placeholder;
 * this is that group, filled in.)
 */
export interface SenderCodeSpec {
  readonly params: readonly string[];
  /** The param whose number picks the plural form (`.one` / `.other`, Intl.PluralRules). */
  readonly count?: string;
  /** Values of params.variant, each worded by its own `code.<CODE>.<variant>`. */
  readonly variants?: readonly string[];
}

const spec = <T extends Record<string, SenderCodeSpec>>(codes: T): T => codes;

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

/** The log's lifecycle markers. */
export const markerCodes = spec({
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
});

/** The sender service's refusals. */
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

export const senderCodes = { ...senderInputCodes, ...socketErrnoCodes, ...framingCodes, ...markerCodes, ...serviceCodes };
export type SenderCode = keyof typeof senderCodes;

export function isSenderCode(code: unknown): code is SenderCode {
  return typeof code === 'string' && Object.hasOwn(senderCodes, code);
}

/** Input mistakes: the CLI answers them with exit 2 (usage), as it does INVALID_INPUT. */
export function isInputCode(code: string): boolean {
  return Object.hasOwn(senderInputCodes, code);
}
