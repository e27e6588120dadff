import { useApp, useT } from '../store/store-context.tsx';

export function StatusBar() {
  const t = useT();
  const connection = useApp((s) => s.connection);
  const info = useApp((s) => s.info);
  const latency = useApp((s) => s.latencyMs);
  const host = useApp((s) => s.info?.host);
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={`status-dot ${connection}`} aria-hidden="true" />
      <span data-testid="connection-state" data-state={connection}>
        {t(`status.connection.${connection}`)}
      </span>
      {host && <span className="status-sep">{t(`status.host.${host}`)}</span>}
      {latency !== null && connection === 'connected' && <span className="status-sep">{t('status.latency', { ms: latency })}</span>}
      <span className="status-spacer" />
      {info && (
        <span className="status-sep" title={t('status.dataDir', { dir: info.dataDir })}>
          {info.platform} · {t('status.version', { version: info.version })}
        </span>
      )}
    </footer>
  );
}
