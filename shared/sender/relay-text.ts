/**
 * What Wirelab's chat room (the `relay` reply) says to its clients, after the course's group chat
 * (seed 003, 群聊聊天室): a client's first message is its name, and names are unique; the others
 * hear "xxx joined"; each later message reaches every other client as `name: text`; when a client
 * leaves the others hear "xxx left". The room speaks English on the wire (a peer's program reads
 * it); the log words the same events in the user's language from their codes.
 */

/** A chat-room name: printable, at most this long. */
export const maxNameChars = 32;

export type NameVerdict = { ok: true; name: string } | { ok: false; variant: 'empty' | 'too-long' | 'taken'; name: string };

/** The name a client's first message gives (its line ending and spaces trimmed), or why not. */
export function chatName(text: string, taken: (name: string) => boolean): NameVerdict {
  const name = text.replace(/[\r\n]+$/, '').trim();
  if (name === '' || [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return { ok: false, variant: 'empty', name };
  if ([...name].length > maxNameChars) return { ok: false, variant: 'too-long', name: [...name].slice(0, maxNameChars).join('') };
  if (taken(name)) return { ok: false, variant: 'taken', name };
  return { ok: true, name };
}

/** The line ending a client used for its name ("" under line framing, which took it off): lines sent to it end the same way. */
export function lineEndingOf(text: string): string {
  return /\r\n$/.test(text) ? '\r\n' : /\n$/.test(text) ? '\n' : '';
}

/** Ends `line` with `eol` unless it already ends with a line ending. */
function ended(line: string, eol: string): string {
  return /[\r\n]$/.test(line) ? line : line + eol;
}

export const relayText = {
  said: (name: string, text: string, eol: string) => ended(`${name}: ${text}`, eol),
  joined: (name: string, eol: string) => ended(`* ${name} joined the room`, eol),
  left: (name: string, eol: string) => ended(`* ${name} left the room`, eol),
  welcome: (name: string, others: string[], eol: string) =>
    ended(`* welcome, ${name}; ${others.length === 0 ? 'nobody else is here yet' : `here: ${others.join(', ')}`}`, eol),
  refused: (v: Exclude<NameVerdict, { ok: true }>, eol: string) =>
    ended(
      v.variant === 'taken'
        ? `* the name ${v.name} is taken; send another name`
        : v.variant === 'too-long'
          ? `* a name is at most ${maxNameChars} characters; send another name`
          : '* send your name first (printable text)',
      eol,
    ),
};
