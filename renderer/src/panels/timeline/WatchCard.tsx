import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, useT } from '../../store/store-context.tsx';

/** Capture every connection on a port until stopped. */
export function WatchCard() {
  const t = useT();
  const { watchPort, watchHost, busy } = useApp(
    useShallow((s) => ({ watchPort: s.timeline.watchPort, watchHost: s.timeline.watchHost, busy: s.timeline.busy })),
  );
  const setTimeline = useApp((s) => s.setTimeline);
  const watch = useApp((s) => s.watchPort);
  const [portError, setPortError] = useState<string | null>(null);
  const start = () => {
    const port = Number(watchPort);
    if (!/^\d+$/.test(watchPort.trim()) || port < 1 || port > 65535) return setPortError(`${t('tl.port')}: 1–65535`);
    if (watchHost.trim() && !/^[0-9a-fA-F:.]+$/.test(watchHost.trim())) return setPortError(`${t('tl.host')}: IP`);
    setPortError(null);
    void watch(port, watchHost.trim() || undefined);
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
