import { createRequire } from 'node:module';

/**
 * The one way Wirelab reaches native system libraries: koffi, an FFI package whose npm tarball
 * ships prebuilt binaries (no compiler at install time). It is an optional dependency, required
 * only when a caller first needs it — the Win32 process route on Windows, UDP batching and the
 * forced receive buffer on Linux — so Linux and macOS never load it for the process monitor, and
 * a machine without it still runs (the callers fall back to dgram, or say what is missing).
 * Each library (libc.so.6, kernel32.dll, …) is opened once per thread and shared.
 */
type Koffi = typeof import('koffi');
export type NativeLibrary = ReturnType<Koffi['load']>;

let koffi: Koffi | null | undefined;
let loadError = '';
const libraries = new Map<string, NativeLibrary | null>();

/** koffi, or null where it is not installed or its binary does not load (why: `koffiLoadError()`). */
export function loadKoffi(): Koffi | null {
  if (koffi !== undefined) return koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    koffi = null;
    loadError = (e as Error).message.split('\n')[0] ?? String(e);
  }
  return koffi;
}

/** The first line of why koffi did not load ('' when it did, or was never asked for). */
export function koffiLoadError(): string {
  return loadError;
}

/** A system library opened through koffi, shared by every caller; null without koffi or where it does not open. */
export function nativeLibrary(name: string): NativeLibrary | null {
  if (libraries.has(name)) return libraries.get(name)!;
  const k = loadKoffi();
  let lib: NativeLibrary | null = null;
  if (k) {
    try {
      lib = k.load(name);
    } catch {
      lib = null; // not this OS's library (or not this libc): the caller's fallback applies
    }
  }
  libraries.set(name, lib);
  return lib;
}
