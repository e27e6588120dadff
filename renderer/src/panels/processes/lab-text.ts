import type { LabKind } from '../../../../shared/contract/processes.ts';
import type { MessageKey } from '../../i18n/i18n.ts';

/**
 * A lab's note. On Windows the same lab is made differently (no fork, signals, sessions or
 * re-parenting; see electron/services/processes/labs.ts), so each note there says what the
 * reader sees and what differs from Linux.
 */
export function labTextKey(kind: LabKind, platform: string | undefined): MessageKey {
  return (platform === 'win32' ? `ps.labText.win32.${kind}` : `ps.labText.${kind}`) as MessageKey;
}
