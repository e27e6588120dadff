import type { TimelineMarker } from '../../../../shared/contract/timeline.ts';
import { codeText } from '../../i18n/error-text.ts';
import type { Locale } from '../../i18n/i18n.ts';

/** A socket event in the user's language, from its code and params (the English `detail` if this build does not know the code). */
export function markerText(locale: Locale, m: TimelineMarker): string {
  return codeText(locale, m.code, m.params) ?? m.detail;
}
