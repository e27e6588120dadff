import type { CaptureStatus } from '../../../../shared/contract/timeline.ts';
import { captureAdvice } from '../../../../shared/timeline/capture-advice.ts';
import { codeText } from '../../i18n/error-text.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';

/** "tcpdump" from "/usr/sbin/tcpdump" or "C:\…\dumpcap.exe": the program, not its folder. */
function programName(tool: string | null): string {
  return tool ? (tool.split(/[\\/]/).pop() ?? tool).replace(/\.exe$/i, '') : 'tcpdump';
}

/** Why there are no packets, how to allow capture, and what Wirelab shows instead. */
export function CaptureOff({ capture }: { capture: CaptureStatus }) {
  const t = useT();
  const locale = useLocale();
  const platform = useApp((s) => s.info?.platform ?? 'linux');
  // Worded from the code; the program's own words (its stderr) stay one click away, as it said them.
  const reason = (capture.code && codeText(locale, capture.code, { tool: programName(capture.tool) })) ?? capture.reason ?? '';
  const howTo = capture.code ? captureAdvice(capture.code, platform, locale) : capture.howTo;
  return (
    <div className="notice warning tl-capture-off" data-testid="capture-off" data-code={capture.code ?? undefined}>
      <span>
        <strong>{t('tl.capture.off', { reason })}</strong>
        <br />
        {howTo && t('tl.capture.howTo', { howTo })}
        <br />
        {t('tl.capture.fallback')}
        {capture.reason && (
          <details className="muted small" data-testid="capture-original">
            <summary>{t('tl.capture.originalSummary')}</summary>
            {capture.reason}
          </details>
        )}
      </span>
    </div>
  );
}
