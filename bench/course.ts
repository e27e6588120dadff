/**
 * The course's file transfer for `npm run bench` (also alone: node bin/run-ts.mjs bench/course.ts
 * [MiB], default 1024). A file goes through the header protocol (struct.pack('i') + JSON
 * {"filename", "filesize", "operate"} + the bytes) on 127.0.0.1:
 *  - upload: the FTP homework client (test/peers/ftp_upload_client.py --mode sendfile) sends it
 *    to Wirelab's TCP server session with a save dir (the served host, a page attached), against
 *    the same client sending it to the homework's Python server (test/peers/ftp_server.py: the
 *    notes' recv loop, 1024 bytes a call as the notes write it, sha256 while writing as Wirelab does);
 *  - send: Wirelab's client session sends it with sender.sendFile (the file reader serve-dir and
 *    http-dir use) to the homework's Python server, against the homework's upload client;
 *  - download: Wirelab's client session with a save dir asks the Python server for it (the server
 *    answers with socket.sendfile), against the homework's own download client.
 * MB/s (wall clock from the first byte sent to the file complete) as a ratio, and the RSS the
 * Wirelab host grew by during the transfer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, rm, symlink } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startHost, type HostClient } from '../test/support/host-client.ts';

export type Report = (figure: string, value: number, unit: string, baselineName: string, baseline: number, higherIsBetter: boolean) => void;
const root = fileURLToPath(new URL('..', import.meta.url));
const peer = (name: string) => join(root, 'test/peers', name);
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function python(args: string[]): { child: ChildProcess; out: () => string; done: Promise<number | null> } {
  const child = spawn('python3', ['-u', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out, done: new Promise((r) => child.on('exit', r)) };
}

async function portOf(p: { out: () => string }): Promise<number> {
  for (let i = 0; i < 300 && !/^PORT \d+/m.test(p.out()); i++) await sleep(20);
  return Number(/^PORT (\d+)/m.exec(p.out())![1]);
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('course bench: timed out');
    await sleep(20);
  }
}

/** Peak RSS of the host while `run` runs, over its RSS before. */
async function grewBy(host: HostClient, run: () => Promise<void>): Promise<number> {
  const before = host.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, host.rss())), 100);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, host.rss()) - before;
}

async function savedNotice(host: HostClient, sessionId: string): Promise<boolean> {
  const page = await host.call('sender.log', { sessionId, limit: 50 });
  return ((page.value as { entries: { type: string; code: string | null }[] } | undefined)?.entries ?? []).some(
    (e) => e.type === 'notice' && e.code === 'SENDER_SAVED',
  );
}

