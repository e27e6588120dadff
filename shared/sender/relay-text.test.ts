import { describe, expect, it } from 'vitest';
import { chatName, lineEndingOf, relayText } from './relay-text.ts';

describe('the chat room text', () => {
  it('takes a name from the first message, trimmed of its line ending', () => {
    expect(chatName('alice\r\n', () => false)).toEqual({ ok: true, name: 'alice' });
    expect(chatName('  小明 \n', () => false)).toEqual({ ok: true, name: '小明' });
  });
  it('refuses an empty, a control-character, an over-long or a taken name', () => {
    expect(chatName('\r\n', () => false)).toMatchObject({ ok: false, variant: 'empty' });
    expect(chatName('a\x07b', () => false)).toMatchObject({ ok: false, variant: 'empty' });
    expect(chatName('x'.repeat(33), () => false)).toMatchObject({ ok: false, variant: 'too-long' });
    expect(chatName('bob', (n) => n === 'bob')).toMatchObject({ ok: false, variant: 'taken', name: 'bob' });
  });
  it('ends each line the way the client ended its name, once', () => {
    expect(lineEndingOf('alice\r\n')).toBe('\r\n');
    expect(lineEndingOf('alice')).toBe('');
    expect(relayText.said('alice', 'hi', '\n')).toBe('alice: hi\n');
    expect(relayText.said('alice', 'hi\n', '\n')).toBe('alice: hi\n');
    expect(relayText.joined('bob', '')).toBe('* bob joined the room');
    expect(relayText.left('bob', '\r\n')).toBe('* bob left the room\r\n');
    expect(relayText.welcome('carol', ['alice', 'bob'], '')).toBe('* welcome, carol; here: alice, bob');
  });
});
