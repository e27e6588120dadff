import type { TcpInfoSample } from '../contract/link.ts';

/**
 * Linux's struct tcp_info (include/uapi/linux/tcp.h) as getsockopt(fd, IPPROTO_TCP, TCP_INFO)
 * fills it, little-endian on every Linux Wirelab runs on. The fields are at fixed offsets that
 * only ever grew at the end; a shorter buffer (an older kernel) leaves the newer ones at 0.
 */
export const TCP_INFO_BYTES = 232;
/** getsockopt's level and name: IPPROTO_TCP (netinet/in.h) and TCP_INFO (linux/tcp.h). */
export const IPPROTO_TCP = 6;
export const TCP_INFO = 11;
/** "Infinite" ssthresh (TCP_INFINITE_SSTHRESH, net/tcp.h): slow start has not ended yet. */
const INFINITE_SSTHRESH = 0x7fffffff;

const caStates = ['open', 'disorder', 'cwr', 'recovery', 'loss'] as const;

/** One sample from the bytes getsockopt returned (`length` of them), stamped with the time it was taken. */
export function decodeTcpInfo(bytes: Uint8Array, length: number, tsSec: number, tsNs: number): TcpInfoSample {
  const v = new DataView(bytes.buffer, bytes.byteOffset, Math.min(length, bytes.byteLength));
  const u8 = (o: number) => (o < v.byteLength ? v.getUint8(o) : 0);
  const u32 = (o: number) => (o + 4 <= v.byteLength ? v.getUint32(o, true) : 0);
  const u64 = (o: number) => (o + 8 <= v.byteLength ? Number(v.getBigUint64(o, true)) : 0);
  const ssthresh = u32(76);
  return {
    tsSec,
    tsNs,
    cwnd: u32(80),
    ssthresh: ssthresh >= INFINITE_SSTHRESH ? null : ssthresh,
    rttMs: u32(68) / 1000,
    rttvarMs: u32(72) / 1000,
    retrans: u32(100),
    deliveryRate: u64(160),
    unacked: u32(24) * u32(16),
    rtoMs: u32(8) / 1000,
    backoff: u8(4),
    caState: caStates[u8(1)] ?? 'open',
  };
}
