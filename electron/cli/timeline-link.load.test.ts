import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir.ts';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runProgram, runWirelab, wirelabBin, type Finished } from '../../test/support/spawn-cli.ts';

/** `wirelab …` inside a user namespace whose own limit on nested user namespaces is 0. */
function runWithoutNamespaces(args: string[], timeoutMs = 30_000): Promise<Finished> {
  // user.max_user_namespaces is per user namespace (user_namespaces(7)): setting it to 0 inside
  // one of our own makes unshare fail there as it does on a machine that forbids namespaces,
  // without touching this machine's setting.
  const script = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$@"';
  return runProgram('unshare', ['-r', 'sh', '-c', script, process.execPath, wirelabBin, ...args], timeoutMs);
}

describe('wirelab timeline --link', () => {
  it('runs a transfer over a lossy 2 Mbit/s link and prints the timeline document with link and tcpInfo', async () => {
    const dir = await tempDir();
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const pcap = join(dir, 'link.pcap');
    const serverPcap = join(dir, 'link-server.pcap');
    const r = await runWirelab(
      ['timeline', '--link', 'rate=2mbit,loss=5%', '--transfer', '256KiB', '--write', pcap, '--write-server', serverPcap, '--json'],
      90_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      streams: { client: string; server: string; segments: { from: string; len: number; t: number; arrived?: boolean | null; oneWayMs?: number | null }[] }[];
      link: Record<string, unknown>;
      linkLoss: Record<string, number>;
      tcpInfo: Record<string, number | null>[];
    };
    expect(doc.streams).toHaveLength(1);
    expect(doc.streams[0]).toMatchObject({ server: '10.77.2.1:5000' });
    expect(doc.streams[0]!.segments.filter((g) => g.from === 'client' && g.len > 0).length).toBeGreaterThan(180);
    expect(doc.link).toMatchObject({
      experiment: 'lossy',
      rateKbit: 2000,
      lossPercent: 5,
      transferBytes: 256 * 1024,
      spec: 'experiment=lossy,rate=2mbit,queue=100000b,loss=5%',
    });
    expect(doc.tcpInfo.length).toBeGreaterThan(10);
    expect(Object.keys(doc.tcpInfo[0]!).sort()).toEqual(['cwnd', 'deliveryRate', 'retrans', 'rttMs', 'ssthresh', 't']);
    expect(doc.tcpInfo.every((s) => (s.cwnd ?? 0) > 0)).toBe(true);
    // On the segments' clock: the samples lie within the capture's span.
    const last = doc.streams[0]!.segments.at(-1)!.t;
    expect(doc.tcpInfo.every((s) => s.t! > -0.1 && s.t! < last + 0.1)).toBe(true);
    // --write kept the capture: tshark reads the same frames, retransmissions among them.
    const frames = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'tcp.analysis.retransmission'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean);
    expect(frames.length).toBeGreaterThan(0);
    // Captured at both ends: each segment says whether it arrived; what the client sent and the server never saw is counted.
    const segments = doc.streams[0]!.segments;
    expect(segments.every((g) => typeof g.arrived === 'boolean')).toBe(true);
    const lost = segments.filter((g) => g.arrived === false);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((g) => g.from === 'client' && g.oneWayMs === null)).toBe(true);
    expect(segments.filter((g) => g.arrived).every((g) => g.oneWayMs! >= 0)).toBe(true);
    expect(doc.linkLoss).toMatchObject({ sent: segments.filter((g) => g.from === 'client').length, lost: lost.length, reverseLost: 0 });
    // --write-server kept the server's capture: tshark reads fewer client segments there, by exactly the lost ones.
    const fromClient = (file: string) =>
      execFileSync('tshark', ['-r', file, '-Y', 'ip.src == 10.77.1.1', '-T', 'fields', '-e', 'frame.number'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .split('\n')
        .filter(Boolean).length;
    expect(fromClient(pcap) - fromClient(serverPcap)).toBe(lost.length);
    // The client's file read on its own draws the same diagram, without the join's two fields, and
    // with the server's lane inferred (the link's is the server capture's: end-lanes.ts).
    const file = await runWirelab(['timeline', pcap, '--json']);
    const withoutServerLane = (st: object) => ({ ...st, states: { ...(st as { states?: object }).states, server: null } });
    const bare = doc.streams.map((st) => withoutServerLane({ ...st, segments: st.segments.map(({ arrived: _a, oneWayMs: _o, ...g }) => g) }));
    expect((JSON.parse(file.stdout) as { streams: { states: object }[] }).streams.map(withoutServerLane)).toEqual(bare);
  }, 120_000);

  it('the server’s segments the link lost are in the document too (arrived false, unbadged), and its lane is its own capture’s', async () => {
    // 30 % of what the server sends is dropped: of its ~40 segments, none lost has odds of about one in a million.
    const r = await runWirelab(['timeline', '--link', 'experiment=slow,rate=10mbit,reverse-loss=30%', '--transfer', '64KiB', '--json'], 90_000);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      streams: {
        segments: { frame: number; from: string; t: number; arrived: boolean | null; badges: string[] }[];
        states: { server: { t: number; state: string }[] };
      }[];
      linkLoss: { reverseSent: number; reverseLost: number };
    };
    const segments = doc.streams[0]!.segments;
    const fromServerLost = segments.filter((g) => g.from === 'server' && g.arrived === false);
    expect(doc.linkLoss.reverseLost).toBeGreaterThan(0);
    expect(fromServerLost).toHaveLength(doc.linkLoss.reverseLost);
    expect(fromServerLost.every((g) => g.badges.length === 0)).toBe(true);
    // Numbered after the client's capture (they have no frame there), placed by time among its segments.
    const clientFrames = segments.filter((g) => !fromServerLost.includes(g)).map((g) => g.frame);
    expect(Math.min(...fromServerLost.map((g) => g.frame))).toBe(Math.max(...clientFrames) + 1);
    expect(segments.every((g, k) => k === 0 || g.t >= segments[k - 1]!.t)).toBe(true);
    expect(doc.streams[0]!.states.server.map((c) => c.state)).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  }, 120_000);

  it('names the field and the rule of a bad link spec (exit 2)', async () => {
    const bad = await runWirelab(['timeline', '--link', 'rate=fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('wirelab timeline: --link: rate: a bit rate such as 500kbit, 2mbit or 1gbit (got "fast")\n');
    const loss = await runWirelab(['timeline', '--link', 'loss=80%']);
    expect(loss.stderr).toMatch(/--link: loss: 0–50 %/);
    const both = await runWirelab(['timeline', 'x.pcap', '--link', 'rate=2mbit']);
    expect(both.stderr).toMatch(/--link runs its own experiment/);
  }, 30_000);

  it('where user namespaces are forbidden, names user.max_user_namespaces and how to allow them (exit 3)', async () => {
    const r = await runWithoutNamespaces(['timeline', '--link', 'rate=2mbit', '--json']);
    expect(r.code).toBe(3);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; params: Record<string, string> } };
    expect(error.code).toBe('LINK_NAMESPACES_FORBIDDEN');
    expect(error.params).toMatchObject({ setting: 'user.max_user_namespaces', value: '0', change: 'sudo sysctl -w user.max_user_namespaces=15000' });
    expect(error.params.error).toMatch(/No space left on device/);
    expect(r.stderr).toMatch(/^wirelab timeline: LINK_NAMESPACES_FORBIDDEN: unprivileged user namespaces are forbidden here \(user\.max_user_namespaces = 0\)/);
  }, 60_000);
});
