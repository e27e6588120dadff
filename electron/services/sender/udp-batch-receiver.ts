import type { RemoteInfo, Socket } from 'node:dgram';
import { loadKoffi, nativeLibrary } from '../native/koffi.ts';
import { socketFd } from './udp-kernel.ts';

/**
 * The UDP session's fast read path on Linux. Node's dgram makes one recvmsg(2) system call and
 * one JavaScript callback per datagram; under a flood that is the cost that lets the socket's
 * buffer overflow. recvmmsg(2) takes up to 64 datagrams in one call (reached through koffi, as
 * the generator reaches sendmmsg).
 *
 * There is no readiness callback for a foreign read loop in Node, so this works in two modes:
 * while traffic is light, dgram reads as usual (one wakeup per datagram costs nothing then);
 * when datagrams come faster than `burstPerWindow` per 10 ms, dgram's reading is stopped and the
 * socket is drained with recvmmsg(MSG_DONTWAIT) every millisecond until it has been quiet for
 * `quietMs`, then dgram reads again. A datagram is never read by both: only one reader is active.
 * Anything else (another OS, IPv6, koffi missing, no fd) returns null and dgram does all the reading.
 */
export interface BatchReceiver {
  /** True while recvmmsg is reading (a burst). */
  readonly bursting: boolean;
  stop(): void;
}

const batch = 64;
const slotBytes = 65536; // a whole datagram always fits: nothing is truncated
const nameBytes = 16; // sockaddr_in
const MSG_DONTWAIT = 0x40;
const burstPerWindow = 50;
const quietMs = 50;
/** At most this many recvmmsg calls per turn of the event loop, so the UI's requests still get a turn. */
const callsPerTurn = 16;

interface Libc {
  recvmmsg: (fd: number, vec: unknown, vlen: number, flags: number, timeout: null) => number;
  address: (b: Buffer) => bigint;
  as: (b: Buffer, type: string) => unknown;
}

let libc: Libc | null | undefined;
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return null;
  const koffi = loadKoffi();
  const lib = nativeLibrary('libc.so.6');
  if (!koffi || !lib) return null;
  try {
    libc = {
      recvmmsg: lib.func('int recvmmsg(int fd, void *msgvec, unsigned int vlen, int flags, void *timeout)') as Libc['recvmmsg'],
      address: (b) => koffi.address(b) as bigint,
      as: (b, type) => koffi.as(b, type),
    };
  } catch {
    libc = null;
  }
  return libc;
}

interface UdpHandle {
  recvStart(): number;
  recvStop(): number;
}

function handleOf(socket: Socket): UdpHandle | null {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const h = sym ? (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> }>)[sym]?.handle : undefined;
  return h && typeof h.recvStart === 'function' && typeof h.recvStop === 'function' ? (h as UdpHandle) : null;
}

/** The sender of one datagram, from its sockaddr_in (port and address in network order). */
function remoteOf(mem: Buffer, at: number, cache: Map<string, RemoteInfo>): RemoteInfo {
  const key = mem.toString('latin1', at + 2, at + 8);
  let r = cache.get(key);
  if (r) return r;
  const port = mem.readUInt16BE(at + 2);
  r = { address: `${mem[at + 4]}.${mem[at + 5]}.${mem[at + 6]}.${mem[at + 7]}`, family: 'IPv4', port, size: 0 };
  if (cache.size > 4096) cache.clear();
  cache.set(key, r);
  return r;
}

export function startBatchReceiver(socket: Socket, onMessage: (bytes: Buffer, from: RemoteInfo) => void): BatchReceiver | null {
  const c = loadLibc();
  const handle = handleOf(socket);
  const fd = socketFd(socket);
  if (!c || !handle || fd === null || socket.address().family !== 'IPv4') return null;

  // One native block, built once per burst: 64 mmsghdrs, their iovecs and sockaddrs, and
  // 64 slots of 64 KiB. x86-64/arm64: mmsghdr = 64 bytes (msghdr 56 + msg_len + pad), iovec = 16.
  let mem: Buffer | null = null;
  let vec: unknown = null;
  const hdrAt = 0;
  const iovAt = batch * 64;
  const nameAt = iovAt + batch * 16;
  const dataAt = nameAt + batch * nameBytes;
  const prepare = () => {
    mem = Buffer.alloc(dataAt + batch * slotBytes);
    const base = c.address(mem);
    for (let i = 0; i < batch; i++) {
      const iov = iovAt + i * 16;
      mem.writeBigUInt64LE(base + BigInt(dataAt + i * slotBytes), iov);
      mem.writeBigUInt64LE(BigInt(slotBytes), iov + 8);
      const m = hdrAt + i * 64;
      mem.writeBigUInt64LE(base + BigInt(nameAt + i * nameBytes), m); // msg_name
      mem.writeBigUInt64LE(base + BigInt(iov), m + 16); // msg_iov
      mem.writeBigUInt64LE(1n, m + 24); // msg_iovlen
    }
    vec = c.as(mem, 'void *');
  };

  const cache = new Map<string, RemoteInfo>();
  let bursting = false;
  let stopped = false;
  let quietSince = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let windowStart = 0;
  let windowCount = 0;

  /** Reads what the socket holds; returns how many datagrams it took. */
  const drain = (): number => {
    const m = mem!;
    let total = 0;
    for (let call = 0; call < callsPerTurn; call++) {
      for (let i = 0; i < batch; i++) m.writeUInt32LE(nameBytes, hdrAt + i * 64 + 8); // msg_namelen, reset each call
      const n = c.recvmmsg(fd, vec, batch, MSG_DONTWAIT, null);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        const len = m.readUInt32LE(hdrAt + i * 64 + 56);
        const from = remoteOf(m, nameAt + i * nameBytes, cache);
        const at = dataAt + i * slotBytes;
        // a copy: the slot is reused by the next call
        onMessage(Buffer.from(m.subarray(at, at + len)), from);
      }
      total += n;
      if (n < batch || stopped) break;
    }
    return total;
  };

  const poll = () => {
    timer = null;
    if (stopped) return;
    const got = drain();
    const now = performance.now();
    if (got > 0) quietSince = now;
    if (stopped) return;
    if (now - quietSince > quietMs) {
      // quiet again: hand reading back to dgram (one wakeup per datagram is fine when few come)
      bursting = false;
      mem = null;
      vec = null;
      handle.recvStart();
      return;
    }
    // A full turn means more is waiting: come back at once; otherwise in a millisecond.
    timer = got >= batch * callsPerTurn ? setTimeout(poll, 0) : setTimeout(poll, 1);
  };

  const onDgram = () => {
    if (bursting || stopped) return;
    const now = performance.now();
    if (now - windowStart > 10) {
      windowStart = now;
      windowCount = 0;
    }
    if (++windowCount < burstPerWindow) return;
    // Inside dgram's callback: libuv's read loop checks for a stop after each datagram.
    bursting = true;
    handle.recvStop();
    prepare();
    quietSince = now;
    timer = setTimeout(poll, 0);
  };
  socket.on('message', onDgram);

  return {
    get bursting() {
      return bursting;
    },
    stop() {
      stopped = true;
      socket.off('message', onDgram);
      if (timer) clearTimeout(timer);
      timer = null;
      mem = null;
    },
  };
}
