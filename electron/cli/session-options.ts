import { framingByName, type Framing } from '../../shared/sender/framing.ts';
import { checkEncoding, type Encoding } from '../services/sender/text-codec.ts';
import { UsageError } from './cli-io.ts';

/**
 * The options `wirelab send` and `wirelab listen` share — the session's text encoding, its
 * framing each way, bodies to disk, how the result is printed — declared once: each command's
 * parseArgs takes them, its usage lists them from here, and `sessionSettings` reads them, so
 * the two cannot drift apart (listen once accepted --encoding without listing it).
 * `usage` is this table's own field; parseArgs reads only `type`.
 */
export const sessionOptions = {
  encoding: { type: 'string', usage: '[--encoding utf8|gbk]' },
  frame: { type: 'string', usage: '[--frame NAME]' },
  'frame-in': { type: 'string', usage: '[--frame-in NAME]' },
  'frame-out': { type: 'string', usage: '[--frame-out NAME]' },
  'size-key': { type: 'string', usage: '[--size-key KEY]' },
  'save-dir': { type: 'string', usage: '[--save-dir DIR [--overwrite]]' },
  overwrite: { type: 'boolean', usage: '' },
  json: { type: 'boolean', usage: '[--json]' },
  python: { type: 'boolean', usage: '[--python]' },
} as const;

type SessionOption = keyof typeof sessionOptions;

/** The usage of some shared options, in the table's order ("[--frame NAME] [--frame-in NAME] …"). */
export function sessionUsage(...names: SessionOption[]): string {
  return names
    .map((n) => sessionOptions[n].usage)
    .filter(Boolean)
    .join(' ');
}

/** What both commands' help says of the shared options. */
export const sessionOptionsHelp = `--encoding (default utf8) encodes the text sent and decodes the text shown; gbk for peers that
speak it (NetAssist-style tools on Chinese Windows).
Framing names: raw, line, len32le, len32be, len16be, header-json. --frame sets both directions;
--frame-in / --frame-out set one (the notes' remote-command server reads raw and answers
header-json: --frame-out raw --frame-in header-json). --size-key names header-json's size field
(default data_size; the FTP homework's is filesize) in either direction.
--save-dir streams each decoded body to DIR (a header's "filename", sanitised; else numbered),
via NAME.part renamed when complete; --overwrite replaces a file of the same name.`;

type SessionValues = { [K in SessionOption]?: (typeof sessionOptions)[K]['type'] extends 'string' ? string | undefined : boolean | undefined };

/** --frame, --frame-in, --frame-out and --size-key as the session's three framings. */
function framingsOf(values: SessionValues): { framing: Framing; framingIn: Framing; framingOut: Framing } {
  const framing = framingByName(values.frame ?? 'raw');
  let framingIn = values['frame-in'] ? framingByName(values['frame-in']) : framing;
  let framingOut = values['frame-out'] ? framingByName(values['frame-out']) : framing;
  const key = values['size-key'];
  if (key === undefined) return { framing, framingIn, framingOut };
  if (!key.trim() || key.length > 64) throw new UsageError('--size-key: name the header field that holds the body size (1–64 characters)');
  const keyed = (f: Framing): Framing => (f.kind === 'header-json' ? { kind: 'header-json', sizeKey: key.trim() } : f);
  if (framingIn.kind !== 'header-json' && framingOut.kind !== 'header-json')
    throw new UsageError('--size-key applies to header-json framing; add --frame header-json (or --frame-in / --frame-out header-json)');
  framingIn = keyed(framingIn);
  framingOut = keyed(framingOut);
  return { framing: keyed(framing), framingIn, framingOut };
}

/** The session settings the shared options give, checked (a bad one is a UsageError naming its flag). */
export interface SessionSettings {
  encoding: Encoding;
  framing: Framing;
  framingIn: Framing;
  framingOut: Framing;
  /** As OpenSession's saveDir / overwrite. */
  save: { saveDir?: string; overwrite: boolean };
  json: boolean;
  python: boolean;
}

/**
 * Reads the shared options. `defaultFraming` applies when no --frame, --frame-in or --frame-out
 * is given (listen --serve-dir: the FTP homework's header-json whose size is "filesize", seed 001).
 */
export function sessionSettings(values: SessionValues, defaultFraming?: { frame: string; sizeKey: string }): SessionSettings {
  const encoding = checkEncoding(values.encoding ?? 'utf8');
  const framed = values.frame !== undefined || values['frame-in'] !== undefined || values['frame-out'] !== undefined;
  const framings =
    defaultFraming && !framed ? framingsOf({ frame: defaultFraming.frame, 'size-key': values['size-key'] ?? defaultFraming.sizeKey }) : framingsOf(values);
  const saveDir = values['save-dir'];
  return {
    encoding,
    ...framings,
    save: { ...(saveDir !== undefined ? { saveDir } : {}), overwrite: values.overwrite === true },
    json: values.json === true,
    python: values.python === true,
  };
}
