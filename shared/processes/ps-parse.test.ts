import { describe, expect, it } from 'vitest';
import { parseCpuTime, parseLsof, parsePs, psKeywords } from './ps-parse.ts';

describe('ps and lsof parsers (the route where there is no /proc)', () => {
  it('reads CPU time in both spellings: Linux [dd-]hh:mm:ss and macOS m:ss.hh', () => {
    expect(parseCpuTime('00:00:16')).toBe(16);
    expect(parseCpuTime('1-02:03:04')).toBe(86400 + 7384);
    expect(parseCpuTime('0:01.25')).toBeCloseTo(1.25);
    expect(parseCpuTime('12:03.50')).toBeCloseTo(723.5);
  });

  it('reads a line in the keyword order it asks for, the command with its spaces, and macOS states', () => {
    expect(psKeywords(false)).toBe('pid=,ppid=,stat=,rss=,time=,user=,lstart=,command=');
    // The column layout macOS ps(1) documents for these keywords (no thread count there).
    const mac = '  412     1 Us      2048   0:01.25 alice    Thu Nov 26 16:38:28 2026     /Applications/Some App.app/Contents/MacOS/Some App --flag\n';
    const [row] = parsePs(mac, false, 'darwin');
    expect(row).toMatchObject({
      pid: 412,
      ppid: 1,
      state: 'D',
      rssBytes: 2048 * 1024,
      user: 'alice',
      threads: null,
      name: 'Some',
      command: '/Applications/Some App.app/Contents/MacOS/Some App --flag',
    });
    expect(row!.cpuSeconds).toBeCloseTo(1.25);
    expect(new Date(row!.startTime).getFullYear()).toBe(2026);
    expect(parsePs('  9  1 Is  0  0:00.00 root Thu Nov 26 16:38:28 2026 /sbin/launchd\n', false, 'darwin')[0]!.state).toBe('S');
    expect(parsePs('not a ps line\n\n', false, 'darwin')).toEqual([]);
  });

  it('reads lsof -F output: owner, protocol, both ends, the TCP state; wildcards as 0.0.0.0 / [::]', () => {
    const text = [
      'p501',
      'cnode',
      'PTCP',
      'n*:8080',
      'TST=LISTEN',
      'TQR=0',
      'PTCP',
      'n127.0.0.1:50000->127.0.0.1:8080',
      'TST=ESTABLISHED',
      'p77',
      'cmDNSResponder',
      'PUDP',
      'n*:5353',
      'PTCP',
      'n[::1]:9000->[::1]:51000',
      'TST=CLOSE_WAIT',
    ].join('\n');
    expect(parseLsof(text)).toEqual([
      { proto: 'tcp', local: '0.0.0.0:8080', remote: '0.0.0.0:0', state: 'LISTEN', pid: 501, process: 'node' },
      { proto: 'tcp', local: '127.0.0.1:50000', remote: '127.0.0.1:8080', state: 'ESTABLISHED', pid: 501, process: 'node' },
      { proto: 'udp', local: '0.0.0.0:5353', remote: '0.0.0.0:0', state: 'UNCONN', pid: 77, process: 'mDNSResponder' },
      { proto: 'tcp6', local: '[::1]:9000', remote: '[::1]:51000', state: 'CLOSE_WAIT', pid: 77, process: 'mDNSResponder' },
    ]);
  });
});
