import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openSessionSchema } from '../../../shared/contract/sender.ts';
import { presetPlan, type PresetId } from '../../../shared/presets/presets.ts';
import { splitEndpoint } from '../../../shared/timeline/tcp-streams.ts';
import type { SenderService } from '../sender/sender-service.ts';

/**
 * Opens a course experiment (shared/presets/presets.ts) as real sessions on the sender service:
 * its folder under `<dataDir>/presets/<id>` (made with the preset's files, kept between runs so
 * an upload can be looked at), the server on a free port, then each client with its first
 * messages. If any open fails (a responder this build lacks), what was opened is closed again.
 */
export class PresetService {
  constructor(
    private readonly sender: SenderService,
    private readonly dataDir: string,
    /** Remembers each opened session's spec (export to Python), as `sender.open` does. */
    private readonly opened: (id: string, spec: Parameters<SenderService['open']>[0]) => void,
  ) {}

  /** Waits (at most 3 s) until a session's log holds an entry with `code`. */
  private async logged(id: string, code: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if (this.sender.logs.all(id).some((e) => e.code === code)) return;
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async open(id: PresetId): Promise<{ sessions: string[] }> {
    const dir = join(this.dataDir, 'presets', id);
    const plan = presetPlan(id, dir);
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(plan.files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    const sessions: string[] = [];
    try {
      const server = openSessionSchema.parse(plan.server);
      const info = await this.sender.open(server);
      this.opened(info.id, server);
      sessions.push(info.id);
      const port = splitEndpoint(info.local)!.port;
      const clients: string[] = [];
      for (const c of plan.clients) {
        const spec = openSessionSchema.parse({ ...c.spec, host: '127.0.0.1', port });
        const client = await this.sender.open(spec);
        this.opened(client.id, spec);
        sessions.push(client.id);
        clients.push(client.id);
        // a client that answers a challenge sends nothing before its answer is out
        if (spec.kind === 'tcp-client' && spec.answer) await this.logged(client.id, 'CHALLENGE_ANSWERED');
      }
      // round by round (every client's first message, then every second one…): a chat room
      // hears all the names before anyone speaks
      const rounds = Math.max(...plan.clients.map((c) => c.sends.length));
      for (let r = 0; r < rounds; r++) {
        for (const [i, c] of plan.clients.entries()) {
          const p = c.sends[r];
          if (!p) continue;
          try {
            await this.sender.send(clients[i]!, p);
          } catch {
            // the server closed this client (a refused challenge): that is the experiment, its log says so
          }
          await new Promise((res) => setTimeout(res, 50));
        }
      }
      return { sessions };
    } catch (e) {
      for (const s of sessions.reverse()) await this.sender.close(s);
      throw e;
    }
  }
}
