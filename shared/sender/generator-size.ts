/**
 * What "Bytes each" becomes when the generator's Kind changes. The user's number is kept unless
 * it is the other kind's default (then the new kind's default is the better start: 8-byte UDP
 * datagrams measure packet rate, 128 KiB TCP writes measure throughput) or too big for a UDP
 * datagram. Either change is said, never silent.
 */
export type GeneratorKind = 'udp' | 'tcp';

/** The most one UDP datagram carries over IPv4: 65,535 − 20 (IP header) − 8 (UDP header), RFC 768 / RFC 791. */
export const maxUdpPayloadV4 = 65_507;

export const defaultGeneratorSize: Record<GeneratorKind, number> = { udp: 8, tcp: 128 * 1024 };

export type SizeChange = { size: string; reason: null } | { size: string; reason: 'default' | 'udpMax'; from: string };

export function sizeAfterKindChange(size: string, from: GeneratorKind, to: GeneratorKind): SizeChange {
  if (from === to) return { size, reason: null };
  const n = Number(size.trim());
  if (size.trim() === String(defaultGeneratorSize[from])) return { size: String(defaultGeneratorSize[to]), reason: 'default', from: size };
  if (to === 'udp' && Number.isInteger(n) && n > maxUdpPayloadV4) return { size: String(maxUdpPayloadV4), reason: 'udpMax', from: size };
  return { size, reason: null };
}
