// Baseline UDP sinks for bench/receive.ts, each run as its own process:
//   node bench/udp-sinks.mjs dgram     plain Node dgram, one 'message' callback per datagram
//   node bench/udp-sinks.mjs recvmmsg  a blocking recvmmsg(2) loop through koffi, 64 per call
// Both get the same receive buffer as a Wirelab UDP session (32 MiB with SO_RCVBUFFORCE when
// allowed, else SO_RCVBUF capped by rmem_max), print their port, count until 1.5 s pass without
// a datagram (or 60 s), then print {count, drops} (drops: /proc/net/udp).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setInterval } from 'node:timers';

const [kind] = process.argv.slice(2);
const rcvbuf = 32 * 1024 * 1024;
const quietMs = 1500;
const koffi = createRequire(import.meta.url)('koffi');
const libc = koffi.load('libc.so.6');
const setsockopt = libc.func('int setsockopt(int, int, int, const uint8_t *, uint32_t)');
const int = (v) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
/** SO_RCVBUFFORCE (33) as a Wirelab session asks for it, else SO_RCVBUF (8). */
const bigBuffer = (fd) => setsockopt(fd, 1, 33, int(rcvbuf), 4) === 0 || setsockopt(fd, 1, 8, int(rcvbuf), 4) === 0;

function drops(port) {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === hex) return Number(f[12]);
  }
  return null;
}

if (kind === 'dgram') {
  const d = createSocket('udp4');
  let count = 0;
  let last = 0;
  d.on('message', () => {
    count++;
    last = Date.now();
  });
  d.bind(0, '127.0.0.1', () => {
    const sym = Object.getOwnPropertySymbols(d).find((x) => x.description === 'state symbol');
    bigBuffer(d[sym].handle.fd);
    const port = d.address().port;
    console.log(port);
    const started = Date.now();
    setInterval(() => {
      if ((last && Date.now() - last > quietMs) || Date.now() - started > 60_000) {
        console.log(JSON.stringify({ count, drops: drops(port) }));
        process.exit(0);
      }
    }, 100);
  });
} else {
  const socket = libc.func('int socket(int, int, int)');
  const bind = libc.func('int bind(int, const uint8_t *, uint32_t)');
  const getsockname = libc.func('int getsockname(int, uint8_t *, _Inout_ uint32_t *)');
  const recvmmsg = libc.func('int recvmmsg(int, void *, unsigned int, int, void *)');
  const fd = socket(2, 2, 0);
  bigBuffer(fd);
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(0n, 0);
  tv.writeBigInt64LE(100000n, 8); // 100 ms
  setsockopt(fd, 1, 20, tv, 16); // SO_RCVTIMEO: wake up to check the clock
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(2, 0);
  addr.set([127, 0, 0, 1], 4);
  bind(fd, addr, 16);
  const len = [16];
  getsockname(fd, addr, len);
  const port = addr.readUInt16BE(2);
  console.log(port);
  const batch = 64,
    slot = 2048;
  const mem = Buffer.alloc(batch * 64 + batch * 16 + batch * slot);
  const base = koffi.address(mem);
  for (let i = 0; i < batch; i++) {
    const iov = batch * 64 + i * 16;
    mem.writeBigUInt64LE(base + BigInt(batch * 80 + i * slot), iov);
    mem.writeBigUInt64LE(BigInt(slot), iov + 8);
    mem.writeBigUInt64LE(base + BigInt(iov), i * 64 + 16);
    mem.writeBigUInt64LE(1n, i * 64 + 24);
  }
  const vec = koffi.as(mem, 'void *');
  let count = 0;
  let last = 0;
  const started = Date.now();
  // Blocking reads (SO_RCVTIMEO wakes the loop to look at the clock).
  setTimeout(() => {
    while (!((last && Date.now() - last > quietMs) || Date.now() - started > 60_000)) {
      const n = recvmmsg(fd, vec, batch, 0x10000, null); // MSG_WAITFORONE
      if (n > 0) {
        count += n;
        last = Date.now();
      }
    }
    console.log(JSON.stringify({ count, drops: drops(port) }));
    process.exit(0);
  }, 10);
}
