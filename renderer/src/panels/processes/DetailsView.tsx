import { useShallow } from 'zustand/react/shallow';
import { signalNameSchema } from '../../../../shared/contract/processes.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { pick } from '../../store/pick.ts';
import { signalHintKey } from './signal-hint.ts';

/** One process: its command, signals (after a confirmation), threads, children and sockets. */
export function DetailsView() {
  const t = useT();
  const ps = useApp(useShallow((s) => pick(s.processes, 'confirm', 'details', 'sample', 'selected')));
  const select = useApp((s) => s.selectProcess);
  const request = useApp((s) => s.requestSignal);
  const confirm = useApp((s) => s.confirmSignal);
  const set = useApp((s) => s.setProcesses);
  const platform = useApp((s) => s.info?.platform);
  const host = useApp((s) => s.info?.host);
  const pid = ps.selected;
  if (pid === null) return <aside className="ps-details muted">{t('ps.details.pick')}</aside>;
  const row = ps.sample?.processes.find((p) => p.pid === pid);
  if (!row)
    return (
      <aside className="ps-details" data-testid="ps-details">
        <p className="muted">{t('ps.details.gone')}</p>
      </aside>
    );
  const children = ps.sample!.processes.filter((p) => p.ppid === pid);
  const d = ps.details?.pid === pid ? ps.details : null;
  // The backend names its own pid in every sample: Wirelab is ended by its window or terminal, never by a signal from itself.
  const self = pid === ps.sample!.selfPid;
  return (
    <aside className="ps-details" data-testid="ps-details">
      <h3>{t('ps.details.title', { name: row.name, pid })}</h3>
      <p className="mono small wrap ps-cmd" title={row.command}>
        {row.command}
      </p>
      <p className="small">
        <span className={`st-${row.state}`}>{row.state}</span> {t(`ps.state.${row.state}` as MessageKey)} · PPID {row.ppid} · {row.user ?? '?'}
      </p>
      {self ? (
        <p className="small" data-testid="ps-self-note">
          {t(host === 'electron' ? 'ps.details.self.electron' : 'ps.details.self.browser')}
        </p>
      ) : (
        <div className="ps-signals">
          {signalNameSchema.options.map((s) => (
            <button
              key={s}
              className={`button small${s === 'SIGKILL' ? ' danger' : ''}`}
              title={t(signalHintKey(s, platform))}
              data-testid={`signal-${s}`}
              onClick={() => request(pid, s)}
            >
              {t(`ps.sig.${s}` as MessageKey)}
            </button>
          ))}
        </div>
      )}
      {!self && ps.confirm && ps.confirm.pid === pid && (
        <div className="ps-confirm" role="alertdialog" data-testid="signal-confirm">
          <p>{t('ps.confirm', { signal: ps.confirm.signal, pid, name: ps.confirm.name })}</p>
          <p className="muted small">{t(signalHintKey(ps.confirm.signal, platform))}</p>
          <button className="button small danger" data-testid="signal-yes" onClick={() => void confirm()}>
            {t('ps.confirmYes')}
          </button>
          <button className="button small" onClick={() => set({ confirm: null })}>
            {t('ps.cancel')}
          </button>
        </div>
      )}
      <h4>{t('ps.details.threads', { n: d?.threads?.length ?? row.threads ?? '?' })}</h4>
      {d && d.threads === null && <p className="muted small">{t('ps.details.noThreads')}</p>}
      {d?.threads && (
        <table className="table compact" data-testid="ps-threads">
          <tbody>
            {d.threads.map((th) => (
              <tr key={th.tid}>
                <td className="num">{th.tid}</td>
                <td>{th.name}</td>
                <td className={`st-${th.state}`} title={t(`ps.state.${th.state}` as MessageKey)}>
                  {th.state}
                </td>
                <td className="num">{th.cpu.toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>{t('ps.details.children', { n: children.length })}</h4>
      <ul className="ps-children">
        {children.map((c) => (
          <li key={c.pid}>
            <button className="link" onClick={() => void select(c.pid)}>
              {c.pid} {c.name}
            </button>{' '}
            <span className={`st-${c.state}`}>{c.state}</span>
          </li>
        ))}
      </ul>
      <h4>{t('ps.details.sockets', { n: d?.sockets.length ?? 0 })}</h4>
      {d && d.sockets.length === 0 && <p className="muted small">{t('ps.details.noSockets')}</p>}
      {d && d.sockets.length > 0 && (
        <table className="table compact mono" data-testid="ps-sockets">
          <tbody>
            {d.sockets.map((s, i) => (
              <tr key={i}>
                <td>{s.proto}</td>
                {/* One cell, so a narrow panel wraps the pair at the arrow instead of pushing the state out of view. */}
                <td>
                  {s.local} → {s.remote}
                </td>
                <td>{s.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
