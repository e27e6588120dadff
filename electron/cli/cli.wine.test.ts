import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { kernelDropCounter } from '../services/sender/udp-kernel.ts';
import { projectRoot, runWirelab, wirelabBin } from '../../test/support/spawn-cli.ts';
import { prepareWine, runWindowsNode, startWindowsNode, wineSkip, type WineKit } from '../../test/support/wine.ts';

/**
 * The built `wirelab` command (out/cli/wirelab.mjs, scripts/build-cli.mjs) run by Windows Node
 * under Wine, against the same command on Linux. Windows Node cannot run the TypeScript through
 * tsx (tsx's esbuild is native per platform), so this is the bundle's reason to exist: it needs
 * only koffi's win32 build beside it (the Wine kit's node_modules) for `ps`. Wine runs Windows
 * programs on Linux's kernel, so sockets between two node.exe are real loopback sockets; what
 * it cannot show (Windows' own TCP timing, the owner of a listener: Wine 8.0 reports pid 0
 * there) is said where it matters.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));
const skip = wineSkip('cli.wine.test.ts');
const fixture = (name: string) => join(repo, 'test/fixtures/captures', name);

interface Row {
  pid: number;
  ppid: number;
  name: string;
  user: string | null;
  state: string;
  threads: number | null;
  cpu: number;
  rssBytes: number;
  startTime: string;
  command: string;
}

describe.skipIf(skip)('wirelab CLI bundle on Windows Node under Wine', () => {
  let kit: WineKit;
  let runDir: string;
  let cli: string;
  const cleanups: (() => void)[] = [];

  /** `wirelab args` by node.exe; bounded (a warm Wine start is 1–3 s, much more on a loaded CI machine). */
  const windows = (args: string[], timeoutMs = 120_000) => runWindowsNode(kit, cli, args, timeoutMs);

  beforeAll(async () => {
    const prepared = prepareWine(repo);
    if ('missing' in prepared) throw new Error(`CI must run the Wine tests: ${prepared.missing}`);
    kit = prepared;
    // Inside the kit's folder, so koffi resolves to its win32 build; package.json two levels up,
    // where the bundle looks for the version, as in a checkout or an installed package.
    runDir = join(kit.appDir, `cli-${process.pid}-${Date.now()}`);
    mkdirSync(runDir, { recursive: true });
    copyFileSync(join(repo, 'package.json'), join(runDir, 'package.json'));
    cli = join(await buildCli(join(runDir, 'out/cli')), 'wirelab.mjs');
    // Fixtures copied beside it: node.exe reads them by a path relative to its working folder.
    for (const f of ['lo-normal.pcap', 'three-connections.pcap', 'lo-ipv6.pcap']) copyFileSync(fixture(f), join(runDir, f));
  }, 300_000);

  afterAll(() => {
    for (const c of cleanups) c();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  it('calc prints the same JSON as on Linux (IPv4 and IPv6)', async () => {
    for (const args of [
      ['calc', '192.168.10.77/26', '--json'],
      ['calc', '2001:db8::1/64', '--json'],
    ]) {
      const [win, linux] = await Promise.all([windows(args), runWirelab(args, 60_000)]);
      expect(win.code, win.stderr).toBe(0);
      expect(linux.code).toBe(0);
      expect(JSON.parse(win.stdout)).toEqual(JSON.parse(linux.stdout));
    }
  }, 300_000);

  it('timeline FILE prints the same JSON as on Linux', async () => {
    for (const name of ['lo-normal.pcap', 'three-connections.pcap', 'lo-ipv6.pcap']) {
      const win = await windows(['timeline', `${runDir.slice(kit.appDir.length + 1)}/${name}`, '--json']);
      const linux = await runWirelab(['timeline', fixture(name), '--json'], 60_000);
      expect(win.code, win.stderr).toBe(0);
      expect(linux.code).toBe(0);
      const doc = JSON.parse(win.stdout) as { connections?: unknown[] };
      expect(doc).toEqual(JSON.parse(linux.stdout));
      expect(JSON.stringify(doc).length).toBeGreaterThan(200); // a real document, not an empty one
    }
  }, 300_000);

  it("without koffi's win32 build, ps says so in one line (exit 2) and calc still runs", async () => {
    // A build outside the kit's folder: no node_modules above it, so koffi cannot be found.
    const bare = join(tmpdir(), `wirelab-cli-bare-${process.pid}`);
    cleanups.push(() => rmSync(bare, { recursive: true, force: true }));
    const bareCli = join(await buildCli(join(bare, 'out/cli')), 'wirelab.mjs');
    const ps = await runWindowsNode(kit, bareCli, ['ps', '--json'], 120_000);
    expect(ps.code).toBe(2);
    expect(ps.stderr.trim().split('\n')).toHaveLength(1);
    expect(ps.stderr).toMatch(/koffi, which did not load/);
    const calc = await runWindowsNode(kit, bareCli, ['calc', '10.0.0.1/30', '--json'], 120_000);
    expect(calc.code, calc.stderr).toBe(0);
    expect(JSON.parse(calc.stdout)).toMatchObject({ network: '10.0.0.0', broadcast: '10.0.0.3' });
  }, 300_000);

  it('blast udp on Windows takes the dgram path (no sendmmsg there); every datagram arrives or is a kernel drop', async () => {
    // The receiver is a Linux socket on loopback: Wine's node.exe sends through the same kernel,
    // so /proc/net/udp counts what the receiver's buffer could not hold.
    const rx = createSocket('udp4');
    let received = 0;
    let bytes = 0;
    rx.on('message', (m) => {
      received++;
      bytes += m.length;
    });
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
    rx.setRecvBufferSize(8 * 1024 * 1024);
    const drops = kernelDropCounter(rx);
    try {
      const count = 5000;
      const r = await windows(['blast', 'udp', '127.0.0.1', String(rx.address().port), '--count', String(count), '--size', '200', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { proto: string; path: string; sent: number; bytes: number };
      expect(doc).toMatchObject({ proto: 'udp', path: 'dgram', sent: count, bytes: count * 200 });
      const dropped = () => drops?.() ?? 0;
      // Bounded: the last datagrams reach the socket's callback shortly after node.exe exits.
      const until = Date.now() + 10_000;
      while (received + dropped() < count && Date.now() < until) await new Promise((res) => setTimeout(res, 600));
      expect(received + dropped()).toBe(count);
      expect(received).toBeGreaterThan(0);
      expect(bytes).toBe(received * 200);
    } finally {
      rx.close();
    }
  }, 180_000);

  it('listen and send between two Windows node processes; ps --json lists them, --threads and --sockets show the listener', async () => {
    // A Windows node.exe listening (it ends after one connection, or after 2 minutes at most).
    const server = startWindowsNode(kit, cli, ['listen', 'tcp', '0', '--echo', '--count', '1', '--timeout', '120000', '--json']);
    cleanups.push(server.cleanup);
    const until = Date.now() + 90_000;
    let listening: { event: string; host: string; port: number } | undefined;
    while (!listening && Date.now() < until) {
      const first = server.output().split('\n')[0];
      if (first?.endsWith('}')) listening = JSON.parse(first) as typeof listening;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(listening).toMatchObject({ event: 'listening', host: '127.0.0.1' });
    const port = listening!.port;

    const ps = await windows(['ps', '--json', '--interval', '300']);
    expect(ps.code, ps.stderr).toBe(0);
    const { processes } = JSON.parse(ps.stdout) as { processes: Row[] };
    // Wine's own services and both node.exe: the ps command itself and the listener.
    expect(processes.length).toBeGreaterThanOrEqual(4);
    expect(processes.map((p) => p.name)).toEqual(expect.arrayContaining(['services.exe', 'node.exe']));
    const self = processes.find((p) => p.name === 'node.exe' && /wirelab\.mjs"? ps --json/.test(p.command));
    expect(self, JSON.stringify(processes.map((p) => p.command))).toBeDefined();
    expect(self!.user).toMatch(/\\/); // DOMAIN\name from the token
    const listener = processes.find((p) => p.name === 'node.exe' && /wirelab\.mjs"? listen tcp 0/.test(p.command));
    expect(listener).toBeDefined();
    expect(listener!.threads).toBeGreaterThanOrEqual(5); // Node's main thread, libuv's 4 pool threads and V8's

    const threads = await windows(['ps', '--threads', String(listener!.pid), '--json', '--interval', '100']);
    expect(threads.code, threads.stderr).toBe(0);
    const t = JSON.parse(threads.stdout) as { pid: number; threads: { tid: number; name: string; state: string; cpu: number }[] };
    expect(t.pid).toBe(listener!.pid);
    expect(t.threads.length).toBeGreaterThanOrEqual(5);
    expect(t.threads.every((th) => th.tid > 0 && th.name === 'node.exe')).toBe(true);

    const sockets = await windows(['ps', '--sockets', '--json']);
    expect(sockets.code, sockets.stderr).toBe(0);
    const s = JSON.parse(sockets.stdout) as { sockets: { proto: string; local: string; remote: string; state: string; pid: number | null }[] };
    // Its port in LISTEN (Wine 8.0 writes owner pid 0 on listeners, so the owner is not checked here).
    expect(s.sockets).toContainEqual(expect.objectContaining({ proto: 'tcp', local: `127.0.0.1:${port}`, state: 'LISTEN' }));

    // A second Windows node.exe sends; the listener echoes and ends after that one connection.
    const sent = await windows(['send', 'tcp', '127.0.0.1', String(port), '你好 wirelab', '--wait', '500', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    const doc = JSON.parse(sent.stdout) as { sent: number; chunks: { hex: string; text: string }[]; error: unknown; connectMs: number | null };
    expect(await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(0);
    const events = server
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; text?: string });

    // The same exchange on Linux: the same document, but for the connect time.
    const linuxServer = startLinuxListen();
    const linuxPort = await linuxServer.port;
    const linuxSent = await runWirelab(['send', 'tcp', '127.0.0.1', String(linuxPort), '你好 wirelab', '--wait', '500', '--json'], 60_000);
    const linuxEvents = await linuxServer.events;
    const linuxDoc = JSON.parse(linuxSent.stdout) as typeof doc;
    expect({ ...doc, connectMs: null }).toEqual({ ...linuxDoc, connectMs: null });
    expect(doc).toMatchObject({ sent: Buffer.byteLength('你好 wirelab'), error: null, chunks: [{ text: '你好 wirelab' }] });
    expect(events.map((e) => e.event)).toEqual(linuxEvents.map((e) => e.event));
    expect(events.find((e) => e.event === 'message')?.text).toBe('你好 wirelab');
  }, 420_000);
});

/** `wirelab listen tcp 0 --echo --count 1` on Linux: its port, then every event it printed. */
function startLinuxListen(): { port: Promise<number>; events: Promise<{ event: string; text?: string }[]> } {
  const run = runWirelabLines(['listen', 'tcp', '0', '--echo', '--count', '1', '--timeout', '60000', '--json']);
  return {
    port: run.first.then((l) => (JSON.parse(l) as { port: number }).port),
    events: run.all.then((ls) => ls.map((l) => JSON.parse(l) as { event: string; text?: string })),
  };
}

function runWirelabLines(args: string[]): { first: Promise<string>; all: Promise<string[]> } {
  const child = spawn(process.execPath, [wirelabBin, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  let out = '';
  let resolveFirst: (l: string) => void;
  const first = new Promise<string>((r) => (resolveFirst = r));
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('\n')) resolveFirst(out.split('\n')[0]!);
  });
  const all = new Promise<string[]>((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.trim().split('\n'));
    }),
  );
  return { first, all };
}
