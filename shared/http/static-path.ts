/**
 * Maps a request-target to a file under the server's folder, refusing every way out of it.
 * Pure: the segments it returns are joined to the root by the server, which also checks that
 * the real path (symbolic links followed) is still inside.
 *
 * Each segment is percent-decoded on its own, once (RFC 3986 2.4), so `%2F` inside a segment is
 * a slash the server refuses rather than a separator, and `%252e%252e` (double encoding) stays
 * the literal "%2e%2e" — refused too, since no honest name looks like that. Refused with 403:
 * `..` (plain or encoded), a decoded `/` or `\`, NUL, a drive letter or any `:` (C:, NTFS
 * streams), `//` at the start (an absolute path). A `%` not followed by two hex digits is 400.
 */
export type StaticPath =
  | { ok: true; segments: string[]; /** The target ended in "/": a folder is asked for. */ dir: boolean; /** The decoded path, for the log. */ path: string }
  | { ok: false; status: 400 | 403; reason: string };

export function resolveStaticPath(target: string): StaticPath {
  let path = target;
  // absolute-form (a request to a proxy, RFC 9112 3.2.2): keep only the path
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(path);
  if (abs) path = path.slice(abs[0].length) || '/';
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  if (!path.startsWith('/')) return { ok: false, status: 400, reason: 'the path must start with "/"' };
  if (path.startsWith('//')) return { ok: false, status: 403, reason: 'an absolute path ("//…") is not served' };
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: `"${raw}" has a % not followed by two hex digits of UTF-8` };
    }
    if (seg === '.') continue;
    if (seg === '..') return { ok: false, status: 403, reason: '".." climbs out of the folder' };
    if (seg.includes('\0')) return { ok: false, status: 403, reason: 'a NUL byte in the path' };
    if (seg.includes('/') || seg.includes('\\')) return { ok: false, status: 403, reason: 'an encoded "/" or a "\\" in a name' };
    if (seg.includes(':')) return { ok: false, status: 403, reason: 'a ":" in a name (a drive letter or a stream)' };
    if (/%[0-9a-fA-F]{2}/.test(seg)) return { ok: false, status: 403, reason: 'a name still percent-encoded after decoding (double encoding)' };
    segments.push(seg);
  }
  return { ok: true, segments, dir: path.endsWith('/'), path: '/' + segments.join('/') + (path.endsWith('/') && segments.length ? '/' : '') };
}

/**
 * Whether a file name a peer sent (serve-dir's `filename`) is one plain name in the folder: the
 * same refusals as a path segment, and no folder part at all.
 */
export function isPlainName(name: unknown): name is string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.length > 255) return false;
  return !/[/\\:]/.test(name) && !name.includes('\0');
}
