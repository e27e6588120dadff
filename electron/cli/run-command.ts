import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseScript, type StepResult } from '../../shared/scripts/script.ts';
import { ScriptTranscript } from '../../shared/scripts/transcript.ts';
import { runScript } from '../services/scripts/script-runner.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const runHelp = `wirelab run SCRIPT.json [--pcap FILE.pcap] [--json]

Runs a send→expect script on one connection (the format is in the README, "Scripts"): connect,
then each step — send, expect, expectRegex, expectHex, wait, answer, save — in order, "repeat"
times. The first failing step ends the run. With --json: {"ok", "ms", "steps": [{"step", "ok",
"ms", "error", …}]}, "step" counting from 0 as steps[0] does. Exit 1 when a step fails, 2 when
the script itself is wrong (the message names the field: steps[3].expect: …).
--pcap FILE saves every chunk the run sent and received as a capture for Wireshark (the packet
sender's pcap export; written whether the run passed or failed; a FILE that cannot be written
exits 2 before the run). With --json the document then also has "pcap": {"file", "packets"
(records in the file: a long chunk is several segments), "dropped"}.`;

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
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, pcap: { type: 'string' } } });
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
  const cannotWrite = (e: unknown) => new UsageError(`--pcap: cannot write "${values.pcap}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  // opened before the run: a path that cannot be written is a usage error now, not after a long run
  let fd: number | undefined;
  if (values.pcap !== undefined) {
    try {
      fd = openSync(values.pcap, 'w');
    } catch (e) {
      throw cannotWrite(e);
    }
  }
  const transcript = fd !== undefined ? new ScriptTranscript() : undefined;
  let run: Awaited<ReturnType<typeof runScript>>;
  let pcap: { file: string; packets: number; dropped: number } | undefined;
  try {
    run = await runScript(script, {
      signal: stop.signal,
      ...(transcript ? { transcript } : {}),
      ...(values.json ? {} : { onStep: (r) => io.out(line(r)) }),
    });
    if (transcript && fd !== undefined && values.pcap !== undefined) {
      const file = transcript.toPcap();
      try {
        for (let at = 0; at < file.pcap.length;) at += writeSync(fd, file.pcap, at);
      } catch (e) {
        throw cannotWrite(e);
      }
      const { dropped } = transcript.stats();
      pcap = { file: values.pcap, packets: file.packets, dropped };
      if (!values.json)
        io.out(`wrote ${file.packets} packets to ${values.pcap}${dropped ? ` (${dropped} older chunks dropped past the transcript's bound)` : ''}`);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (values.json) io.out(JSON.stringify(pcap ? { ...run, pcap } : run));
  else io.out(run.ok ? `all ${run.steps.length} steps passed in ${run.ms.toFixed(1)} ms` : `failed: ${run.steps.at(-1)?.error ?? ''}`);
  return run.ok ? 0 : 1;
}
