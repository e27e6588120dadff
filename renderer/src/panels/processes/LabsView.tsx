import { useShallow } from 'zustand/react/shallow';
import { labKindSchema, type LabKind } from '../../../../shared/contract/processes.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { pick } from '../../store/pick.ts';
import { labTextKey } from './lab-text.ts';
import { rowMatches } from './row-filter.ts';

/** Labs start real processes and threads, each with a note on what to look for. */
export function LabsView() {
  const t = useT();
  const ps = useApp(useShallow((s) => pick(s.processes, 'labBusy', 'sample')));
  const filter = useApp((s) => s.processes.filter);
  const startLab = useApp((s) => s.startLab);
  const stopLab = useApp((s) => s.stopLab);
  const set = useApp((s) => s.setProcesses);
  const platform = useApp((s) => s.info?.platform);
  const select = useApp((s) => s.selectProcess);
  const labs = ps.sample?.labs ?? [];
  // The table as the user left it (Tree, sort); only a filter that would hide the row is cleared.
  const show = (pid: number) => {
    const row = ps.sample?.processes.find((p) => p.pid === pid);
    set({ tab: 'processes', ...(row && !rowMatches(row, filter) ? { filter: '' } : {}) });
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
              {running.map((l) => {
                // The backend says which pids have exited (killed from the table, or done): a lab is running while one is left.
                const alive = l.pids.filter((p) => !l.exited.includes(p));
                const finished = alive.length === 0;
                const state = finished
                  ? t('ps.labs.finished', { pids: l.pids.join(', ') }, l.pids.length)
                  : alive.length === l.pids.length
                    ? t('ps.labs.running', { pids: l.pids.join(', ') }, l.pids.length)
                    : t('ps.labs.partly', { pids: alive.join(', '), exited: l.exited.join(', ') });
                return (
                  <div key={l.id} className="ps-lab-running" data-testid="lab-running" data-state={finished ? 'finished' : 'running'}>
                    <span className="small">{state}</span>
                    {!finished && (
                      <button className="button small" onClick={() => show(alive[0]!)}>
                        {t('ps.labs.show')}
                      </button>
                    )}
                    <button className="button small" data-testid={`lab-stop-${kind}`} onClick={() => void stopLab(l.id)}>
                      {finished ? t('ps.labs.remove') : t('ps.labs.stop')}
                    </button>
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
