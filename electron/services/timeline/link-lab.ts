import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WirelabError } from '../../../shared/contract/errors.ts';
import type { LinkSettings, LinkStatus, TcpInfoSample } from '../../../shared/contract/link.ts';
import type { TimelineMarker } from '../../../shared/contract/timeline.ts';
import { linkTools, missingToolProblem, namespaceProblem, netemAdvice, unsupportedOsProblem, type LinkProblem } from '../../../shared/timeline/link-advice.ts';
import { decodeTcpInfo } from '../../../shared/timeline/tcp-info.ts';
import { tcpdumpKernelDrops } from '../../../shared/timeline/tcpdump-stats.ts';
import { childGuard } from '../app/child-guard.ts';
import { nodeChild } from '../app/node-child.ts';
import { linkDelayProgram, linkProgram } from './link-program.ts';
import { linkProbeScript, linkScript } from './link-script.ts';

/**
 * Runs emulated-link experiments (link-script.ts draws the network) without root: one
 * `unshare` makes the user namespace and the router's network namespace, the script makes the
 * other two inside it. Everything it starts is in one process group, ended at the bound.
 */

/** A non-zero uid inside: see link-script.ts for why root inside breaks tcpdump. */
const UNSHARE = ['--map-user=1000', '--map-group=1000', '-n', '--keep-caps'];

/** ip, tc and nft live in /sbin on Debian; a user's PATH often lacks it. */
function toolPath(): string {
  return [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean).join(delimiter);
}

function findTool(name: string, path: string): boolean {
  return path.split(delimiter).some((d) => existsSync(join(d, name)));
}

function sysctl(path: string): number | null {
  try {
    return Number(readFileSync(`/proc/sys/${path}`, 'utf8').trim());
  } catch {
    return null;
  }
}

function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('unshare', [...UNSHARE, '/bin/sh', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => kill(child.pid), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e.message) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Whether emulated links work here, and why not: the platform, a missing tool, or the namespaces forbidden. */
export async function linkAvailability(): Promise<LinkStatus> {
  const off = (p: LinkProblem): LinkStatus => ({ available: false, code: p.code, params: p.params, reason: p.reason, delay: false, delayBy: null });
  if (process.platform !== 'linux') return off(unsupportedOsProblem(process.platform));
  const path = toolPath();
  for (const tool of Object.keys(linkTools)) if (!findTool(tool, path)) return off(missingToolProblem(tool));
  const r = await run(linkProbeScript, { ...process.env, PATH: path }, 10_000);
  if (r.code !== 0) {
    const sysctls = {
      maxUserNamespaces: sysctl('user/max_user_namespaces'),
      unprivilegedUsernsClone: sysctl('kernel/unprivileged_userns_clone'),
      apparmorRestrict: sysctl('kernel/apparmor_restrict_unprivileged_userns'),
    };
    return off(namespaceProblem(r.stderr || `exit ${r.code}`, sysctls));
  }
  const delayBy = /netem=yes/.test(r.stdout) ? 'netem' : /tun=yes/.test(r.stdout) ? 'tun' : null;
  return { available: true, code: null, reason: null, delay: delayBy !== null, delayBy };
}

export interface LinkHooks {
  marker(m: TimelineMarker): void;
  tcpInfo(s: TcpInfoSample): void;
  /** Why there are no TCP_INFO samples (koffi could not be loaded). */
  tcpInfoUnavailable?(reason: string): void;
}

export interface LinkRun {
  /** The capture made in the client's namespace (pcap, Ethernet). */
  pcap: Uint8Array;
  /** The capture made in the server's namespace at the same time: what got through the router. */
  serverPcap: Uint8Array;
  tcpInfo: TcpInfoSample[];
  markers: TimelineMarker[];
  /**
   * Packets each tcpdump itself dropped ("N packets dropped by kernel" as it ended; 0 where it
   * printed no count): more than 0 at either end, and a segment missing from the server's capture
   * may have crossed the link uncaptured, so the join cannot say it was lost.
   */
  captureDropped: { client: number; server: number };
}

/** Throws the availability's code when links cannot be made here, LINK_DELAY_UNAVAILABLE when delay needs a netem the kernel lacks. */
export function checkRunnable(settings: LinkSettings, st: LinkStatus): void {
  if (!st.available) throw new WirelabError(st.code ?? 'LINK_SETUP_FAILED', st.reason ?? 'emulated links are unavailable here', undefined, st.params);
  if ((settings.delayMs > 0 || settings.jitterMs > 0) && !st.delay) throw new WirelabError('LINK_DELAY_UNAVAILABLE', `delay: ${netemAdvice}`, 'delayMs');
}

/** How long an experiment may take: the transfer at the link's rate, three times over, plus the handshake's timeouts. */
export function linkBoundMs(s: LinkSettings): number {
  const transferMs = s.rateKbit === 0 ? 0 : (s.transferBytes * 8) / s.rateKbit;
  return Math.min(600_000, Math.round(20_000 + 3 * transferMs + s.delayMs * 50));
}

/** What a tcpdump of the script (its stderr file) says it dropped; 0 when the file or the count is missing. */
function droppedBy(errFile: string): number {
  try {
    return tcpdumpKernelDrops(readFileSync(errFile, 'utf8')) ?? 0;
  } catch {
    return 0;
  }
}

/** koffi's entry file, for the program's require() (it runs from a temp folder with no node_modules). */
function koffiEntry(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('koffi');
  } catch {
    return undefined;
  }
}

