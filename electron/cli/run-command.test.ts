import { readdir, readFile, writeFile } from 'node:fs/promises';
import { parseScript } from '../../shared/scripts/script.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { startPythonPeer, stopPeer } from '../../test/support/python-peer.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

interface RunDoc {
  ok: boolean;
  steps: { step: number; ok: boolean; ms: number; error: string | null; code: string | null; got?: string }[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Whether this machine lets a test make a user + network + mount namespace (see /work/shared/notes/network-namespaces.md). */
const canUnshareMount = spawnSync('unshare', ['-rnm', 'true'], { stdio: 'ignore' }).status === 0;
if (!canUnshareMount) console.warn('run-command: the localhost-lists-::1-first test is skipped, `unshare -rnm` is not allowed here');

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stopPeer(c);
});

async function run(script: unknown): Promise<{ code: number | null; doc: RunDoc | null; stderr: string }> {
  const dir = await tempDir();
  const file = join(dir, 'script.json');
  await writeFile(file, typeof script === 'string' ? script : JSON.stringify(script));
  const r = await runWirelab(['run', file, '--json'], 30_000);
  return { code: r.code, doc: r.stdout ? (JSON.parse(r.stdout) as RunDoc) : null, stderr: r.stderr };
}

async function peer(...args: string[]): Promise<number> {
  const p = await startPythonPeer('course_peers.py', args);
  children.push(p.child);
  return p.port;
}

