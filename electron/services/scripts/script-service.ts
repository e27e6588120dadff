import { WirelabError } from '../../../shared/contract/errors.ts';
import { parseScript, type ScriptRun, type StepResult } from '../../../shared/scripts/script.ts';
import { runScript } from './script-runner.ts';

/**
 * The backend's script runs: one at a time per host, its state here (running, the steps so far,
 * the last result) so that every window — and a page that reloads mid-run — reads the same run
 * with `scripts.status`. A run owns its connection (the runner's TcpClient / UdpSocket), not a
 * sender session: a script is a short, bounded exchange with its own framing per direction,
 * and its results are step verdicts rather than log entries.
 */
export class ScriptService {
  private current: { script: string; steps: StepResult[]; run: ScriptRun | null; stop: AbortController } | null = null;

  async run(text: string): Promise<ScriptRun> {
    const script = parseScript(text);
    if (this.current && !this.current.run) throw new WirelabError('SCRIPT_BUSY', 'a script is already running; stop it or wait for it to end');
    const stop = new AbortController();
    const state: { script: string; steps: StepResult[]; run: ScriptRun | null; stop: AbortController } = { script: text, steps: [], run: null, stop };
    this.current = state;
    state.run = await runScript(script, { signal: stop.signal, onStep: (r) => state.steps.push(r) });
    return state.run;
  }

  status(): { running: boolean; script: string | null; run: ScriptRun | null } {
    const c = this.current;
    if (!c) return { running: false, script: null, run: null };
    return { running: c.run === null, script: c.script, run: c.run ?? { ok: false, ms: 0, steps: [...c.steps] } };
  }

  stop(): boolean {
    if (!this.current || this.current.run) return false;
    this.current.stop.abort();
    return true;
  }

  dispose(): void {
    this.stop();
  }
}
