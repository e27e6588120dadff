import type { TimelinePacket } from '../contract/timeline.ts';
import { parseHex, toHex } from '../sender/payload.ts';
import type { RawFrame } from './pcap-reader.ts';
import type { TcpPacket } from './tcp-packet.ts';

/** Only the first 2 KiB of a frame travel to the UI: enough for every header and the start of the data. */
export const WIRE_FRAME_BYTES = 2048;

/** A decoded packet as the contract carries it (bytes as hex). */
export function packetToWire(p: TcpPacket, frame: Pick<RawFrame, 'origLen'>): TimelinePacket {
  const { data, ...fields } = p;
  return { ...fields, hex: toHex(data.subarray(0, WIRE_FRAME_BYTES)), origLen: frame.origLen };
}

/** Back to the shape the shared analysis takes. */
export function packetFromWire(w: TimelinePacket): TcpPacket {
  const { hex, origLen: _origLen, ...fields } = w;
  return { ...fields, data: parseHex(hex, 'hex') };
}
