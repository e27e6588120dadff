import { chatName, lineEndingOf, relayText } from '../../../../shared/sender/relay-text.ts';
import { decodeText, encodeText } from '../text-codec.ts';
import type { IncomingMessage, Responder, ResponderContext, ResponderFactory } from './responder.ts';

/**
 * The course's chat room (seed 003, 群聊聊天室): a client's first message is its name (unique in
 * the room); the others hear "xxx joined"; each later message goes to every other member as
 * `name: text`; when a member leaves the others hear "xxx left". What is said on the wire is in
 * shared/sender/relay-text.ts; the log notes joins and leaves by code.
 *
 * The room is the session's: the factory's closure holds the members of all its connections,
 * by peer, so each connection's responder finds the others' names through ctx.others().
 */
export function relayFactory(): ResponderFactory {
  const members = new Map<string, { name: string; eol: string }>();
  const named = (ctx: ResponderContext) => members.get(ctx.peer);
  const tell = (ctx: ResponderContext, line: (eol: string) => string) => {
    const m = named(ctx);
    if (m) ctx.send(encodeText(line(m.eol), ctx.encoding));
  };
  return (): Responder => ({
    message(msg: IncomingMessage, ctx: ResponderContext) {
      const text = decodeText(msg.bytes, ctx.encoding);
      const me = named(ctx);
      if (me) {
        for (const o of ctx.others()) tell(o, (eol) => relayText.said(me.name, text.replace(/\r?\n$/, ''), eol));
        return;
      }
      const eol = lineEndingOf(text);
      const v = chatName(text, (n) => [...members.values()].some((m) => m.name === n));
      if (!v.ok) {
        ctx.note('RELAY_NAME_REFUSED', `refused the name ${JSON.stringify(v.name)} (${v.variant}); asked for another`, { name: v.name, variant: v.variant });
        ctx.send(encodeText(relayText.refused(v, eol), ctx.encoding));
        return;
      }
      const here = ctx
        .others()
        .map((o) => named(o)?.name)
        .filter((n): n is string => n !== undefined);
      members.set(ctx.peer, { name: v.name, eol });
      ctx.send(encodeText(relayText.welcome(v.name, here, eol), ctx.encoding));
      for (const o of ctx.others()) tell(o, (e) => relayText.joined(v.name, e));
      ctx.note('RELAY_JOINED', `${v.name} joined the chat room`, { name: v.name });
    },
    close(ctx: ResponderContext) {
      const me = named(ctx);
      if (!me) return;
      members.delete(ctx.peer);
      for (const o of ctx.others()) tell(o, (e) => relayText.left(me.name, e));
      ctx.note('RELAY_LEFT', `${me.name} left the chat room`, { name: me.name });
    },
  });
}
