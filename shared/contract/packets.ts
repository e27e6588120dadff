import { z } from 'zod';
import { framingNames } from '../sender/framing.ts';
import { limitedArray } from './limits.ts';
import { payloadSpecSchema } from './sender.ts';
import { savedScriptSchema } from './clients.ts';

/** A saved packet: what the composer held, under a name, for the library. */
export const savedPacketSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'name: give the packet a name').max(120),
  kind: z.enum(['tcp', 'udp', 'any']).default('any'),
  framing: z.enum(framingNames).default('raw'),
  payload: payloadSpecSchema,
  savedAt: z.string(),
});
export type SavedPacket = z.infer<typeof savedPacketSchema>;

/**
 * The file on disk and the export format are the same document, versioned for the future. Load
 * holds it to the same packet count that save and import keep to, so a library Wirelab wrote is
 * never declared corrupt by the next start.
 */
export const packetLibrarySchema = z.object({
  format: z.literal('wirelab-packets'),
  version: z.literal(1),
  packets: limitedArray(savedPacketSchema, 'packetLibraryPackets', 'packets', 'packets in a library'),
  /** Send→expect scripts (a later kind of item: a file without it loads as having none). */
  scripts: limitedArray(savedScriptSchema, 'packetLibraryPackets', 'scripts', 'scripts in a library').default([]),
});
export type PacketLibrary = z.infer<typeof packetLibrarySchema>;
