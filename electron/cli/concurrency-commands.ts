import { parseArgs } from 'node:util';
import { concurrencyModels, isConcurrencyModel } from '../../shared/concurrency/models.ts';
import { resultDoc } from '../../shared/concurrency/load-summary.ts';
import { loadStartSchema, serverStartSchema, type ConcurrencyEvent, type LoadReportData } from '../../shared/contract/concurrency.ts';
import { WirelabError } from '../../shared/contract/errors.ts';
import { limits } from '../../shared/contract/limits.ts';
import { checkHost, checkPort } from '../../shared/sender/endpoint.ts';
import { EventHub } from '../core/event-hub.ts';
import { acquireChildGuard } from '../services/app/child-guard.ts';
import { ConcurrencyService } from '../services/concurrency/concurrency-service.ts';
import { parsePort, UsageError, type CliIo } from './cli-io.ts';

export const loadHelp = `wirelab load tcp <host> <port> --conns N --size S (--duration MS | --count N) [--rate R]
               [--timeout MS] [--json]

Opens N TCP connections (1–10,000) to an echo server and keeps one request of S bytes in flight
on each (S − 1 × "x" then "\\n", the lab models' line framing) until MS ms have passed or N
requests were sent; R caps the requests per second over all connections. Reports
{"connections", "failed", "requests", "rps", "latencyMs": {"p50", "p90", "p99", "max"},
"errors": {CODE: n}}: connections opened, requests failed and answered (a connection that could
not open fails its first request), answers per second, latency percentiles, failures by code
(ECONNREFUSED, ECONNRESET, EMFILE, TIMEOUT, CLOSED). The load runs on a worker thread. Exit code 1
(and the partial results on stdout) when every connection was refused or lost early.`;

export const labHelp = `wirelab lab <model> [--port P] [--work-ms N] [--json]

Starts one of the course's echo servers on 127.0.0.1 and runs it until Ctrl+C. Models:
${concurrencyModels.join(', ')} (all but node need python3). --work-ms N (0–${limits.loadWorkMs}):
N ms of CPU work per request, a busy loop (pure Python, holding the GIL; JavaScript on Node's
event loop), to see how many cores each model can use. With --json the first line is
{"event": "listening", "port": N}; later lines are named events such as
{"event": "error", "code": "FD_SETSIZE"} (select past 1024 descriptors) and
{"event": "exit", "code", "signal"} if the server ends by itself (exit code 1).`;

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function text(r: LoadReportData): string {
  const doc = resultDoc(r.counts, r.latencyMs, r.elapsedMs);
  const errors = Object.entries(doc.errors)
    .map(([c, n]) => `${c} ×${n}`)
    .join(', ');
  return `${doc.requests} requests answered over ${doc.connections} connections in ${(r.elapsedMs / 1000).toFixed(2)} s: ${doc.rps} requests/s; latency p50 ${doc.latencyMs.p50} ms, p90 ${doc.latencyMs.p90} ms, p99 ${doc.latencyMs.p99} ms, max ${doc.latencyMs.max} ms; ${doc.failed} failed${errors ? ` (${errors})` : ''}`;
}

