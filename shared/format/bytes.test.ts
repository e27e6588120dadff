import { describe, expect, it } from 'vitest';
import { formatBytes } from './bytes.ts';

describe('formatBytes', () => {
  it('picks the binary unit and drops a trailing .0', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(16 * 1024 * 1024)).toBe('16 MiB');
    expect(formatBytes(96 * 1024 * 1024)).toBe('96 MiB');
    expect(formatBytes(2.14 * 1024 ** 3)).toBe('2.1 GiB');
    // Just under a MiB stays in KiB (rounded), never "1.0 MiB" for less than one.
    expect(formatBytes(1024 * 1024 - 1)).toBe('1024 KiB');
  });
});
