import { describe, expect, it } from 'vitest';
import { parseNetstat } from './netstat-parse.ts';

// Output as each OS prints it (headings included: the parser must skip them).
const linux = `Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 127.0.0.1:631           0.0.0.0:*               LISTEN
tcp        0      0 127.0.0.1:41234         127.0.0.1:8080          TIME_WAIT
tcp        0     36 192.0.2.2:22            198.51.100.7:51514      ESTABLISHED
tcp6       0      0 ::1:631                 :::*                    LISTEN
tcp6       0      0 ::1:8080                ::1:50000               FIN_WAIT2
`;

const macos = `Active Internet connections (including servers)
Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)
tcp4       0      0  127.0.0.1.8080         127.0.0.1.54321        ESTABLISHED
tcp4       0      0  127.0.0.1.54321        127.0.0.1.8080         FIN_WAIT_2
tcp6       0      0  ::1.8080               ::1.50000              CLOSE_WAIT
tcp6       0      0  fe80::1%lo0.123        *.*                    LISTEN
tcp46      0      0  *.5000                 *.*                    LISTEN
tcp4       0      0  *.22                   *.*                    LISTEN
tcp4       0      0  127.0.0.1.50001        127.0.0.1.8080         SYN_RCVD
`;

const windows = `
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1016
  TCP    127.0.0.1:8080         127.0.0.1:54321        ESTABLISHED     4242
  TCP    127.0.0.1:54321        127.0.0.1:8080         FIN_WAIT_1      5000
  TCP    127.0.0.1:54400        127.0.0.1:8080         TIME_WAIT       0
  TCP    [::]:135               [::]:0                 LISTENING       1016
  TCP    [fe80::1%7]:5357       [fe80::2%7]:49700      SYN_RECEIVED    4
  UDP    0.0.0.0:5353           *:*                                    2288
  UDP    [::1]:1900             *:*                                    3100
`.replace(/\n/g, '\r\n');

describe('netstat, as Linux, macOS and Windows print it', () => {
  it('Linux net-tools: IPv6 without brackets, "*" as port 0, states already in the kernel spelling', () => {
    expect(parseNetstat(linux)).toEqual([
      { proto: 'tcp', local: '127.0.0.1:631', remote: '0.0.0.0:0', state: 'LISTEN', pid: null },
      { proto: 'tcp', local: '127.0.0.1:41234', remote: '127.0.0.1:8080', state: 'TIME_WAIT', pid: null },
      { proto: 'tcp', local: '192.0.2.2:22', remote: '198.51.100.7:51514', state: 'ESTABLISHED', pid: null },
      { proto: 'tcp6', local: '[::1]:631', remote: '[::]:0', state: 'LISTEN', pid: null },
      { proto: 'tcp6', local: '[::1]:8080', remote: '[::1]:50000', state: 'FIN_WAIT2', pid: null },
    ]);
  });

  it('macOS: the port after the last dot, tcp46 as a dual-stack wildcard, IPv6 zones dropped, states renamed', () => {
    expect(parseNetstat(macos)).toEqual([
      { proto: 'tcp', local: '127.0.0.1:8080', remote: '127.0.0.1:54321', state: 'ESTABLISHED', pid: null },
      { proto: 'tcp', local: '127.0.0.1:54321', remote: '127.0.0.1:8080', state: 'FIN_WAIT2', pid: null },
      { proto: 'tcp6', local: '[::1]:8080', remote: '[::1]:50000', state: 'CLOSE_WAIT', pid: null },
      { proto: 'tcp6', local: '[fe80::1]:123', remote: '[::]:0', state: 'LISTEN', pid: null },
      { proto: 'tcp6', local: '[::]:5000', remote: '[::]:0', state: 'LISTEN', pid: null },
      { proto: 'tcp', local: '0.0.0.0:22', remote: '0.0.0.0:0', state: 'LISTEN', pid: null },
      { proto: 'tcp', local: '127.0.0.1:50001', remote: '127.0.0.1:8080', state: 'SYN_RECV', pid: null },
    ]);
  });

  it('Windows -ano: CRLF lines, LISTENING and SYN_RECEIVED renamed, the owning pid, UDP without a state', () => {
    expect(parseNetstat(windows)).toEqual([
      { proto: 'tcp', local: '0.0.0.0:135', remote: '0.0.0.0:0', state: 'LISTEN', pid: 1016 },
      { proto: 'tcp', local: '127.0.0.1:8080', remote: '127.0.0.1:54321', state: 'ESTABLISHED', pid: 4242 },
      { proto: 'tcp', local: '127.0.0.1:54321', remote: '127.0.0.1:8080', state: 'FIN_WAIT1', pid: 5000 },
      // TIME_WAIT belongs to no process: Windows says pid 0
      { proto: 'tcp', local: '127.0.0.1:54400', remote: '127.0.0.1:8080', state: 'TIME_WAIT', pid: 0 },
      { proto: 'tcp6', local: '[::]:135', remote: '[::]:0', state: 'LISTEN', pid: 1016 },
      { proto: 'tcp6', local: '[fe80::1]:5357', remote: '[fe80::2]:49700', state: 'SYN_RECV', pid: 4 },
      { proto: 'udp', local: '0.0.0.0:5353', remote: '0.0.0.0:0', state: 'UNCONN', pid: 2288 },
      { proto: 'udp6', local: '[::1]:1900', remote: '[::]:0', state: 'UNCONN', pid: 3100 },
    ]);
  });

  it('keeps a state it does not know (a localized Windows) as printed, and skips lines that are not sockets', () => {
    const german =
      '  TCP    0.0.0.0:135            0.0.0.0:0              ABHÖREN         1016\r\nunix  2      [ ACC ]     STREAM     LISTENING     20519    /run/systemd/private\r\ngarbage';
    expect(parseNetstat(german)).toEqual([{ proto: 'tcp', local: '0.0.0.0:135', remote: '0.0.0.0:0', state: 'ABHÖREN', pid: 1016 }]);
    expect(parseNetstat('')).toEqual([]);
  });
});
