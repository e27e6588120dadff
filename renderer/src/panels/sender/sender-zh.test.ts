import { describe, expect, it } from 'vitest';
import { localizeMarker } from './sender-zh.ts';

describe('Chinese for the log markers', () => {
  it('translates the fixed sentences and socket errors, and leaves English alone', () => {
    expect(localizeMarker('from 127.0.0.1:5 in 0.4 ms', null, 'zh-CN')).toBe('来自 127.0.0.1:5，用时 0.4 毫秒');
    expect(localizeMarker('connection closed', null, 'zh-CN')).toBe('连接已关闭');
    expect(localizeMarker('stopped after 12 sends', null, 'zh-CN')).toBe('发送 12 次后停止');
    expect(localizeMarker('connection: ECONNRESET — the peer reset the connection (RST): it crashed, or closed with data still unread', 'ECONNRESET', 'zh-CN')).toContain('对方重置了连接');
    expect(localizeMarker('connection closed', null, 'en')).toBe('connection closed');
  });
});
