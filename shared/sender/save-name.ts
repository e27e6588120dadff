/**
 * A name a peer put in a header (`filename`), made safe to create inside a save folder on any
 * OS. The FTP homework's server (seed 001) does `open(opt_dic['filename'], 'wb')`: a peer that
 * sends `../../.bashrc` or `/etc/passwd` writes wherever it likes. Here a name is only ever one
 * plain component of the folder. Pure (no node:*), so the GUI could show the same answer.
 */

/** Why a name was changed; each is a variant of SAVE_NAME_CHANGED (shared/contract/codes.ts). */
export type NameProblem = 'path' | 'dots' | 'control' | 'reserved' | 'empty' | 'long';

export interface SafeName {
  /** The name to use, or null: none is usable, number the file instead. */
  name: string | null;
  /** Why the given name was not used as it was; null when it was. */
  problem: NameProblem | null;
}

/** Bytes of a name; most file systems allow 255, and `NAME.part` and ` (12)` must still fit. */
export const maxNameBytes = 200;

// Windows: device names are reserved with any extension (CON.txt is the console), case-blind.
const reserved = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\..*)?$/i;
// Windows refuses these in a name; ':' also opens an NTFS alternate data stream.
const forbidden = /[<>:"|?*]/g;
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const control = /[\u0000-\u001f\u007f]/g;

export function safeFileName(given: unknown): SafeName {
  if (given === undefined || given === null) return { name: null, problem: null };
  if (typeof given !== 'string' || given.trim() === '') return { name: null, problem: 'empty' };
  let problem: NameProblem | null = null;
  let name = given;
  if (control.test(name)) {
    name = name.replace(control, '');
    problem = 'control';
  }
  // A path: keep its last component. A drive ("C:") or a UNC start goes with the rest.
  const parts = name.split(/[\\/]/);
  if (parts.length > 1 || /^[a-zA-Z]:/.test(name)) {
    problem = parts.some((p) => p === '..') ? 'dots' : 'path';
    name = parts.at(-1)!.replace(/^[a-zA-Z]:/, '');
  }
  // Windows drops trailing dots and spaces ("a.bin." is "a.bin"), so "..." would be ".." there.
  const trimmed = name.replace(/[. ]+$/, '');
  if (name === '.' || name === '..' || (trimmed === '' && name !== '')) return { name: null, problem: 'dots' };
  if (trimmed !== name) problem ??= 'reserved';
  name = trimmed;
  if (forbidden.test(name)) {
    name = name.replace(forbidden, '_');
    problem ??= 'reserved';
  }
  if (reserved.test(name)) {
    name = `_${name}`;
    problem = 'reserved';
  }
  if (name === '') return { name: null, problem: problem ?? 'empty' };
  if (new TextEncoder().encode(name).length > maxNameBytes) {
    name = shorten(name);
    problem = 'long';
  }
  return { name, problem };
}

/** Cuts a name to maxNameBytes keeping its extension, never in the middle of a character. */
function shorten(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const enc = new TextEncoder();
  let stem = '';
  for (const ch of name.slice(0, name.length - ext.length)) {
    if (enc.encode(stem + ch + ext).length > maxNameBytes) break;
    stem += ch;
  }
  return stem + ext;
}

/** The numbered name of the n-th body a session saved without a usable name: message-0001.bin. */
export function numberedName(n: number): string {
  return `message-${String(n).padStart(4, '0')}.bin`;
}

/** A name that does not exist yet: "a.bin", then "a (1).bin", "a (2).bin" … */
export function variantName(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
