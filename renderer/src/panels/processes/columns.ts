import { processColumnSchema, type ProcessColumn, type ProcessColumns } from '../../../../shared/contract/settings.ts';

/**
 * The process table's column set: which columns show, how wide, and which give way when the
 * table is narrower than them all. Pure, so the layout is tested without a browser.
 */
export const processColumns = processColumnSchema.options;

/**
 * Widths (px) that hold what each column shows at 13 px: a 7-digit pid (pid_max is 4194304), "D
 * disk wait", "208.6 MiB", a 24-hour time, a header with its sort arrow ("CPU % ▾"). Name and Command take what is left.
 */
export const defaultColumnWidths: Record<ProcessColumn, number> = {
  pid: 68,
  ppid: 68,
  name: 128,
  user: 76,
  state: 104,
  cpu: 78,
  rssBytes: 86,
  threads: 64,
  startTime: 78,
  command: 160,
};

/** Always shown: the table is about processes, and these say which. */
export const fixedColumns: readonly ProcessColumn[] = ['pid', 'name'];
export type HideableColumn = ProcessColumns['hidden'][number];
/** The columns the Columns menu offers to hide. */
export const hideableColumns = processColumns.filter((c): c is HideableColumn => !fixedColumns.includes(c));

/** Given way first to last when every shown column does not fit (never PID, Name, State or CPU). */
const giveWay: readonly ProcessColumn[] = ['threads', 'ppid', 'user', 'startTime', 'rssBytes', 'command'];

export interface ColumnLayout {
  /** The columns drawn, in order. */
  shown: ProcessColumn[];
  /** Shown in the settings but left out because the table is too narrow for them. */
  dropped: ProcessColumn[];
  /** The grid's `grid-template-columns` for the header and every row. */
  template: string;
  /** The width the shown columns need at least (px). */
  minWidth: number;
}

export function columnWidth(c: ProcessColumn, set: ProcessColumns): number {
  return set.widths[c] ?? defaultColumnWidths[c];
}

/**
 * The columns that fit `available` px: the user's set minus the hidden, then, while too wide,
 * minus the next in `giveWay`. The last shown of Command or Name stretches (1fr), never narrower
 * than its width, so nothing is cut at the edge and there is no sideways scroll.
 */
export function layoutColumns(set: ProcessColumns, available: number): ColumnLayout {
  const hidden: readonly ProcessColumn[] = set.hidden;
  let shown = processColumns.filter((c) => fixedColumns.includes(c) || !hidden.includes(c));
  const need = (cols: ProcessColumn[]) => cols.reduce((sum, c) => sum + columnWidth(c, set), 0);
  const dropped: ProcessColumn[] = [];
  for (const c of giveWay) {
    if (need(shown) <= available) break;
    if (!shown.includes(c)) continue;
    shown = shown.filter((x) => x !== c);
    dropped.push(c);
  }
  const stretch: ProcessColumn = shown.includes('command') ? 'command' : 'name';
  const template = shown.map((c) => (c === stretch ? `minmax(${columnWidth(c, set)}px, 1fr)` : `${columnWidth(c, set)}px`)).join(' ');
  return { shown, dropped, template, minWidth: need(shown) };
}

/** A width from a drag or an arrow key, within what the settings accept. */
export function clampWidth(px: number): number {
  return Math.max(40, Math.min(800, Math.round(px)));
}
