import { memo, useState } from 'react';
import type { GeneratorForm } from '../../store/sender-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { formatBitRate, formatCount } from '../../../../shared/format/number.ts';
import { sizeAfterKindChange, type SizeChange } from '../../../../shared/sender/generator-size.ts';

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
  const n = (x: number) => formatCount(x, locale);
  // Why "Bytes each" changed with the Kind, shown under it until the user types a size.
  const [sizeNote, setSizeNote] = useState<SizeChange | null>(null);
  const changeKind = (proto: GeneratorForm['proto']) => {
    const change = sizeAfterKindChange(f.size, f.proto, proto);
    setSizeNote(change.reason ? change : null);
    set({ proto, size: change.size });
  };
  const sizeHint = sizeNote?.reason ? t(`sender.gen.size.${sizeNote.reason}`, { from: sizeNote.from, to: sizeNote.size }) : undefined;
  // On TCP the server counts bytes, and bytes are never lost: the rest were still queued.
  const tcp = p?.report?.proto === 'tcp';
  return (
    <section className="card generator" aria-label={t('sender.gen.title')} data-testid="generator">
      <h2>{t('sender.gen.title')}</h2>
      <div className="field-row compact">
        <div className="field">
          <label htmlFor="gen-proto">{t('sender.kind')}</label>
          <select id="gen-proto" value={f.proto} onChange={(e) => changeKind(e.target.value as GeneratorForm['proto'])}>
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
          {library.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row compact">
        <Field id="gen-count" label={t('sender.gen.count')} value={f.count} onChange={(v) => set({ count: v })} error={err('count')} />
        {!f.packetId && (
          <Field
            id="gen-size"
            label={t('sender.gen.size')}
            hint={sizeHint}
            value={f.size}
            onChange={(v) => {
              setSizeNote(null);
              set({ size: v });
            }}
            error={err('size')}
          />
        )}
      </div>
      <Field id="gen-rate" label={t('sender.gen.rate')} hint={t('sender.gen.rateHint')} value={f.rate} onChange={(v) => set({ rate: v })} error={err('rate')} />
      {g.error && !['port', 'host', 'count', 'size', 'rate'].includes(g.error.field ?? '') && (
        <p className="field-error" role="alert">
          {senderErrorText(locale, g.error)}
        </p>
      )}
      {running ? (
        <button className="button warnbtn" data-testid="gen-stop" onClick={() => void stop()}>
          {t('sender.gen.stop')}
        </button>
      ) : (
        <button className="button primary" data-testid="gen-start" onClick={() => void start()}>
          {t('sender.gen.start')}
        </button>
      )}
      {p && (
        <dl className="gen-stats" data-testid="gen-stats" data-state={p.state}>
          <dt>{t('sender.gen.state')}</dt>
          <dd>
            {t(`sender.gen.state.${p.state}`)}
            {p.report ? ` · ${p.report.path}` : ''}
          </dd>
          {p.report && (
            <>
              <dt>{t('sender.gen.sent')}</dt>
              <dd className="mono" data-testid="gen-sent">
                {n(p.report.sent)}
              </dd>
              <dt>{t('sender.gen.achieved')}</dt>
              <dd className="mono" data-testid="gen-achieved">
                {n(p.report.pps)} pps · {formatBitRate(p.report.seconds > 0 ? (p.report.bytes * 8) / p.report.seconds : Number.NaN, locale)}
              </dd>
            </>
          )}
          {p.received !== null && (
            <>
              <dt>{t(tcp ? 'sender.gen.receivedBytes' : 'sender.gen.received')}</dt>
              <dd className="mono" data-testid="gen-received">
                {n(p.received)}
              </dd>
            </>
          )}
          {p.lost !== null && (
            <>
              <dt>{t(tcp ? 'sender.gen.unread' : 'sender.gen.lost')}</dt>
              <dd className="mono" data-testid="gen-lost">
                {n(p.lost)}
              </dd>
            </>
          )}
          {p.lost !== null && tcp && (
            <dd className="muted small full" data-testid="gen-unread-hint">
              {t('sender.gen.unreadHint')}
            </dd>
          )}
          {p.received === null && <dd className="muted small full">{t('sender.gen.noLoss')}</dd>}
          {p.error && (
            <dd className="field-error full" role="alert">
              {senderErrorText(locale, p.error)}
            </dd>
          )}
        </dl>
      )}
    </section>
  );
});
