import type { SocketOp } from '../contract/codes.ts';

/**
 * What each socket error means, in one line a student can act on. The code is what the OS
 * said (errno name); the explanation says what probably happened on the wire.
 */
export const socketErrorText: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there: the peer answered the SYN with a RST',
  ETIMEDOUT: 'no answer in time: the SYN went unanswered (a firewall dropping packets, or the host is down)',
  ECONNRESET: 'the peer reset the connection (RST): it crashed, or closed with data still unread',
  EHOSTUNREACH: 'no route to that host (the router or the host itself answered "unreachable")',
  ENETUNREACH: 'this machine has no route to that network',
  ENOTFOUND: 'that host name does not resolve (DNS has no address for it)',
  EAI_AGAIN: 'DNS did not answer in time; try again or use an IP address',
  EPIPE: 'wrote after the peer had closed the connection',
  EADDRINUSE: 'that address and port are already taken by another socket (see the Processes panel for who holds it)',
  EACCES: 'not allowed: ports below 1024 need privileges, or broadcast needs the broadcast flag',
  EADDRNOTAVAIL: 'that address does not belong to this machine',
  EMSGSIZE: 'the datagram is larger than UDP allows (65,507 bytes over IPv4)',
};

/**
 * A socket error as the contract carries it: the errno name as the code (SOCKET_ERROR, with
 * `errno`, for one without an explanation), params {op, address} for the renderer's wording,
 * and the English sentence. `where` is the English for op and address ("connect to 1.2.3.4:80").
 */
export function explainSocketError(
  code: string | undefined,
  where: string,
  op: SocketOp = 'connection',
  address = '',
): { code: string; message: string; params: Record<string, string> } {
  const c = code ?? 'ERROR';
  const text = socketErrorText[c];
  const message = text ? `${where}: ${c} — ${text}` : `${where}: ${c}`;
  return text ? { code: c, message, params: { op, address } } : { code: 'SOCKET_ERROR', message, params: { op, address, errno: c } };
}
