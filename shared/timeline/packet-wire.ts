import type { TimelinePacket } from '../contract/timeline.ts';
import { toHex } from '../sender/payload.ts';
import type { TcpPacket } from './tcp-packet.ts';

/**
 * Payload bytes that travel to the UI with each packet: every header travels whole, the data
 * only this far — enough for the hex view to show what was sent, small enough that a
 * 20,000-packet conversation stays a few megabytes.
 */
export const WIRE_PAYLOAD_BYTES = 512;

/** A decoded packet as the contract carries it (bytes as hex). */
export function packetToWire(p: TcpPacket): TimelinePacket {
  const { data, ...fields } = p;
  const keep = Math.min(data.length, p.tcpOffset + p.tcpHeaderLen + WIRE_PAYLOAD_BYTES);
  return { ...fields, hex: toHex(data.subarray(0, keep)) };
}

const nibble = (c: number) => (c <= 57 ? c - 48 : (c | 32) - 87);

/** Back to the shape the shared analysis takes. */
export function packetFromWire(w: TimelinePacket): TcpPacket {
  const { hex, ...fields } = w;
  const data = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < data.length; i++) data[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return { ...fields, data };
}
