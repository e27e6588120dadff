import { koffiLoadError, loadKoffi, nativeLibrary, type NativeLibrary } from '../native/koffi.ts';
import { WirelabError } from '../../../shared/contract/errors.ts';

/**
 * The Win32 and native NT functions the Windows route calls, bound through koffi (an FFI package
 * with prebuilt binaries, already Wirelab's dependency). Bound on first use only: Linux and macOS
 * never load koffi's Windows bindings, and importing the route is free everywhere.
 * All x64 stdcall (which is the one x64 convention). Handles come back as pointers; a failed
 * Open* returns null and GetLastError says why (koffi calls nothing in between on this thread).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- koffi's bound functions are untyped */
type Fn = (...args: any[]) => any;

export interface Win32Api {
  koffi: typeof import('koffi');
  NtQuerySystemInformation: Fn;
  NtQueryInformationProcess: Fn;
  NtQueryInformationThread: Fn;
  NtSuspendProcess: Fn;
  NtResumeProcess: Fn;
  OpenProcess: Fn;
  OpenThread: Fn;
  CloseHandle: Fn;
  GetLastError: Fn;
  TerminateProcess: Fn;
  GetExitCodeProcess: Fn;
  ReadProcessMemory: Fn;
  OpenProcessToken: Fn;
  GetTokenInformation: Fn;
  LookupAccountSidW: Fn;
  GetExtendedTcpTable: Fn;
  CreateJobObjectW: Fn;
  SetInformationJobObject: Fn;
  AssignProcessToJobObject: Fn;
  IsProcessInJob: Fn;
  GetExtendedUdpTable: Fn;
  GetTcp6Table: Fn;
}

let api: Win32Api | null = null;
let failure: string | null = null;

/** The bindings, or a WirelabError('UNSUPPORTED') saying why they cannot be had. */
export function win32Api(): Win32Api {
  if (api) return api;
  if (process.platform !== 'win32') throw new WirelabError('UNSUPPORTED', `The Windows process route runs on Windows only (this is ${process.platform}).`);
  if (failure) throw new WirelabError('UNSUPPORTED', failure);
  const koffi = loadKoffi();
  if (!koffi) {
    failure = `The process panel on Windows calls the Win32 API through koffi, which did not load (${koffiLoadError()}).`;
    throw new WirelabError('UNSUPPORTED', failure);
  }
  const [k32, ntdll, adv, iphlp] = ['kernel32.dll', 'ntdll.dll', 'advapi32.dll', 'iphlpapi.dll'].map((name) => {
    const lib = nativeLibrary(name);
    if (!lib) throw new WirelabError('UNSUPPORTED', (failure = `The process panel on Windows could not open ${name} through koffi.`));
    return lib;
  }) as [NativeLibrary, NativeLibrary, NativeLibrary, NativeLibrary];
  api = {
    koffi,
    NtQuerySystemInformation: ntdll.func('uint32 __stdcall NtQuerySystemInformation(int cls, _Out_ uint8_t *buf, uint32 len, _Out_ uint32 *ret)'),
    NtQueryInformationProcess: ntdll.func('uint32 __stdcall NtQueryInformationProcess(void *h, int cls, _Out_ uint8_t *buf, uint32 len, _Out_ uint32 *ret)'),
    NtQueryInformationThread: ntdll.func('uint32 __stdcall NtQueryInformationThread(void *h, int cls, _Out_ uint8_t *buf, uint32 len, _Out_ uint32 *ret)'),
    NtSuspendProcess: ntdll.func('uint32 __stdcall NtSuspendProcess(void *h)'),
    NtResumeProcess: ntdll.func('uint32 __stdcall NtResumeProcess(void *h)'),
    OpenProcess: k32.func('void * __stdcall OpenProcess(uint32 access, int inherit, uint32 pid)'),
    OpenThread: k32.func('void * __stdcall OpenThread(uint32 access, int inherit, uint32 tid)'),
    CloseHandle: k32.func('int __stdcall CloseHandle(void *h)'),
    GetLastError: k32.func('uint32 __stdcall GetLastError()'),
    TerminateProcess: k32.func('int __stdcall TerminateProcess(void *h, uint32 code)'),
    GetExitCodeProcess: k32.func('int __stdcall GetExitCodeProcess(void *h, _Out_ uint32 *code)'),
    CreateJobObjectW: k32.func('void * __stdcall CreateJobObjectW(void *security, const char16_t *name)'),
    SetInformationJobObject: k32.func('int __stdcall SetInformationJobObject(void *job, int cls, uint8_t *info, uint32 len)'),
    AssignProcessToJobObject: k32.func('int __stdcall AssignProcessToJobObject(void *job, void *process)'),
    IsProcessInJob: k32.func('int __stdcall IsProcessInJob(void *process, void *job, _Out_ int *result)'),
    // The address is another process's: passed as a number, never dereferenced here.
    ReadProcessMemory: k32.func('int __stdcall ReadProcessMemory(void *h, uint64 addr, _Out_ uint8_t *buf, size_t n, _Out_ size_t *read)'),
    OpenProcessToken: adv.func('int __stdcall OpenProcessToken(void *h, uint32 access, _Out_ void **token)'),
    GetTokenInformation: adv.func('int __stdcall GetTokenInformation(void *token, int cls, _Out_ uint8_t *buf, uint32 len, _Out_ uint32 *ret)'),
    LookupAccountSidW: adv.func(
      'int __stdcall LookupAccountSidW(const char16_t *sys, void *sid, _Out_ uint16_t *name, _Inout_ uint32 *nameLen, _Out_ uint16_t *domain, _Inout_ uint32 *domainLen, _Out_ int *use)',
    ),
    GetExtendedTcpTable: iphlp.func(
      'uint32 __stdcall GetExtendedTcpTable(_Out_ uint8_t *table, _Inout_ uint32 *size, int order, uint32 af, int cls, uint32 reserved)',
    ),
    GetTcp6Table: iphlp.func('uint32 __stdcall GetTcp6Table(_Out_ uint8_t *table, _Inout_ uint32 *size, int order)'),
    GetExtendedUdpTable: iphlp.func(
      'uint32 __stdcall GetExtendedUdpTable(_Out_ uint8_t *table, _Inout_ uint32 *size, int order, uint32 af, int cls, uint32 reserved)',
    ),
  };
  return api;
}

/** Whether the bindings load here (Windows with koffi's win32 build present). */
export function win32ApiAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    win32Api();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
