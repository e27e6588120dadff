import { ErrorCode, WirelabError } from '../contract/errors.ts';
import { parseIp } from '../subnet/ip.ts';
import { SubnetError } from '../subnet/subnet-error.ts';

function bad(field: string, message: string): WirelabError {
  return new WirelabError(ErrorCode.invalidInput, `${field}: ${message}`, field);
}

/** 0–65535; `allowZero` for binds, where 0 means "any free port". */
export function checkPort(value: string | number, field = 'port', allowZero = false): number {
  const text = String(value).trim();
  if (!/^\d{1,5}$/.test(text)) throw bad(field, `"${text}" is not a port number (a whole number from ${allowZero ? 0 : 1} to 65535)`);
  const n = Number(text);
  if (n > 65535 || (!allowZero && n === 0)) throw bad(field, `${n} is out of range; ports go from ${allowZero ? 0 : 1} to 65535`);
  return n;
}

/**
 * An IPv4/IPv6 address (checked strictly, as the subnet calculator does) or a host name by
 * RFC 1123's label rules. Returns the text to hand to the socket.
 */
export function checkHost(value: string, field = 'host'): string {
  const text = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (text === '') throw bad(field, 'type a host name or an address, like 127.0.0.1 or localhost');
  if (/^[0-9.]+$/.test(text) || text.includes(':')) {
    try {
      parseIp(text, field);
      return text;
    } catch (e) {
      if (e instanceof SubnetError) throw bad(field, e.message.replace(/^\w+: /, ''));
      throw e;
    }
  }
  if (text.length > 253) throw bad(field, 'a host name is at most 253 characters');
  for (const label of text.replace(/\.$/, '').split('.')) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label)) {
      throw bad(field, `"${label}" is not a valid part of a host name (letters, digits and inner hyphens, 1–63 characters)`);
    }
  }
  return text;
}
