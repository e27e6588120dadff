import type { WirelabErrorData } from '../../../shared/contract/errors.ts';
import { isSenderCode, responderCodes, senderCodes, socketErrnoCodes, type CodeSpec } from '../../../shared/contract/codes.ts';
import { formatCount } from '../../../shared/format/number.ts';
import { errorsZh } from '../panels/subnet/subnet-zh.ts';
import { errorText, wordCode } from './error-text.ts';
import { catalogs, translate, type Locale, type MessageKey } from './i18n.ts';

type Params = Record<string, string | number | boolean> | undefined;

function has(locale: Locale, key: string): key is MessageKey {
  return Object.hasOwn(catalogs[locale], key);
}

/** A field's name in the user's language ("端口"), or the name itself. */
function fieldName(locale: Locale, field: unknown): string {
  const key = `sender.field.${String(field)}`;
  return has(locale, key) ? translate(locale, key) : String(field ?? '');
}

/**
 * A packet-sender code (shared/contract/codes.ts's senderCodes) in the user's language: the
 * sender's own parts (a field's name, a socket error's operation, the subnet rule of a refused
 * address, a repeat's failing send) are worded here, the rest by error-text.ts's `wordCode`,
 * the one wording of a registered code; null when the code is not the sender's or its wording
 * or a param is missing, and the caller keeps the backend's English.
 */
export function senderCodeText(locale: Locale, code: string | null, params: Params, english = ''): string | null {
  if (!code || !isSenderCode(code)) return null;
  const spec: CodeSpec = senderCodes[code];
  const p: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params ?? {})) p[k] = typeof v === 'number' ? v : String(v);
  if ('field' in p) p.field = fieldName(locale, p.field);
  if (Object.hasOwn(socketErrnoCodes, code)) {
    // "connect to 127.0.0.1:9: ECONNREFUSED — nothing is listening there…"
    const opKey = `sender.op.${String(p.op)}`;
    const op = has(locale, opKey) ? translate(locale, opKey, { address: p.address ?? '' }) : String(p.op ?? '');
    const errno = code === 'SOCKET_ERROR' ? String(p.errno ?? '') : code;
    const text = translate(locale, `code.${code}` as MessageKey, p);
    // without params (the generator's worker reports the errno alone): the explanation only
    if (p.op === undefined) return code === 'SOCKET_ERROR' ? english : `${errno} — ${text}`;
    return code === 'SOCKET_ERROR' ? `${op}: ${errno}` : translate(locale, 'sender.socketError', { op, errno, text });
  }
  if (code === 'IP_ADDRESS') {
    // the subnet maths' own rule, worded as the subnet calculator words it
    const rule = errorsZh[String(p.rule)];
    const detail = locale === 'zh-CN' && rule ? rule(p) : english.replace(/^[\w.[\]]+: /, '');
    return translate(locale, 'code.IP_ADDRESS', { ...p, detail });
  }
  if (code === 'REPEAT_FAILED') p.error = senderCodeText(locale, String(p.error), params) ?? english.replace(/^stopped after \d+: /, '');
  // sizes of files sent and saved read with digit groups ("100,024 bytes"); ports and counts of other codes stay as they are
  const shown: Record<string, string> = {};
  if (Object.hasOwn(responderCodes, code)) for (const k of ['bytes', 'size', 'sent']) if (typeof p[k] === 'number') shown[k] = formatCount(p[k], locale);
  if (code === 'SENDER_FILE_CUT') {
    // why the peer stopped taking the file: a socket error explained as everywhere else ("ECONNRESET — the peer reset…")
    const why = String(p.reason);
    shown.reason = Object.hasOwn(socketErrnoCodes, why)
      ? `${why} — ${translate(locale, `code.${why}` as MessageKey, p)}`
      : why === 'closed'
        ? translate(locale, 'sender.fileCut.closed')
        : why;
  }
  const text = wordCode(locale, code, spec, p, undefined, shown);
  if (text === null) return null;
  return params?.closing === true ? translate(locale, 'sender.frame.closing', { text }) : text;
}

/** A contract error from the sender (or any other service) in the user's language. */
export function senderErrorText(locale: Locale, error: { code: string | null; message: string; params?: WirelabErrorData['params'] }): string {
  return (
    senderCodeText(locale, error.code, error.params, error.message) ?? (error.code === null ? error.message : errorText(locale, { ...error, code: error.code }))
  );
}
