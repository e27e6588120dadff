import { describe, expect, it } from 'vitest';
import { sessionDotClass, shownSessionState } from './session-state.ts';

describe('a session tab while the backend is away', () => {
  it('shows the backend state only while connected; unknown (grey) when the connection is lost', () => {
    expect(sessionDotClass(shownSessionState('open', 'connected'))).toBe('connected');
    expect(sessionDotClass(shownSessionState('half-closed', 'connected'))).toBe('connecting');
    expect(sessionDotClass(shownSessionState('closed', 'connected'))).toBe('disconnected');
    for (const connection of ['disconnected', 'connecting'] as const) {
      expect(shownSessionState('open', connection)).toBe('unknown');
      expect(sessionDotClass(shownSessionState('open', connection))).toBe('unknown');
    }
  });
});
