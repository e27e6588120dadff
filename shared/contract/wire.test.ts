import { describe, expect, it } from 'vitest';
import { base64Length, limits } from './limits.ts';
import { maxWireMessageBytes, oversizeMessage } from './wire.ts';

describe('maxWireMessageBytes', () => {
  it('takes the largest contract input in its worst JSON form: a 96 MiB capture as base64, plus envelope slack', () => {
    expect(maxWireMessageBytes).toBeGreaterThanOrEqual(base64Length(limits.captureImportBytes) + 64 * 1024);
    expect(maxWireMessageBytes).toBeGreaterThanOrEqual(limits.payloadChars * 6);
    expect(maxWireMessageBytes).toBeGreaterThanOrEqual(limits.packetImportChars * 6);
    // a full-size import, envelope and all, fits
    const envelope = JSON.stringify({ type: 'invoke', id: 2 ** 53 - 1, command: 'timeline.import', input: { name: 'n'.repeat(255), base64: '' } });
    expect(base64Length(limits.captureImportBytes) + envelope.length).toBeLessThanOrEqual(maxWireMessageBytes);
  });
});

describe('oversizeMessage', () => {
  it('counts UTF-8 bytes, not characters, and says nothing for a message within the bound', () => {
    expect(oversizeMessage('abc', 3)).toBeNull();
    expect(oversizeMessage('abcd', 3)).toBe(4);
    expect(oversizeMessage('éé', 4)).toBeNull(); // 2 bytes each
    expect(oversizeMessage('ééé', 5)).toBe(6);
    expect(oversizeMessage('中', 2)).toBe(3);
    expect(oversizeMessage('😀', 3)).toBe(4); // one surrogate pair, 4 bytes
    expect(oversizeMessage('x'.repeat(1000))).toBeNull();
  });
});
