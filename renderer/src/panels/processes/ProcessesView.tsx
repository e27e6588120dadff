import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ProcessRowData } from '../../../../shared/contract/processes.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { treeOrder } from '../../../../shared/processes/process-tree.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { SortKey } from '../../store/processes-slice.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { DetailsView } from './DetailsView.tsx';
import { pick } from '../../store/pick.ts';
import { rowMatches } from './row-filter.ts';

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

/** The process table (virtualised, sortable, filterable, as a tree) beside the selected one's details. */
export function ProcessesView() {
  const t = useT();
  const ps = useApp(
    useShallow((s) => pick(s.processes, 'filter', 'fresh', 'gone', 'intervalMs', 'normalized', 'paused', 'sample', 'selected', 'sort', 'tree')),
  );
  const set = useApp((s) => s.setProcesses);
  const setPaused = useApp((s) => s.setPaused);
  const select = useApp((s) => s.selectProcess);
  const scroller = useRef<HTMLDivElement>(null);
  const sample = ps.sample;
  const labPids = useMemo(() => new Set(sample?.labs.flatMap((l) => l.pids) ?? []), [sample]);

  // Derived, never stored: filtered, sorted, tree-ordered rows plus the recently vanished.
  const items = useMemo(() => {
    if (!sample) return [];
    const match = (r: ProcessRowData) => rowMatches(r, ps.filter);
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
          <input
            className="input search"
            type="search"
            placeholder={t('ps.filter')}
            aria-label={t('ps.filter')}
            value={ps.filter}
            data-testid="ps-filter"
            onChange={(e) => set({ filter: e.target.value })}
          />
          <label className="field-inline">
            <input type="checkbox" checked={ps.tree} data-testid="ps-tree" onChange={(e) => set({ tree: e.target.checked })} /> {t('ps.tree')}
          </label>
          <label className="field-inline" title={t('ps.normalizedHint', { cores: sample?.cores ?? '?' })}>
            <input type="checkbox" checked={ps.normalized} onChange={(e) => set({ normalized: e.target.checked })} /> {t('ps.normalized')}
          </label>
          <button className="button small" data-testid="ps-pause" onClick={() => void setPaused(!ps.paused)}>
            {ps.paused ? t('ps.resume') : t('ps.pause')}
          </button>
          <span className="muted small" data-testid="ps-summary">
            {ps.paused ? `${t('ps.paused')} · ` : ''}
            {sample ? t('ps.summary', { n: sample.processes.length, ms: sample.tookMs.toFixed(1), interval: ps.intervalMs / 1000 }) : t('ps.loading')}
          </span>
        </div>
        <div className="ps-table" role="table" aria-rowcount={items.length}>
          <div className="ps-inner">
            <div className="ps-row ps-head" role="row">
              {columns.map((c) => (
                <button
                  key={c.key}
                  role="columnheader"
                  className={`ps-cell ${c.className}`}
                  disabled={c.key === 'command'}
                  onClick={() => c.key !== 'command' && sortBy(c.key)}
                  aria-sort={ps.sort.key === c.key ? (ps.sort.desc ? 'descending' : 'ascending') : undefined}
                >
                  {t(`ps.col.${c.key}` as MessageKey)}
                  {ps.sort.key === c.key ? (ps.sort.desc ? ' ▾' : ' ▴') : ''}
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
                    <div
                      key={v.key}
                      role="row"
                      className={cls}
                      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` }}
                      onClick={() => void select(r.pid)}
                      data-testid="ps-row"
                      data-pid={r.pid}
                      data-ppid={r.ppid}
                      data-state={r.state}
                      data-depth={depth}
                      data-self={r.pid === sample?.selfPid || undefined}
                    >
                      <span className="ps-cell num">{r.pid}</span>
                      <span className="ps-cell num">{r.ppid}</span>
                      <span className="ps-cell name" style={{ paddingLeft: 8 + Math.min(depth, 10) * 10 }}>
                        {depth > 0 && (
                          <span className="ps-branch" aria-hidden="true">
                            └{' '}
                          </span>
                        )}
                        {r.name}
                        {r.pid === sample?.selfPid && <span className="badge subtle">{t('ps.self')}</span>}
                        {labPids.has(r.pid) && <span className="badge lab">{t('ps.lab')}</span>}
                      </span>
                      <span className="ps-cell user">{r.user ?? '?'}</span>
                      <span className={`ps-cell state st-${r.state}`} title={t(`ps.state.${r.state}` as MessageKey)}>
                        {r.state} <span className="muted">{t(`ps.state.${r.state}` as MessageKey)}</span>
                      </span>
                      <span className="ps-cell num">{cpu(r.cpu)}</span>
                      <span className="ps-cell num">{formatBytes(r.rssBytes)}</span>
                      <span className="ps-cell num">{r.threads ?? '—'}</span>
                      <span className="ps-cell time">{new Date(r.startTime).toLocaleTimeString()}</span>
                      <span className="ps-cell command mono" title={r.command}>
                        {r.command}
                      </span>
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
