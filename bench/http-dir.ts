/**
 * The course's HTTP server for `npm run bench` (also alone: node bin/run-ts.mjs bench/http-dir.ts):
 * a 256 MiB file downloaded with curl from `wirelab listen tcp 0 --http-dir DIR` (a child
 * process), MB/s, against Python's own `python3 -m http.server` serving the same file from the
 * same folder. Median of 3 rounds each; the server's RSS after the downloads is printed too.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;
const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;

/** Starts a server and resolves with its port, read from its first lines by `portOf`. */
function start(cmd: string, args: string[], portOf: (text: string) => number | null): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start:\n${text}`)), 30_000);
    const look = (d: Buffer) => {
      text += d.toString();
      const port = portOf(text);
      if (port) {
        clearTimeout(timer);
        resolve({ child, port });
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}:\n${text}`)));
  });
}

function download(port: number): number {
  const out = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{speed_download}', `http://127.0.0.1:${port}/big.bin`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return Number(out) / MiB;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export async function benchHttpDir(report: Report, log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-bench-http-'));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(256 * MiB, 7));
  const wirelab = await start(process.execPath, [join(root, 'bin/wirelab.mjs'), 'listen', 'tcp', '0', '--http-dir', dir, '--json'], (t) => {
    const m = /"port":(\d+)/.exec(t);
    return m ? Number(m[1]) : null;
  });
  const python = await start('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], (t) => {
    const m = /port (\d+)/.exec(t);
    return m ? Number(m[1]) : null;
  });
  try {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < 3; r++) {
      ours.push(download(wirelab.port));
      theirs.push(download(python.port));
    }
    report('http-dir: a 256 MiB file to curl', median(ours), 'MB/s', 'python3 -m http.server', median(theirs), true);
    if (process.platform === 'linux') log(`  (wirelab listen's RSS after the downloads: ${Math.round(rssMiB(wirelab.child.pid!))} MiB for a 256 MiB file)`);
  } finally {
    wirelab.child.kill();
    python.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/http-dir.ts'))) {
  await benchHttpDir((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(1)} ${unit} | ${baselineName}: ${baseline.toFixed(1)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  });
}
