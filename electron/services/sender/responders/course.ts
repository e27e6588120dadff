import { WirelabError } from '../../../../shared/contract/errors.ts';
import type { OpenSession } from '../../../../shared/contract/sender.ts';
import { answerFactory, challengeFactory } from './challenge.ts';
import { httpDirPlan } from './http-dir.ts';
import { relayFactory } from './relay.ts';
import type { ResponderFactory } from './responder.ts';
import { serveDirPlan } from './serve-dir.ts';

/** A session's plan from the course's protocols (the registry's ResponderPlan, structurally). */
export interface CoursePlan {
  make: ResponderFactory;
  missingSizeIsEmpty?: boolean;
  save?: { dir: string; when?: (header: Record<string, unknown> | undefined) => boolean };
}

type ServerSpec = Extract<OpenSession, { reply: unknown }>;

const tcpOnly = (reply: string) =>
  new WirelabError('RESPONDER_TCP_ONLY', `reply: ${reply} needs connections: open it on a TCP server`, 'reply', { field: 'reply', reply });

/** serve-dir, relay or http-dir for a server session; null for the replies the registry builds itself. */
export function coursePlan(spec: ServerSpec): CoursePlan | null {
  const framingIn = spec.framingIn ?? spec.framing;
  const framingOut = spec.framingOut ?? spec.framing;
  if (spec.reply !== 'serve-dir' && spec.reply !== 'relay' && spec.reply !== 'http-dir') return null;
  if (spec.kind !== 'tcp-server') throw tcpOnly(spec.reply);
  if (spec.reply === 'serve-dir') return serveDirPlan({ dir: spec.dir, framingIn, framingOut });
  if (spec.reply === 'http-dir') return httpDirPlan({ dir: spec.dir, framingIn, framingOut });
  return { make: relayFactory() };
}

/** Client authentication put in front of a server's plan (its other responder, or none). */
export function withChallenge(spec: ServerSpec, plan: CoursePlan | null): CoursePlan | null {
  if (!spec.challenge) return plan;
  if (spec.kind !== 'tcp-server') throw tcpOnly('challenge');
  return { ...plan, make: challengeFactory(spec.challenge, plan?.make ?? null) };
}

/** A client session that answers the server's challenge (`answer`). */
export function answerPlan(spec: Extract<OpenSession, { kind: 'tcp-client' }>): CoursePlan | null {
  return spec.answer ? { make: answerFactory(spec.answer) } : null;
}
