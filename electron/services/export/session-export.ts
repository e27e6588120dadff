import { WirelabError } from '../../../shared/contract/errors.ts';
import type { OpenSession } from '../../../shared/contract/sender.ts';
import { exportPython, type ExportPayload } from '../../../shared/export/python.ts';
import { FrameDecoder } from '../../../shared/sender/framing.ts';
import type { LogEntry } from '../../../shared/sender/session-log.ts';
import { splitEndpoint } from '../../../shared/timeline/tcp-streams.ts';
import type { EventHub } from '../../core/event-hub.ts';
import { encodeText } from '../sender/text-codec.ts';

/**
 * Export to Python for the sessions of a backend. The spec each session was opened with is
 * remembered here (keyed by its id, forgotten when its `session-closed` event passes), beside
 * the sender service rather than inside it; the payloads a client sent come from its log, its
 * outgoing chunks cut back into messages by its outgoing framing.
 */
export class SessionExport {
  private readonly specs = new Map<string, OpenSession>();

  constructor(hub: EventHub) {
    hub.on('sender.event', (e) => {
      if (e.type === 'session-closed') this.specs.delete(e.sessionId);
    });
  }

  remember(id: string, spec: OpenSession): void {
    this.specs.set(id, spec);
  }

  program(id: string, log: LogEntry[]): { name: string; program: string } {
    const spec = this.specs.get(id);
    if (!spec) throw new WirelabError('NO_SUCH_SESSION', 'sessionId: that session has closed', 'sessionId');
    const framingOut = spec.framingOut ?? spec.framing;
    const payloads: ExportPayload[] = [];
    const out = log.filter((e) => e.type === 'chunk' && e.dir === 'out');
    if (spec.kind === 'udp') {
      // each datagram on its own: UDP keeps the boundaries
      for (const e of out) {
        const to = splitEndpoint(e.peer);
        for (const m of new FrameDecoder(framingOut).push(e.bytes))
          payloads.push({ bytes: m.bytes, ...(m.header ? { header: stripSize(m.header, framingOut) } : {}), ...(to ? { to } : {}) });
      }
    } else if (spec.kind === 'tcp-client') {
      const decoder = new FrameDecoder(framingOut);
      for (const e of out)
        for (const m of decoder.push(e.bytes)) payloads.push({ bytes: m.bytes, ...(m.header ? { header: stripSize(m.header, framingOut) } : {}) });
    }
    const program = exportPython(spec, { encode: (t) => encodeText(t, spec.encoding), payloads, waitSeconds: 1 });
    return { name: `wirelab-${spec.kind}-${spec.port}.py`, program };
  }
}

/** The header fields beside the size key (the program computes the size again). */
function stripSize(header: Record<string, unknown>, framing: { kind: string; sizeKey?: string }): Record<string, unknown> {
  if (framing.kind !== 'header-json' || !framing.sizeKey) return header;
  const { [framing.sizeKey]: _size, ...rest } = header;
  return rest;
}
