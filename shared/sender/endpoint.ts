import { WirelabError } from '../contract/errors.ts';
import { parseIp } from '../subnet/ip.ts';
import { SubnetError } from '../subnet/subnet-error.ts';

/** An input mistake with its code and params (shared/contract/codes.ts); the English names the field and the rule. */
function bad(code: string, field: string, message: string, params: Record<string, string | number> = {}): WirelabError {
  return new WirelabError(code, `${field}: ${message}`, field, { field, ...params });
}

/** 0–65535; `allowZero` for binds, where 0 means "any free port". */
export function checkPort(value: string | number, field = 'port', allowZero = false): number {
  const text = String(value).trim();
  const min = allowZero ? 0 : 1;
  if (!/^\d{1,5}$/.test(text))
    throw bad('PORT_NOT_NUMBER', field, `"${text}" is not a port number (a whole number from ${min} to 65535)`, { value: text, min });
  const n = Number(text);
  if (n > 65535 || (!allowZero && n === 0)) throw bad('PORT_RANGE', field, `${n} is out of range; ports go from ${min} to 65535`, { value: text, min });
  return n;
}

/**
 * An IPv4/IPv6 address (checked strictly, as the subnet calculator does) or a host name by
 * RFC 1123's label rules. Returns the text to hand to the socket.
 */
export function checkHost(value: string, field = 'host'): string {
  const text = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (text === '') throw bad('HOST_EMPTY', field, 'type a host name or an address, like 127.0.0.1 or localhost');
  if (/^[0-9.]+$/.test(text) || text.includes(':')) {
    try {
      parseIp(text, field);
      return text;
    } catch (e) {
      if (e instanceof SubnetError) throw bad('IP_ADDRESS', field, e.message.replace(/^\w+: /, ''), { ...e.params, rule: e.rule });
      throw e;
    }
  }
  if (text.length > 253) throw bad('HOST_TOO_LONG', field, 'a host name is at most 253 characters');
  for (const label of text.replace(/\.$/, '').split('.')) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label)) {
      throw bad('HOST_LABEL', field, `"${label}" is not a valid part of a host name (letters, digits and inner hyphens, 1–63 characters)`, { label });
    }
  }
  return text;
}

/** A whole number from `min` to `max`, typed into a form field (a timeout, an interval, a count). */
export function checkWhole(value: string, field: string, min: number, max: number): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw bad('NUMBER_RANGE', field, `"${text}" must be a whole number from ${min} to ${max}`, { value: text, min, max });
  }
  return Number(text);
}

/**
 * A local address to connect from or bind to, typed as [HOST:]PORT: "5000", "127.0.0.1:5000",
 * "[::1]:5000" (the CLI's --bind, the new-session card's field). Port 0 lets the kernel choose.
 */
export function parseBind(value: string, field = 'bind'): { host?: string; port: number } {
  const text = value.trim();
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?([^:]+)$/.exec(text);
  if (!m) throw bad('BIND_FORMAT', field, `write [HOST:]PORT, e.g. 5000 or 127.0.0.1:5000, not "${text}"`, { value: text });
  const host = m[1] ?? m[2];
  const port = checkPort(m[3]!, field, true);
  return host ? { host: checkHost(host, field), port } : { port };
}
