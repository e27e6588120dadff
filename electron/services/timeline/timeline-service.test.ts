import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../shared/contract/timeline.ts';
import { analyzeStream } from '../../../shared/timeline/tcp-analysis.ts';
import { groupStreams } from '../../../shared/timeline/tcp-streams.ts';
import { packetFromWire } from '../../../shared/timeline/packet-wire.ts';
import { EventHub } from '../../core/event-hub.ts';
import { dumpcapArgs, explainFailure, findTcpdump, PacketCapture, tcpdumpArgs } from './packet-capture.ts';
import { findExecutable } from '../find-executable.ts';
import type { WirelabError } from '../../../shared/contract/errors.ts';
import { markerCodes } from '../../../shared/contract/codes.ts';
import { senderMarker, TimelineService } from './timeline-service.ts';
import { ZERO_WINDOW_BYTES } from './experiments.ts';

/**
 * Real experiments: Wirelab's own client and server on loopback, captured by tcpdump running as
 * a child process, parsed as the pipe delivers it. `.ci/run` installs tcpdump and runs as root.
 */
let service: TimelineService | null = null;
afterEach(async () => {
  await service?.dispose();
  service = null;
});

async function runExperiment(kind: Parameters<TimelineService['experiment']>[0]) {
  const hub = new EventHub();
  service = new TimelineService(hub);
  const events: TimelineEvent[] = [];
  hub.on('timeline.event', (e) => events.push(e));
  const { timelineId } = service.experiment(kind);
  const deadline = Date.now() + 10_000;
  while (!events.some((e) => e.status?.phase === 'done' || e.status?.phase === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const mine = events.filter((e) => e.timelineId === timelineId);
  const status = mine.map((e) => e.status).filter((s) => s !== null);
  const packets = mine.flatMap((e) => e.packets).map(packetFromWire);
  const streams = groupStreams(packets).map(analyzeStream);
  return { status, streams, markers: mine.flatMap((e) => e.markers), kernel: mine.flatMap((e) => e.kernel) };
}

describe('timeline experiments, captured for real', () => {
  it('tcpdump is here and may capture (CI installs it and runs as root)', async () => {
    expect(findTcpdump()).not.toBeNull();
    const caps = await new TimelineService(new EventHub()).capabilities();
    expect(caps.capture).toMatchObject({ available: true, reason: null });
    expect(caps.kernelStates).toBe(true);
  });

  it('normal: SYN, SYN-ACK, ACK, data, FIN both ways; TIME_WAIT on the client, confirmed by the kernel', async () => {
    const r = await runExperiment('normal');
    expect(r.status.at(-1)).toMatchObject({ phase: 'done', capture: { available: true } });
    expect(r.streams).toHaveLength(1);
    const s = r.streams[0]!;
    expect(s.segments.slice(0, 3).map((g) => `${g.from}:${g.flags.join('+')}`)).toEqual(['client:SYN', 'server:SYN+ACK', 'client:ACK']);
    expect(s.segments.filter((g) => g.flags.includes('FIN')).map((g) => g.from)).toEqual(['client', 'server']);
    expect(s.segments.some((g) => g.from === 'client' && g.len === 'hello from Wirelab'.length)).toBe(true);
    expect(s.states.client.map((c) => c.state)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    // The kernel's table agrees, and shows TIME_WAIT's own countdown (Linux: 60 s).
    const tw = r.kernel.find((k) => k.side === 'client' && k.state === 'TIME_WAIT');
    expect(tw).toBeDefined();
    expect(tw!.client).toBe(s.client);
    expect(tw!.timerSec).toBeGreaterThan(55);
    expect(tw!.timerSec).toBeLessThanOrEqual(60);
    // The sockets' own events, on their side, named by the same 4-tuple.
    expect(r.markers.filter((m) => m.side === 'client').map((m) => m.event)).toEqual(expect.arrayContaining(['connect', 'send', 'receive', 'close']));
    expect(r.markers.find((m) => m.event === 'accept')!.client).toBe(s.client);
  });

  it('closed port: SYN then RST+ACK, and the client reports ECONNREFUSED', async () => {
    const r = await runExperiment('refused');
    const s = r.streams[0]!;
    expect(s.segments.map((g) => `${g.from}:${g.flags.join('+')}`)).toEqual(['client:SYN', 'server:RST+ACK']);
    expect(s.states.client.map((c) => c.state)).toEqual(['SYN_SENT', 'CLOSED']);
    const refused = r.markers.find((m) => m.event === 'error')!;
    expect(refused.detail).toMatch(/^ECONNREFUSED/);
    // The UI words it from the code and the address it names, not from Node's sentence.
    expect(refused).toMatchObject({ code: 'MARK_CONNECTION_REFUSED', params: { address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) } });
  });

  it('half-close: the server keeps sending after the client FIN; the client waits in FIN_WAIT_2', async () => {
    const r = await runExperiment('half-close');
    const s = r.streams[0]!;
    const fins = s.segments.flatMap((g, i) => (g.flags.includes('FIN') ? [[g.from, i] as const] : []));
    expect(fins.map(([from]) => from)).toEqual(['client', 'server']);
    const between = s.segments.slice(fins[0]![1] + 1, fins[1]![1]).filter((g) => g.from === 'server' && g.len > 0);
    expect(between).toHaveLength(3);
    expect(s.states.server.map((c) => c.state)).toContain('CLOSE_WAIT');
    expect(r.kernel.some((k) => k.side === 'client' && k.state === 'FIN_WAIT_2')).toBe(true);
    expect(r.kernel.some((k) => k.side === 'server' && k.state === 'CLOSE_WAIT')).toBe(true);
  });

  it('the server closes first: TIME_WAIT lands on the server', async () => {
    const r = await runExperiment('server-first');
    const s = r.streams[0]!;
    expect(s.states.server.at(-1)!.state).toBe('TIME_WAIT');
    expect(s.states.client.at(-1)!.state).toBe('CLOSED');
    expect(r.kernel.some((k) => k.side === 'server' && k.state === 'TIME_WAIT')).toBe(true);
  });

  it('a reset mid-stream: data, then one RST from the client, no FIN', async () => {
    const r = await runExperiment('reset');
    const s = r.streams[0]!;
    expect(s.segments.some((g) => g.from === 'server' && g.len > 0)).toBe(true);
    const rsts = s.segments.filter((g) => g.flags.includes('RST'));
    expect(rsts[0]!.from).toBe('client');
    expect(s.segments.some((g) => g.flags.includes('FIN'))).toBe(false);
    expect(s.states.client.at(-1)!.state).toBe('CLOSED');
  });
});

describe('every marker the experiments emit is a registered code with exactly its params', () => {
  // What the renderer words (shared/contract/codes.ts ↔ the catalogs) is what the backend sends.
  it.each(['normal', 'refused', 'half-close', 'reset'] as const)('%s', async (kind) => {
    const r = await runExperiment(kind);
    expect(r.markers.length).toBeGreaterThanOrEqual(2);
    for (const m of r.markers) {
      expect(Object.keys(markerCodes), m.detail).toContain(m.code);
      const spec = markerCodes[m.code as keyof typeof markerCodes];
      expect(Object.keys(m.params ?? {}).sort(), m.code).toEqual([...spec.params].sort());
      if ('count' in spec) expect(typeof m.params![spec.count], m.code).toBe('number');
    }
  });
});

describe('timeline experiments: flow control and keep-alive', () => {
  it('zero window: the unread receive buffer fills, the window drops to 0, the sender probes, then all the data arrives', async () => {
    const r = await runExperiment('zero-window');
    expect(r.status.at(-1)).toMatchObject({ phase: 'done' });
    const s = r.streams[0]!;
    const zero = s.segments.filter((g) => g.badges.includes('zero-window'));
    expect(zero.length).toBeGreaterThanOrEqual(1);
    expect(zero.every((g) => g.from === 'server' && g.win === 0)).toBe(true);
    // while the window is shut the client probes it (Linux: an ACK one byte back in sequence space)
    expect(s.segments.some((g) => g.from === 'client' && g.badges.includes('window-probe') && g.frame > zero[0]!.frame)).toBe(true);
    // the server reads again and says so with a window update
    expect(s.segments.some((g) => g.from === 'server' && g.badges.includes('window-update') && g.frame > zero.at(-1)!.frame)).toBe(true);
    // every byte got through in the end: the server's last ACK covers 512 KiB and the client's FIN
    const lastAck = s.segments.filter((g) => g.from === 'server' && g.relAck !== null).at(-1)!;
    expect(lastAck.relAck).toBe(ZERO_WINDOW_BYTES + 2);
    expect(r.markers.some((m) => m.side === 'client' && m.detail.startsWith(`${ZERO_WINDOW_BYTES} bytes written`))).toBe(true);
    expect(r.markers.find((m) => m.side === 'server' && /read after/.test(m.detail))!.detail).toBe(`${ZERO_WINDOW_BYTES} bytes read after reading resumed`);
  });

  it('keep-alive: an idle connection is probed about once a second and each probe is answered', async () => {
    const r = await runExperiment('keep-alive');
    const s = r.streams[0]!;
    const probes = s.segments.filter((g) => g.badges.includes('keep-alive'));
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect(probes.every((g) => g.from === 'client' && g.len === 0 && g.relSeq === 0)).toBe(true);
    // the first after ~1 s of silence, the next about 1 s later (TCP_KEEPIDLE = TCP_KEEPINTVL = 1 s)
    expect(probes[0]!.t).toBeGreaterThan(0.9);
    expect(probes[1]!.t - probes[0]!.t).toBeGreaterThan(0.9);
    expect(probes[1]!.t - probes[0]!.t).toBeLessThan(1.6);
    // answered by the server, and not mistaken for duplicate ACKs
    expect(s.segments.some((g) => g.badges.includes('dup-ack'))).toBe(false);
    expect(s.segments.filter((g) => g.from === 'server' && g.flags.join('+') === 'ACK' && g.t > probes[0]!.t).length).toBeGreaterThanOrEqual(probes.length);
    expect(s.states.client.at(-1)!.state).toBe('TIME_WAIT');
  });
});

describe('capture plumbing', () => {
  it('passes packets on within milliseconds of the kernel stamping them (--immediate-mode)', async () => {
    const r = await runExperiment('normal');
    expect(r.streams[0]!.segments.length).toBeGreaterThanOrEqual(8);
    const lat = [...service!.latencies].sort((a, b) => a - b);
    const p50 = lat[Math.floor(lat.length / 2)]!;
    // Without --immediate-mode libpcap hands packets over when its buffer times out, about a
    // second later; 200 ms tells the two apart with room for a loaded machine.
    expect(p50).toBeLessThan(200);
  });

  it('refuses a capture filter built from anything but a port number and an IP address', () => {
    expect(() => tcpdumpArgs({ port: 0 }, 'lo')).toThrow(/port: must be 1–65535/);
    expect(() => dumpcapArgs({ port: 80, host: '1.2.3.4; rm -rf /' }, 'lo')).toThrow(/host: the capture filter needs an IP address/);
    expect(dumpcapArgs({ port: 80 }, 'lo')).toEqual(['-i', 'lo', '-f', 'tcp port 80', '-q', '-w', '-']);
    expect(() => tcpdumpArgs({ port: 80, host: 'x or port 22' }, 'lo')).toThrow(/host: the capture filter needs an IP address/);
    expect(tcpdumpArgs({ port: 80, host: '::1' }, 'lo')).toEqual(['-i', 'lo', '-n', '-U', '--immediate-mode', '-w', '-', 'tcp and host ::1 and port 80']);
  });

  it('without tcpdump it says what is missing, and the experiment still runs on sockets and kernel states', async () => {
    const hub = new EventHub();
    service = new TimelineService(hub, { tool: { kind: 'tcpdump', path: '/nonexistent/tcpdump' } });
    await expect(PacketCapture.start({ port: 80 }, () => {}, { tool: { kind: 'tcpdump', path: '/nonexistent/tcpdump' } })).rejects.toThrow(
      /tcpdump is not installed/,
    );
    const events: TimelineEvent[] = [];
    hub.on('timeline.event', (e) => events.push(e));
    service.experiment('normal');
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.status?.phase === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const done = events.find((e) => e.status?.phase === 'done')!.status!;
    expect(done.capture).toMatchObject({ available: false, code: 'CAPTURE_UNAVAILABLE' });
    expect(done.capture!.reason).toMatch(/tcpdump is not installed/);
    expect(events.flatMap((e) => e.packets)).toHaveLength(0);
    expect(events.flatMap((e) => e.kernel).some((k) => k.state === 'TIME_WAIT')).toBe(true);
    expect(events.flatMap((e) => e.markers).some((m) => m.event === 'connect')).toBe(true);
  });

  it("with Wireshark's dumpcap instead of tcpdump (Windows' usual tool) the experiment draws the same connection", async () => {
    const dumpcap = findExecutable('dumpcap');
    expect(dumpcap, 'dumpcap is installed (.ci/run installs wireshark-common)').not.toBeNull();
    const hub = new EventHub();
    service = new TimelineService(hub, { tool: { kind: 'dumpcap', path: dumpcap! } });
    const events: TimelineEvent[] = [];
    hub.on('timeline.event', (e) => events.push(e));
    service.experiment('normal');
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.status?.phase === 'done' || e.status?.phase === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const capturing = events.find((e) => e.status?.phase === 'capturing')!.status!;
    expect(capturing.capture).toMatchObject({ available: true, tool: 'dumpcap' });
    // dumpcap has no immediate mode and flushes on libpcap's timeout: wait for its last packets
    await new Promise((r) => setTimeout(r, 400));
    const s = groupStreams(events.flatMap((e) => e.packets).map(packetFromWire)).map(analyzeStream)[0]!;
    expect(s.segments.slice(0, 3).map((g) => `${g.from}:${g.flags.join('+')}`)).toEqual(['client:SYN', 'server:SYN+ACK', 'client:ACK']);
    expect(s.states.client.at(-1)!.state).toBe('TIME_WAIT');
  });

  it('explains a capture refused for lack of privilege (dumpcap run as nobody), naming the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirelab-dumpcap-'));
    const wrapper = join(dir, 'dumpcap-as-nobody');
    await writeFile(wrapper, `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ${findExecutable('dumpcap')} "$@"\n`, {
      mode: 0o755,
    });
    const err = await PacketCapture.start({ port: 9 }, () => {}, { tool: { kind: 'dumpcap', path: wrapper } }).then(
      () => null,
      (e: WirelabError) => e,
    );
    expect(err?.code).toBe('CAPTURE_NOT_PERMITTED');
    expect(err?.message).toMatch(/^dumpcap may not capture here: .*permission/i);
    expect(err?.message).toMatch(/setcap/);
  });

  it('explains a capture refused for lack of privilege (tcpdump run as nobody) and how to grant it', () => {
    const tool = findTcpdump()!;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', tool, '-i', 'lo', '-w', '-', 'tcp port 9'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    expect(r.status).not.toBe(0);
    const err = explainFailure(r.stderr, r.status);
    expect(err.code).toBe('CAPTURE_NOT_PERMITTED');
    expect(err.message).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
    expect(err.message).toMatch(/Never run Wirelab itself as root/);
  });

  it('imports a file: conversations listed, one opened with every packet', () => {
    service = new TimelineService(new EventHub());
    const bytes = new Uint8Array(readFileSync(new URL('../../../test/fixtures/captures/three-connections.pcap', import.meta.url)));
    const imported = service.import('three.pcap', bytes);
    expect(imported).toMatchObject({ format: 'pcap', problem: null });
    expect(imported.streams).toHaveLength(3);
    expect(imported.streams.every((s) => s.hasSyn && s.hasFin && !s.guessed)).toBe(true);
    const one = service.stream(imported.timelineId, 1);
    expect(one.packets).toHaveLength(imported.streams[1]!.packets);
    expect(one.packets[0]!.frame).toBe(imported.streams[1]!.firstFrame);
    expect(() => service!.stream(imported.timelineId, 3)).toThrow(/index: the file has 3 conversations \(0–2\)/);
    const cut = service.import('cut.pcap', new Uint8Array(readFileSync(new URL('../../../test/fixtures/captures/truncated.pcap', import.meta.url))));
    expect(cut.problem!.message).toMatch(/^cut\.pcap: .*truncated/);
    expect(cut.frames).toBe(cut.problem!.framesRead);
    expect(() => service!.import('notes.txt', new TextEncoder().encode('hello'))).toThrow(/not a capture file: it starts with 0x68656c6c/);
  });
});

