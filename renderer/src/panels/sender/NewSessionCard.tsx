import { framingNames } from '../../../../shared/sender/framing.ts';
import type { NewSessionForm } from '../../store/sender-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { localizeSocketError } from './sender-zh.ts';
import { Field } from '../subnet/Field.tsx';

export function NewSessionCard() {
  const t = useT();
  const form = useApp((s) => s.sender.form);
  const error = useApp((s) => s.sender.formError);
  const opening = useApp((s) => s.sender.opening);
  const set = useApp((s) => s.setSenderForm);
  const open = useApp((s) => s.openSession);
  const playground = useApp((s) => s.openPlayground);
  const errorFor = (field: string) => (error && error.field === field ? error.message : null);
  const locale = useLocale();
  const general = error && !['host', 'port'].includes(error.field ?? '') ? localizeSocketError(error.message, error.code, locale) : null;
  const action = form.kind === 'tcp-client' ? t('sender.connect') : form.kind === 'tcp-server' ? t('sender.listen') : t('sender.bind');
  return (
    <section className="card new-session" aria-label={t('sender.new')}>
      <h2>{t('sender.new')}</h2>
      <div className="field">
        <label htmlFor="ns-kind">{t('sender.kind')}</label>
        <select id="ns-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as NewSessionForm['kind'] })}>
          {(['tcp-client', 'tcp-server', 'udp'] as const).map((k) => <option key={k} value={k}>{t(`sender.kind.${k}`)}</option>)}
        </select>
      </div>
      <Field id="ns-host" label={form.kind === 'tcp-client' ? t('sender.host') : t('sender.bindHost')} value={form.host} onChange={(v) => set({ host: v })} error={errorFor('host')} />
      <Field id="ns-port" label={t('sender.port')} hint={form.kind === 'tcp-client' ? undefined : t('sender.portAny')} placeholder={form.kind === 'tcp-client' ? '8080' : '0'} value={form.port} onChange={(v) => set({ port: v })} error={errorFor('port')} />
      <div className="field">
        <label htmlFor="ns-framing">{t('sender.framing')}</label>
        <select id="ns-framing" value={form.framing} onChange={(e) => set({ framing: e.target.value as NewSessionForm['framing'] })}>
          {framingNames.map((f) => <option key={f} value={f}>{t(`sender.framing.${f}`)}</option>)}
        </select>
      </div>
      <div className="field-row compact">
        <div className="field">
          <label htmlFor="ns-encoding">{t('sender.encoding')}</label>
          <select id="ns-encoding" value={form.encoding} onChange={(e) => set({ encoding: e.target.value as 'utf8' | 'gbk' })}>
            <option value="utf8">UTF-8</option>
            <option value="gbk">GBK</option>
          </select>
        </div>
        {form.kind !== 'tcp-client' && (
          <div className="field">
            <label htmlFor="ns-reply">{t('sender.reply')}</label>
            <select id="ns-reply" value={form.reply} onChange={(e) => set({ reply: e.target.value as 'none' | 'echo' })}>
              <option value="none">{t('sender.reply.none')}</option>
              <option value="echo">{t('sender.reply.echo')}</option>
            </select>
          </div>
        )}
      </div>
      {general && <p className="field-error" role="alert" data-testid="session-error">{general}</p>}
      <button className="button primary" data-testid="open-session" disabled={opening} onClick={() => void open()}>{opening ? t('sender.opening') : action}</button>
      <hr />
      <button className="button" data-testid="playground" disabled={opening} onClick={() => void playground()}>{t('sender.playground')}</button>
      <p className="field-hint">{t('sender.playground.hint')}</p>
    </section>
  );
}
