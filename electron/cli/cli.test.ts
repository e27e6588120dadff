import { describe, expect, it } from 'vitest';
import { runWirelab, startNode, stop, wirelabBin } from '../../test/support/spawn-cli.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

describe('wirelab command', () => {
  it('prints help with the subcommands', async () => {
    const r = await runWirelab(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/serve/);
  });

  it('serve --json: first stdout line is the listening event, the URL works, SIGTERM stops it cleanly', async () => {
    const dataDir = await tempDir();
    const { child, line, output } = await startNode([wirelabBin, 'serve', '--json', '--port', '0', '--data-dir', dataDir], /listening/);
    expect(output().split('\n')[0]).toBe(line);
    const event = JSON.parse(line) as { event: string; url: string };
    expect(event.event).toBe('listening');
    expect(event.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    const res = await fetch(event.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(await stop(child)).toBe(0);
    // --json means JSON only on stdout: every line parses
    for (const l of output().trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  });

  it.each([
    [['serve', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['serve', '--host', '0.0.0.0'], /not a loopback address; add --allow-remote/],
    [['serve', '--host', 'example.com'], /--host must be an IP address/],
    [['serve', '--colour'], /Unknown option '--colour'/],
    [['frobnicate', '--json'], /unknown command "frobnicate"/],
  ])('%j fails with one line on stderr, exit 2, nothing on stdout', async (args, message) => {
    const r = await runWirelab(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains a port that is already taken', async () => {
    const dataDir = await tempDir();
    const first = await startNode([wirelabBin, 'serve', '--json', '--data-dir', dataDir], /listening/);
    const port = new URL(JSON.parse(first.line).url).port;
    const r = await runWirelab(['serve', '--json', '--port', port, '--data-dir', dataDir]);
    await stop(first.child);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use \\(EADDRINUSE\\)`));
  });
});
