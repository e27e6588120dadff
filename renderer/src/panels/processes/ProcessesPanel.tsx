import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { labKindSchema, signalNameSchema, type LabKind, type ProcessRowData } from '../../../../shared/contract/processes.ts';
import { treeOrder } from '../../../../shared/processes/process-tree.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { SortKey } from '../../store/processes-slice.ts';
import { useApp, useT } from '../../store/store-context.tsx';

const ROW = 30;
const columns: { key: SortKey | 'command'; className: string }[] = [
  { key: 'pid', className: 'num' },
  { key: 'ppid', className: 'num' },
  { key: 'name', className: 'name' },
  { key: 'user', className: 'user' },
  { key: 'state', className: 'state' },
  { key: 'cpu', className: 'num' },
  { key: 'rssBytes', className: 'num' },
  { key: 'threads', className: 'num' },
  { key: 'startTime', className: 'time' },
  { key: 'command', className: 'command' },
];

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

export function ProcessesPanel() {
  const t = useT();
  const ps = useApp((s) => s.processes);
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
    return <section className="processes-panel"><p className="notice warning" data-testid="processes-unsupported"><span>{t('ps.unsupported', { reason: ps.reason ?? '' })}</span></p></section>;
  }
  return (
    <section className="processes-panel" data-testid="processes-panel">
      <div className="subtabs" role="tablist">
        {(['processes', 'connections', 'labs'] as const).map((tab) => (
          <button key={tab} role="tab" aria-selected={ps.tab === tab} className={`subtab${ps.tab === tab ? ' active' : ''}`} data-testid={`ps-tab-${tab}`} onClick={() => set({ tab })}>
            {t(`ps.tab.${tab}`)}
          </button>
        ))}
      </div>
      {ps.message && <p className={ps.message.kind === 'error' ? 'field-error' : 'muted'} role={ps.message.kind === 'error' ? 'alert' : 'status'} data-testid="ps-message">{ps.message.text}</p>}
      {ps.tab === 'processes' && <ProcessesView />}
      {ps.tab === 'connections' && <ConnectionsView />}
      {ps.tab === 'labs' && <LabsView />}
    </section>
  );
}