/**
 * Runs one experiment; markers and samples go to the hooks as they happen, the capture is
 * returned at the end. Refuses with the availability's code when links cannot be made here, and
 * with LINK_DELAY_UNAVAILABLE when delay is asked of a kernel without netem.
 */
export async function runLink(settings: LinkSettings, hooks: LinkHooks, status?: LinkStatus, signal?: AbortSignal): Promise<LinkRun> {
  const st = status ?? (await linkAvailability());
  checkRunnable(settings, st);
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-link-'));
  const program = join(dir, 'link-program.cjs');
  writeFileSync(program, linkProgram);
  const delayProgram = join(dir, 'link-delay.py');
  if (st.delayBy === 'tun') writeFileSync(delayProgram, linkDelayProgram);
  const boundMs = linkBoundMs(settings);
  // The link program runs as Node in this host (node-child.ts: ELECTRON_RUN_AS_NODE inside Electron), its env the script's.
  const node = nodeChild(program);
  const script = linkScript({ settings, dir, node: [node.command, ...node.args], boundMs, delayBy: st.delayBy, delayProgram });
  const env: NodeJS.ProcessEnv = { ...node.env, PATH: toolPath() };
  const koffi = koffiEntry();
  if (koffi) env.WIRELAB_KOFFI = koffi;
  const out: LinkRun = { pcap: new Uint8Array(), serverPcap: new Uint8Array(), tcpInfo: [], markers: [], captureDropped: { client: 0, server: 0 } };
  let failedStep: string | null = null;
  let clientStatus: number | null = null;
  try {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('unshare', [...UNSHARE, '/bin/sh', '-c', script], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let partial = '';
      let stderr = '';
      // One process group holds everything the script starts (sh runs its background jobs in its
      // own group): the bound, a stop, dispose and the host's child guard each end it whole.
      const guard = childGuard();
      guard?.watchGroup(child.pid);
      guard?.removeOnExit(dir);
      const timer = setTimeout(() => kill(child.pid), boundMs + 10_000);
      const stop = () => kill(child.pid);
      signal?.addEventListener('abort', stop, { once: true });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 20_000) stderr += d.toString();
      });
      child.stdout.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          let e: Record<string, unknown>;
          try {
            e = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          const { type, ...rest } = e;
          if (type === 'marker') {
            const m = rest as unknown as TimelineMarker;
            if (m.params && Object.keys(m.params).length === 0) delete m.params;
            out.markers.push(m);
            hooks.marker(m);
          } else if (type === 'tcpInfo') {
            const bytes = Buffer.from(String(e.hex), 'hex');
            const sample = decodeTcpInfo(bytes, bytes.length, Number(e.tsSec), Number(e.tsNs));
            out.tcpInfo.push(sample);
            hooks.tcpInfo(sample);
          } else if (type === 'tcpInfoUnavailable') hooks.tcpInfoUnavailable?.(String(e.reason));
          else if (type === 'setupFailed') failedStep = String(e.step);
          else if (type === 'clientExit') clientStatus = Number(e.status);
        }
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: -1, stderr: e.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        kill(child.pid);
        guard?.forget(child.pid);
        resolve({ code, stderr });
      });
    });
    if (signal?.aborted) throw new WirelabError('EXPERIMENT_FAILED', 'stopped', undefined, { reason: 'stopped' });
    if (failedStep !== null || result.code !== 0) {
      const error = result.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300) || `exit ${result.code}`;
      const step = failedStep ?? 'run';
      throw new WirelabError('LINK_SETUP_FAILED', `the emulated link failed at ${step}: ${error}`, undefined, { step, error });
    }
    if (clientStatus !== 0)
      throw new WirelabError('EXPERIMENT_FAILED', `the experiment's client ended with status ${clientStatus}`, undefined, { reason: `exit ${clientStatus}` });
    out.pcap = new Uint8Array(readFileSync(join(dir, 'capture.pcap')));
    out.serverPcap = new Uint8Array(readFileSync(join(dir, 'server.pcap')));
    out.captureDropped = { client: droppedBy(join(dir, 'tcpdump.err')), server: droppedBy(join(dir, 'tcpdump-server.err')) };
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
