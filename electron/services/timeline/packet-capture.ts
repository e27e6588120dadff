import { spawn, type ChildProcess } from 'node:child_process';
import { isIP } from 'node:net';
import { WirelabError } from '../../../shared/contract/errors.ts';
import { CaptureReader, type RawFrame } from '../../../shared/timeline/pcap-reader.ts';
import { decodeTcp, type TcpPacket } from '../../../shared/timeline/tcp-packet.ts';
import { findExecutable } from '../find-executable.ts';

/**
 * Live capture through tcpdump as a child process (never the app itself as root): tcpdump
 * writes a pcap stream to stdout and the shared reader parses it as it arrives. The notes'
 * measurements decide the flags: `-U` alone still holds packets ~1 s in libpcap's buffer;
 * `--immediate-mode` brings packet → parsed to ~0.1–1.6 ms.
 */

export interface CaptureAvailability {
  available: boolean;
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

export function howToGrant(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'linux':
      return 'Give tcpdump the capture capability once: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)" (or install Wireshark, allow non-root capture, and join the wireshark group). Never run Wirelab itself as root.';
    case 'darwin':
      return 'Install Wireshark and its "ChmodBPF" helper (it grants your user access to /dev/bpf*), then log out and back in.';
    case 'win32':
      return 'Install Npcap (npcap.com) with "Support loopback traffic" ticked, and a tcpdump build for Windows on PATH.';
    default:
      return 'Install tcpdump and grant your user packet-capture rights.';
  }
}

function installHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') return 'Install it (Debian/Ubuntu: sudo apt install tcpdump; Fedora: sudo dnf install tcpdump), then ';
  if (platform === 'darwin') return 'macOS ships tcpdump in /usr/sbin; if it is missing, reinstall the command line tools, then ';
  return 'Install tcpdump, then ';
}

/** Loopback's interface name: capture there when both ends are on this machine. */
export function loopbackInterface(platform: NodeJS.Platform = process.platform): string {
  return platform === 'linux' ? 'lo' : platform === 'win32' ? '\\Device\\NPF_Loopback' : 'lo0';
}

/** The tcpdump arguments for one port (and host), validated so no user text reaches the filter unchecked. */
export function tcpdumpArgs(filter: CaptureFilter, iface: string | undefined): string[] {
  if (!Number.isInteger(filter.port) || filter.port < 1 || filter.port > 65535) throw new WirelabError('INVALID_INPUT', `port: must be 1–65535, not ${filter.port}`, 'port');
  if (filter.host !== undefined && isIP(filter.host) === 0) throw new WirelabError('INVALID_INPUT', `host: the capture filter needs an IP address, not "${filter.host}"`, 'host');
  const expr = filter.host ? `tcp and host ${filter.host} and port ${filter.port}` : `tcp port ${filter.port}`;
  return [...(iface ? ['-i', iface] : []), '-n', '-U', '--immediate-mode', '-w', '-', expr];
}

export interface PacketArrival {
  packet: TcpPacket;
  frame: RawFrame;
  /** Wall-clock ms (µs resolution) when the parser produced it, for packet → parsed latency. */
  parsedAt: number;
}

/** What failed, in words a user can act on. */
export function explainFailure(stderr: string, code: number | null): WirelabError {
  if (/permission|not permitted|socket: Operation/i.test(stderr)) {
    return new WirelabError('CAPTURE_NOT_PERMITTED', `tcpdump may not capture here: ${stderr.trim().split('\n').pop()}. ${howToGrant()}`);
  }
  return new WirelabError('CAPTURE_FAILED', `tcpdump stopped (exit ${code}): ${stderr.trim().split('\n').pop() ?? 'no message'}`);
}

export class PacketCapture {
  private child: ChildProcess | null = null;
  private reader = new CaptureReader();
  private stderr = '';
  private exited: Promise<number | null>;
  private resolveExit!: (code: number | null) => void;
  packets = 0;

  private constructor(private readonly onPacket: (a: PacketArrival) => void) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  /**
   * Starts tcpdump and resolves once it says "listening on" (only then is it safe to connect:
   * the notes saw the first SYN missed otherwise). Rejects with what is missing and how to fix it.
   */
  static async start(filter: CaptureFilter, onPacket: (a: PacketArrival) => void, options: { iface?: string; tool?: string } = {}): Promise<PacketCapture> {
    const tool = options.tool ?? findTcpdump();
    if (!tool) throw new WirelabError('CAPTURE_UNAVAILABLE', `tcpdump is not installed, so packets cannot be captured. ${installHint()}try again.`);
    const args = tcpdumpArgs(filter, 'iface' in options ? options.iface : loopbackInterface());
    const cap = new PacketCapture(onPacket);
    const child = spawn(tool, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    cap.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      cap.reader.push(chunk, (frame) => {
        const packet = decodeTcp(frame);
        if (!packet) return;
        cap.packets++;
        onPacket({ packet, frame, parsedAt: performance.timeOrigin + performance.now() });
      });
    });
    child.on('exit', (code) => cap.resolveExit(code));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new WirelabError('CAPTURE_FAILED', `tcpdump did not start listening within 5 s: ${cap.stderr.trim() || 'no message'}`)), 5000);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(e.code === 'ENOENT' ? new WirelabError('CAPTURE_UNAVAILABLE', `tcpdump is not installed (${tool} not found). ${installHint()}try again.`) : new WirelabError('CAPTURE_FAILED', `tcpdump could not start: ${e.message}`));
      });
      child.stderr!.on('data', (c: Buffer) => {
        cap.stderr += c.toString();
        if (/listening on/.test(cap.stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void cap.exited.then((code) => {
        clearTimeout(timer);
        reject(explainFailure(cap.stderr, code));
      });
    });
    return cap;
  }

  /**
   * Stops tcpdump (SIGINT lets it flush) and resolves when it has exited and every byte it wrote
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
  const tool = findTcpdump();
  if (!tool) return { available: false, tool: null, reason: 'tcpdump is not installed.', howTo: `${installHint()}${howToGrant()}` };
  try {
    const cap = await PacketCapture.start({ port: 9 }, () => {}, { tool });
    await cap.stop();
    return { available: true, tool, reason: null, howTo: null };
  } catch (e) {
    const err = e as WirelabError;
    return { available: false, tool, reason: err.message, howTo: howToGrant() };
  }
}
