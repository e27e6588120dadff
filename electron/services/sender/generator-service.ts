import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { oneRunWorker, startWorker } from '../worker-start.ts';
import type { GeneratorProgress } from '../../../shared/contract/sender.ts';
import { checkHost } from '../../../shared/sender/endpoint.ts';
import { ErrorCode, WirelabError } from '../../../shared/contract/errors.ts';
import type { EventHub } from '../../core/event-hub.ts';
import type { GeneratorOptions, GeneratorReport } from './generator.ts';
import { peerName } from './tcp-client.ts';
import type { SenderService } from './sender-service.ts';

type WorkerMessage =
  | { type: 'progress'; report: GeneratorReport }
  | { type: 'done'; report: GeneratorReport; stopped: boolean }
  | { type: 'error'; code: string; message: string };

/** Runs generator jobs on worker threads (see worker-start.ts for how the thread is found). */
function startGeneratorWorker(options: GeneratorOptions): Worker {
  return startWorker(new URL('./generator-worker.ts', import.meta.url), 'generator-worker', { options });
}

export class GeneratorService {
  private readonly jobs = new Map<string, Worker>();

  constructor(
    private readonly hub: EventHub,
    private readonly sender: SenderService,
  ) {}

  start(options: GeneratorOptions): { id: string } {
    const host = checkHost(options.host);
    if (options.payload && options.payload.length > (options.proto === 'udp' ? 65507 : 1024 * 1024)) {
      throw new WirelabError(
        ErrorCode.invalidInput,
        `packetId: the saved packet is ${options.payload.length} bytes, too large for one ${options.proto.toUpperCase()} packet`,
        'packetId',
      );
    }
    if (options.payload) options = { ...options, size: options.payload.length };
    const id = randomUUID();
    const target = peerName(host, options.port);
    // Received and lost are known only when Wirelab itself is the receiver.
    const own = this.sender.ownServer(options.proto, host, options.port);
    const baseline = own?.() ?? null;
    const receivedSince = () => {
      if (!own || !baseline) return null;
      const now = own();
      return options.proto === 'udp' ? now.count - baseline.count : now.bytes - baseline.bytes;
    };
    const publish = (state: GeneratorProgress['state'], report: GeneratorReport | null, error: GeneratorProgress['error'] = null) => {
      const received = receivedSince();
      const expected = report ? (options.proto === 'udp' ? report.sent : report.bytes) : null;
      this.hub.publish('generator.progress', {
        id,
        state,
        report,
        target,
        received,
        lost: received !== null && expected !== null && state !== 'running' ? Math.max(0, expected - received) : null,
        error,
      });
    };
    const worker = startGeneratorWorker({ ...options, host });
    this.jobs.set(id, worker);
    const finish = oneRunWorker(
      worker,
      () => this.jobs.delete(id),
      () => this.jobs.get(id) === worker,
      (e) => publish('error', null, { code: 'WORKER', message: e.message }),
    );
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') publish('running', m.report);
      else if (m.type === 'done') {
        finish();
        // Give the last datagrams a moment to arrive before counting what was lost.
        setTimeout(() => publish(m.stopped ? 'stopped' : 'done', m.report), own ? 300 : 0);
      } else {
        finish();
        publish('error', null, { code: m.code, message: m.message });
      }
    });
    publish('running', null);
    return { id };
  }

  stop(id: string): boolean {
    const w = this.jobs.get(id);
    if (!w) return false;
    w.postMessage('stop');
    return true;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((w) => w.terminate()));
    this.jobs.clear();
  }
}
