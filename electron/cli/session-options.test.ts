import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listenHelp, sendHelp } from './sender-commands.ts';
import { sessionOptions, sessionSettings } from './session-options.ts';

describe('the options send and listen share', () => {
  it('both commands list every shared option in their usage and explain it', () => {
    for (const help of [sendHelp, listenHelp]) {
      const usage = help.split('\n\n')[0]!;
      for (const [name, o] of Object.entries(sessionOptions)) if (o.usage) expect(usage, name).toContain(o.usage);
      expect(help).toContain('Framing names: raw, line, len32le, len32be, len16be, header-json');
      expect(help).toContain('--encoding (default utf8)');
    }
  });

  it('are read the same way: framings, encoding, save dir; a default framing only when none is given', () => {
    const read = (args: string[], d?: { frame: string; sizeKey: string }) => sessionSettings(parseArgs({ args, options: sessionOptions }).values, d);
    expect(read(['--frame', 'header-json', '--size-key', 'filesize', '--save-dir', '/tmp/x', '--encoding', 'gbk', '--json'])).toEqual({
      encoding: 'gbk',
      framing: { kind: 'header-json', sizeKey: 'filesize' },
      framingIn: { kind: 'header-json', sizeKey: 'filesize' },
      framingOut: { kind: 'header-json', sizeKey: 'filesize' },
      save: { saveDir: '/tmp/x', overwrite: false },
      json: true,
      python: false,
    });
    const ftp = { frame: 'header-json', sizeKey: 'filesize' };
    expect(read([], ftp).framingIn).toEqual({ kind: 'header-json', sizeKey: 'filesize' });
    expect(read(['--frame-out', 'raw'], ftp).framingIn).toEqual({ kind: 'raw' });
    expect(() => read(['--size-key', 'n'])).toThrow(/--size-key applies to header-json framing/);
    expect(() => read(['--encoding', 'latin1'])).toThrow(/encoding: "latin1" is not supported/);
  });
});
