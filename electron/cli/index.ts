import { runCli } from './main.ts';

// The process glue for the `wirelab` command: real streams, real signals, exit code.
const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stopSignal,
});
process.exitCode = code;
// Streams flush on their own; exit explicitly so a forgotten handle cannot keep the CLI alive.
process.stdout.write('', () => process.exit(code));
