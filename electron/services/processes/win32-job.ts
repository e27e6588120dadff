import { win32Api } from './win32-api.ts';

/**
 * Children end with Wirelab on Windows, however it ends. Windows has no process groups and no
 * SIGKILL to send from a guard, but it has Job Objects: a job created with
 * JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE ends every process in it when its last handle closes, and
 * the kernel closes a process's handles when it dies — by TerminateProcess (Task Manager's End
 * task), a crash, or a clean exit alike. Wirelab holds the only handle (not inheritable, so no
 * child keeps the job alive), and processes a member starts are members too (no breakaway is
 * allowed), which covers the "orphans" and detached processes a child makes: Windows does not
 * re-parent, but job membership follows creation.
 *
 * Node's own job is not enough: libuv puts each non-detached child in a KILL_ON_JOB_CLOSE job
 * of its own, but with silent breakaway (a child's children are outside it), and never a
 * `detached: true` child — the labs' way of starting processes. Tested under Wine
 * (win32-job.wine.test.ts): the host ended by TerminateProcess, its detached child in the job and
 * that child's own child end, a detached child left out survives.
 *
 * A child is added right after spawn: Node's spawn cannot create it suspended, so a child that
 * starts a process of its own in its first instant could place that one outside the job.
 * (Assigning Wirelab itself instead would also take the browser it opens for the user down
 * with it.)
 */

const JobObjectExtendedLimitInformation = 9;
const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
const PROCESS_TERMINATE = 0x0001;
const PROCESS_SET_QUOTA = 0x0100;
/** JOBOBJECT_EXTENDED_LIMIT_INFORMATION on x64: BasicLimitInformation (64) + IoInfo (48) + four SIZE_T. */
const EXTENDED_LIMIT_SIZE = 144;
/** BasicLimitInformation.LimitFlags: after two LARGE_INTEGER time limits. */
const LIMIT_FLAGS_OFFSET = 16;

export class WindowsJob {
  private constructor(private readonly handle: unknown) {}

  /** Creates the job, or null off Windows or where Windows would not make it. */
  static create(): WindowsJob | null {
    if (process.platform !== 'win32') return null;
    let w: ReturnType<typeof win32Api>;
    try {
      w = win32Api();
    } catch {
      return null; // koffi missing: children end with a clean stop only, as before
    }
    const h = w.CreateJobObjectW(null, null);
    if (!h) return null;
    const info = Buffer.alloc(EXTENDED_LIMIT_SIZE);
    info.writeUInt32LE(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, LIMIT_FLAGS_OFFSET);
    if (!w.SetInformationJobObject(h, JobObjectExtendedLimitInformation, info, info.length)) {
      w.CloseHandle(h);
      return null;
    }
    return new WindowsJob(h);
  }

  /** Puts a running process (and what it starts from now on) in the job; false when Windows refused. */
  add(pid: number | undefined): boolean {
    if (!pid) return false;
    const w = win32Api();
    const p = w.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, 0, pid);
    if (!p) return false;
    try {
      return Boolean(w.AssignProcessToJobObject(this.handle, p));
    } finally {
      w.CloseHandle(p);
    }
  }

  /** Whether a process is in this job. */
  contains(pid: number): boolean {
    const w = win32Api();
    // Wine 8.0 wants PROCESS_QUERY_INFORMATION here; Windows also takes the limited right.
    const p = w.OpenProcess(0x0400 /* PROCESS_QUERY_INFORMATION */, 0, pid) || w.OpenProcess(0x1000 /* PROCESS_QUERY_LIMITED_INFORMATION */, 0, pid);
    if (!p) return false;
    try {
      const result = [0];
      return Boolean(w.IsProcessInJob(p, this.handle, result)) && result[0] !== 0;
    } finally {
      w.CloseHandle(p);
    }
  }
}

let shared: WindowsJob | null | undefined;

/** The host's one job for everything it starts (created on first use); null off Windows. */
export function windowsJob(): WindowsJob | null {
  if (shared === undefined) shared = WindowsJob.create();
  return shared;
}
