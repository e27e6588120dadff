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


def backlog_full(port):
    """A listener that does not accept, with a one-place queue: the kernel drops the next SYN,
    and the client's TCP sends it again after its 1 s retransmission timeout (RFC 6298). The C10K
    notes' backlog, seen from the wire. Accepting frees the queue and the retry gets through."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', port))
    srv.listen(0)  # Linux keeps backlog + 1 = 1 connection waiting
    first = socket.create_connection(('127.0.0.1', port))
    time.sleep(0.1)
    second = socket.socket()
    second.setblocking(False)
    second.connect_ex(('127.0.0.1', port))
    time.sleep(1.5)  # the first SYN is dropped; its retransmission at ~1 s is dropped too
    a, _ = srv.accept()
    time.sleep(2.5)  # the next retransmission (~3 s) finds room
    b, _ = srv.accept()
    for s in (first, second, a, b):
        s.close()
    srv.close()


def zero_window(port):
    """The server stops reading: its receive buffer fills and it advertises a zero window; the
    client's TCP probes it (RFC 9293 3.8.6.1) until the server reads again and opens the window."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # small, so a few segments fill it
    srv.bind(('127.0.0.1', port))
    srv.listen(1)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    c.connect(('127.0.0.1', port))
    a, _ = srv.accept()
    c.setblocking(False)
    sent = 0
    try:
        while sent < 200_000:
            sent += c.send(b'z' * 1000)
    except BlockingIOError:
        pass
    time.sleep(1.2)  # window stays shut: zero-window probes
    a.setblocking(False)
    got = 0
    deadline = time.time() + 3
    while got < sent and time.time() < deadline:
        try:
            got += len(a.recv(65536))
        except BlockingIOError:
            time.sleep(0.01)
    c.close()
    time.sleep(0.05)
    a.close()
    srv.close()


def keep_alive(port):
    """An idle connection with SO_KEEPALIVE after 1 s: the client sends keep-alive probes (one
    byte back in sequence space, RFC 1122 4.2.3.6) and the server acknowledges each."""
    def h(c):
        c.recv(100)  # the client's FIN
        c.close()
    t = server(port, h)
    c = socket.create_connection(('127.0.0.1', port))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    time.sleep(2.6)
    c.close()
    t.join()


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
          'tcp.analysis.duplicate_ack', 'tcp.analysis.zero_window', 'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack',
          'tcp.analysis.zero_window_probe', 'tcp.analysis.window_update']


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
            'keepAlive': bool(v['tcp.analysis.keep_alive']),
            'keepAliveAck': bool(v['tcp.analysis.keep_alive_ack']),
            'zeroWindowProbe': bool(v['tcp.analysis.zero_window_probe']),
            'windowUpdate': bool(v['tcp.analysis.window_update']),
        })
    info = subprocess.run(['capinfos', '-M', '-c', '-E', path], capture_output=True, text=True).stdout
    json.dump({'source': f'tshark 4.0 reading {name}', 'capinfos': info.strip().splitlines()[1:], 'frames': rows},
              open(path + '.tshark.json', 'w'), indent=1)


CAPTURES = {
    'lo-normal.pcap': lambda: capture('lo-normal.pcap', free_port(), normal),
    'any-sll2.pcap': lambda: capture('any-sll2.pcap', free_port(), normal, tool=('tcpdump', '-i', 'any')),
    'any-sll.pcap': lambda: capture('any-sll.pcap', free_port(), normal, tool=('tcpdump', '-i', 'any'), extra=('-y', 'LINUX_SLL')),
    'lo-nano.pcap': lambda: capture('lo-nano.pcap', free_port(), normal, extra=('--time-stamp-precision=nano',)),
    'lo-ipv6.pcap': lambda: capture('lo-ipv6.pcap', free_port(socket.AF_INET6), lambda p: normal(p, socket.AF_INET6)),
    'dumpcap.pcapng': lambda: capture('dumpcap.pcapng', free_port(), normal, tool=('dumpcap', '-q', '-i', 'lo')),
    'refused.pcap': lambda: capture('refused.pcap', free_port(), refused),
    'half-close.pcap': lambda: capture('half-close.pcap', free_port(), half_close),
    'server-first.pcap': lambda: capture('server-first.pcap', free_port(), server_first),
    'reset.pcap': lambda: capture('reset.pcap', free_port(), reset),
    'three-connections.pcap': lambda: capture('three-connections.pcap', free_port(), many),
    'backlog-full.pcap': lambda: capture('backlog-full.pcap', free_port(), backlog_full),
    # headers only (-s 128): the payload bytes of a full receive buffer are not needed
    'zero-window.pcap': lambda: capture('zero-window.pcap', free_port(), zero_window, extra=('-s', '128')),
    'keep-alive.pcap': lambda: capture('keep-alive.pcap', free_port(), keep_alive),
}


def main():
    """All captures, or only those named: python3 scripts/make-capture-fixtures.py keep-alive.pcap"""
    wanted = sys.argv[1:] or list(CAPTURES)
    for name in wanted:
        CAPTURES[name]()
    if sys.argv[1:]:
        # tshark's reading of every file, old ones too: the oracle's fields may have grown
        for name in sorted(os.listdir(OUT)):
            if name.endswith(('.pcap', '.pcapng')):
                oracle(name)
        return
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
