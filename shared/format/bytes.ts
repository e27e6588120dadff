const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * A byte count as people read it, in binary units (a process's RSS, a size limit): "512 B",
 * "12 KiB", "1.5 MiB", "16 MiB", "2.1 GiB". KiB are whole; MiB and GiB keep one decimal unless
 * it is 0. Exact counts (a message's length) are better printed as they are.
 */
export function formatBytes(n: number): string {
  const oneDecimal = (v: number) => (Number.isInteger(Number(v.toFixed(1))) ? v.toFixed(0) : v.toFixed(1));
  if (n >= GiB) return `${oneDecimal(n / GiB)} GiB`;
  if (n >= MiB) return `${oneDecimal(n / MiB)} MiB`;
  if (n >= KiB) return `${Math.round(n / KiB)} KiB`;
  return `${n} B`;
}
