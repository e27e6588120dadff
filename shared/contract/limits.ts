/**
 * One set of size limits for the whole app. The contract's schemas, the browser host's
 * WebSocket, Electron's IPC bridge, the packet library's file and the CLI all read these, so
 * whatever the contract accepts can also arrive over every transport and be saved and loaded
 * again. A request over a limit gets a typed error that names the limit (code LIMIT_EXCEEDED,
 * params {limit, max}) instead of a closed socket.
 */
const MiB = 1024 * 1024;

export const limits = {
  /** One composer send (text, hex, escapes or a file as base64), in characters. */
  payloadChars: 16 * MiB,
  /** A packet-library document given to packets.import, in characters. */
  packetImportChars: 16 * MiB,
  /** A capture file given to timeline.import, in bytes before base64. */
  captureImportBytes: 96 * MiB,
} as const;

export type LimitName = keyof typeof limits;

/** The base64 length of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
