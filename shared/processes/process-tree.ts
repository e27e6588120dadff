/**
 * Orders processes as a tree (pstree): each parent followed by its children, depth-first,
 * siblings in the caller's order. A process whose parent is not in the list is a root (pid 1,
 * kthreadd, or — when the list is filtered — the topmost match).
 */
export interface TreeItem<T> {
  row: T;
  depth: number;
  /** How many descendants follow under it (for a collapsed count). */
  descendants: number;
}

export function treeOrder<T extends { pid: number; ppid: number }>(rows: T[]): TreeItem<T>[] {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const children = new Map<number, T[]>();
  const roots: T[] = [];
  for (const r of rows) {
    // A process that is its own parent (pid 0's children report ppid 0) would loop: treat as a root.
    if (r.ppid !== r.pid && byPid.has(r.ppid)) {
      const list = children.get(r.ppid);
      if (list) list.push(r);
      else children.set(r.ppid, [r]);
    } else roots.push(r);
  }
  const out: TreeItem<T>[] = [];
  const seen = new Set<number>();
  const visit = (r: T, depth: number): number => {
    if (seen.has(r.pid)) return 0;
    seen.add(r.pid);
    const item: TreeItem<T> = { row: r, depth, descendants: 0 };
    out.push(item);
    for (const c of children.get(r.pid) ?? []) item.descendants += 1 + visit(c, depth + 1);
    return item.descendants;
  };
  for (const r of roots) visit(r, 0);
  // Anything left is in a parent cycle (impossible in /proc, possible in bad input): list it flat.
  for (const r of rows) if (!seen.has(r.pid)) visit(r, 0);
  return out;
}
