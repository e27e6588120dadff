import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { errorText } from '../../i18n/error-text.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { ConnectionsView } from './ConnectionsView.tsx';
import { LabsView } from './LabsView.tsx';
import { pick } from '../../store/pick.ts';
import { ProcessesView } from './ProcessesView.tsx';

/** The process monitor: processes, connections and labs, and the last signal's outcome. */
export function ProcessesPanel() {
  const t = useT();
  const locale = useLocale();
  const ps = useApp(useShallow((s) => pick(s.processes, 'supported', 'reason', 'tab', 'message')));
  const start = useApp((s) => s.startSampling);
  const stop = useApp((s) => s.stopSampling);
  const set = useApp((s) => s.setProcesses);

  const connection = useApp((s) => s.connection);
  // Sample only while the panel is shown: the worker costs nothing when nobody looks. Asked
  // again after a reconnect, since a restarted backend starts with sampling off.
  useEffect(() => {
    if (connection !== 'connected') return;
    void start();
    return () => void stop();
  }, [start, stop, connection]);

  if (ps.supported === false) {
    return (
      <section className="processes-panel">
        <p className="notice warning" data-testid="processes-unsupported">
          <span>{t('ps.unsupported', { reason: ps.reason ? errorText(locale, ps.reason) : '' })}</span>
        </p>
      </section>
    );
  }
  const message = ps.message;
  return (
    <section className="processes-panel" data-testid="processes-panel">
      <div className="subtabs" role="tablist">
        {(['processes', 'connections', 'labs'] as const).map((tab) => (
          <button
            key={tab}
            role="tab"
            aria-selected={ps.tab === tab}
            className={`subtab${ps.tab === tab ? ' active' : ''}`}
            data-testid={`ps-tab-${tab}`}
            onClick={() => set({ tab })}
          >
            {t(`ps.tab.${tab}`)}
          </button>
        ))}
      </div>
      {message && (
        <p
          className={message.kind === 'error' ? 'field-error' : 'muted'}
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid="ps-message"
          data-code={message.kind === 'error' ? message.error.code : undefined}
        >
          {message.kind === 'error' ? errorText(locale, message.error) : message.text}
        </p>
      )}
      {ps.tab === 'processes' && <ProcessesView />}
      {ps.tab === 'connections' && <ConnectionsView />}
      {ps.tab === 'labs' && <LabsView />}
    </section>
  );
}
