import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { CaptureReader, type RawFrame } from '../../../shared/timeline/pcap-reader.ts';
import { decodeTcp, type TcpPacket } from '../../../shared/timeline/tcp-packet.ts';
import { captureAdvice, grantAdvice, installAdvice, type CaptureProblem } from '../../../shared/timeline/capture-advice.ts';
import { findExecutable } from '../find-executable.ts';
import { acquireChildGuard, childGuard, startGuarded } from '../app/child-guard.ts';
import { windowsJob } from '../processes/win32-job.ts';

/**
 * Live capture through tcpdump as a child process (never the app itself as root): tcpdump
 * writes a pcap stream to stdout and the shared reader parses it as it arrives. The notes'
 * measurements decide the flags: `-U` alone still holds packets ~1 s in libpcap's buffer;
 * `--immediate-mode` brings packet → parsed to ~0.1–1.6 ms.
 */

export interface CaptureAvailability {
  available: boolean;
  /** Why not, as a code the panel words in the user's language; null when capture works. */
  code: CaptureProblem | null;
  tool: string | null;
  /** Why capture cannot run, in one sentence. */
  reason: string | null;
  /** How to make it work on this OS, without running Wirelab as root. */
  howTo: string | null;
}

export interface CaptureFilter {
  port: number;
  /** An IP address to narrow the filter to (a host name would need DNS inside tcpdump). */
  host?: string;
}

/** tcpdump's path: $WIRELAB_TCPDUMP when set (a build elsewhere, or a wrapper), else the first on PATH or in the sbin folders. */
export function findTcpdump(): string | null {
  return process.env.WIRELAB_TCPDUMP || findExecutable('tcpdump');
}

/** A capture program and how to drive it. */
export interface CaptureTool {
  kind: 'tcpdump' | 'dumpcap';
  path: string;
}

/** Where Wireshark puts dumpcap when its folder is not on PATH. */
const dumpcapDirs: Partial<Record<NodeJS.Platform, string>> = {
  win32: 'C:\\Program Files\\Wireshark\\dumpcap.exe',
  darwin: '/Applications/Wireshark.app/Contents/MacOS/dumpcap',
};

/**
 * tcpdump first: the notes measured it at ~1 ms from packet to parsed with --immediate-mode,
 * against 120–200 ms for dumpcap, which has no such mode. dumpcap (Wireshark's capture
 * program) is the fallback, as on Windows, where Wireshark is what people install.
 */
export function findCaptureTool(): CaptureTool | null {
  const tcpdump = findTcpdump();
  if (tcpdump) return { kind: 'tcpdump', path: tcpdump };
  const known = dumpcapDirs[process.platform];
  const dumpcap = process.env.WIRELAB_DUMPCAP || findExecutable('dumpcap') || (known && existsSync(known) ? known : null);
  return dumpcap ? { kind: 'dumpcap', path: dumpcap } : null;
}

/** Loopback's interface name: capture there when both ends are on this machine. */
export function loopbackInterface(platform: NodeJS.Platform = process.platform): string {
  return platform === 'linux' ? 'lo' : platform === 'win32' ? '\\Device\\NPF_Loopback' : 'lo0';
}

/** The capture filter (BPF) for one port (and host), validated so no user text reaches it unchecked. */
function filterExpression(filter: CaptureFilter): string {
  if (!Number.isInteger(filter.port) || filter.port < 1 || filter.port > 65535)
    throw new WirelabError('INVALID_INPUT', `port: must be 1–65535, not ${filter.port}`, 'port');
  if (filter.host !== undefined && isIP(filter.host) === 0)
    throw new WirelabError('INVALID_INPUT', `host: the capture filter needs an IP address, not "${filter.host}"`, 'host');
  return filter.host ? `tcp and host ${filter.host} and port ${filter.port}` : `tcp port ${filter.port}`;
}

