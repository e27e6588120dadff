/**
 * The experiment program that runs inside the emulated link's namespaces: `server` in B, `client`
 * in A (link-script.ts starts both). It is plain CommonJS so any Node (or Electron as Node) runs it
 * from a temp folder. Each event is one JSON line on stdout, stamped with the wall clock the
 * capture uses (CLOCK_REALTIME: performance.timeOrigin + performance.now(), as wall-clock.ts).
 *
 * TCP_INFO is read with getsockopt(2) through koffi (its folder in WIRELAB_KOFFI): 1.5 µs a call
 * here against 12 ms for one `ss -tin` (measured), and the sample's time is the call's own, not
 * that of a child process started a few milliseconds before. Without koffi the run goes on and
 * says why it has no samples.
 */
export const linkProgram = String.raw`'use strict';
const net = require('node:net');
const [mode, experiment, host, portText, transferText, boundText] = process.argv.slice(2);
const port = Number(portText);
const transfer = Number(transferText);
const boundMs = Number(boundText);

function clock() {
  const ms = performance.timeOrigin + performance.now();
  const tsSec = Math.floor(ms / 1000);
  return { tsSec, tsNs: Math.round((ms - tsSec * 1000) * 1e6) };
}
const emit = (o) => process.stdout.write(JSON.stringify({ ...clock(), ...o }) + '\n');
const marker = (client, side, event, code, params, detail) => emit({ type: 'marker', client, side, event, code, params, detail });
const endpoint = (a, p) => (a && a.includes(':') ? '[' + a + ']:' + p : a + ':' + p);

let sockopt = null;
function loadSockopt() {
  try {
    const koffi = require(process.env.WIRELAB_KOFFI);
    const libc = koffi.load('libc.so.6');
    sockopt = {
      get: libc.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *buf, _Inout_ uint32_t *len)'),
      set: libc.func('int setsockopt(int fd, int level, int name, const char *val, uint32_t len)'),
    };
  } catch (e) {
    emit({ type: 'tcpInfoUnavailable', reason: String((e && e.message) || e).split('\n')[0] });
  }
}

/** Samples the socket's TCP_INFO every intervalMs while it lives; the first sample as soon as it has an fd. */
function sample(sock, intervalMs) {
  if (!sockopt) return;
  const buf = Buffer.alloc(232);
  let cc = false;
  const take = () => {
    const fd = sock._handle && sock._handle.fd;
    if (!(fd >= 0)) return;
    // CUBIC, the textbook's and most systems' default, whatever this machine's default is (BBR
    // here): TCP_CONGESTION (13) per socket, allowed with the namespace's CAP_NET_ADMIN.
    if (!cc) {
      cc = true;
      if (sockopt.set(fd, 6, 13, 'cubic', 5) !== 0) emit({ type: 'ccUnchanged' });
    }
    const len = [232];
    const at = clock();
    if (sockopt.get(fd, 6, 11, buf, len) !== 0) return;
    process.stdout.write(JSON.stringify({ type: 'tcpInfo', ...at, hex: buf.subarray(0, len[0]).toString('hex') }) + '\n');
  };
  // connect() creates the socket in the same tick for an IP address: sample (and set CUBIC) before the SYN leaves.
  take();
  const timer = setInterval(take, intervalMs);
  sock.on('close', () => clearInterval(timer));
}

setTimeout(() => {
  emit({ type: 'bound', side: mode });
  process.exit(3);
}, boundMs).unref();

if (mode === 'server') {
  const server = net.createServer({ highWaterMark: 4096 }, (sock) => {
    const client = endpoint(sock.remoteAddress, sock.remotePort);
    const mark = (event, code, params, detail) => marker(client, 'server', event, code, params, detail);
    mark('accept', 'MARK_ACCEPTED', { peer: client }, 'accepted ' + client);
    let got = 0;
    sock.on('error', (e) => mark('error', 'MARK_SOCKET_ERROR', { errno: e.code || 'error' }, String(e.message)));
    sock.on('end', () => {
      mark('receive', 'MARK_BYTES', { bytes: got }, got + ' bytes');
      mark('end', 'MARK_FIN_FROM_CLIENT', {}, 'the client sent FIN (read returned 0)');
      sock.end();
    });
    sock.on('close', () => {
      mark('close', 'MARK_CLOSED', {}, 'socket closed');
      server.close();
    });
    if (experiment === 'lost-ack') {
      // The server speaks first: the client sends nothing, so only the retransmitted SYN+ACK
      // (or this line's ACK) can finish the handshake the lost ACK left open.
      const text = 'hello from the server\n';
      sock.write(text);
      mark('send', 'MARK_SENT_TEXT', { bytes: text.length, text: JSON.stringify(text) }, text.length + ' bytes');
    }
    if (experiment === 'slow-reader') {
      // Not reading at first, then one read (at most the small receive buffer, tcp_rmem in this
      // namespace) every 100 ms: the buffer fills, the advertised window closes to zero, and each
      // read opens it again (RFC 9293 §3.8.6: flow control; the sender probes the zero window).
      sock.pause();
      mark('receive', 'MARK_NOT_READING', { seconds: 0.6 }, 'not reading for 0.6 s: the receive buffer fills');
      let reads = 0;
      sock.on('data', () => {
        sock.pause();
        if (++reads === 1) mark('receive', 'MARK_READING_AGAIN', {}, 'reading again: one read every 100 ms');
        setTimeout(() => sock.resume(), 100);
      });
      setTimeout(() => sock.resume(), 600);
    }
    sock.on('data', (d) => {
      got += d.length;
    });
  });
  server.listen(port, host, () => {
    marker(null, 'server', 'listen', 'MARK_LISTENING', { address: host + ':' + port }, 'listening on ' + host + ':' + port);
    emit({ type: 'listening' });
  });
} else {
  loadSockopt();
  const started = performance.now();
  const sock = net.connect({ host, port });
  let client = null;
  const mark = (event, code, params, detail) => {
    if (client === null && sock.localPort) client = endpoint(sock.localAddress, sock.localPort);
    marker(client, 'client', event, code, params, detail);
  };
  sample(sock, 10);
  sock.on('error', (e) => mark('error', 'MARK_SOCKET_ERROR', { errno: e.code || 'error' }, String(e.message)));
  sock.on('end', () => mark('end', 'MARK_FIN_FROM_SERVER', {}, 'the server sent FIN (read returned 0)'));
  sock.on('close', () => {
    mark('close', 'MARK_CLOSED', {}, 'socket closed');
    // The last samples and markers are on stdout: let it drain, then end.
    setTimeout(() => process.exit(0), 50);
  });
  const send = () => {
    const chunk = Buffer.alloc(Math.min(transfer, 64 * 1024), 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < transfer) {
        const n = Math.min(chunk.length, transfer - sent);
        sent += n;
        if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sock.once('drain', pump);
      }
      mark('send', 'MARK_WRITTEN_ALL', { bytes: sent }, sent + ' bytes written in all');
      sock.end();
      mark('end', 'MARK_SHUT_WR', {}, 'shutdown(SHUT_WR): FIN sent, still reading');
    };
    pump();
  };
  sock.on('connect', () => {
    const ms = (performance.now() - started).toFixed(2);
    mark('connect', 'MARK_CONNECTED_AFTER', { ms }, 'connected, ' + ms + ' ms after connect() was called');
    if (experiment === 'lost-ack') {
      sock.once('data', (d) => {
        mark('receive', 'MARK_BYTES', { bytes: d.length }, d.length + ' bytes');
        send();
      });
    } else send();
  });
  sock.on('data', () => {});
}
`;

