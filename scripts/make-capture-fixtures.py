#!/usr/bin/env python3
"""Regenerates test/fixtures/captures: real loopback connections captured by tcpdump and dumpcap,
variants of them in other byte orders and link types, and tshark's reading of every file (the
oracle the parser tests compare against, field by field).

Needs root (or CAP_NET_RAW), tcpdump, dumpcap and tshark. Run: python3 scripts/make-capture-fixtures.py
Only loopback traffic, on ports the kernel hands out.
"""
import json, os, signal, socket, struct, subprocess, sys, threading, time

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'captures')
os.makedirs(OUT, exist_ok=True)


def free_port(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(('::1' if family == socket.AF_INET6 else '127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def capture(name, port, scenario, tool=('tcpdump', '-i', 'lo'), extra=()):
    path = os.path.join(OUT, name)
    if tool[0] == 'tcpdump':
        cmd = [*tool, '-n', '-U', '--immediate-mode', *extra, '-w', path, f'tcp port {port}']
        ready = b'listening on'
    else:
        cmd = [*tool, *extra, '-w', path, '-f', f'tcp port {port}']
        ready = b'Capturing on'
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    buf = b''
    while ready not in buf:
        chunk = p.stderr.read1(4096)
        if not chunk:
            sys.exit(f'{cmd[0]} exited: {buf.decode()}')
        buf += chunk
    time.sleep(0.3)
    scenario(port)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    p.wait(5)
    print('wrote', name)
    return path


def server(port, handler, family=socket.AF_INET):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('::1' if family == socket.AF_INET6 else '127.0.0.1', port))
    srv.listen(1)

    def run():
        conn, _ = srv.accept()
        handler(conn)
        srv.close()

    t = threading.Thread(target=run)
    t.start()
    return t


def normal(port, family=socket.AF_INET):
    """Connect, send, get a reply, the client closes first: TIME_WAIT lands on the client."""
    def h(c):
        data = c.recv(100)
        c.sendall(b'echo:' + data)
        c.recv(100)  # the client's FIN
        c.close()
    t = server(port, h, family)
    c = socket.create_connection(('::1' if family == socket.AF_INET6 else '127.0.0.1', port))
    c.sendall(b'hello wirelab')
    c.recv(100)
    time.sleep(0.05)
    c.close()
    t.join()


def refused(port):
    c = socket.socket()
    try:
        c.connect(('127.0.0.1', port))
    except ConnectionRefusedError:
        pass
    c.close()


def half_close(port):
    """The client sends FIN; the server keeps sending for a while, then closes."""
    def h(c):
        c.recv(100)
        c.recv(100)  # FIN
        for i in range(3):
            c.sendall(f'late data {i}\n'.encode())
            time.sleep(0.02)
        c.close()
    t = server(port, h)
    c = socket.create_connection(('127.0.0.1', port))
    c.sendall(b'request')
    time.sleep(0.02)
    c.shutdown(socket.SHUT_WR)
    while c.recv(100):
        pass
    c.close()
    t.join()


def server_first(port):
    def h(c):
        c.sendall(b'bye')
        c.close()
    t = server(port, h)
    c = socket.create_connection(('127.0.0.1', port))
    c.recv(100)
    c.recv(100)
    time.sleep(0.02)
    c.close()
    t.join()


def reset(port):
    """The client aborts mid-stream: SO_LINGER 0 turns close() into a RST."""
    def h(c):
        try:
            for i in range(5):
                c.sendall(b'x' * 1000)
                time.sleep(0.01)
        except OSError:
            pass
        c.close()
    t = server(port, h)
    c = socket.create_connection(('127.0.0.1', port))
    c.recv(1000)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()
    t.join()


def many(port):
    """Several connections on one port, one after another (stream splitting)."""
    for _ in range(3):
        normal(port)


def rewrite_pcap(src, dst, *, big_endian=False, link=None):
    """Copies a µs/ns pcap, optionally byte-swapping every header and replacing the Ethernet header."""
    data = open(src, 'rb').read()
    magic, = struct.unpack('<I', data[:4])
    hdr = struct.unpack('<IHHiIII', data[:24])
    out_e = '>' if big_endian else '<'
    linktype = hdr[6] if link is None else link[0]
    out = [struct.pack(out_e + 'IHHiIII', magic, hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], linktype)]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        body = data[off + 16: off + 16 + incl]
        if link is not None:
            ethertype = struct.unpack('>H', body[12:14])[0]
            body = link[1](ethertype) + body[14:]
            delta = 14 - len(link[1](ethertype))
            incl -= delta
            orig -= delta
        out.append(struct.pack(out_e + 'IIII', sec, frac, incl, orig) + body)
        off += 16 + incl + (0 if link is None else delta)
    open(dst, 'wb').write(b''.join(out))
    print('wrote', os.path.basename(dst))


def af(family_value, order):
    return lambda ethertype: struct.pack(order + 'I', 2 if ethertype == 0x0800 else family_value)


FIELDS = ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport',
          'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len', 'tcp.window_size_value', 'tcp.seq', 'tcp.ack', 'tcp.stream',
          'tcp.window_size', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.analysis.retransmission',
          'tcp.analysis.duplicate_ack', 'tcp.analysis.zero_window']