export function tcpdumpArgs(filter: CaptureFilter, iface: string | undefined): string[] {
  return [...(iface ? ['-i', iface] : []), '-n', '-U', '--immediate-mode', '-w', '-', filterExpression(filter)];
}

/** dumpcap writes pcapng to stdout (-w -); -q keeps its packet counts off stderr. */
export function dumpcapArgs(filter: CaptureFilter, iface: string | undefined): string[] {
  return [...(iface ? ['-i', iface] : []), '-f', filterExpression(filter), '-q', '-w', '-'];
}

/** What each tool prints on stderr once it is capturing (only then is it safe to connect). */
const readyText: Record<CaptureTool['kind'], RegExp> = { tcpdump: /listening on/, dumpcap: /Capturing on/ };
/** dumpcap prints "Capturing on" before it finds out it may not (the notes): wait this long for an exit. */
const DUMPCAP_SETTLE_MS = 150;

export interface PacketArrival {
  packet: TcpPacket;
  frame: RawFrame;
  /** Wall-clock ms (µs resolution) when the parser produced it, for packet → parsed latency. */
  parsedAt: number;
}

/** The problem a capture error stands for (anything unexpected is a failure). */
export function problemOf(code: string): CaptureProblem {
  return code === 'CAPTURE_UNAVAILABLE' || code === 'CAPTURE_NOT_PERMITTED' ? code : 'CAPTURE_FAILED';
}

/** What failed, in words a user can act on. */
export function explainFailure(stderr: string, code: number | null, tool: CaptureTool['kind'] = 'tcpdump'): WirelabError {
  if (/permission|not permitted|socket: Operation/i.test(stderr)) {
    return new WirelabError('CAPTURE_NOT_PERMITTED', `${tool} may not capture here: ${reasonLine(stderr)}. ${grantAdvice(process.platform)}`);
  }
  return new WirelabError('CAPTURE_FAILED', `${tool} stopped (exit ${code}): ${reasonLine(stderr) || 'no message'}`);
}

/**
 * The line that says what went wrong: tcpdump's last line; dumpcap's first after "Capturing
 * on" (it follows the reason with blank lines and advice).
 */
function reasonLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Capturing on/.test(l));
  return (/^Capturing on/m.test(stderr) ? lines[0] : lines.at(-1)) ?? '';
}

export class PacketCapture {
  private child: ChildProcess | null = null;
  private reader = new CaptureReader();
  private stderr = '';
  private exited: Promise<number | null>;
  private resolveExit!: (code: number | null) => void;
  packets = 0;

