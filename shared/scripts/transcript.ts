import { limits } from '../contract/limits.ts';
import { logToPcapCounted } from '../sender/log-export.ts';
import { entryCost, Fifo } from '../sender/session-log.ts';

/**
 * What a script run exchanged, kept in the backend with the run: every chunk written and every
 * chunk (or datagram) one `recv()` returned, with its direction, time and full bytes, and the
 * step that was running when it went or came. A student can open a failed step and read the
 * bytes that made it fail, and export the whole run as pcap for Wireshark.
 *
 * Bounded as the sender's log is (session-log.ts): its chunks cost their bytes plus the log's
 * measured fixed cost per entry against `limits.scriptTranscriptBytes`; past it the oldest
 * chunks go first, and what went is counted (`dropped`, `droppedBytes`) so the view and the
 * export can say the transcript is not whole.
 */
export interface TranscriptChunk {
  /** The step running when the bytes went or came (-1: while connecting). */
  step: number;
  round: number;
  dir: 'in' | 'out';
  /** Wall-clock ms (Date.now()), as the sender log's entries. */
  at: number;
  /** The other end, "127.0.0.1:9000" (a UDP reply may come from another port). */
  peer: string | null;
  bytes: Uint8Array;
}

/** The run's own end and kind, for the pcap's headers. */
export interface TranscriptEnds {
  kind: 'tcp' | 'udp';
  local: string;
  remote: string;
}

export interface TranscriptStats {
  /** Chunks held. */
  chunks: number;
  /** Their bytes (without the per-entry cost). */
  bytes: number;
  /** Chunks dropped for the bound, oldest first, and their bytes. */
  dropped: number;
  droppedBytes: number;
}

const costOf = (c: TranscriptChunk) => entryCost({ bytes: c.bytes, peer: c.peer, message: null });

export class ScriptTranscript {
  private readonly chunks = new Fifo<TranscriptChunk>();
  private used = 0;
  private held = 0;
  dropped = 0;
  droppedBytes = 0;
  /** Set by the runner once connected. */
  ends: TranscriptEnds | null = null;

  constructor(readonly budget: number = limits.scriptTranscriptBytes) {}

  /** Keeps a chunk (the caller hands over its bytes: they must be a copy, not a socket's reused buffer). */
  add(chunk: TranscriptChunk): void {
    const cost = costOf(chunk);
    if (cost > this.budget) {
      this.dropped++;
      this.droppedBytes += chunk.bytes.length;
      return;
    }
    this.chunks.push(chunk);
    this.used += cost;
    this.held += chunk.bytes.length;
    while (this.used > this.budget) {
      const old = this.chunks.shift()!;
      this.used -= costOf(old);
      this.held -= old.bytes.length;
      this.dropped++;
      this.droppedBytes += old.bytes.length;
    }
  }

  stats(): TranscriptStats {
    return { chunks: this.chunks.length, bytes: this.held, dropped: this.dropped, droppedBytes: this.droppedBytes };
  }

  /** Every chunk held, oldest first. */
  all(): TranscriptChunk[] {
    const out: TranscriptChunk[] = [];
    for (let i = 0; i < this.chunks.length; i++) out.push(this.chunks.at(i)!);
    return out;
  }

  /** The chunks of one step of one round, oldest first. */
  ofStep(step: number, round: number): TranscriptChunk[] {
    return this.all().filter((c) => c.step === step && c.round === round);
  }

  /**
   * The run as a pcap file, through the sender log's writer (LINKTYPE_RAW, headers synthesised),
   * and how many packets it holds: a long chunk is several segments, and a chunk from a peer of
   * the other IP version has none, so the count is the file's, not the transcript's.
   */
  toPcap(): { pcap: Uint8Array; packets: number } {
    const ends = this.ends ?? { kind: 'tcp', local: '', remote: '' };
    return logToPcapCounted(
      { kind: ends.kind === 'tcp' ? 'tcp-client' : 'udp', local: ends.local },
      this.all().map((c) => ({ type: 'chunk' as const, dir: c.dir, at: c.at, peer: c.peer, bytes: c.bytes })),
    );
  }
}
