import { z } from 'zod';
import { wirelabErrorSchema } from './errors.ts';

/**
 * Messages on the browser host's WebSocket. Electron IPC carries the same payloads over
 * ipcRenderer.invoke / webContents.send, so only this transport needs ids.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int().nonnegative(), command: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('subscribe'), stream: z.string() }),
  z.object({ type: z.literal('unsubscribe'), stream: z.string() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: z.infer<typeof wirelabErrorSchema> }
  | { type: 'events'; stream: string; events: unknown[]; dropped: number };
