import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHost, checkPort, checkWhole } from '../../../shared/sender/endpoint.ts';
import { parseEscaped, parseHex, utf8Encode } from '../../../shared/sender/payload.ts';
import { FrameDecoder, framingByName } from '../../../shared/sender/framing.ts';
import { explainSocketError } from '../../../shared/sender/socket-errors.ts';
import { senderCodes } from '../../../shared/contract/codes.ts';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { catalogs } from './i18n.ts';
import { senderCodeText, senderErrorText } from './sender-text.ts';

const root = join(import.meta.dirname, '../../..');
/** The contract machinery's own codes, worded elsewhere (error-text.ts) or shown as they are. */
const contractCodes = new Set(['INVALID_INPUT', 'INTERNAL', 'LIMIT_EXCEEDED']);
/** An errno put on a local Error for fileError (responders/connection.ts) to map to FILE_*; never sent as it is. */
const localErrnos = new Set(['EISDIR']);

function thrown(f: () => unknown): WirelabError {
  try {
    f();
  } catch (e) {
    if (e instanceof WirelabError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('sender codes in the catalogs', () => {
  it('every code the sender service, its sockets and its shared checks emit is registered', () => {
    // the codes literally written where the sender makes errors and events
    const files = [
      ...['electron/services/sender', 'electron/services/sender/responders'].flatMap((dir) =>
        readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
          .map((f) => join(root, dir, f)),
      ),
      ...['endpoint.ts', 'payload.ts', 'framing.ts', 'framing-form.ts', 'socket-errors.ts', 'save-name.ts', 'challenge.ts'].map((f) =>
        join(root, 'shared/sender', f),
      ),
    ];
    const found = new Set<string>();
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(
        /(?:new WirelabError\(|\bbad\(|\brefuse\((?:ctx, )?|this\.fail\(|code: |finish\([^)]*?, |\.note\(|\.close\()'([A-Z][A-Z0-9_]+)'/g,
      ))
        found.add(m[1]!);
    }
    expect(found.size).toBeGreaterThan(20);
    const unregistered = [...found].filter((c) => !Object.hasOwn(senderCodes, c) && !contractCodes.has(c) && !localErrnos.has(c));
    expect(unregistered).toEqual([]);
  });

  it('both catalogs word every registered code, each variant and plural form', () => {
    for (const [code, spec] of Object.entries(senderCodes) as [string, { params: readonly string[]; count?: string; variants?: readonly string[] }][]) {
      const keys = (spec.variants ?? [null]).flatMap((v) => {
        const base = v ? `code.${code}.${v}` : `code.${code}`;
        return spec.count ? [`${base}.one`, `${base}.other`] : [base];
      });
      for (const key of keys) for (const locale of ['en', 'zh-CN'] as const) expect(Object.hasOwn(catalogs[locale], key), `${locale} ${key}`).toBe(true);
    }
  });

  it('words what the checks and the decoder really produce, in Chinese without English sentences', () => {
    const english = /\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b/i;
    const decoder = new FrameDecoder(framingByName('len32le'));
    decoder.push(Uint8Array.from([0xff, 0xff, 0xff, 0x7f]));
    const cases: { code: string; message: string; params?: Record<string, string | number | boolean> }[] = [
      thrown(() => checkPort('70000')),
      thrown(() => checkPort('x1')),
      thrown(() => checkHost('999.1.1.1')),
      thrown(() => checkHost('bad_host!')),
      thrown(() => checkHost(' ')),
      thrown(() => checkWhole('0', 'timeout', 100, 120_000)),
      thrown(() => parseHex('48 6g')),
      thrown(() => parseHex('abc')),
      thrown(() => parseEscaped('a\\q', utf8Encode)),
      thrown(() => parseEscaped('a\\x4', utf8Encode)),
      thrown(() => parseEscaped('a\\', utf8Encode)),
      { ...explainSocketError('ECONNREFUSED', 'connect to 127.0.0.1:9', 'connect', '127.0.0.1:9') },
      { ...explainSocketError('EWHATEVER', 'connection', 'connection', '') },
      { ...decoder.problem!, params: { ...decoder.problem!.params, closing: true } },
      { code: 'REPEAT_DONE', message: 'sent 1 time', params: { count: 1 } },
      { code: 'REPEAT_FAILED', message: 'stopped after 2: …', params: { count: 2, error: 'ECONNRESET', op: 'connection', address: '' } },
    ];
    for (const c of cases) {
      const zh = senderErrorText('zh-CN', c);
      expect(zh, `${c.code}: ${zh}`).toMatch(/[\u4e00-\u9fff]|^connection: EWHATEVER$|EWHATEVER/);
      expect(zh, `${c.code}: ${zh}`).not.toMatch(english);
    }
    // English is worded from the catalog too, and agrees with the backend's own sentence
    for (const c of cases.slice(0, 11)) expect(senderErrorText('en', c)).toBe(c.message);
    expect(senderErrorText('zh-CN', cases[0]!)).toBe('端口：70000 超出范围；端口号从 1 到 65535');
    expect(senderErrorText('zh-CN', cases[2]!)).toBe('主机：“999.1.1.1”中的 999 超过了 255；IPv4 地址的每一段是一个字节（0–255）');
    expect(senderErrorText('zh-CN', cases[11]!)).toBe('连接 127.0.0.1:9：ECONNREFUSED — 那里没有程序在监听：对方用 RST 回应了 SYN');
    expect(senderCodeText('en', 'REPEAT_DONE', { count: 1 })).toBe('sent 1 time');
    expect(senderCodeText('en', 'REPEAT_DONE', { count: 2 })).toBe('sent 2 times');
    expect(senderCodeText('zh-CN', 'REPEAT_FAILED', cases[15]!.params)).toBe(
      '发送 2 次后停止：连接：ECONNRESET — 对方重置了连接（RST）：程序崩溃，或在还有未读数据时关闭',
    );
    // a file the peer cut short: the bytes with digit groups, the socket error explained
    const cut = { name: 'big.bin', sent: 3145728, size: 67108864, reason: 'ECONNRESET' };
    expect(senderCodeText('en', 'SENDER_FILE_CUT', cut)).toBe(
      'sending big.bin was cut short: 3,145,728 of 67,108,864 bytes written before the connection ended (ECONNRESET — the peer reset the connection (RST): it crashed, or closed with data still unread)',
    );
    expect(senderCodeText('zh-CN', 'SENDER_FILE_CUT', { ...cut, reason: 'closed' })).toBe(
      '发送 big.bin 被中途切断：连接断开前只写出了 67,108,864 字节中的 3,145,728 字节（连接已关闭）',
    );
  });
});
