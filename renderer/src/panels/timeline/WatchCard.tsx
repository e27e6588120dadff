import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { checkHost, checkPort } from '../../../../shared/sender/endpoint.ts';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';

/** Capture every connection on a port until stopped. */
export function WatchCard() {
  const t = useT();
  const locale = useLocale();
  const { watchPort, watchHost, busy } = useApp(
    useShallow((s) => ({ watchPort: s.timeline.watchPort, watchHost: s.timeline.watchHost, busy: s.timeline.busy })),
  );
  const setTimeline = useApp((s) => s.setTimeline);
  const watch = useApp((s) => s.watchPort);
  const [portError, setPortError] = useState<string | null>(null);
  const start = () => {
    // The same checks as the packet sender's forms, the CLI and the dispatcher (shared/sender/endpoint.ts).
    let port: number;
    let host: string | undefined;
    try {
      port = checkPort(watchPort);
      host = watchHost.trim() ? checkHost(watchHost) : undefined;
    } catch (e) {
      if (e instanceof WirelabError) return setPortError(senderErrorText(locale, e.toData()));
      throw e;
    }
    setPortError(null);
    void watch(port, host);
  };
  return (
    <div className="card tl-card">
      <h3>{t('tl.watch')}</h3>
      <p className="field-hint">{t('tl.watchHint')}</p>
      <div className="tl-watch-row">
        <input
          className="input"
          aria-label={t('tl.host')}
          placeholder="127.0.0.1"
          value={watchHost}
          onChange={(e) => setTimeline({ watchHost: e.target.value })}
        />
        <input
          className={`input tl-port${portError ? ' invalid' : ''}`}
          aria-label={t('tl.port')}
          placeholder={t('tl.port')}
          value={watchPort}
          data-testid="watch-port"
          onChange={(e) => setTimeline({ watchPort: e.target.value })}
          onKeyDown={(e) => e.key === 'Enter' && start()}
        />
        <button className="button small" onClick={start} disabled={busy}>
          {t('tl.start')}
        </button>
      </div>
      {portError && <p className="field-error">{portError}</p>}
    </div>
  );
}
