import { describe, expect, it } from 'vitest';
import { treeOrder } from './process-tree.ts';

describe('process tree order', () => {
  it('puts children under their parent, depth-first, keeping sibling order', () => {
    const rows = [
      { pid: 1, ppid: 0 },
      { pid: 50, ppid: 1 },
      { pid: 7, ppid: 1 },
      { pid: 51, ppid: 50 },
      { pid: 2, ppid: 0 },
      { pid: 8, ppid: 7 },
    ];
    expect(treeOrder(rows).map((i) => `${'  '.repeat(i.depth)}${i.row.pid}+${i.descendants}`)).toEqual([
      '1+4',
      '  50+1',
      '    51+0',
      '  7+1',
      '    8+0',
      '2+0',
    ]);
  });
  it('survives a parent cycle and a process that names itself as parent', () => {
    const rows = [
      { pid: 3, ppid: 4 },
      { pid: 4, ppid: 3 },
      { pid: 9, ppid: 9 },
    ];
    expect(
      treeOrder(rows)
        .map((i) => i.row.pid)
        .sort(),
    ).toEqual([3, 4, 9]);
  });
});
