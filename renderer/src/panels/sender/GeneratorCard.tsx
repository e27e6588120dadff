import { memo } from 'react';
import type { GeneratorForm } from '../../store/sender-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';

const n = (x: number) => x.toLocaleString('en');

/** The traffic generator: N packets to host:port, paced or flat out, on a worker thread. */
export const GeneratorCard = memo(function GeneratorCard() {
  const t = useT();
  const locale = useLocale();
  const g = useApp((s) => s.generator);
  const set = useApp((s) => s.setGeneratorForm);
  const start = useApp((s) => s.startGenerator);
  const stop = useApp((s) => s.stopGenerator);
  const library = useApp((s) => s.library.packets);
  const f = g.form;
  const running = g.progress?.state === 'running' || (g.runId !== null && g.progress === null);
  const err = (field: string) => (g.error?.field === field ? senderErrorText(locale, g.error) : null);
  const p = g.progress;
  return (
    <section className="card generator" aria-label={t('sender.gen.title')} data-testid="generator">
      <h2>{t('sender.gen.title')}</h2>
      <div className="field-row compact">
        <div className="field">
          <label htmlFor="gen-proto">{t('sender.kind')}</label>
          <select id="gen-proto" value={f.proto} onChange={(e) => set({ proto: e.target.value as GeneratorForm['proto'], size: e.target.value === 'tcp' ? '131072' : '8' })}>
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
          </select>
        </div>
        <Field id="gen-port" label={t('sender.port')} value={f.port} onChange={(v) => set({ port: v })} error={err('port')} />
      </div>
      <Field id="gen-host" label={t('sender.host')} value={f.host} onChange={(v) => set({ host: v })} error={err('host')} />
      <div className="field">
        <label htmlFor="gen-payload">{t('sender.gen.payload')}</label>
        <select id="gen-payload" value={f.packetId} onChange={(e) => set({ packetId: e.target.value })}>
          <option value="">{t('sender.gen.filler')}</option>
          {library.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </div>
      <div className="field-row compact">
        <Field id="gen-count" label={t('sender.gen.count')} value={f.count} onChange={(v) => set({ count: v })} error={err('count')} />
        {!f.packetId && <Field id="gen-size" label={t('sender.gen.size')} value={f.size} onChange={(v) => set({ size: v })} error={err('size')} />}
      </div>
      <Field id="gen-rate" label={t('sender.gen.rate')} hint={t('sender.gen.rateHint')} value={f.rate} onChange={(v) => set({ rate: v })} error={err('rate')} />
      {g.error && !['port', 'host', 'count', 'size', 'rate'].includes(g.error.field ?? '') && <p className="field-error" role="alert">{senderErrorText(locale, g.error)}</p>}
      {running ? (
        <button className="button warnbtn" data-testid="gen-stop" onClick={() => void stop()}>{t('sender.gen.stop')}</button>
      ) : (
        <button className="button primary" data-testid="gen-start" onClick={() => void start()}>{t('sender.gen.start')}</button>
      )}
      {p && (
        <dl className="gen-stats" data-testid="gen-stats" data-state={p.state}>
          <dt>{t('sender.gen.state')}</dt><dd>{t(`sender.gen.state.${p.state}`)}{p.report ? ` · ${p.report.path}` : ''}</dd>
          {p.report && (
            <>
              <dt>{t('sender.gen.sent')}</dt><dd className="mono" data-testid="gen-sent">{n(p.report.sent)}</dd>
              <dt>{t('sender.gen.achieved')}</dt><dd className="mono">{n(p.report.pps)} pps · {p.report.gbps} Gbit/s</dd>
            </>
          )}
          {p.received !== null && <><dt>{t('sender.gen.received')}</dt><dd className="mono" data-testid="gen-received">{n(p.received)}{p.report?.proto === 'tcp' ? ' B' : ''}</dd></>}
          {p.lost !== null && <><dt>{t('sender.gen.lost')}</dt><dd className="mono" data-testid="gen-lost">{n(p.lost)}</dd></>}
          {p.received === null && <dd className="muted small full">{t('sender.gen.noLoss')}</dd>}
          {p.error && <dd className="field-error full" role="alert">{senderErrorText(locale, p.error)}</dd>}
        </dl>
      )}
    </section>
  );
});
