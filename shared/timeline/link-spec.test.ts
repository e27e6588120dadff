import { describe, expect, it } from 'vitest';
import { WirelabError } from '../contract/errors.ts';
import { linkExperimentDefaults, linkSpecText, parseLinkSpec, parseRate, parseSize } from './link-spec.ts';

const failure = (f: () => unknown): WirelabError => {
  try {
    f();
  } catch (e) {
    if (e instanceof WirelabError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('link spec (wirelab timeline --link)', () => {
  it("reads tc's units: kbit/mbit/gbit are ×1000, kb/MiB ×1024", () => {
    expect(parseRate('2mbit')).toBe(2000);
    expect(parseRate('500kbit')).toBe(500);
    expect(parseRate('1gbit')).toBe(1_000_000);
    expect(parseRate('1mbps')).toBe(8000);
    expect(parseSize('64kb', 'queue')).toBe(65536);
    expect(parseSize('4MiB', 'transfer')).toBe(4 * 1024 * 1024);
    expect(parseSize('1500', 'queue')).toBe(1500);
  });

  it('starts from the experiment’s defaults and takes what the user wrote over them', () => {
    const s = parseLinkSpec('rate=2mbit,loss=5%', '4MiB');
    expect(s).toEqual({ ...linkExperimentDefaults.lossy, experiment: 'lossy', rateKbit: 2000, lossPercent: 5, transferBytes: 4 * 1024 * 1024 });
    expect(parseLinkSpec('rate=2mbit').experiment).toBe('slow');
    expect(parseLinkSpec('experiment=lost-syn').rateKbit).toBe(0);
    expect(parseLinkSpec('experiment=slow,rate=none').rateKbit).toBe(0);
    expect(parseLinkSpec(' experiment = slow-reader , queue=64kb ').queueBytes).toBe(65536);
    expect(linkSpecText(parseLinkSpec('rate=2mbit,loss=5%,reverse-loss=1'))).toBe('experiment=lossy,rate=2mbit,queue=100000b,loss=5%,reverse-loss=1%');
  });

  it('names the field and the rule of a bad spec', () => {
    expect(failure(() => parseLinkSpec('rate=fast')).message).toBe('rate: a bit rate such as 500kbit, 2mbit or 1gbit (got "fast")');
    expect(failure(() => parseLinkSpec('rate=2mbit,loss=60%')).message).toMatch(/^loss: 0–50 %/);
    expect(failure(() => parseLinkSpec('rate=2mbit,loss=60%')).field).toBe('lossPercent');
    expect(failure(() => parseLinkSpec('rate=1kbit')).message).toBe('rate: 0 (no limit) or 8kbit–1gbit');
    expect(failure(() => parseLinkSpec('rate=1kbit')).field).toBe('rateKbit');
    expect(failure(() => parseLinkSpec('queue=100')).message).toMatch(/^queue: 3kb–16mb/);
    expect(failure(() => parseLinkSpec('speed=2mbit')).message).toBe('link: one of experiment, rate, queue, loss, reverse-loss, delay, jitter (got "speed")');
    expect(failure(() => parseLinkSpec('2mbit')).message).toMatch(/^link: key=value pairs/);
    expect(failure(() => parseLinkSpec('rate=1mbit,rate=2mbit')).message).toMatch(/^rate: given once/);
    expect(failure(() => parseLinkSpec('experiment=fast')).message).toBe('experiment: one of lossy, slow, lost-syn, lost-ack, slow-reader (got "fast")');
    expect(failure(() => parseLinkSpec('jitter=5ms')).message).toBe('jitter: needs a delay to vary');
    expect(failure(() => parseLinkSpec('delay=soon')).message).toMatch(/^delay: a time such as 50ms/);
    expect(failure(() => parseLinkSpec('rate=2mbit', '0')).message).toBe('transfer: at least 1 byte');
    expect(failure(() => parseLinkSpec('rate=2mbit', '1GiB')).message).toBe('transfer: at most 64 MiB per experiment (limit linkTransferBytes)');
  });
});
