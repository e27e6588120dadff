/**
 * A file name a peer announced (a header's `filename`), made safe to create in a chosen folder:
 * only its last path segment (so `../../etc/passwd` and `C:\x\y` cannot leave the folder), no
 * control characters, no name that is only dots; null when nothing usable is left.
 */
export function sanitizeFileName(name: string): string | null {
  const last = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = last.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_').trim();
  if (!clean || /^\.+$/.test(clean) || clean.length > 255) return null;
  return clean;
}