export async function loadCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      conns: { type: 'string' },
      size: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [proto, hostArg, portArg, ...extra] = positionals;
  if (proto !== 'tcp') throw new UsageError(`the first argument must be tcp, not "${proto ?? ''}"`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (hostArg === undefined || portArg === undefined) throw new UsageError('load needs a host and a port (try wirelab load --help)');
  if (values.conns === undefined || values.size === undefined) throw new UsageError('--conns N and --size S are required');
  if ((values.duration === undefined) === (values.count === undefined)) throw new UsageError('give --duration MS or --count N (exactly one)');
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate must be a number of requests per second above 0, not "${values.rate}"`);
  const parsed = loadStartSchema.safeParse({
    host: checkHost(hostArg),
    port: checkPort(portArg),
    conns: whole('--conns', values.conns),
    size: whole('--size', values.size),
    durationMs: whole('--duration', values.duration),
    count: whole('--count', values.count),
    rate,
    timeoutMs: whole('--timeout', values.timeout),
  });
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues[0]!.message.replace(/^(\w+):/, (_, f: string) => `--${{ durationMs: 'duration', timeoutMs: 'timeout' }[f] ?? f}:`),
    );

  const release = acquireChildGuard();
  const hub = new EventHub();
  const service = new ConcurrencyService(hub);
  try {
    const ended = new Promise<Extract<ConcurrencyEvent, { kind: 'load' }>>((resolve) => {
      hub.on('concurrency.event', (e) => {
        if (e.kind === 'load' && e.state !== 'running') resolve(e);
      });
    });
    let id: string;
    try {
      ({ id } = service.startLoad(parsed.data));
    } catch (e) {
      // FD_LIMIT: a limit of this machine, named with the way to raise it (not a usage mistake).
      if (!(e instanceof WirelabError)) throw e;
      io.err(`wirelab load: ${e.code}: ${e.message}`);
      return 1;
    }
    void io.stopSignal.then(() => service.stopLoad(id));
    const end = await ended;
    if (!end.report) {
      io.err(`wirelab load: ${end.error?.code ?? 'ERROR'}: ${end.error?.message ?? 'the load failed'}`);
      return 1;
    }
    const r = end.report;
    io.out(values.json ? JSON.stringify(resultDoc(r.counts, r.latencyMs, r.elapsedMs)) : text(r));
    if (end.error) {
      io.err(`wirelab load: ${end.error.code}: ${end.error.message}`);
      return 1;
    }
    return 0;
  } finally {
    await service.dispose();
    await release();
  }
}

export async function labCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, 'work-ms': { type: 'string' }, json: { type: 'boolean' } },
  });
  const [model, ...extra] = positionals;
  if (model === undefined || !isConcurrencyModel(model)) throw new UsageError(`the model must be one of ${concurrencyModels.join(', ')}, not "${model ?? ''}"`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const port = parsePort(values.port, '--port', 0);
  // The contract's own rule (0 to limits.loadWorkMs), so the CLI and the panel refuse alike.
  const start = serverStartSchema.safeParse({ model, port, workMs: whole('--work-ms', values['work-ms']) });
  if (!start.success) throw new UsageError(start.error.issues[0]!.message.replace(/^workMs:/, '--work-ms:'));
  const release = acquireChildGuard();
  const hub = new EventHub();
  const service = new ConcurrencyService(hub);
  try {
    let exited: (e: { code: number | null; signal: string | null }) => void = () => undefined;
    const exit = new Promise<{ code: number | null; signal: string | null }>((r) => (exited = r));
    hub.on('concurrency.event', (e) => {
      if (e.kind !== 'server') return;
      if (e.server.state === 'exited') exited(e.server.exit ?? { code: null, signal: null });
      else if (e.server.error)
        io.out(
          values.json
            ? JSON.stringify({ event: 'error', code: e.server.error.code, message: e.server.error.message })
            : `${e.server.error.code}: ${e.server.error.message}`,
        );
    });
    const info = await service.startServer(model, port, start.data.workMs);
    const work = info.workMs > 0 ? `, ${info.workMs} ms of CPU work per request` : '';
    io.out(
      values.json
        ? JSON.stringify({ event: 'listening', port: info.port })
        : `the ${model} model (${info.file}, pid ${info.pid}${work}) listens on 127.0.0.1:${info.port}; Ctrl+C stops it`,
    );
    const outcome = await Promise.race([io.stopSignal.then(() => null), exit]);
    if (outcome) {
      io.out(
        values.json
          ? JSON.stringify({ event: 'exit', code: outcome.code, signal: outcome.signal })
          : `the server exited (${outcome.signal ?? `code ${outcome.code}`})`,
      );
      return 1;
    }
    return 0;
  } finally {
    await service.dispose();
    await release();
  }
}