function ProcessesView() {
  const t = useT();
  const ps = useApp((s) => s.processes);
  const set = useApp((s) => s.setProcesses);
  const setPaused = useApp((s) => s.setPaused);
  const select = useApp((s) => s.selectProcess);
  const scroller = useRef<HTMLDivElement>(null);
  const sample = ps.sample;
  const labPids = useMemo(() => new Set(sample?.labs.flatMap((l) => l.pids) ?? []), [sample]);

  // Derived, never stored: filtered, sorted, tree-ordered rows plus the recently vanished.
  const items = useMemo(() => {
    if (!sample) return [];
    const q = ps.filter.trim().toLowerCase();
    const match = (r: ProcessRowData) => !q || String(r.pid) === q || r.name.toLowerCase().includes(q) || r.command.toLowerCase().includes(q) || (r.user ?? '').toLowerCase().includes(q);
    const live = new Set(sample.processes.map((p) => p.pid));
    const gone = ps.gone.filter((g) => !live.has(g.row.pid)).map((g) => g.row);
    const rows = [...sample.processes, ...gone].filter(match);
    const { key, desc } = ps.sort;
    const dir = desc ? -1 : 1;
    rows.sort((a, b) => {
      const x = a[key] ?? '';
      const y = b[key] ?? '';
      return (x < y ? -1 : x > y ? 1 : a.pid - b.pid) * dir;
    });
    const goneSet = new Set(gone.map((g) => g.pid));
    return (ps.tree ? treeOrder(rows) : rows.map((row) => ({ row, depth: 0, descendants: 0 }))).map((i) => ({ ...i, gone: goneSet.has(i.row.pid) }));
  }, [sample, ps.filter, ps.sort, ps.tree, ps.gone]);

  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  // Bring a newly selected process into view (a lab's "show in table", a child clicked in details).
  const scrolledTo = useRef<number | null>(null);
  useEffect(() => {
    if (ps.selected === null || scrolledTo.current === ps.selected) return;
    const index = items.findIndex((i) => i.row.pid === ps.selected);
    if (index < 0) return;
    scrolledTo.current = ps.selected;
    virtual.scrollToIndex(index, { align: 'center' });
  }, [ps.selected, items, virtual]);
  const now = Date.now();
  const cpu = (c: number) => (ps.normalized && sample ? c / sample.cores : c).toFixed(1);
  const sortBy = (key: SortKey) => set({ sort: { key, desc: ps.sort.key === key ? !ps.sort.desc : key === 'cpu' || key === 'rssBytes' || key === 'threads' } });

  return (
    <div className="ps-layout">
      <div className="ps-main">
        <div className="ps-toolbar">
          <input className="input search" type="search" placeholder={t('ps.filter')} aria-label={t('ps.filter')} value={ps.filter} data-testid="ps-filter" onChange={(e) => set({ filter: e.target.value })} />
          <label className="field-inline"><input type="checkbox" checked={ps.tree} data-testid="ps-tree" onChange={(e) => set({ tree: e.target.checked })} /> {t('ps.tree')}</label>
          <label className="field-inline" title={t('ps.normalizedHint', { cores: sample?.cores ?? '?' })}><input type="checkbox" checked={ps.normalized} onChange={(e) => set({ normalized: e.target.checked })} /> {t('ps.normalized')}</label>
          <button className="button small" data-testid="ps-pause" onClick={() => void setPaused(!ps.paused)}>{ps.paused ? t('ps.resume') : t('ps.pause')}</button>
          <span className="muted small" data-testid="ps-summary">
            {ps.paused ? `${t('ps.paused')} · ` : ''}
            {sample ? t('ps.summary', { n: sample.processes.length, ms: sample.tookMs.toFixed(1), interval: ps.intervalMs / 1000 }) : t('ps.loading')}
          </span>
        </div>
        <div className="ps-table" role="table" aria-rowcount={items.length}>
          <div className="ps-inner">
          <div className="ps-row ps-head" role="row">
            {columns.map((c) => (
              <button key={c.key} role="columnheader" className={`ps-cell ${c.className}`} disabled={c.key === 'command'} onClick={() => c.key !== 'command' && sortBy(c.key)} aria-sort={ps.sort.key === c.key ? (ps.sort.desc ? 'descending' : 'ascending') : undefined}>
                {t(`ps.col.${c.key}` as MessageKey)}{ps.sort.key === c.key ? (ps.sort.desc ? ' ▾' : ' ▴') : ''}
              </button>
            ))}
          </div>
          <div className="ps-scroll" ref={scroller} data-testid="ps-rows">
            {sample && items.length === 0 && <p className="muted ps-empty">{t('ps.none', { q: ps.filter })}</p>}
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((v) => {
                const { row: r, depth, gone } = items[v.index]!;
                const fresh = (ps.fresh[r.pid] ?? 0) > now;
                const cls = `ps-row${gone ? ' gone' : fresh ? ' fresh' : ''}${ps.selected === r.pid ? ' selected' : ''}${r.state === 'Z' ? ' zombie' : ''}`;
                return (
                  <div key={v.key} role="row" className={cls} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` }} onClick={() => void select(r.pid)} data-testid="ps-row" data-pid={r.pid} data-ppid={r.ppid} data-state={r.state} data-depth={depth}>
                    <span className="ps-cell num">{r.pid}</span>
                    <span className="ps-cell num">{r.ppid}</span>
                    <span className="ps-cell name" style={{ paddingLeft: 8 + Math.min(depth, 10) * 10 }}>
                      {depth > 0 && <span className="ps-branch" aria-hidden="true">└ </span>}
                      {r.name}
                      {r.pid === sample?.selfPid && <span className="badge subtle">{t('ps.self')}</span>}
                      {labPids.has(r.pid) && <span className="badge lab">{t('ps.lab')}</span>}
                    </span>
                    <span className="ps-cell user">{r.user ?? '?'}</span>
                    <span className={`ps-cell state st-${r.state}`} title={t(`ps.state.${r.state}` as MessageKey)}>{r.state} <span className="muted">{t(`ps.state.${r.state}` as MessageKey)}</span></span>
                    <span className="ps-cell num">{cpu(r.cpu)}</span>
                    <span className="ps-cell num">{formatBytes(r.rssBytes)}</span>
                    <span className="ps-cell num">{r.threads ?? '—'}</span>
                    <span className="ps-cell time">{new Date(r.startTime).toLocaleTimeString()}</span>
                    <span className="ps-cell command mono" title={r.command}>{r.command}</span>
                  </div>
                );
              })}
            </div>
          </div>
          </div>
        </div>
      </div>
      <DetailsView />
    </div>
  );
}

function DetailsView() {
  const t = useT();
  const ps = useApp((s) => s.processes);
  const select = useApp((s) => s.selectProcess);
  const request = useApp((s) => s.requestSignal);
  const confirm = useApp((s) => s.confirmSignal);
  const set = useApp((s) => s.setProcesses);
  const pid = ps.selected;
  if (pid === null) return <aside className="ps-details muted">{t('ps.details.pick')}</aside>;
  const row = ps.sample?.processes.find((p) => p.pid === pid);
  if (!row) return <aside className="ps-details" data-testid="ps-details"><p className="muted">{t('ps.details.gone')}</p></aside>;
  const children = ps.sample!.processes.filter((p) => p.ppid === pid);
  const d = ps.details?.pid === pid ? ps.details : null;
  return (
    <aside className="ps-details" data-testid="ps-details">
      <h3>{t('ps.details.title', { name: row.name, pid })}</h3>
      <p className="mono small wrap ps-cmd" title={row.command}>{row.command}</p>
      <p className="small"><span className={`st-${row.state}`}>{row.state}</span> {t(`ps.state.${row.state}` as MessageKey)} · PPID {row.ppid} · {row.user ?? '?'}</p>
      <div className="ps-signals">
        {signalNameSchema.options.map((s) => (
          <button key={s} className={`button small${s === 'SIGKILL' ? ' danger' : ''}`} title={t(`ps.sigHint.${s}` as MessageKey)} data-testid={`signal-${s}`} onClick={() => request(pid, s)}>{t(`ps.sig.${s}` as MessageKey)}</button>
        ))}
      </div>
      {ps.confirm && ps.confirm.pid === pid && (
        <div className="ps-confirm" role="alertdialog" data-testid="signal-confirm">
          <p>{t('ps.confirm', { signal: ps.confirm.signal, pid, name: ps.confirm.name })}</p>
          <p className="muted small">{t(`ps.sigHint.${ps.confirm.signal}` as MessageKey)}</p>
          <button className="button small danger" data-testid="signal-yes" onClick={() => void confirm()}>{t('ps.confirmYes')}</button>
          <button className="button small" onClick={() => set({ confirm: null })}>{t('ps.cancel')}</button>
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
                <td className={`st-${th.state}`} title={t(`ps.state.${th.state}` as MessageKey)}>{th.state}</td>
                <td className="num">{th.cpu.toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>{t('ps.details.children', { n: children.length })}</h4>
      <ul className="ps-children">
        {children.map((c) => (
          <li key={c.pid}><button className="link" onClick={() => void select(c.pid)}>{c.pid} {c.name}</button> <span className={`st-${c.state}`}>{c.state}</span></li>
        ))}
      </ul>
      <h4>{t('ps.details.sockets', { n: d?.sockets.length ?? 0 })}</h4>
      {d && d.sockets.length === 0 && <p className="muted small">{t('ps.details.noSockets')}</p>}
      {d && d.sockets.length > 0 && (
        <table className="table compact mono">
          <tbody>
            {d.sockets.map((s, i) => (
              <tr key={i}><td>{s.proto}</td><td>{s.local}</td><td>{s.remote}</td><td>{s.state}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}

function ConnectionsView() {
  const t = useT();
  const ps = useApp((s) => s.processes);
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
        <input className="input search wide" type="search" placeholder={t('ps.conn.search')} aria-label={t('ps.conn.search')} value={ps.socketFilter} data-testid="conn-filter" onChange={(e) => set({ socketFilter: e.target.value })} />
        <button className="button small" onClick={() => void load()}>{t('ps.conn.refresh')}</button>
        <span className="muted small">{t('ps.conn.count', { n: rows.length })}</span>
      </div>
      <table className="table compact" data-testid="conn-table">
        <thead>
          <tr>
            <th>{t('ps.conn.proto')}</th><th>{t('ps.conn.local')}</th><th>{t('ps.conn.remote')}</th><th>{t('ps.conn.state')}</th><th>{t('ps.conn.process')}</th>
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
                {s.pid === null && s.state === 'TIME_WAIT' ? <span className="muted" title={t('ps.conn.kernelHint')}>{t('ps.conn.kernel')}</span> : s.pid === null ? <span className="muted" title={t('ps.conn.unknownHint')}>{t('ps.conn.unknown')}</span> : (
                  <button className="link" onClick={() => { set({ tab: 'processes' }); void select(s.pid); }}>{s.process} ({s.pid})</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LabsView() {
  const t = useT();
  const ps = useApp((s) => s.processes);
  const startLab = useApp((s) => s.startLab);
  const stopLab = useApp((s) => s.stopLab);
  const set = useApp((s) => s.setProcesses);
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
              <p className="small">{t(`ps.labText.${kind}` as MessageKey)}</p>
              <div className="ps-lab-actions">
                <button className="button small" disabled={ps.labBusy} data-testid={`lab-start-${kind}`} onClick={() => void startLab(kind)}>{t('ps.labs.start')}</button>
                {kind === 'gil' && <span className="muted small">{t('ps.labNeedsPython')}</span>}
              </div>
              {running.map((l) => (
                <div key={l.id} className="ps-lab-running" data-testid="lab-running">
                  <span className="small">{t('ps.labs.running', { pids: l.pids.join(', ') })}</span>
                  <button className="button small" onClick={() => show(l.pids[0]!)}>{t('ps.labs.show')}</button>
                  <button className="button small" data-testid={`lab-stop-${kind}`} onClick={() => void stopLab(l.id)}>{t('ps.labs.stop')}</button>
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
