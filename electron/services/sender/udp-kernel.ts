import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:dgram';
import { readFileSync, readlinkSync } from 'node:fs';
import { nativeLibrary } from '../native/koffi.ts';

/**
 * What Node's dgram does not expose about a UDP socket: its file descriptor (for recvmmsg and
 * setsockopt through koffi) and how many datagrams the kernel dropped because the socket's
 * receive buffer was full (the `drops` column of /proc/net/udp, per socket — udp(7)).
 */

/** The socket's fd on Unix, or null. Read through dgram's internal state, not the deprecated `_handle`. */
export function socketFd(socket: Socket): number | null {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = sym ? (socket as unknown as Record<symbol, { handle?: { fd?: number } }>)[sym] : undefined;
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** The socket's inode (`socket:[N]` behind /proc/self/fd/<fd>), or null off Linux. */
function socketInode(fd: number): string | null {
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * A reader of the kernel's drop count for this socket, or null where the OS does not tell.
 * The count starts at 0 for a new socket; /proc/net/udp6 lists IPv6 (and dual-stack) sockets.
 */
export function kernelDropCounter(socket: Socket): (() => number | null) | null {
  if (process.platform !== 'linux') return null;
  const fd = socketFd(socket);
  const inode = fd === null ? null : socketInode(fd);
  if (!inode) return null;
  const file = socket.address().family === 'IPv6' ? '/proc/net/udp6' : '/proc/net/udp';
  let last = 0;
  let readAt = -Infinity;
  return () => {
    // Every session listing and counters tick asks (sender.counters, once a second); the kernel's figure
    // moves slowly enough that one read of the file per half second serves them all.
    const now = performance.now();
    if (now - readAt < 500) return last;
    readAt = now;
    try {
      for (const line of readFileSync(file, 'latin1').split('\n')) {
        const f = line.trim().split(/\s+/);
        // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
        if (f[9] === inode) return (last = Number(f[12] ?? 0));
      }
    } catch {
      // the file vanished (socket closed): the last figure stands
    }
    return last;
  };
}

type SetSockOpt = (fd: number, level: number, name: number, value: Buffer, len: number) => number;
let setsockopt: SetSockOpt | null | undefined;

/**
 * SO_RCVBUFFORCE (socket(7)): a receive buffer past net.core.rmem_max, which only a process with
 * CAP_NET_ADMIN may ask for (Wirelab run as root, or given that capability). Everyone else keeps
 * what SO_RCVBUF granted. Returns whether the kernel took it.
 */
export function forceReceiveBuffer(socket: Socket, bytes: number): boolean {
  if (process.platform !== 'linux') return false;
  const fd = socketFd(socket);
  if (fd === null) return false;
  if (setsockopt === undefined) {
    try {
      setsockopt = (nativeLibrary('libc.so.6')?.func('int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)') ??
        null) as SetSockOpt | null;
    } catch {
      setsockopt = null;
    }
  }
  if (!setsockopt) return false;
  const value = Buffer.alloc(4);
  value.writeInt32LE(bytes);
  const SOL_SOCKET = 1;
  const SO_RCVBUFFORCE = 33;
  return setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, value, 4) === 0;
}