describe('wirelab run (send→expect scripts)', () => {
  it('runs text, hex, escapes, a regex and a wait against a Python echo peer, twice', async () => {
    const port = await peer('echo');
    const { code, doc } = await run({
      connect: { kind: 'tcp', host: '127.0.0.1', port },
      repeat: 2,
      steps: [
        { send: 'hello' },
        { expect: 'hello' },
        { send: '01 02 0a', as: 'hex' },
        { expectHex: '01 02' },
        { send: 'ok 42\\n', as: 'escaped' },
        { expectRegex: 'ok \\d+' },
        { wait: 20 },
      ],
    });
    expect(code).toBe(0);
    expect(doc!.ok).toBe(true);
    expect(doc!.steps).toHaveLength(14);
    expect(doc!.steps.every((s) => s.ok && s.error === null && s.ms >= 0)).toBe(true);
    expect(doc!.steps[1]).toMatchObject({ step: 1, got: 'hello' });
  });

  it("talks len32le to Wirelab's own echo server (wirelab listen) and reads each framed reply", async () => {
    const { child, line } = await startNode([wirelabBin, 'listen', 'tcp', '0', '--echo', '--frame', 'len32le', '--json'], /listening/);
    try {
      const { port } = JSON.parse(line) as { port: number };
      const { code, doc } = await run({
        connect: { kind: 'tcp', host: '127.0.0.1', port, frame: 'len32le' },
        steps: [{ send: 'one' }, { send: 'two' }, { expect: 'one' }, { expect: 'two' }, { send: 'three' }, { expectRegex: '^three$' }],
      });
      expect(code).toBe(0);
      expect(doc!.steps.map((s) => s.got ?? null)).toEqual([null, null, 'one', 'two', null, 'three']);
    } finally {
      await stop(child);
    }
  });

  it('answers a challenge as the notes do: the right key gets in, a wrong one is refused and the step named', async () => {
    const right = await run({
      connect: { kind: 'tcp', host: '127.0.0.1', port: await peer('auth', 'alexbigs') },
      steps: [{ answer: 'md5:alexbigs' }, { expect: 'welcome' }],
    });
    expect(right.code).toBe(0);
    const wrong = await run({
      connect: { kind: 'tcp', host: '127.0.0.1', port: await peer('auth', 'alexbigsb') },
      steps: [{ answer: 'md5:alexbigs' }, { expect: 'welcome' }],
    });
    expect(wrong.code).toBe(1);
    expect(wrong.doc!.steps[1]).toMatchObject({ step: 1, ok: false, code: 'SCRIPT_PEER_CLOSED', error: expect.stringMatching(/^steps\[1\]\.expect: /) });
  });

  it('saves a header-announced body under its sanitised name, never outside the folder', async () => {
    const dir = await tempDir();
    const port = await peer('file', '../../evil.txt', 'file body 文件');
    const { code, doc } = await run({
      connect: { kind: 'tcp', host: '127.0.0.1', port, frame: { kind: 'header-json', sizeKey: 'filesize' } },
      steps: [{ save: dir }],
    });
    expect(code).toBe(0);
    expect(doc!.steps[0]!.got).toMatch(/^saved evil\.txt \(\d+ bytes, sha256 [0-9a-f]{64}\)$/);
    expect(await readdir(dir)).toEqual(['evil.txt']);
    expect(await readFile(join(dir, 'evil.txt'), 'utf8')).toBe('file body 文件');
  });

  it('a failing expect exits 1 and names the step; the steps after it do not run', async () => {
    const port = await peer('echo');
    const { code, doc } = await run({
      connect: { kind: 'tcp', host: '127.0.0.1', port, frame: 'line' },
      steps: [{ send: 'hello' }, { expect: 'bye' }, { send: 'never' }],
    });
    expect(code).toBe(1);
    expect(doc!.ok).toBe(false);
    expect(doc!.steps).toHaveLength(2);
    expect(doc!.steps[1]).toMatchObject({
      step: 1,
      ok: false,
      code: 'SCRIPT_MISMATCH',
      got: 'hello',
      error: 'steps[1].expect: the next message does not contain "bye"',
    });
  });

  it('a step that waits past its timeoutMs fails with SCRIPT_TIMEOUT after about that long', async () => {
    const port = await peer('echo');
    const { code, doc } = await run({ connect: { kind: 'tcp', host: '127.0.0.1', port }, steps: [{ send: 'hi' }, { expect: 'silence', timeoutMs: 400 }] });
    expect(code).toBe(1);
    expect(doc!.steps[1]).toMatchObject({ ok: false, code: 'SCRIPT_TIMEOUT', got: 'hi' });
    expect(doc!.steps[1]!.ms).toBeGreaterThanOrEqual(390);
  });

  it('a refused connection is a failed run, exit 1, with the errno', async () => {
    const { code, doc } = await run({ connect: { kind: 'tcp', host: '127.0.0.1', port: 1 }, steps: [{ send: 'x' }] });
    expect(code).toBe(1);
    expect(doc!.steps[0]).toMatchObject({ step: -1, ok: false, code: 'ECONNREFUSED' });
  });

  it('a UDP host name that does not resolve is the worded ENOTFOUND, as a send to it would be (not a raw SOCKET_ERROR)', async () => {
    const { code, doc } = await run({ connect: { kind: 'udp', host: 'no-such-host.invalid', port: 9 }, steps: [{ send: 'x' }] });
    expect(code).toBe(1);
    expect(doc!.steps[0]).toMatchObject({
      step: -1,
      ok: false,
      code: 'ENOTFOUND',
      error: expect.stringMatching(/^connect: send to no-such-host\.invalid:9: ENOTFOUND — /),
    });
  });

  it.runIf(canUnshareMount)(
    'a UDP script to localhost reaches a peer on 127.0.0.1 where localhost lists ::1 first (as on Windows and macOS)',
    async () => {
      // A user + network + mount namespace whose /etc/hosts says "::1 localhost" before "127.0.0.1 localhost".
      const dir = await tempDir();
      await writeFile(join(dir, 'hosts'), '::1 localhost\n127.0.0.1 localhost\n');
      await writeFile(
        join(dir, 'script.json'),
        JSON.stringify({ connect: { kind: 'udp', host: 'localhost', port: 1 }, steps: [{ send: 'ping' }, { expect: 'ping', timeoutMs: 3000 }] }),
      );
      // the course notes' UDP server: bind, recvfrom, sendto back
      const echo = [
        'import socket',
        'sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
        "sk.bind(('127.0.0.1', 0))",
        'sk.settimeout(20)',
        'print(sk.getsockname()[1], flush=True)',
        'data, addr = sk.recvfrom(1024)',
        'sk.sendto(data, addr)',
      ].join('\n');
      const sh = [
        'set -eu',
        'mount --bind "$1/hosts" /etc/hosts',
        'ip link set lo up',
        'python3 -c "$2" > "$1/port" &',
        'peer=$!',
        'trap \'kill "$peer" 2>/dev/null || true\' EXIT',
        'i=0; until [ -s "$1/port" ]; do i=$((i + 1)); [ "$i" -lt 300 ] || exit 3; sleep 0.05; done',
        'sed "s/\\"port\\":1}/\\"port\\":$(cat "$1/port")}/" "$1/script.json" > "$1/run.json"',
        'node bin/wirelab.mjs run "$1/run.json" --json',
      ].join('\n');
      const r = spawnSync('unshare', ['-rnm', 'sh', '-c', sh, 'sh', dir, echo], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, steps: [{ ok: true }, { ok: true, got: 'ping' }] });
    },
    70_000,
  );

  it.each([
    [
      { connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ send: 'a' }, { sned: 'b' }] },
      /^wirelab run: steps\[1\]\.sned: not a key of the format/,
    ],
    [
      { connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ send: 'a', expect: 'b' }] },
      /^wirelab run: steps\[0\]\.expect: a step does one thing; this one has send and expect/,
    ],
    [{ connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{}, { expectRegex: '(a)\\1' }] }, /^wirelab run: steps\[0\]: a step needs one action key/],
    [
      { connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ expectRegex: '(a)\\1' }] },
      /^wirelab run: steps\[0\]\.expectRegex: backreferences such as \\1 are not supported/,
    ],
    [
      { connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ send: 'zz', as: 'hex' }] },
      /^wirelab run: steps\[0\]\.send: "z" at position 1 is not a hex digit/,
    ],
    [
      { connect: { kind: 'tcp', host: '127.0.0.1', port: 9 }, steps: [{ answer: 'sha1:k' }] },
      /^wirelab run: steps\[0\]\.answer: "sha1" is not an algorithm; write md5:KEY or hmac-sha256:KEY/,
    ],
    [{ connect: { kind: 'tcp', host: '127.0.0.1', port: 70000 }, steps: [{ wait: 1 }] }, /^wirelab run: connect\.port: a port from 1 to 65535/],
    [{ connect: { kind: 'tcp', host: '127.0.0.1', port: 9, frame: 'len24' }, steps: [{ wait: 1 }] }, /^wirelab run: connect\.frame: a framing/],
    ['{"connect": ', /^wirelab run: script: not JSON/],
  ])('a bad script exits 2 naming the field: %j', async (script, message) => {
    const { code, doc, stderr } = await run(script);
    expect(code).toBe(2);
    expect(doc).toBeNull();
    expect(stderr).toMatch(message);
  });

  it("--pcap FILE leaves the run's bytes behind, as tshark reads them, also when a step failed", async () => {
    const port = await peer('echo');
    const dir = await tempDir();
    const file = join(dir, 'script.json');
    const pcap = join(dir, 'run.pcap');
    await writeFile(
      file,
      JSON.stringify({
        connect: { kind: 'tcp', host: '127.0.0.1', port },
        steps: [{ send: 'hello wire' }, { expect: 'hello wire' }, { expect: 'never', timeoutMs: 300 }],
      }),
    );
    const r = await runWirelab(['run', file, '--pcap', pcap, '--json'], 30_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, pcap: { file: pcap, packets: 2, dropped: 0 } });
    const fields = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const hex = Buffer.from('hello wire').toString('hex');
    expect(
      fields
        .trim()
        .split('\n')
        .map((l) => l.split('\t')),
    ).toEqual([
      [expect.any(String), String(port), hex],
      [String(port), expect.any(String), hex],
    ]);

    // a path it cannot write is a usage error naming the flag, found before the run: no step ran
    const text = await runWirelab(['run', file, '--pcap', join(dir, 'no-such-dir', 'x.pcap')], 30_000);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/--pcap: cannot write ".*x\.pcap" \(ENOENT\)/);
    expect(text.stdout).toBe('');
  });
});

describe("the README's script", () => {
  it('is a valid script (the documented format is the one parsed)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const json = /#### Scripts[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(parseScript(json).steps.map((s) => Object.keys(s).find((k) => k !== 'as' && k !== 'timeoutMs' && k !== 'header'))).toEqual([
      'answer',
      'send',
      'send',
      'send',
      'send',
      'expect',
      'expectRegex',
      'expectHex',
      'wait',
      'save',
    ]);
  });
});
