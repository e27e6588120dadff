/**
 * What to do when packet capture cannot run, per OS, in both UI languages. One place for the
 * words: the backend sends the English (the CLI prints it too) and a code; the panel shows the
 * advice in the user's language, and what is wrong from the catalogs' `code.CAPTURE_*`. Never
 * "run Wirelab as root": capture rights go to the capture program alone (the notes: setcap /
 * wireshark group / ChmodBPF / Npcap).
 */
export type AdviceLang = 'en' | 'zh-CN';

/** Why capture is off: the program is missing, it may not capture, or it failed otherwise. */
export type CaptureProblem = 'CAPTURE_UNAVAILABLE' | 'CAPTURE_NOT_PERMITTED' | 'CAPTURE_FAILED';

type Platform = 'linux' | 'darwin' | 'win32' | 'other';
const platformOf = (p: string): Platform => (p === 'linux' || p === 'darwin' || p === 'win32' ? p : 'other');

const grant: Record<Platform, Record<AdviceLang, string>> = {
  linux: {
    en: 'Give tcpdump the capture capability once: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)" (or install Wireshark, allow non-root capture, and join the wireshark group). Never run Wirelab itself as root.',
    'zh-CN':
      '给 tcpdump 一次性授予抓包能力：sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"（或安装 Wireshark，允许非 root 用户抓包，并加入 wireshark 组）。不要以 root 身份运行 Wirelab 本身。',
  },
  darwin: {
    en: 'Install Wireshark and its "ChmodBPF" helper (it grants your user access to /dev/bpf*), then log out and back in.',
    'zh-CN': '安装 Wireshark 及其 “ChmodBPF” 组件（它让你的用户可以访问 /dev/bpf*），然后注销并重新登录。',
  },
  // Windows captures through the Npcap driver; loopback needs its "Support loopback traffic"
  // option (the \Device\NPF_Loopback adapter), and Npcap's "admin only" option makes dumpcap
  // fail for a normal user — the two ways a Wireshark that is installed still cannot capture here.
  win32: {
    en: 'install Npcap (Wireshark\'s installer offers it) with "Support loopback traffic" ticked; if it was installed with "Restrict Npcap driver\'s access to Administrators only", reinstall it without that option. Wirelab captures with Wireshark\'s dumpcap.',
    'zh-CN':
      "安装 Npcap（Wireshark 的安装程序会提供），并勾选 “Support loopback traffic”；如果安装时勾选了 “Restrict Npcap driver's access to Administrators only”，请去掉该选项重新安装。Wirelab 使用 Wireshark 的 dumpcap 抓包。",
  },
  other: {
    en: 'Install tcpdump and grant your user packet-capture rights.',
    'zh-CN': '安装 tcpdump，并给你的用户授予抓包权限。',
  },
};

const install: Record<Platform, Record<AdviceLang, string>> = {
  linux: {
    en: 'Install it (Debian/Ubuntu: sudo apt install tcpdump; Fedora: sudo dnf install tcpdump), then ',
    'zh-CN': '先安装它（Debian/Ubuntu：sudo apt install tcpdump；Fedora：sudo dnf install tcpdump），然后',
  },
  darwin: {
    en: 'macOS ships tcpdump in /usr/sbin; if it is missing, reinstall the command line tools, then ',
    'zh-CN': 'macOS 自带 /usr/sbin/tcpdump；如果找不到，请重新安装命令行工具，然后',
  },
  win32: { en: 'Install Wireshark (it brings dumpcap), then ', 'zh-CN': '先安装 Wireshark（它带有 dumpcap），然后' },
  other: { en: 'Install tcpdump, then ', 'zh-CN': '先安装 tcpdump，然后' },
};

/** How to give the capture program its rights on this OS. */
export function grantAdvice(platform: string, lang: AdviceLang = 'en'): string {
  const g = grant[platformOf(platform)][lang];
  return lang === 'en' ? g.charAt(0).toUpperCase() + g.slice(1) : g;
}

/** How to install a capture program on this OS; the sentence continues with what to do next. */
export function installAdvice(platform: string, lang: AdviceLang = 'en'): string {
  return install[platformOf(platform)][lang];
}

/** The whole advice for a problem: install first when nothing is installed, then grant. */
export function captureAdvice(problem: CaptureProblem, platform: string, lang: AdviceLang = 'en'): string {
  const g = grantAdvice(platform, lang);
  // The install sentence runs on into the grant one ("…, then give tcpdump …"), so no second capital.
  return problem === 'CAPTURE_UNAVAILABLE' ? `${installAdvice(platform, lang)}${lang === 'en' ? g.charAt(0).toLowerCase() + g.slice(1) : g}` : g;
}
