import { describe, expect, it } from 'vitest';
import { maxNameBytes, numberedName, safeFileName, variantName } from './save-name.ts';

describe('save names', () => {
  it('keeps a plain name as it is', () => {
    expect(safeFileName('a.bin')).toEqual({ name: 'a.bin', problem: null });
    expect(safeFileName('报告 2024.pdf')).toEqual({ name: '报告 2024.pdf', problem: null });
    expect(safeFileName('.hidden')).toEqual({ name: '.hidden', problem: null });
  });

  it('never climbs out: ../ in any form keeps the last component only', () => {
    expect(safeFileName('../../etc/passwd')).toEqual({ name: 'passwd', problem: 'dots' });
    expect(safeFileName('..\\..\\boot.ini')).toEqual({ name: 'boot.ini', problem: 'dots' });
    expect(safeFileName('..')).toEqual({ name: null, problem: 'dots' });
    expect(safeFileName('.')).toEqual({ name: null, problem: 'dots' });
    expect(safeFileName('a/..')).toEqual({ name: null, problem: 'dots' });
    expect(safeFileName('...')).toEqual({ name: null, problem: 'dots' });
  });

  it('no absolute or drive paths', () => {
    expect(safeFileName('/etc/passwd')).toEqual({ name: 'passwd', problem: 'path' });
    expect(safeFileName('C:\\Windows\\win.ini')).toEqual({ name: 'win.ini', problem: 'path' });
    expect(safeFileName('C:evil.txt')).toEqual({ name: 'evil.txt', problem: 'path' });
    expect(safeFileName('\\\\server\\share\\x.txt')).toEqual({ name: 'x.txt', problem: 'path' });
    expect(safeFileName('dir/')).toEqual({ name: null, problem: 'path' });
  });

  it('no NUL or control characters', () => {
    expect(safeFileName('a\u0000.bin')).toEqual({ name: 'a.bin', problem: 'control' });
    expect(safeFileName('evil\n.txt')).toEqual({ name: 'evil.txt', problem: 'control' });
    expect(safeFileName('\u0007')).toEqual({ name: null, problem: 'control' });
  });

  it('no reserved Windows names or characters', () => {
    expect(safeFileName('CON')).toEqual({ name: '_CON', problem: 'reserved' });
    expect(safeFileName('nul.txt')).toEqual({ name: '_nul.txt', problem: 'reserved' });
    expect(safeFileName('com1.tar.gz')).toEqual({ name: '_com1.tar.gz', problem: 'reserved' });
    expect(safeFileName('notes.txt:hidden')).toEqual({ name: 'notes.txt_hidden', problem: 'reserved' });
    expect(safeFileName('what?.txt')).toEqual({ name: 'what_.txt', problem: 'reserved' });
    expect(safeFileName('a.bin. ')).toEqual({ name: 'a.bin', problem: 'reserved' });
    expect(safeFileName('console.log')).toEqual({ name: 'console.log', problem: null });
  });

  it('no empty, non-string or over-long names', () => {
    expect(safeFileName(undefined)).toEqual({ name: null, problem: null });
    expect(safeFileName('')).toEqual({ name: null, problem: 'empty' });
    expect(safeFileName('   ')).toEqual({ name: null, problem: 'empty' });
    expect(safeFileName(42)).toEqual({ name: null, problem: 'empty' });
    const long = safeFileName(`${'名'.repeat(300)}.bin`);
    expect(long.problem).toBe('long');
    expect(long.name!.endsWith('.bin')).toBe(true);
    expect(new TextEncoder().encode(long.name!).length).toBeLessThanOrEqual(maxNameBytes);
  });

  it('numbers bodies without a name, and picks a free variant of a taken one', () => {
    expect(numberedName(1)).toBe('message-0001.bin');
    expect(variantName('a.bin', 0)).toBe('a.bin');
    expect(variantName('a.bin', 2)).toBe('a (2).bin');
    expect(variantName('README', 1)).toBe('README (1)');
  });
});
