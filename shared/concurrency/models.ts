/**
 * The course's server models (the notes' chapters on socketserver, threads and processes, IO
 * multiplexing, coroutines and C10K), each a real echo server in
 * electron/services/concurrency/servers/, and what each one is expected to show under load.
 */
export const concurrencyModels = ['blocking', 'threads', 'threading-server', 'processes', 'select', 'selectors', 'asyncio', 'node'] as const;
export type ConcurrencyModel = (typeof concurrencyModels)[number];

export interface ModelInfo {
  id: ConcurrencyModel;
  /** The server program's file name in the servers folder. */
  file: string;
  runtime: 'python' | 'node';
  /** Whether the model is expected to hold 10,000 connections (the C10K lesson). */
  c10k: boolean;
}

export const modelInfo: Record<ConcurrencyModel, ModelInfo> = {
  blocking: { id: 'blocking', file: 'blocking_server.py', runtime: 'python', c10k: false },
  threads: { id: 'threads', file: 'thread_server.py', runtime: 'python', c10k: false },
  'threading-server': { id: 'threading-server', file: 'threading_tcp_server.py', runtime: 'python', c10k: false },
  processes: { id: 'processes', file: 'forking_server.py', runtime: 'python', c10k: false },
  select: { id: 'select', file: 'select_server.py', runtime: 'python', c10k: false },
  selectors: { id: 'selectors', file: 'selectors_server.py', runtime: 'python', c10k: true },
  asyncio: { id: 'asyncio', file: 'asyncio_server.py', runtime: 'python', c10k: true },
  node: { id: 'node', file: 'node_server.mjs', runtime: 'node', c10k: true },
};

export function isConcurrencyModel(s: string): s is ConcurrencyModel {
  return (concurrencyModels as readonly string[]).includes(s);
}

/** select(2) cannot watch descriptors at or above FD_SETSIZE (1024 on Linux and macOS). */
export const fdSetSize = 1024;

/**
 * Descriptors a load run needs beyond one per connection: stdio, the worker's own handles, the
 * host's listening sockets and files (a margin measured generously, not exactly).
 */
export const fdReserve = 64;

/**
 * Whether `conns` connections fit under a process's open-file (soft) limit; null when they do, else the
 * limits to quote in the error. `soft` is what the process may open now, `hard` how far it may
 * raise itself (RLIMIT_NOFILE, getrlimit(2)).
 */
export function fdShortfall(conns: number, soft: number, hard: number): { need: number; soft: number; hard: number } | null {
  const need = conns + fdReserve;
  return need <= soft ? null : { need, soft, hard };
}
