import { useShallow } from 'zustand/react/shallow';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useT } from '../../store/store-context.tsx';

/** The open timelines (experiments, watched ports, files), one tab each. */
export function SourceTabs() {
  const t = useT();
  const { sources, selected } = useApp(useShallow((s) => ({ sources: s.timeline.sources, selected: s.timeline.selected })));
  const select = useApp((s) => s.selectSource);
  const remove = useApp((s) => s.removeSource);
  if (sources.length === 0) return null;
  return (
    <div className="tl-sources" role="tablist" aria-label={t('tl.sources')}>
      {sources.map((s) => (
        <div key={s.id} className={`tl-source${s.id === selected ? ' active' : ''}`}>
          <button role="tab" aria-selected={s.id === selected} onClick={() => select(s.id)} data-testid="timeline-source">
            <span
              className={`status-dot ${s.status.phase === 'error' ? 'disconnected' : s.status.phase === 'done' ? 'connected' : 'connecting'}`}
              aria-hidden="true"
            />
            {s.kind === 'experiment' && s.experiment ? t(`tl.exp.${s.experiment}` as MessageKey) : s.label}
          </button>
          <button className="icon-button" aria-label={t('tl.remove')} title={t('tl.remove')} onClick={() => remove(s.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
