import { describe, expect, it } from 'vitest';
import { processColumnsSchema } from '../../../../shared/contract/settings.ts';
import { clampWidth, defaultColumnWidths, layoutColumns } from './columns.ts';

const none = { hidden: [], widths: {} };
const all = Object.values(defaultColumnWidths).reduce((a, b) => a + b, 0);

describe('the process table columns', () => {
  it('shows every column when there is room, Command stretching', () => {
    const l = layoutColumns(none, all + 100);
    expect(l.shown).toHaveLength(10);
    expect(l.dropped).toEqual([]);
    expect(l.template.endsWith('minmax(160px, 1fr)')).toBe(true);
  });

  it('gives way Threads first, then PPID, when the table is narrower (the 1400 px window: ~780 px of table)', () => {
    const l = layoutColumns(none, 780);
    expect(l.dropped).toEqual(['threads', 'ppid']);
    expect(l.minWidth).toBeLessThanOrEqual(780);
    expect(l.shown).toEqual(['pid', 'name', 'user', 'state', 'cpu', 'rssBytes', 'startTime', 'command']);
  });

  it('keeps what the user hid hidden and the widths they dragged', () => {
    const l = layoutColumns({ hidden: ['user', 'command'], widths: { name: 300 } }, 2000);
    expect(l.shown).not.toContain('user');
    expect(l.shown).not.toContain('command');
    // With Command hidden, Name stretches from the width the user gave it.
    expect(l.template).toContain('minmax(300px, 1fr)');
  });

  it('never drops PID, Name, State or CPU, however narrow', () => {
    const l = layoutColumns(none, 100);
    expect(l.shown).toEqual(['pid', 'name', 'state', 'cpu']);
  });

  it('accepts only widths and hidden sets the settings file can hold', () => {
    expect(clampWidth(3)).toBe(40);
    expect(clampWidth(1e4)).toBe(800);
    expect(processColumnsSchema.safeParse({ hidden: ['pid'], widths: {} }).success).toBe(false);
    expect(processColumnsSchema.safeParse({ hidden: ['threads'], widths: { cpu: 20 } }).success).toBe(false);
    expect(processColumnsSchema.safeParse({ hidden: ['threads'], widths: { cpu: 90 } }).success).toBe(true);
  });
});
