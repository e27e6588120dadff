import { socketErrorText } from '../../../../shared/sender/socket-errors.ts';

/** Chinese for the socket errors' explanations, looked up by errno name (English comes from the backend). */
export const socketErrorsZh: Record<string, string> = {
  ECONNREFUSED: '那里没有程序在监听：对方用 RST 回应了 SYN',
  ETIMEDOUT: '超时无应答：SYN 没有回音（防火墙丢包，或主机不在线）',
  ECONNRESET: '对方重置了连接（RST）：程序崩溃，或在还有未读数据时关闭',
  EHOSTUNREACH: '到不了那台主机（路由器或主机本身回复“不可达”）',
  ENETUNREACH: '本机没有到那个网络的路由',
  ENOTFOUND: '这个主机名解析不到地址（DNS 查不到）',
  EAI_AGAIN: 'DNS 没有及时回应；请重试，或直接用 IP 地址',
  EPIPE: '对方已经关闭连接后还在写数据',
  EADDRINUSE: '这个地址和端口已被别的套接字占用（可在“进程”面板查看是谁）',
  EACCES: '没有权限：1024 以下的端口需要特权，广播需要打开广播选项',
  EADDRNOTAVAIL: '这个地址不属于本机',
  EMSGSIZE: '数据报超过了 UDP 的上限（IPv4 下 65,507 字节）',
};

/** Swaps the English explanation inside a backend message for the Chinese one, keeping the address and code. */
export function localizeSocketError(message: string, code: string | null, locale: string): string {
  if (locale !== 'zh-CN' || !code) return message;
  const en = socketErrorText[code];
  const zh = socketErrorsZh[code];
  return en && zh ? message.replace(en, zh) : message;
}

/** The service's fixed lifecycle sentences (connect, FIN, close, repeat), in Chinese. */
const markersZh: [RegExp, string][] = [
  [/^from (\S+) in ([\d.]+) ms$/, '来自 $1，用时 $2 毫秒'],
  [/^the peer sent FIN \(it will send no more\)$/, '对方发送了 FIN（不会再发送数据）'],
  [/^connection closed$/, '连接已关闭'],
  [/^sent FIN: this side will send no more, but keeps reading$/, '已发送 FIN：本端不再发送，但继续接收'],
  [/^sent (\d+) times?$/, '共发送 $1 次'],
  [/^stopped after (\d+) sends$/, '发送 $1 次后停止'],
];

export function localizeMarker(message: string, code: string | null, locale: string): string {
  if (locale !== 'zh-CN') return message;
  for (const [re, zh] of markersZh) if (re.test(message)) return message.replace(re, zh);
  return localizeSocketError(message, code, locale);
}
