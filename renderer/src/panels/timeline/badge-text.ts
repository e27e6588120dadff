import type { Segment } from '../../../../shared/timeline/tcp-analysis.ts';
import type { MessageKey } from '../../i18n/i18n.ts';

/** A segment's badges in the user's language, as Wireshark names them ("duplicate ACK #3"). */
export function badgeTexts(
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  seg: Pick<Segment, 'badges' | 'dupAckNum'>,
  skip: readonly string[] = [],
): string[] {
  return seg.badges.filter((b) => !skip.includes(b)).map((b) => t(`tl.badge.${b}` as MessageKey, { n: seg.dupAckNum ?? 1 }));
}
