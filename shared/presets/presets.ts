import type { OpenSession, PayloadSpec } from '../contract/sender.ts';
import type { ReplyRule } from '../sender/reply-rules.ts';

/**
 * Course experiments as ready sessions (issue 13, item 7): one click opens a Wirelab server and
 * the clients that talk to it, with their first messages sent, so a student sees the protocol
 * at work before changing anything. Built only from the contract's fields (OpenSession,
 * PayloadSpec); a preset whose responder this build lacks is refused by the sender service
 * with its own code, like any other open.
 */
export const presetIds = ['header-protocol', 'ftp-upload', 'ftp-download', 'auth-right', 'auth-wrong', 'chat-room', 'http-server'] as const;
export type PresetId = (typeof presetIds)[number];

type ClientSpec = Omit<Extract<OpenSession, { kind: 'tcp-client' }>, 'port' | 'host'>;

export interface PresetPlan {
  /** Opened first, on 127.0.0.1 port 0 (any free port). */
  server: Extract<OpenSession, { kind: 'tcp-server' }>;
  /** Opened in order against the server's port; each sends its `sends` in order. */
  clients: { spec: ClientSpec; sends: PayloadSpec[] }[];
  /** Files the preset's folder starts with (serve-dir, http-dir). */
  files: Record<string, string>;
}

/** The key of the notes' authentication example (seed 001). */
export const presetKey = 'alexbigs';

const text = (t: string, header?: PayloadSpec['header']): PayloadSpec => ({
  mode: 'text',
  text: t,
  encoding: 'utf8',
  lineEnding: 'none',
  ...(header ? { header } : {}),
});
const escaped = (t: string): PayloadSpec => ({ mode: 'escaped', text: t, encoding: 'utf8', lineEnding: 'none' });

const serverBase = {
  kind: 'tcp-server',
  host: '127.0.0.1',
  port: 0,
  encoding: 'utf8',
  overwrite: false,
  replyText: '',
  rules: [] as ReplyRule[],
  greet: '',
} as const;
const clientBase = { kind: 'tcp-client', encoding: 'utf8', timeoutMs: 5000, overwrite: false } as const;
const ftp = { kind: 'header-json', sizeKey: 'filesize' } as const;
const line = { kind: 'delimiter', delimiter: '\n' } as const;

/** `dir`: the preset's own folder on the host (the backend makes it). */
export function presetPlan(id: PresetId, dir: string): PresetPlan {
  switch (id) {
    case 'header-protocol':
      return {
        server: { ...serverBase, framing: { kind: 'header-json', sizeKey: 'data_size' }, reply: 'echo' },
        clients: [{ spec: { ...clientBase, framing: { kind: 'header-json', sizeKey: 'data_size' } }, sends: [text('one'), text('two'), text('three')] }],
        files: {},
      };
    case 'ftp-upload':
      return {
        server: { ...serverBase, framing: ftp, reply: 'serve-dir', dir },
        clients: [{ spec: { ...clientBase, framing: ftp }, sends: [text('uploaded by Wirelab\n', { operate: 'upload', filename: 'upload.txt' })] }],
        files: {},
      };
    case 'ftp-download':
      return {
        server: { ...serverBase, framing: ftp, reply: 'serve-dir', dir },
        clients: [{ spec: { ...clientBase, framing: ftp, saveDir: `${dir}/downloads` }, sends: [text('', { operate: 'download', filename: 'hello.txt' })] }],
        files: { 'hello.txt': 'hello from the server folder\n', 'downloads/.keep': '' },
      };
    case 'auth-right':
    case 'auth-wrong':
      return {
        server: { ...serverBase, framing: { kind: 'raw' }, reply: 'echo', challenge: { algo: 'md5', key: presetKey } },
        clients: [
          {
            spec: { ...clientBase, framing: { kind: 'raw' }, answer: { algo: 'md5', key: id === 'auth-right' ? presetKey : `${presetKey}b` } },
            sends: [text('hello after the challenge')],
          },
        ],
        files: {},
      };
    case 'chat-room':
      return {
        server: { ...serverBase, framing: line, reply: 'relay' },
        clients: ['alice', 'bob', 'carol'].map((name, i) => ({
          spec: { ...clientBase, framing: line },
          sends: i === 0 ? [text(name), text('hello, room')] : [text(name)],
        })),
        files: {},
      };
    case 'http-server':
      return {
        server: { ...serverBase, framing: { kind: 'raw' }, reply: 'http-dir', dir },
        clients: [
          {
            spec: { ...clientBase, framing: { kind: 'raw' } },
            sends: [escaped('GET /index.html HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n')],
          },
        ],
        files: { 'index.html': '<!doctype html>\n<title>Wirelab</title>\n<h1>Hello from a tiny web server</h1>\n' },
      };
  }
}