export async function benchCourse(report: Report, mib = 1024): Promise<void> {
  const size = mib * MiB;
  const work = mkdtempSync(join(tmpdir(), 'wirelab-course-bench-'));
  const src = join(work, 'big.bin');
  // sparse: reads as zeros at memory speed, takes no disk; the copies it becomes do
  const f = await open(src, 'w');
  await f.truncate(size);
  await f.close();
  const host = await startHost();
  const mbps = (ms: number) => size / 1e6 / (ms / 1000);
  let server: ReturnType<typeof python> | null = null;
  try {
    host.subscribe('sender.event');
    // ---- upload ----
    const saveW = mkdtempSync(join(work, 'wirelab-'));
    const srv = await host.call('sender.open', {
      kind: 'tcp-server',
      host: '127.0.0.1',
      port: 0,
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      encoding: 'utf8',
      saveDir: saveW,
    });
    const srvId = (srv.value as { id: string }).id;
    const srvPort = String((srv.value as { local: string }).local.split(':').at(-1));
    await sleep(300);
    let wirelabUp = 0;
    const upGrew = await grewBy(host, async () => {
      const t0 = performance.now();
      const c = python([peer('ftp_upload_client.py'), '127.0.0.1', srvPort, src, '--mode', 'sendfile']);
      await c.done;
      await until(() => savedNotice(host, srvId), 600_000);
      wirelabUp = performance.now() - t0;
    });
    await rm(saveW, { recursive: true, force: true });

    const remote = mkdtempSync(join(work, 'python-'));
    server = python([peer('ftp_server.py'), remote]);
    const pyPort = String(await portOf(server));
    const t1 = performance.now();
    await python([peer('ftp_upload_client.py'), '127.0.0.1', pyPort, src, '--mode', 'sendfile']).done;
    await until(() => server!.out().includes('"upload"'), 600_000);
    const pythonUp = performance.now() - t1;
    await rm(join(remote, 'big.bin'), { force: true });

    // ---- send: sender.sendFile (Connection.sendFile, as serve-dir and http-dir send) to the same server ----
    const uploads = () =>
      server!
        .out()
        .split('\n')
        .filter((l) => l.includes('"upload"')).length;
    const sender = await host.call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port: Number(pyPort),
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      encoding: 'utf8',
    });
    const senderId = (sender.value as { id: string }).id;
    await sleep(300);
    const ts = performance.now();
    await host.call('sender.sendFile', { sessionId: senderId, path: src, header: { operate: 'upload', filename: 'big.bin' } }, 600_000);
    await until(() => uploads() >= 2, 600_000);
    const wirelabSend = performance.now() - ts;
    await host.call('sender.close', { sessionId: senderId });
    await rm(join(remote, 'big.bin'), { force: true });
    report(
      `course: ${mib} MiB sent by sender.sendFile to the FTP homework's Python server`,
      mbps(wirelabSend),
      'MB/s',
      "the homework's upload client (socket.sendfile) to the same server",
      mbps(pythonUp),
      true,
    );

    console.log(
      `course: ${mib} MiB upload: Wirelab's save dir ${mbps(wirelabUp).toFixed(0)} MB/s (host RSS +${(upGrew / 1e6).toFixed(0)} MB), the notes' Python server ${mbps(pythonUp).toFixed(0)} MB/s`,
    );
    report(
      `course: ${mib} MiB upload through the header protocol into the save dir`,
      mbps(wirelabUp),
      'MB/s',
      "the FTP homework's Python server (recv(1024) loop)",
      mbps(pythonUp),
      true,
    );
    report(`course: host RSS growth during the ${mib} MiB upload`, upGrew / 1e6, 'MB', 'the file size', size / 1e6, false);

    // ---- download ----
    await rm(join(remote, 'big.bin'), { force: true });
    await symlink(src, join(remote, 'big.bin')); // the server reads the sparse source
    const saveD = mkdtempSync(join(work, 'wirelab-dl-'));
    const cli = await host.call('sender.open', {
      kind: 'tcp-client',
      host: '127.0.0.1',
      port: Number(pyPort),
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      encoding: 'utf8',
      saveDir: saveD,
    });
    const cliId = (cli.value as { id: string }).id;
    await sleep(300);
    let wirelabDown = 0;
    const downGrew = await grewBy(host, async () => {
      const t0 = performance.now();
      await host.call('sender.send', {
        sessionId: cliId,
        payload: { mode: 'hex', text: '', encoding: 'utf8', lineEnding: 'none', header: { operate: 'download', filename: 'big.bin' } },
      });
      await until(() => savedNotice(host, cliId), 600_000);
      wirelabDown = performance.now() - t0;
    });
    await rm(saveD, { recursive: true, force: true });
    const local = mkdtempSync(join(work, 'python-dl-'));
    const t2 = performance.now();
    const dl = python([peer('ftp_download_client.py'), '127.0.0.1', pyPort, 'big.bin', local]);
    await dl.done;
    const pythonDown = performance.now() - t2;
    await rm(local, { recursive: true, force: true });
    console.log(
      `course: ${mib} MiB download (the server sends with socket.sendfile): Wirelab's client into its save dir ${mbps(wirelabDown).toFixed(0)} MB/s (host RSS +${(downGrew / 1e6).toFixed(0)} MB), the notes' Python client ${mbps(pythonDown).toFixed(0)} MB/s`,
    );
    report(
      `course: ${mib} MiB download through the header protocol into the save dir`,
      mbps(wirelabDown),
      'MB/s',
      "the FTP homework's Python client (recv(1024) loop)",
      mbps(pythonDown),
      true,
    );
    report(`course: host RSS growth during the ${mib} MiB download`, downGrew / 1e6, 'MB', 'the file size', size / 1e6, false);
  } finally {
    server?.child.kill();
    await host.close();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv.slice(1).some((a) => a.endsWith('bench/course.ts'))) {
  const mib = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1024);
  await benchCourse((figure, value, unit, baselineName, baseline, higher) => {
    const ratio = higher ? value / baseline : baseline / value;
    console.log(`${figure}: ${value.toFixed(2)} ${unit} | ${baselineName}: ${baseline.toFixed(2)} ${unit} | ratio ${ratio.toFixed(2)}×`);
  }, mib);
}
