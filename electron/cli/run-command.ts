import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseScript, type StepResult } from '../../shared/scripts/script.ts';
import { runScript } from '../services/scripts/script-runner.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const runHelp = `wirelab run SCRIPT.json [--json]

Runs a send→expect script on one connection (the format is in the README, "Scripts"): connect,
then each step — send, expect, expectRegex, expectHex, wait, answer, save — in order, "repeat"
times. The first failing step ends the run. With --json: {"ok", "ms", "steps": [{"step", "ok",
"ms", "error", …}]}, "step" counting from 0 as steps[0] does. Exit 1 when a step fails, 2 when
the script itself is wrong (the message names the field: steps[3].expect: …).`;

function line(r: StepResult): string {
  const where = r.step < 0 ? 'connect' : `steps[${r.step}]${r.round > 1 ? ` (round ${r.round})` : ''} ${r.action}`;
  const tail = r.ok
    ? r.got !== undefined
      ? ` ← ${JSON.stringify(r.got.slice(0, 200))}`
      : ''
    : ` — ${r.error}${r.got !== undefined ? ` (got ${JSON.stringify(r.got.slice(0, 200))})` : ''}`;
  return `${r.ok ? 'ok  ' : 'FAIL'} ${where} ${r.ms.toFixed(1)} ms${tail}`;
}

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('run needs a script file (try wirelab run --help)');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the script (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const script = parseScript(text);
  const stop = new AbortController();
  void io.stopSignal.then(() => stop.abort());
  const run = await runScript(script, { signal: stop.signal, ...(values.json ? {} : { onStep: (r) => io.out(line(r)) }) });
  if (values.json) io.out(JSON.stringify(run));
  else io.out(run.ok ? `all ${run.steps.length} steps passed in ${run.ms.toFixed(1)} ms` : `failed: ${run.steps.at(-1)?.error ?? ''}`);
  return run.ok ? 0 : 1;
}
