import type { ProcessRowData } from '../../../../shared/contract/processes.ts';

/** The table's filter: a pid exactly, or part of the name, command line or user (any case). */
export function rowMatches(r: ProcessRowData, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  return !q || String(r.pid) === q || r.name.toLowerCase().includes(q) || r.command.toLowerCase().includes(q) || (r.user ?? '').toLowerCase().includes(q);
}
