import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, useT } from '../../store/store-context.tsx';
import { pick } from '../../store/pick.ts';

/** Every TCP and UDP socket with its owner (TCPView): "who holds port N?" is one search. */
export function ConnectionsView() {
  const t = useT();
  const ps = useApp(useShallow((s) => pick(s.processes, 'socketFilter', 'sockets')));
  const load = useApp((s) => s.loadSockets);
  const set = useApp((s) => s.setProcesses);
  const select = useApp((s) => s.selectProcess);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [load]);
  const q = ps.socketFilter.trim().toLowerCase();
  const rows = (ps.sockets ?? []).filter((s) => {
    if (!q) return true;
    // A bare number is a port (or a pid): ":8080" must match the end of an address, not "18080".
    if (/^\d+$/.test(q)) return s.local.endsWith(`:${q}`) || s.remote.endsWith(`:${q}`) || String(s.pid) === q;
    return `${s.proto} ${s.local} ${s.remote} ${s.state} ${s.process ?? ''}`.toLowerCase().includes(q);
  });
  return (
    <div className="ps-connections">
      <div className="ps-toolbar">
        <input
          className="input search wide"
          type="search"
          placeholder={t('ps.conn.search')}
          aria-label={t('ps.conn.search')}
          value={ps.socketFilter}
          data-testid="conn-filter"
          onChange={(e) => set({ socketFilter: e.target.value })}
        />
        <button className="button small" onClick={() => void load()}>
          {t('ps.conn.refresh')}
        </button>
        <span className="muted small">{t('ps.conn.count', { n: rows.length })}</span>
      </div>
      <table className="table compact" data-testid="conn-table">
        <thead>
          <tr>
            <th>{t('ps.conn.proto')}</th>
            <th>{t('ps.conn.local')}</th>
            <th>{t('ps.conn.remote')}</th>
            <th>{t('ps.conn.state')}</th>
            <th>{t('ps.conn.process')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 2000).map((s, i) => (
            <tr key={i} data-testid="conn-row">
              <td>{s.proto}</td>
              <td className="mono">{s.local}</td>
              <td className="mono">{s.remote}</td>
              <td>{s.state}</td>
              <td>
                {s.pid === null && s.state === 'TIME_WAIT' ? (
                  <span className="muted" title={t('ps.conn.kernelHint')}>
                    {t('ps.conn.kernel')}
                  </span>
                ) : s.pid === null ? (
                  <span className="muted" title={t('ps.conn.unknownHint')}>
                    {t('ps.conn.unknown')}
                  </span>
                ) : (
                  <button
                    className="link"
                    onClick={() => {
                      set({ tab: 'processes' });
                      void select(s.pid);
                    }}
                  >
                    {s.process} ({s.pid})
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