  private constructor(
    private readonly onPacket: (a: PacketArrival) => void,
    /** The program capturing (tcpdump, or dumpcap where there is no tcpdump). */
    readonly tool: CaptureTool,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  /**
   * Starts the capture and resolves once it says it is capturing (only then is it safe to connect:
   * the notes saw the first SYN missed otherwise). Rejects with what is missing and how to fix it.
   */
  static async start(
    filter: CaptureFilter,
    onPacket: (a: PacketArrival) => void,
    options: { iface?: string; tool?: CaptureTool } = {},
  ): Promise<PacketCapture> {
    const tool = options.tool ?? findCaptureTool();
    if (!tool)
      throw new WirelabError(
        'CAPTURE_UNAVAILABLE',
        `Neither tcpdump nor Wireshark's dumpcap is installed, so packets cannot be captured. ${installAdvice(process.platform)}try again.`,
      );
    const iface = 'iface' in options ? options.iface : loopbackInterface();
    const args = tool.kind === 'tcpdump' ? tcpdumpArgs(filter, iface) : dumpcapArgs(filter, iface);
    const cap = new PacketCapture(onPacket, tool);
    // Its own process group (detached), registered with the host's child guard: if the host dies
    // without stopping it, tcpdump would write into a pipe nobody reads and notice only when a
    // packet arrives (SIGPIPE), which on a quiet port is never; the guard ends it at once.
    // The capture holds the guard for as long as tcpdump runs, so `wirelab timeline --live`,
    // which has no backend, is covered as the hosts are (a host's guard is shared, not doubled).
    // Windows has no guard program: dumpcap goes into the host's KILL_ON_JOB_CLOSE Job Object,
    // so it ends with the host however the host ends. It is spawned detached there, as the labs'
    // children are: libuv puts a non-detached child in a job of its own, and a process already in
    // a job joins a second one only where jobs nest (Windows 8 and later; not Wine 8.0, where the
    // add was refused). Without a job (koffi missing) it stays in libuv's, which also ends it.
    const windows = process.platform === 'win32';
    const job = windows ? windowsJob() : null;
    const detached = !windows || job !== null;
    const release = windows ? null : acquireChildGuard();
    const guard = windows ? null : childGuard();
    let child: ChildProcess;
    try {
      child = startGuarded(tool.path, () => spawn(tool.path, args, { shell: false, detached, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true }));
    } catch (e) {
      void release?.();
      throw e;
    }
    cap.child = child;
    if (job && child.pid !== undefined) job.add(child.pid);
    child.stdout!.on('data', (chunk: Buffer) => {
      cap.reader.push(chunk, (frame) => {
        const packet = decodeTcp(frame);
        if (!packet) return;
        cap.packets++;
        onPacket({ packet, frame, parsedAt: performance.timeOrigin + performance.now() });
      });
    });
    const ended = (code: number | null) => {
      guard?.forget(child.pid);
      void release?.();
      cap.resolveExit(code);
    };
    child.on('exit', ended);
    // A program that could not start never exits: let go of the guard all the same.
    child.on('error', () => ended(null));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new WirelabError('CAPTURE_FAILED', `${tool.kind} did not start capturing within 5 s: ${cap.stderr.trim() || 'no message'}`)),
        5000,
      );
      let ready = false;
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new WirelabError('CAPTURE_UNAVAILABLE', `${tool.kind} is not installed (${tool.path} not found). ${installAdvice(process.platform)}try again.`)
            : new WirelabError('CAPTURE_FAILED', `${tool.kind} could not start: ${e.message}`),
        );
      });
      child.stderr!.on('data', (c: Buffer) => {
        cap.stderr += c.toString();
        if (ready || !readyText[tool.kind].test(cap.stderr)) return;
        ready = true;
        clearTimeout(timer);
        if (tool.kind === 'tcpdump') resolve();
        else setTimeout(resolve, DUMPCAP_SETTLE_MS);
      });
      void cap.exited.then((code) => {
        clearTimeout(timer);
        reject(explainFailure(cap.stderr, code, tool.kind));
      });
    });
    return cap;
  }

  /**
   * Stops the capture (SIGINT lets it flush) and resolves when it has exited and every byte it wrote
   * has been parsed. Bounded: SIGKILL after 2 s.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(killer);
    if (!child.stdout!.readableEnded) await new Promise((r) => child.stdout!.once('close', r));
  }
}

/** Whether capture works here, found by trying it for real on loopback for a moment. */
export async function captureAvailability(): Promise<CaptureAvailability> {
  const tool = findCaptureTool();
  if (!tool)
    return {
      available: false,
      code: 'CAPTURE_UNAVAILABLE',
      tool: null,
      reason: "Neither tcpdump nor Wireshark's dumpcap is installed.",
      howTo: captureAdvice('CAPTURE_UNAVAILABLE', process.platform),
    };
  try {
    const cap = await PacketCapture.start({ port: 9 }, () => {}, { tool });
    await cap.stop();
    return { available: true, code: null, tool: tool.path, reason: null, howTo: null };
  } catch (e) {
    const err = e as WirelabError;
    return { available: false, code: problemOf(err.code), tool: tool.path, reason: err.message, howTo: captureAdvice(problemOf(err.code), process.platform) };
  }
}
