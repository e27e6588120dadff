import type { StateCreator } from 'zustand/vanilla';
import type { EventBatch, GeneratorProgress } from '../../../shared/contract/index.ts';
import { checkPort, checkWhole } from '../../../shared/sender/endpoint.ts';
import type { ContractClient } from '../client/contract-client.ts';
import { checked, errorOf, isError, type SenderError } from './sender-errors.ts';

export interface GeneratorForm {
  /** '' sends `size` bytes of filler; otherwise the id of a saved packet. */
  packetId: string;
  proto: 'udp' | 'tcp';
  host: string;
  port: string;
  count: string;
  size: string;
  rate: string;
}

/** The traffic generator's form and its run (the run itself is GeneratorService's, on a worker thread). */
export interface GeneratorSlice {
  generator: { form: GeneratorForm; runId: string | null; progress: GeneratorProgress | null; error: SenderError | null };
  setGeneratorForm(patch: Partial<GeneratorForm>): void;
  startGenerator(): Promise<void>;
  stopGenerator(): Promise<void>;
  applyGeneratorProgress(batch: EventBatch<'generator.progress'>): void;
}

export function createGeneratorSlice<T extends GeneratorSlice>(client: ContractClient): StateCreator<T, [], [], GeneratorSlice> {
  return (set, get) => {
    const patch = (g: GeneratorSlice['generator']) => set({ generator: g } as Partial<T>);
    return {
      generator: {
        form: { packetId: '', proto: 'udp', host: '127.0.0.1', port: '', count: '100000', size: '8', rate: '10000' },
        runId: null,
        progress: null,
        error: null,
      },
      setGeneratorForm(p) {
        const g = get().generator;
        patch({ ...g, form: { ...g.form, ...p }, error: null });
      },
      async startGenerator() {
        const g = get().generator;
        const f = g.form;
        // the bounds generatorStartSchema holds to, checked as the CLI checks them
        const port = checked(() => checkPort(f.port));
        const count = checked(() => checkWhole(f.count, 'count', 1, 100_000_000));
        const size = f.packetId ? 1 : checked(() => checkWhole(f.size, 'size', 1, 1024 * 1024));
        const rate = checked(() => checkWhole(f.rate, 'rate', 0, 1_000_000));
        const problem = [port, count, size, rate].find(isError);
        if (problem) return patch({ ...g, error: problem });
        const input = {
          proto: f.proto,
          host: f.host,
          port: port as number,
          count: count as number,
          size: size as number,
          rate: rate as number,
          ...(f.packetId ? { packetId: f.packetId } : {}),
        };
        const r = await client.invoke('generator.start', input);
        const now = get().generator;
        patch(r.ok ? { ...now, runId: r.value.id, progress: null, error: null } : { ...now, error: errorOf(r.error) });
      },
      async stopGenerator() {
        const g = get().generator;
        if (g.runId) await client.invoke('generator.stop', { id: g.runId });
      },
      applyGeneratorProgress(batch) {
        const g = get().generator;
        const mine = batch.events.filter((e) => e.id === g.runId);
        if (mine.length) patch({ ...g, progress: mine.at(-1)! });
      },
    };
  };
}
