import type { Encoding } from '../text-codec.ts';

/**
 * The seam between a session's sockets and what a Wirelab server (or client) says back: echo, a
 * fixed reply, rules, and the course's protocols (serve-dir's FTP homework, the chat room's
 * relay, client authentication's challenge, a tiny HTTP server). The sender service owns the
 * sockets, the framing of each direction, the log and the counters; a responder only decides
 * what to answer, one connection at a time, through a `ResponderContext`.
 *
 * One responder object per connection (TCP) or per peer address (UDP): a chat-room name or a
 * challenge's progress is state of that connection, so it lives in the object and goes with it.
 */

/** One message the incoming framing cut out of the stream (raw framing: one chunk as read). */
export interface IncomingMessage {
  bytes: Uint8Array;
  /** header-json framing: the decoded JSON header. */
  header?: Record<string, unknown>;
  /**
   * The body went to disk instead of memory (the session's save dir, or serve-dir's upload):
   * `bytes` is then empty and this says where it is and what it was.
   */
  saved?: { name: string; path: string; bytes: number; sha256: string };
}

/** Log parameters, as every event carries them: worded by the renderer from the code. */
export type NoteParams = Record<string, string | number | boolean>;

export interface ResponderContext {
  /** "ip:port" of this connection's peer. */
  readonly peer: string;
  readonly encoding: Encoding;
  /** Sends one message through the session's outgoing framing (header-json: `header` is merged into the JSON header). */
  send(payload: Uint8Array, header?: Record<string, unknown>): void;
  /** Sends bytes exactly as given, outside the framing: a greeting, a challenge, an HTTP response. */
  sendRaw(bytes: Uint8Array): void;
  /**
   * Streams a file from disk as one framed message (header-json: header + `sizeKey` = file size,
   * then the file; length framings: prefix then file), in constant memory, honouring the
   * socket's backpressure. Resolves when the last byte is handed to the socket, or when the
   * peer closed or reset mid-file (then `complete` is false and the log says SENDER_FILE_CUT).
   */
  sendFile(path: string, header?: Record<string, unknown>): Promise<FileSent>;
  /**
   * The other open connections of this server, for a relay; on a UDP server, the other peers it
   * has heard from (the most recent limits.udpResponderPeers). Empty on a client.
   */
  others(): ResponderContext[];
  /** A line in the session's log with a code from shared/contract/codes.ts. */
  note(code: string, message: string, params?: NoteParams): void;
  /** Ends this connection (after what was sent is flushed), logging why. */
  close(code: string, message: string, params?: NoteParams): void;
}

export interface Responder {
  /** The peer connected (TCP): a greeting, a challenge, a join notice. */
  open?(ctx: ResponderContext): void;
  /**
   * Incoming bytes before the framing decodes them. Client authentication's answer is 32 raw
   * hex characters whatever the session's framing (the notes' `conn.recv(32)`), and may share a
   * recv() with the first framed message: the responder takes what it needs and returns the rest
   * for the framing (empty while it is still taking). Without it, every byte goes to the framing.
   */
  take?(chunk: Uint8Array, ctx: ResponderContext): Uint8Array;
  /** One incoming message. A promise holds the next message of this connection until it settles (a file being sent). */
  message(m: IncomingMessage, ctx: ResponderContext): void | Promise<void>;
  /** The peer went away: a leave notice. */
  close?(ctx: ResponderContext): void;
}

/** Makes the responder of one new connection. */
export type ResponderFactory = () => Responder;

/**
 * What a file send did: `bytes` on the wire (framing included) that the socket took, the body's
 * `sent` of its `size`, and whether all of it went (`reason`, a socket error's code, when not).
 */
export interface FileSent {
  bytes: number;
  size: number;
  sent: number;
  complete: boolean;
  reason?: string;
}
