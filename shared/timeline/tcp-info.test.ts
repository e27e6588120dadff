import { describe, expect, it } from 'vitest';
import { decodeTcpInfo, TCP_INFO_BYTES } from './tcp-info.ts';

describe('TCP_INFO decoding (linux/tcp.h struct tcp_info)', () => {
  it('reads cwnd, ssthresh, rtt, rttvar, retransmits, delivery rate, RTO and backoff at their offsets', () => {
    const b = new Uint8Array(TCP_INFO_BYTES);
    const v = new DataView(b.buffer);
    v.setUint8(1, 4); // ca_state TCP_CA_Loss
    v.setUint8(4, 2); // backoff: the RTO doubled twice
    v.setUint32(8, 816_000, true); // rto µs
    v.setUint32(16, 1448, true); // snd_mss
    v.setUint32(24, 10, true); // unacked segments
    v.setUint32(68, 31_511, true); // rtt µs
    v.setUint32(72, 4_250, true); // rttvar µs
    v.setUint32(76, 4, true); // snd_ssthresh
    v.setUint32(80, 7, true); // snd_cwnd
    v.setUint32(100, 18, true); // total_retrans
    v.setBigUint64(160, 238_991n, true); // delivery_rate B/s
    expect(decodeTcpInfo(b, b.length, 1796122937, 5)).toEqual({
      tsSec: 1796122937,
      tsNs: 5,
      cwnd: 7,
      ssthresh: 4,
      rttMs: 31.511,
      rttvarMs: 4.25,
      retrans: 18,
      deliveryRate: 238_991,
      unacked: 14_480,
      rtoMs: 816,
      backoff: 2,
      caState: 'loss',
    });
  });

  it('says null for the infinite ssthresh of slow start, and 0 for fields an older kernel did not return', () => {
    const b = new Uint8Array(TCP_INFO_BYTES);
    const v = new DataView(b.buffer);
    v.setUint32(76, 0x7fffffff, true);
    v.setUint32(80, 10, true);
    v.setBigUint64(160, 99n, true);
    const old = decodeTcpInfo(b, 104, 0, 0); // a 3.x kernel's struct ended after total_retrans
    expect(old.ssthresh).toBeNull();
    expect(old.cwnd).toBe(10);
    expect(old.deliveryRate).toBe(0);
  });
});
