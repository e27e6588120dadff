import { describe, expect, it } from 'vitest';
import { cpuPercent, decodeProcAddress, parseNetFile, parsePasswd, parseStat } from './proc-parse.ts';

describe('/proc parsers', () => {
  it('reads stat, even with spaces and parentheses in the name', () => {
    const line =
      '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 15 7 0 0 20 0 3 0 12345 1000000 250 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseStat(line)).toEqual({
      pid: 4242,
      comm: 'my (odd) name',
      state: 'S',
      ppid: 1,
      utime: 15,
      stime: 7,
      numThreads: 3,
      starttime: 12345,
      rss: 250,
      startStack: 0,
    });
    const withStack = '9 (python3) S 1 9 9 0 -1 4194304 0 0 0 0 3 4 0 0 20 0 1 0 99 1000 9 18446744073709551615 94 95 140736224522688 0 0';
    expect(parseStat(withStack)).toMatchObject({ comm: 'python3', rss: 9, startStack: 140736224522688 });
    expect(parseStat('garbage')).toBeNull();
    // a UTF-8 name, and a name that ends in ") " like the field separator
    const zh = '77 (服务器) R 1 77 77 0 -1 4194304 0 0 0 0 3 4 0 0 20 0 2 0 999 1000 9 18446744073709551615';
    expect(parseStat(zh)).toMatchObject({ pid: 77, comm: '服务器', state: 'R', ppid: 1, utime: 3, stime: 4, numThreads: 2, starttime: 999, rss: 9 });
    expect(parseStat('5 (a) b) Z 2 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0')).toMatchObject({ comm: 'a) b', state: 'Z', ppid: 2, starttime: 7, rss: 0 });
    // cut before the rss field
    expect(parseStat('5 (a) S 2 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7')).toBeNull();
    expect(parseStat('x5 (a) S 2')).toBeNull();
  });
  it('reads the passwd names', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n').get(1000)).toBe('alice');
  });
  it('decodes /proc/net addresses: IPv4 in host order, ports big-endian, IPv6 words', () => {
    expect(decodeProcAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(decodeProcAddress('00000000000000000000000001000000:0016')).toBe('[::1]:22');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F:0050')).toBe('[::ffff:127.0.0.1]:80');
    expect(decodeProcAddress('00000000000000000000000000000000:0000')).toBe('[::]:0');
  });
  it('reads /proc/net/tcp rows with state names and inodes', () => {
    const text =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0000000000000000 100 0 0 10 0\n';
    expect(parseNetFile(text, 'tcp')).toEqual([
      { proto: 'tcp', local: '127.0.0.1:8080', remote: '0.0.0.0:0', state: 'LISTEN', uid: 1000, inode: 123456, timerSec: null },
    ]);
  });
  it("reads a TIME_WAIT socket's countdown (timer 3, in USER_HZ ticks)", () => {
    const text = 'header\n   1: 0100007F:D4C6 0100007F:1F90 06 00000000:00000000 03:00001716 00000000     0        0 0 3 0000000000000000\n';
    expect(parseNetFile(text, 'tcp')[0]).toMatchObject({ state: 'TIME_WAIT', timerSec: 59.1 });
  });
  it('CPU is a percentage of one core', () => {
    expect(cpuPercent(100, 150, 0.5, 100)).toBe(100);
    expect(cpuPercent(0, 25, 1, 100)).toBe(25);
  });
});
