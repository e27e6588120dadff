/**
 * Why an emulated link cannot be made here, as a code the UI words and the English the CLI
 * prints. The namespaces are made without root (`unshare --map-user … -n`, user_namespaces(7));
 * what forbids them is a setting of the machine, each with its own fix:
 * - `user.max_user_namespaces = 0`: unshare fails with ENOSPC ("No space left on device");
 * - `kernel.unprivileged_userns_clone = 0` (Debian's patch, older kernels): EPERM;
 * - `kernel.apparmor_restrict_unprivileged_userns = 1` (Ubuntu 23.10 and later): EPERM, or the
 *   namespace is made but without the capabilities to add a veth link;
 * - a container or seccomp policy that forbids unshare(2): EPERM with neither setting to blame.
 */
export interface LinkProblem {
  code: 'LINK_NAMESPACES_FORBIDDEN' | 'LINK_TOOL_MISSING' | 'LINK_UNSUPPORTED_OS' | 'LINK_SETUP_FAILED';
  params: Record<string, string>;
  reason: string;
}

/** The settings the kernel exposes under /proc/sys (null: not on this kernel). */
export interface NamespaceSysctls {
  maxUserNamespaces: number | null;
  unprivilegedUsernsClone: number | null;
  apparmorRestrict: number | null;
}

/** The tools the link needs and the Debian/Ubuntu package each comes in. */
export const linkTools: Record<string, string> = {
  unshare: 'util-linux',
  nsenter: 'util-linux',
  ip: 'iproute2',
  tc: 'iproute2',
  nft: 'nftables',
  tcpdump: 'tcpdump',
};

export function missingToolProblem(tool: string): LinkProblem {
  const pkg = linkTools[tool] ?? tool;
  return { code: 'LINK_TOOL_MISSING', params: { tool, package: pkg }, reason: `${tool} is not installed (Debian/Ubuntu: apt install ${pkg})` };
}

export function unsupportedOsProblem(platform: string): LinkProblem {
  return {
    code: 'LINK_UNSUPPORTED_OS',
    params: { platform },
    reason: `emulated links use Linux network namespaces, tc and nftables; ${platform} has none of them (run Wirelab on Linux, or in a Linux VM)`,
  };
}

/** What `unshare` (or the first step inside the namespace) printed, and the machine's settings → the problem. */
export function namespaceProblem(stderr: string, sysctls: NamespaceSysctls): LinkProblem {
  const text = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300);
  const forbidden = (variant: 'sysctl' | 'apparmor' | 'sandbox', setting: string, value: string, change: string): LinkProblem => ({
    code: 'LINK_NAMESPACES_FORBIDDEN',
    params: { setting, value, change, error: text },
    reason:
      variant === 'sandbox'
        ? `this container or sandbox forbids unshare(2): run Wirelab on the host, in a VM, or in a container started with --security-opt seccomp=unconfined — unshare said: ${text}`
        : `unprivileged user namespaces are forbidden here (${setting} = ${value}); allow them with: ${change}${variant === 'apparmor' ? ', or give Wirelab an AppArmor profile that allows userns' : ''} — unshare said: ${text}`,
  });
  if (/No space left on device|ENOSPC/i.test(text) || sysctls.maxUserNamespaces === 0)
    return forbidden('sysctl', 'user.max_user_namespaces', String(sysctls.maxUserNamespaces ?? 0), 'sudo sysctl -w user.max_user_namespaces=15000');
  if (sysctls.unprivilegedUsernsClone === 0)
    return forbidden('sysctl', 'kernel.unprivileged_userns_clone', '0', 'sudo sysctl -w kernel.unprivileged_userns_clone=1');
  if (sysctls.apparmorRestrict === 1)
    return forbidden('apparmor', 'kernel.apparmor_restrict_unprivileged_userns', '1', 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
  if (/Operation not permitted|EPERM|Permission denied/i.test(text))
    return forbidden(
      'sandbox',
      'unshare(2)',
      'denied (seccomp or a sandbox)',
      'docker run --security-opt seccomp=unconfined …, or run Wirelab on the host or in a VM',
    );
  return { code: 'LINK_SETUP_FAILED', params: { step: 'unshare', error: text }, reason: `could not make the private network: ${text}` };
}

/** The advice when delay or jitter is asked for and neither sch_netem nor the TUN delay line can run. */
export const netemAdvice =
  "this kernel has no sch_netem and Wirelab's delay line (python3 and /dev/net/tun) cannot run here: install the kernel's modules (Debian/Ubuntu: linux-modules-extra-$(uname -r); Fedora: kernel-modules-extra) and run sudo modprobe sch_netem, or install python3";