describe('packet-sender events as markers', () => {
  const base = { sessionId: 's1', seq: 1, dir: null, at: 0, peer: null, length: 0, hex: '', text: '', truncated: false, code: null, message: null } as const;
  it("a client session's events sit on the client side of its own connection", () => {
    const session = { id: 's1', kind: 'tcp-client' as const, local: '127.0.0.1:40000' };
    expect(senderMarker({ ...base, type: 'chunk', dir: 'out', length: 12 }, session)).toEqual({
      client: '127.0.0.1:40000',
      side: 'client',
      event: 'send',
      code: 'MARK_BYTES',
      params: { bytes: 12 },
      detail: '12 bytes',
    });
    expect(senderMarker({ ...base, type: 'close', message: 'the peer sent FIN (it will send no more)' }, session)).toMatchObject({
      event: 'end',
      code: 'MARK_FIN_FROM_SERVER',
      detail: 'the server sent FIN (read returned 0)',
    });
    expect(senderMarker({ ...base, type: 'close', dir: 'out', message: 'sent FIN' }, session)).toMatchObject({
      event: 'end',
      detail: 'shutdown(SHUT_WR): FIN sent, still reading',
    });
    expect(senderMarker({ ...base, type: 'error', code: 'ECONNRESET', message: 'reset by peer' }, session)).toMatchObject({
      event: 'error',
      code: 'MARK_SOCKET_ERROR',
      params: { errno: 'ECONNRESET' },
      detail: 'ECONNRESET: reset by peer',
    });
    expect(senderMarker({ ...base, type: 'message' }, session)).toBeNull();
  });
  it("a server session's events name the client they talk to; a send to all clients names none", () => {
    const session = { id: 's1', kind: 'tcp-server' as const, local: '127.0.0.1:8080' };
    expect(senderMarker({ ...base, type: 'client-open', peer: '127.0.0.1:50000' }, session)).toEqual({
      client: '127.0.0.1:50000',
      side: 'server',
      event: 'accept',
      code: 'MARK_ACCEPTED',
      params: { peer: '127.0.0.1:50000' },
      detail: 'accepted 127.0.0.1:50000',
    });
    expect(senderMarker({ ...base, type: 'chunk', dir: 'in', peer: '[::1]:50001', length: 3 }, session)).toMatchObject({
      client: '[::1]:50001',
      event: 'receive',
    });
    expect(senderMarker({ ...base, type: 'chunk', dir: 'out', peer: 'all 3 clients', length: 3 }, session)).toBeNull();
  });
});

describe('quitting', () => {
  it('ends the tcpdump of a watched port when the service is disposed (the app quits)', async () => {
    const own = new TimelineService(new EventHub());
    const port = 40000 + Math.floor(Math.random() * 20000);
    await own.watch(port, '127.0.0.1');
    const running = () => spawnSync('pgrep', ['-f', `tcpdump .*port ${port}`], { encoding: 'utf8' }).stdout.trim();
    expect(running()).not.toBe('');
    await own.dispose();
    expect(running()).toBe('');
  });
});
