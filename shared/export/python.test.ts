import { describe, expect, it } from 'vitest';
import type { OpenSession } from '../contract/sender.ts';
import { utf8Encode } from '../sender/payload.ts';
import { exportPython } from './python.ts';

const server = (over: Partial<Extract<OpenSession, { kind: 'tcp-server' }>>): OpenSession => ({
  kind: 'tcp-server',
  host: '127.0.0.1',
  port: 9000,
  framing: { kind: 'raw' },
  encoding: 'utf8',
  overwrite: false,
  reply: 'echo',
  replyText: '',
  rules: [],
  greet: '',
  ...over,
});

describe('exportPython', () => {
  it("writes a client in the notes' style: readable payloads, struct.pack with its byte order, the JSON header as Wirelab writes it", () => {
    const program = exportPython(
      {
        kind: 'tcp-client',
        host: '127.0.0.1',
        port: 9000,
        framing: { kind: 'header-json', sizeKey: 'filesize' },
        encoding: 'gbk',
        timeoutMs: 5000,
        overwrite: false,
        bind: { port: 5555 },
      },
      { encode: utf8Encode, payloads: [{ bytes: utf8Encode('hi\r\n'), header: { operate: 'upload' } }, { bytes: Uint8Array.of(0, 255) }] },
    );
    expect(program).toMatch(/^#!\/usr\/bin\/env python3\n/);
    expect(program).toContain(`ENCODING = 'gbk'`);
    expect(program).toContain(`BIND = ("0.0.0.0", 5555)`);
    expect(program).toContain(`("hi\\r\\n".encode('utf-8'), json.loads("{\\"operate\\":\\"upload\\"}")),`);
    expect(program).toContain(`(bytes.fromhex('00ff'), None),`);
    expect(program).toContain(`json.dumps(head, separators=(',', ':'), ensure_ascii=False)`);
    expect(program).toContain(`struct.pack('<i', len(head_bytes))`);
  });

  it('turns length framings into struct formats with their byte order and prefix rule', () => {
    const big = exportPython(server({ framing: { kind: 'length', bytes: 2, endian: 'be', includesPrefix: true } }), { encode: utf8Encode });
    expect(big).toContain(`struct.pack('>H', len(body) + 2) + body`);
    expect(big).toContain(`n = struct.unpack('>H', prefix)[0] - 2`);
  });

  it("keeps a fixed reply's escapes as bytes, a greeting, and rules with RE2 named groups in Python's spelling", () => {
    const fixed = exportPython(server({ reply: 'fixed', replyText: 'OK\\r\\n', greet: 'hi\\x00' }), { encode: utf8Encode });
    expect(fixed).toContain(`conn.sendall(frame(bytes.fromhex('4f4b0d0a')))`);
    expect(fixed).toContain(`conn.sendall(bytes.fromhex('686900'))  # the greeting`);
    const rules = exportPython(server({ reply: 'rules', rules: [{ match: 'regex', pattern: '^get (?<key>\\w+)$', reply: '$<key>' }] }), { encode: utf8Encode });
    expect(rules).toContain('"^get (?P<key>\\\\w+)$"');
  });

  it('a UDP session with a connection protocol is refused by code, naming what', () => {
    const udp = { ...server({}), kind: 'udp', reply: 'relay' } as OpenSession;
    expect(() => exportPython(udp, { encode: utf8Encode })).toThrow(
      expect.objectContaining({ code: 'EXPORT_UNSUPPORTED', params: { what: 'UDP reply relay' } }),
    );
  });
});
