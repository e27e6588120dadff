import type { Locale } from '../../i18n/i18n.ts';

/** The experiments' socket events come from the backend in English; these are their Chinese forms. */
const markersZh: [RegExp, string][] = [
  [/^listening on (\S+)$/, '在 $1 上监听'],
  [/^accepted (\S+)$/, '接受了来自 $1 的连接'],
  [/^the client sent FIN \(read returned 0\)$/, '客户端发送了 FIN（read 返回 0）'],
  [/^the server sent FIN \(read returned 0\)$/, '服务器发送了 FIN（read 返回 0）'],
  [/^socket closed$/, '套接字已关闭'],
  [/^connected$/, '已连接'],
  [/^connected, ([\d.]+) ms after connect\(\) was called$/, '已连接：调用 connect() 后 $1 毫秒'],
  [/^(\d+) bytes: (.*)$/, '$1 字节：$2'],
  [/^(\d+) bytes$/, '$1 字节'],
  [/^shutdown\(SHUT_WR\): FIN sent, still reading$/, 'shutdown(SHUT_WR)：已发送 FIN，仍在读取'],
  [/^resetAndDestroy\(\): abort with RST$/, 'resetAndDestroy()：用 RST 中止连接'],
  [/^not reading for ([\d.]+) s: the receive buffer fills$/, '$1 秒内不读取：接收缓冲区被填满'],
  [/^reading again: the window opens$/, '重新开始读取：窗口打开'],
  [/^(\d+) bytes read after reading resumed$/, '恢复读取后读到 $1 字节'],
  [/^write\(\) is blocked after (\d+) bytes: the peer's window is full$/, '写入 $1 字节后 write() 被阻塞：对端窗口已满'],
  [/^(\d+) bytes written in all: what the window does not allow yet waits in the kernel's send buffer$/, '共写入 $1 字节：窗口暂不允许发送的部分在内核发送缓冲区中等待'],
  [/^SO_KEEPALIVE on, first probe after 1 s idle; sending nothing$/, '已开启 SO_KEEPALIVE，空闲 1 秒后发第一个探测；不发送任何数据'],
];

export function localizeMarkerDetail(detail: string, locale: Locale): string {
  if (locale !== 'zh-CN') return detail;
  for (const [re, zh] of markersZh) if (re.test(detail)) return detail.replace(re, zh);
  return detail;
}

/** The capture reader's messages about a damaged file, in Chinese (the byte counts stay). */
const problemsZh: [RegExp, (...m: string[]) => string][] = [
  [/the file ends in the middle of a (packet record|block) \((\d+) bytes left over\): it was truncated/, (_, u, n) => `文件在一个${u === 'block' ? '块' : '报文记录'}的中间结束（多出 ${n} 字节）：文件被截断了`],
  [/not a capture file: it starts with (0x[0-9a-f]+) \(a pcap starts with a1b2c3d4 or a1b23c4d, a pcapng with 0a0d0d0a\)/, (_, m) => `不是抓包文件：它以 ${m} 开头（pcap 以 a1b2c3d4 或 a1b23c4d 开头，pcapng 以 0a0d0d0a 开头）`],
  [/the file is empty/, () => '文件是空的'],
  [/the file is corrupt here/, () => '文件在此处已损坏'],
  [/ ?\(byte (\d+), after (\d+) packets\)/, (_, b, n) => `（第 ${b} 字节处，已读 ${n} 个报文）`],
];

export function localizeReadProblem(message: string, locale: Locale): string {
  if (locale !== 'zh-CN') return message;
  return problemsZh.reduce((out, [re, zh]) => out.replace(re, (...m: string[]) => zh(...m)), message);
}
