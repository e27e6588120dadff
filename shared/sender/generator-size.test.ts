import { describe, expect, it } from 'vitest';
import { sizeAfterKindChange } from './generator-size.ts';

describe('sizeAfterKindChange', () => {
  it("keeps the user's own size across a Kind change", () => {
    expect(sizeAfterKindChange('1400', 'udp', 'tcp')).toEqual({ size: '1400', reason: null });
    expect(sizeAfterKindChange('512', 'tcp', 'udp')).toEqual({ size: '512', reason: null });
    expect(sizeAfterKindChange('lots', 'tcp', 'udp')).toEqual({ size: 'lots', reason: null });
  });
  it('moves an untouched default to the new default, and says so', () => {
    expect(sizeAfterKindChange('8', 'udp', 'tcp')).toEqual({ size: '131072', reason: 'default', from: '8' });
    expect(sizeAfterKindChange('131072', 'tcp', 'udp')).toEqual({ size: '8', reason: 'default', from: '131072' });
  });
  it('caps a size no UDP datagram can carry at 65,507 bytes, and says so', () => {
    expect(sizeAfterKindChange('100000', 'tcp', 'udp')).toEqual({ size: '65507', reason: 'udpMax', from: '100000' });
    expect(sizeAfterKindChange('65507', 'tcp', 'udp')).toEqual({ size: '65507', reason: null });
  });
});