/**
 * The user-space delay line, for kernels without sch_netem (this machine's): four TUN devices in
 * the router's namespace, dl0 → dl1 for client → server and dl2 → dl3 back; what the kernel
 * routes into dl0 is read here and written to dl1 `delay` ms later (± jitter, never reordered),
 * and comes out of dl1 as if it had arrived there (link-script.ts routes it on). Python, as the
 * course notes' programs: fcntl.ioctl(TUNSETIFF) is all a TUN device needs.
 */
export const linkDelayProgram = String.raw`import fcntl, heapq, os, random, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
delay, jitter = float(sys.argv[1]) / 1000, float(sys.argv[2]) / 1000
route = {tun('dl0'): tun('dl1'), tun('dl2'): tun('dl3')}
print('{"type":"delayReady"}', flush=True)
queue, n, last = [], 0, {}
while True:
    wait = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    ready, _, _ = select.select(list(route), [], [], wait)
    now = time.monotonic()
    for fd in ready:
        packet = os.read(fd, 65536)
        due = now + max(0.0, delay + (random.gauss(0, jitter) if jitter else 0.0))
        # A later packet never overtakes an earlier one: jitter without reordering.
        due = max(due, last.get(fd, 0.0))
        last[fd] = due
        n += 1
        heapq.heappush(queue, (due, n, route[fd], packet))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, out, packet = heapq.heappop(queue)
        os.write(out, packet)
`;
