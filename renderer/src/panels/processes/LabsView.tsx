import { useShallow } from 'zustand/react/shallow';
import { labKindSchema, type LabKind } from '../../../../shared/contract/processes.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { pick } from '../../store/pick.ts';
import { labTextKey } from './lab-text.ts';

/** Labs start real processes and threads, each with a note on what to look for. */
export function LabsView() {
  const t = useT();
  const ps = useApp(useShallow((s) => pick(s.processes, 'labBusy', 'sample')));
  const startLab = useApp((s) => s.startLab);
  const stopLab = useApp((s) => s.stopLab);
  const set = useApp((s) => s.setProcesses);
  const platform = useApp((s) => s.info?.platform);
  const select = useApp((s) => s.selectProcess);
  const labs = ps.sample?.labs ?? [];
  const show = (pid: number) => {
    set({ tab: 'processes', tree: true, filter: '' });
    void select(pid);
  };
  return (
    <div className="ps-labs">
      <p className="tl-look">{t('ps.labs.intro')}</p>
      <div className="ps-lab-grid">
        {labKindSchema.options.map((kind: LabKind) => {
          const running = labs.filter((l) => l.kind === kind);
          return (
            <div key={kind} className="card ps-lab" data-testid={`lab-${kind}`}>
              <h3>{t(`ps.lab.${kind}` as MessageKey)}</h3>
              <p className="small">{t(labTextKey(kind, platform))}</p>
              <div className="ps-lab-actions">
                <button className="button small" disabled={ps.labBusy} data-testid={`lab-start-${kind}`} onClick={() => void startLab(kind)}>
                  {t('ps.labs.start')}
                </button>
                {kind === 'gil' && <span className="muted small">{t('ps.labNeedsPython')}</span>}
              </div>
              {running.map((l) => (
                <div key={l.id} className="ps-lab-running" data-testid="lab-running">
                  <span className="small">{t('ps.labs.running', { pids: l.pids.join(', ') })}</span>
                  <button className="button small" onClick={() => show(l.pids[0]!)}>
                    {t('ps.labs.show')}
                  </button>
                  <button className="button small" data-testid={`lab-stop-${kind}`} onClick={() => void stopLab(l.id)}>
                    {t('ps.labs.stop')}
                  </button>
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