def oracle(name):
    """tshark's reading of a file, one object per TCP frame, written beside it as <name>.tshark.json."""
    path = os.path.join(OUT, name)
    r = subprocess.run(['tshark', '-r', path, '-o', 'tcp.relative_sequence_numbers:TRUE', '-T', 'fields', '-E', 'separator=\t',
                        *sum((['-e', f] for f in FIELDS), []), 'tcp'], capture_output=True, text=True)
    rows = []
    for line in r.stdout.splitlines():
        v = dict(zip(FIELDS, line.split('\t')))
        rows.append({
            'frame': int(v['frame.number']),
            'time': v['frame.time_epoch'],
            'src': v['ip.src'] or v['ipv6.src'],
            'dst': v['ip.dst'] or v['ipv6.dst'],
            'srcPort': int(v['tcp.srcport']),
            'dstPort': int(v['tcp.dstport']),
            'seq': int(v['tcp.seq_raw']),
            'ack': int(v['tcp.ack_raw']),
            'flags': int(v['tcp.flags'], 16),
            'len': int(v['tcp.len']),
            'win': int(v['tcp.window_size_value']),
            'relSeq': int(v['tcp.seq']),
            'relAck': int(v['tcp.ack']) if v['tcp.ack'] else None,
            'stream': int(v['tcp.stream']),
            'winScaled': int(v['tcp.window_size']),
            'mss': int(v['tcp.options.mss_val']) if v['tcp.options.mss_val'] else None,
            'wscale': int(v['tcp.options.wscale.shift']) if v['tcp.options.wscale.shift'] else None,
            'retransmission': bool(v['tcp.analysis.retransmission']),
            'dupAck': bool(v['tcp.analysis.duplicate_ack']),
            'zeroWindow': bool(v['tcp.analysis.zero_window']),
        })
    info = subprocess.run(['capinfos', '-M', '-c', '-E', path], capture_output=True, text=True).stdout
    json.dump({'source': f'tshark 4.0 reading {name}', 'capinfos': info.strip().splitlines()[1:], 'frames': rows},
              open(path + '.tshark.json', 'w'), indent=1)


def main():
    files = []
    files.append(capture('lo-normal.pcap', free_port(), normal))
    files.append(capture('any-sll2.pcap', free_port(), normal, tool=('tcpdump', '-i', 'any')))
    files.append(capture('any-sll.pcap', free_port(), normal, tool=('tcpdump', '-i', 'any'), extra=('-y', 'LINUX_SLL')))
    files.append(capture('lo-nano.pcap', free_port(), normal, extra=('--time-stamp-precision=nano',)))
    files.append(capture('lo-ipv6.pcap', free_port(socket.AF_INET6), lambda p: normal(p, socket.AF_INET6)))
    files.append(capture('dumpcap.pcapng', free_port(), normal, tool=('dumpcap', '-q', '-i', 'lo')))
    files.append(capture('refused.pcap', free_port(), refused))
    files.append(capture('half-close.pcap', free_port(), half_close))
    files.append(capture('server-first.pcap', free_port(), server_first))
    files.append(capture('reset.pcap', free_port(), reset))
    files.append(capture('three-connections.pcap', free_port(), many))
    src = os.path.join(OUT, 'lo-normal.pcap')
    rewrite_pcap(src, os.path.join(OUT, 'big-endian.pcap'), big_endian=True)
    rewrite_pcap(src, os.path.join(OUT, 'null-macos.pcap'), link=(0, af(30, '<')))
    rewrite_pcap(src, os.path.join(OUT, 'loop-openbsd.pcap'), link=(108, af(24, '>')))
    rewrite_pcap(src, os.path.join(OUT, 'raw.pcap'), link=(101, lambda _: b''))
    # pcapng with nanosecond timestamps (if_tsresol = 9), via editcap.
    subprocess.run(['editcap', '-F', 'pcapng', os.path.join(OUT, 'lo-nano.pcap'), os.path.join(OUT, 'nano.pcapng')], check=True)
    # A file cut in the middle of its last record.
    data = open(os.path.join(OUT, 'lo-normal.pcap'), 'rb').read()
    open(os.path.join(OUT, 'truncated.pcap'), 'wb').write(data[:-10])
    for name in sorted(os.listdir(OUT)):
        if name.endswith(('.pcap', '.pcapng')):
            oracle(name)


main()
