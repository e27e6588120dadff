import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ProcessRowData } from '../../../../shared/contract/processes.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { treeOrder } from '../../../../shared/processes/process-tree.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { ProcessColumn, ProcessColumns } from '../../../../shared/contract/settings.ts';
import type { SortKey } from '../../store/processes-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { clampWidth, columnWidth, hideableColumns, layoutColumns } from './columns.ts';
import { DetailsView } from './DetailsView.tsx';
import { pick } from '../../store/pick.ts';
import { rowMatches } from './row-filter.ts';

const ROW = 30;
const cellClass: Record<ProcessColumn, string> = {
  pid: 'num',
  ppid: 'num',
  name: 'name',
  user: 'user',
  state: 'state',
  cpu: 'num',
  rssBytes: 'num',
  threads: 'num',
  startTime: 'time',
  command: 'command',
};

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
  const locale = useLocale();
  const saved = useApp((s) => s.settings.processColumns);
  const updateSettings = useApp((s) => s.updateSettings);
  // A drag's width lives here until the pointer is let go; then it goes to the backend's settings.
  const [dragging, setDragging] = useState<{ column: ProcessColumn; width: number } | null>(null);
  const columnSet = useMemo<ProcessColumns>(
    () => (dragging ? { ...saved, widths: { ...saved.widths, [dragging.column]: dragging.width } } : saved),
    [saved, dragging],
  );
  const saveColumns = (next: ProcessColumns) => void updateSettings({ processColumns: next });
  const available = useWidth(scroller);
  const layout = useMemo(() => layoutColumns(columnSet, available ?? Infinity), [columnSet, available]);
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
  // Bring a newly selected process into view (a lab's "show in table", a child clicked in
  // details), and again when the user re-arranges the table (Tree, sort, filter) so the selection
  // does not vanish from the rendered window; a new sample alone never moves the scroll.
  const scrolledTo = useRef<string | null>(null);
  const view = `${ps.selected}|${ps.tree}|${ps.sort.key}|${ps.sort.desc}|${ps.filter}`;
  useEffect(() => {
    if (ps.selected === null || scrolledTo.current === view) return;
    const index = items.findIndex((i) => i.row.pid === ps.selected);
    if (index < 0) return;
    scrolledTo.current = view;
    virtual.scrollToIndex(index, { align: 'center' });
  }, [ps.selected, view, items, virtual]);
  const now = Date.now();
  const cpu = (c: number) => (ps.normalized && sample ? c / sample.cores : c).toFixed(1);
  const sortBy = (key: SortKey | 'command') =>
    key !== 'command' && set({ sort: { key, desc: ps.sort.key === key ? !ps.sort.desc : key === 'cpu' || key === 'rssBytes' || key === 'threads' } });

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
          <ColumnsMenu set={saved} dropped={layout.dropped} onChange={saveColumns} />
          <span className="muted small" data-testid="ps-summary">
            {ps.paused ? `${t('ps.paused')} · ` : ''}
            {sample ? t('ps.summary', { n: sample.processes.length, ms: sample.tookMs.toFixed(1), interval: ps.intervalMs / 1000 }) : t('ps.loading')}
          </span>
        </div>
        <div className="ps-table" role="table" aria-label={t('ps.tab.processes')} aria-rowcount={items.length + 1}>
          <div className="ps-inner" style={{ minWidth: layout.minWidth }}>
            <div className="ps-row ps-head" role="row" style={{ gridTemplateColumns: layout.template }}>
              {layout.shown.map((c) => (
                <div
                  key={c}
                  role="columnheader"
                  className={`ps-cell ps-th ${cellClass[c]}`}
                  aria-sort={ps.sort.key === c ? (ps.sort.desc ? 'descending' : 'ascending') : undefined}
                  data-column={c}
                >
                  {c === 'command' ? (
                    <span className="ps-th-label">{t('ps.col.command')}</span>
                  ) : (
                    <button className="ps-th-label" onClick={() => sortBy(c)}>
                      {t(`ps.col.${c}` as MessageKey)}
                      {ps.sort.key === c ? (ps.sort.desc ? ' ▾' : ' ▴') : ''}
                    </button>
                  )}
                  <ColumnResizer
                    column={c}
                    label={t('ps.columns.resize', { column: t(`ps.col.${c}` as MessageKey) })}
                    width={columnWidth(c, columnSet)}
                    onDrag={(width) => setDragging({ column: c, width })}
                    onDone={(width) => {
                      setDragging(null);
                      saveColumns({ ...saved, widths: { ...saved.widths, [c]: width } });
                    }}
                  />
                </div>
              ))}
            </div>
            <div className="ps-scroll" ref={scroller} data-testid="ps-rows" role="rowgroup" tabIndex={0} aria-label={t('ps.rowsLabel')}>
              {sample && items.length === 0 && (
                // A rowgroup holds rows: the empty result is one row of one cell.
                <div role="row">
                  <p role="cell" className="muted ps-empty">
                    {t('ps.none', { q: ps.filter })}
                  </p>
                </div>
              )}
              <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
                {virtual.getVirtualItems().map((v) => {
                  const { row: r, depth, gone } = items[v.index]!;
                  const fresh = (ps.fresh[r.pid] ?? 0) > now;
                  const cls = `ps-row${gone ? ' gone' : fresh ? ' fresh' : ''}${ps.selected === r.pid ? ' selected' : ''}${r.state === 'Z' ? ' zombie' : ''}`;
                  const cell: Record<ProcessColumn, () => ReactNode> = {
                    pid: () => r.pid,
                    ppid: () => r.ppid,
                    name: () => (
                      <>
                        {depth > 0 && (
                          <span className="ps-branch" aria-hidden="true">
                            └{' '}
                          </span>
                        )}
                        {r.name}
                        {r.pid === sample?.selfPid && <span className="badge subtle">{t('ps.self')}</span>}
                        {labPids.has(r.pid) && <span className="badge lab">{t('ps.lab')}</span>}
                      </>
                    ),
                    user: () => r.user ?? '?',
                    state: () => (
                      <>
                        {r.state} <span className="muted">{t(`ps.state.${r.state}` as MessageKey)}</span>
                      </>
                    ),
                    cpu: () => cpu(r.cpu),
                    rssBytes: () => formatBytes(r.rssBytes),
                    threads: () => r.threads ?? '—',
                    // 24-hour: "14:05:09" is narrower than "2:05:09 PM" and reads the same in both languages.
                    startTime: () => new Date(r.startTime).toLocaleTimeString(locale, { hour12: false }),
                    command: () => r.command,
                  };
                  return (
                    <div
                      key={v.key}
                      role="row"
                      className={cls}
                      style={{
                        position: 'absolute',
                        top: 0,
                        left: 0,
                        right: 0,
                        height: ROW,
                        transform: `translateY(${v.start}px)`,
                        gridTemplateColumns: layout.template,
                      }}
                      onClick={() => void select(r.pid)}
                      aria-rowindex={v.index + 2}
                      aria-selected={ps.selected === r.pid}
                      data-testid="ps-row"
                      data-pid={r.pid}
                      data-ppid={r.ppid}
                      data-state={r.state}
                      data-depth={depth}
                      data-self={r.pid === sample?.selfPid || undefined}
                    >
                      {layout.shown.map((c) => (
                        <span
                          key={c}
                          role="cell"
                          className={`ps-cell ${cellClass[c]}${c === 'state' ? ` st-${r.state}` : ''}${c === 'command' ? ' mono' : ''}`}
                          // Indented 6 px a level, at most 8 levels: deep trees keep room for the name.
                          style={c === 'name' ? { paddingLeft: 8 + Math.min(depth, 8) * 6 } : undefined}
                          title={c === 'command' ? r.command : c === 'state' ? t(`ps.state.${r.state}` as MessageKey) : undefined}
                        >
                          {cell[c]()}
                        </span>
                      ))}
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

/** The width of an element's content box, followed as it changes (the window, the details pane). */
function useWidth(ref: RefObject<HTMLElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * A column's right edge: drag it, or focus it and press ← / → (16 px; Home resets). A
 * separator with a value is the WAI-ARIA pattern for a splitter a keyboard can move.
 */
function ColumnResizer({
  column,
  label,
  width,
  onDrag,
  onDone,
}: {
  column: ProcessColumn;
  label: string;
  width: number;
  onDrag(width: number): void;
  onDone(width: number): void;
}) {
  const start = useRef<{ x: number; width: number; last: number } | null>(null);
  return (
    <span
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      aria-valuemin={40}
      aria-valuemax={800}
      tabIndex={0}
      className="ps-resize"
      data-testid={`ps-resize-${column}`}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { x: e.clientX, width, last: width };
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        start.current.last = clampWidth(start.current.width + e.clientX - start.current.x);
        onDrag(start.current.last);
      }}
      onPointerUp={() => {
        if (start.current) onDone(start.current.last);
        start.current = null;
      }}
      onKeyDown={(e) => {
        const step = e.key === 'ArrowRight' ? 16 : e.key === 'ArrowLeft' ? -16 : 0;
        if (step) onDone(clampWidth(width + step));
        else if (e.key === 'Home') onDone(defaultWidth(column));
        else return;
        e.preventDefault();
      }}
    />
  );
}

const defaultWidth = (c: ProcessColumn) => columnWidth(c, { hidden: [], widths: {} });

/** Which columns show (kept in the backend's settings, so a reload keeps them), and which gave way to fit. */
function ColumnsMenu({ set, dropped, onChange }: { set: ProcessColumns; dropped: ProcessColumn[]; onChange(next: ProcessColumns): void }) {
  const t = useT();
  const locale = useLocale();
  const [open, setOpen] = useState(false);
  const name = (c: ProcessColumn) => t(`ps.col.${c}` as MessageKey);
  return (
    <details className="ps-columns" data-testid="ps-columns" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="button small">{t('ps.columns')}</summary>
      {open && (
        <div className="ps-columns-menu">
          {hideableColumns.map((c) => (
            <label key={c} className="field-inline">
              <input
                type="checkbox"
                checked={!set.hidden.includes(c)}
                data-testid={`ps-column-${c}`}
                onChange={(e) => onChange({ ...set, hidden: e.target.checked ? set.hidden.filter((h) => h !== c) : [...set.hidden, c] })}
              />{' '}
              {name(c)}
            </label>
          ))}
          {dropped.length > 0 && (
            <p className="muted small" data-testid="ps-columns-dropped">
              {t('ps.columns.dropped', { columns: new Intl.ListFormat(locale, { type: 'conjunction' }).format(dropped.map(name)) })}
            </p>
          )}
          <button className="button small" data-testid="ps-columns-reset" onClick={() => onChange({ hidden: [], widths: {} })}>
            {t('ps.columns.reset')}
          </button>
        </div>
      )}
    </details>
  );
}
