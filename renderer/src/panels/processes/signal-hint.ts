import type { SignalName } from '../../../../shared/contract/processes.ts';
import type { MessageKey } from '../../i18n/i18n.ts';

/**
 * The hint under a signal button. Windows has no signals: the Win32 route ends a process with
 * TerminateProcess (for Terminate and Kill alike, nothing can be caught) and stops it with
 * NtSuspendProcess / NtResumeProcess, so the POSIX wording would tell a Windows user something
 * that does not happen there.
 */
export function signalHintKey(signal: SignalName, platform: string | undefined): MessageKey {
  return (platform === 'win32' ? `ps.sigHint.win32.${signal}` : `ps.sigHint.${signal}`) as MessageKey;
}
