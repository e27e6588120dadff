import { memo } from 'react';
import { framingNames, type FramingName } from '../../../../shared/sender/framing.ts';
import type { CustomFraming, NewSessionForm } from '../../store/sender-slice.ts';
import type { ReplyRule } from '../../../../shared/sender/reply-rules.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { Field } from '../../shell/Field.tsx';

export const NewSessionCard = memo(function NewSessionCard() {
  const t = useT();
  const form = useApp((s) => s.sender.form);
  const error = useApp((s) => s.sender.formError);
  const opening = useApp((s) => s.sender.opening);
  const set = useApp((s) => s.setSenderForm);
  const open = useApp((s) => s.openSession);
  const playground = useApp((s) => s.openPlayground);
  const locale = useLocale();
  const errorFor = (field: string) => (error && error.field === field ? senderErrorText(locale, error) : null);
  const general =
    error &&
    !['host', 'port', 'timeout', 'delimiter', 'size', 'sizeKey', 'replyText', 'greet', 'dir', 'bind', 'saveDir'].includes(error.field ?? '') &&
    !isChallengeField(error.field)
      ? senderErrorText(locale, error)
      : null;
  const split = form.direction === 'split';
  const usesHeaderPreset = split ? form.framingIn === 'header-json' || form.framingOut === 'header-json' : form.framing === 'header-json';
  const action = form.kind === 'tcp-client' ? t('sender.connect') : form.kind === 'tcp-server' ? t('sender.listen') : t('sender.bind');
  return (
    <section className="card new-session" aria-label={t('sender.new')}>
      <h2>{t('sender.new')}</h2>
      <div className="field">
        <label htmlFor="ns-kind">{t('sender.kind')}</label>
        <select id="ns-kind" value={form.kind} onChange={(e) => set(kindPatch(e.target.value as NewSessionForm['kind'], form))}>
          {(['tcp-client', 'tcp-server', 'udp'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`sender.kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <Field
        id="ns-host"
        label={form.kind === 'tcp-client' ? t('sender.host') : t('sender.bindHost')}
        value={form.host}
        onChange={(v) => set({ host: v })}
        error={errorFor('host')}
      />
      <Field
        id="ns-port"
        label={t('sender.port')}
        hint={form.kind === 'tcp-client' ? undefined : t('sender.portAny')}
        placeholder={form.kind === 'tcp-client' ? '8080' : '0'}
        value={form.port}
        onChange={(v) => set({ port: v })}
        error={errorFor('port')}
      />
      {form.kind === 'tcp-client' && (
        <Field id="ns-timeout" label={t('sender.timeout')} value={form.timeoutMs} onChange={(v) => set({ timeoutMs: v })} error={errorFor('timeout')} />
      )}
      <DirectionFields />
      {form.direction !== 'split' && (
        <div className="field">
          <label htmlFor="ns-framing">{t('sender.framing')}</label>
          <select id="ns-framing" value={form.framing} onChange={(e) => set({ framing: e.target.value as NewSessionForm['framing'] })}>
            {framingNames.map((f) => (
              <option key={f} value={f}>
                {t(`sender.framing.${f}`)}
              </option>
            ))}
            <option value="custom">{t('sender.framing.custom')}</option>
          </select>
        </div>
      )}
      {form.direction !== 'split' && form.framing === 'custom' && <CustomFramingFields />}
      {usesHeaderPreset && (
        <Field
          id="ns-size-key"
          label={t('sender.framing.sizeKey')}
          hint={t('sender.sizeKey.hint')}
          value={form.sizeKey ?? 'data_size'}
          onChange={(v) => set({ sizeKey: v })}
        />
      )}
      <Field
        id="ns-save-dir"
        label={t('sender.saveDir')}
        hint={t('sender.saveDir.hint')}
        placeholder={t('sender.saveDir.placeholder')}
        value={form.saveDir ?? ''}
        onChange={(v) => set({ saveDir: v })}
        error={errorFor('saveDir')}
      />
      {form.saveDir?.trim() && (
        <label className="check small">
          <input type="checkbox" data-testid="ns-overwrite" checked={form.overwrite ?? false} onChange={(e) => set({ overwrite: e.target.checked })} />
          {t('sender.overwrite')}
        </label>
      )}
      {form.kind === 'tcp-client' && (
        <Field
          id="ns-bind"
          label={t('sender.bindLocal')}
          hint={t('sender.bindLocal.hint')}
          placeholder="127.0.0.1:0"
          value={form.bind ?? ''}
          onChange={(v) => set({ bind: v })}
          error={errorFor('bind')}
        />
      )}
      {form.kind === 'udp' && (
        <label className="check small">
          <input type="checkbox" data-testid="ns-broadcast" checked={form.broadcast ?? false} onChange={(e) => set({ broadcast: e.target.checked })} />
          {t('sender.udp.broadcast')}
        </label>
      )}
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
            <select id="ns-reply" value={form.reply} onChange={(e) => set(replyPatch(e.target.value as NewSessionForm['reply'], form))}>
              {(form.kind === 'tcp-server' ? courseReplies : basicReplies).map((r) => (
                <option key={r} value={r}>
                  {t(`sender.reply.${r}`)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {form.kind !== 'tcp-client' && form.reply === 'fixed' && (
        <Field
          id="ns-reply-text"
          label={t('sender.replyText')}
          hint={t('sender.escapesHint')}
          value={form.replyText}
          onChange={(v) => set({ replyText: v })}
          error={errorFor('replyText')}
        />
      )}
      {form.kind === 'tcp-server' && (
        <Field
          id="ns-greet"
          label={t('sender.greet')}
          hint={t('sender.escapesHint')}
          placeholder={t('sender.greet.placeholder')}
          value={form.greet}
          onChange={(v) => set({ greet: v })}
          error={errorFor('greet')}
        />
      )}
      {form.kind !== 'tcp-client' && form.reply === 'rules' && <RulesEditor />}
      {form.kind === 'tcp-server' && (form.reply === 'serve-dir' || form.reply === 'http-dir') && (
        <Field
          id="ns-dir"
          label={t('sender.dir')}
          hint={t(form.reply === 'serve-dir' ? 'sender.dir.serveHint' : 'sender.dir.httpHint')}
          placeholder={t('sender.dir.placeholder')}
          value={form.dir}
          onChange={(v) => set({ dir: v })}
          error={errorFor('dir')}
        />
      )}
      {form.kind === 'tcp-server' && form.reply === 'relay' && <p className="field-hint">{t('sender.relay.hint')}</p>}
      {form.kind !== 'udp' && <ChallengeFields />}
      {general && (
        <p className="field-error" role="alert" data-testid="session-error">
          {general}
        </p>
      )}
      <button className="button primary" data-testid="open-session" disabled={opening} onClick={() => void open()}>
        {opening ? t('sender.opening') : action}
      </button>
      <hr />
      <button className="button" data-testid="playground" disabled={opening} onClick={() => void playground()}>
        {t('sender.playground')}
      </button>
      <p className="field-hint">{t('sender.playground.hint')}</p>
    </section>
  );
});

const basicReplies = ['none', 'echo', 'fixed', 'rules'] as const;
/** The course's protocols need connections: a TCP server offers them. */
const courseReplies = [...basicReplies, 'serve-dir', 'relay', 'http-dir'] as const;

/** A course protocol chosen on a TCP server falls back to no reply when the kind changes (they need connections). */
function kindPatch(kind: NewSessionForm['kind'], form: NewSessionForm): Partial<NewSessionForm> {
  const courseOnly = !(basicReplies as readonly string[]).includes(form.reply);
  return kind !== 'tcp-server' && courseOnly ? { kind, reply: 'none' } : { kind };
}

/** Errors of the challenge's key come back as `challenge.key` / `answer.key` from the contract. */
const isChallengeField = (field: string | null | undefined) => !!field && /^(challenge|answer)(\.|$)/.test(field);

/**
 * Choosing a course protocol also picks the framing it speaks (serve-dir: the FTP homework's
 * header with "filesize"; http-dir: raw bytes, HTTP finds its own boundaries; the chat room:
 * lines), so the session opens ready; the user can change it afterwards.
 */
function replyPatch(reply: NewSessionForm['reply'], form: NewSessionForm): Partial<NewSessionForm> {
  if (reply === 'serve-dir') return { reply, framing: 'custom', custom: { ...form.custom, kind: 'header-json', sizeKey: 'filesize' } };
  if (reply === 'http-dir') return { reply, framing: 'raw' };
  if (reply === 'relay') return { reply, framing: 'line' };
  return { reply };
}

/** Client authentication: a server challenges each client, a client answers the server's challenge. */
function ChallengeFields() {
  const t = useT();
  const locale = useLocale();
  const form = useApp((s) => s.sender.form);
  const error = useApp((s) => s.sender.formError);
  const set = useApp((s) => s.setSenderForm);
  const server = form.kind === 'tcp-server';
  const keyError = error && isChallengeField(error.field) ? senderErrorText(locale, error) : null;
  // stacked, not side by side: the algorithm's name and the key's hint need the card's width
  return (
    <>
      <div className="field">
        <label htmlFor="ns-challenge">{t(server ? 'sender.challenge' : 'sender.answer')}</label>
        <select id="ns-challenge" value={form.challengeAlgo} onChange={(e) => set({ challengeAlgo: e.target.value as NewSessionForm['challengeAlgo'] })}>
          {(['none', 'md5', 'hmac-sha256'] as const).map((a) => (
            <option key={a} value={a}>
              {t(`sender.challenge.${a}`)}
            </option>
          ))}
        </select>
      </div>
      {form.challengeAlgo !== 'none' && (
        <Field
          id="ns-challenge-key"
          label={t('sender.challenge.key')}
          hint={t(server ? 'sender.challenge.serverHint' : 'sender.challenge.clientHint')}
          placeholder="alexbigsb"
          value={form.challengeKey}
          onChange={(v) => set({ challengeKey: v })}
          error={keyError}
        />
      )}
    </>
  );
}

/** Framing per direction: the same both ways (default), or one for what arrives and one for what goes; a header-json preset's size key. */
function DirectionFields() {
  const t = useT();
  const form = useApp((s) => s.sender.form);
  const set = useApp((s) => s.setSenderForm);
  const split = form.direction === 'split';
  return (
    <>
      <div className="field">
        <label htmlFor="ns-direction">{t('sender.direction')}</label>
        <select id="ns-direction" value={form.direction ?? 'same'} onChange={(e) => set({ direction: e.target.value as 'same' | 'split' })}>
          <option value="same">{t('sender.direction.same')}</option>
          <option value="split">{t('sender.direction.split')}</option>
        </select>
      </div>
      {split &&
        (['framingIn', 'framingOut'] as const).map((k) => (
          <div className="field" key={k}>
            <label htmlFor={`ns-${k}`}>{t(`sender.${k}`)}</label>
            <select id={`ns-${k}`} value={form[k] ?? 'raw'} onChange={(e) => set({ [k]: e.target.value as FramingName })}>
              {framingNames.map((f) => (
                <option key={f} value={f}>
                  {t(`sender.framing.${f}`)}
                </option>
              ))}
            </select>
          </div>
        ))}
      {split && <p className="field-hint">{t('sender.direction.hint')}</p>}
    </>
  );
}

function RulesEditor() {
  const t = useT();
  const rules = useApp((s) => s.sender.form.rules);
  const error = useApp((s) => s.sender.formError);
  const set = useApp((s) => s.setSenderForm);
  const update = (i: number, patch: Partial<ReplyRule>) => set({ rules: rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <div className="rules" data-testid="rules">
      <p className="field-hint">{t('sender.rules.hint')}</p>
      {rules.map((r, i) => (
        <div key={i} className="rule">
          <select aria-label={t('sender.rules.match')} value={r.match} onChange={(e) => update(i, { match: e.target.value as ReplyRule['match'] })}>
            {(['exact', 'prefix', 'contains', 'regex'] as const).map((m) => (
              <option key={m} value={m}>
                {t(`sender.rules.${m}`)}
              </option>
            ))}
          </select>
          <input
            className={`input mono${error?.field === `rules[${i + 1}].pattern` ? ' invalid' : ''}`}
            aria-label={t('sender.rules.pattern')}
            placeholder={t('sender.rules.pattern')}
            value={r.pattern}
            onChange={(e) => update(i, { pattern: e.target.value })}
          />
          <input
            className="input mono"
            aria-label={t('sender.rules.reply')}
            placeholder={t('sender.rules.reply')}
            value={r.reply}
            onChange={(e) => update(i, { reply: e.target.value })}
          />
          <button className="icon-button" aria-label={t('sender.rules.remove')} onClick={() => set({ rules: rules.filter((_, j) => j !== i) })}>
            ×
          </button>
        </div>
      ))}
      <button className="button small" onClick={() => set({ rules: [...rules, { match: 'exact', pattern: '', reply: '' }] })}>
        {t('sender.rules.add')}
      </button>
    </div>
  );
}

function CustomFramingFields() {
  const t = useT();
  const c = useApp((s) => s.sender.form.custom);
  const error = useApp((s) => s.sender.formError);
  const setForm = useApp((s) => s.setSenderForm);
  const set = (p: Partial<CustomFraming>) => setForm({ custom: { ...c, ...p } });
  const locale = useLocale();
  const errorFor = (field: string) => (error && error.field === field ? senderErrorText(locale, error) : null);
  return (
    <div className="custom-framing" data-testid="custom-framing">
      <select
        aria-label={t('sender.framing.kind')}
        data-testid="custom-kind"
        value={c.kind}
        onChange={(e) => set({ kind: e.target.value as CustomFraming['kind'] })}
      >
        {(['delimiter', 'fixed', 'length', 'header-json'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`sender.framing.kind.${k}`)}
          </option>
        ))}
      </select>
      {c.kind === 'delimiter' && (
        <Field
          id="cf-delimiter"
          label={t('sender.framing.delimiter')}
          value={c.delimiter}
          onChange={(v) => set({ delimiter: v })}
          error={errorFor('delimiter')}
        />
      )}
      {c.kind === 'fixed' && <Field id="cf-size" label={t('sender.framing.size')} value={c.size} onChange={(v) => set({ size: v })} error={errorFor('size')} />}
      {c.kind === 'length' && (
        <div className="field-row compact">
          <select
            aria-label={t('sender.framing.bytes')}
            data-testid="cf-bytes"
            value={c.bytes}
            onChange={(e) => set({ bytes: e.target.value as CustomFraming['bytes'] })}
          >
            {(['1', '2', '4', '8'] as const).map((b) => (
              <option key={b} value={b}>
                {b} B
              </option>
            ))}
          </select>
          <select
            aria-label={t('sender.framing.endian')}
            data-testid="cf-endian"
            value={c.endian}
            onChange={(e) => set({ endian: e.target.value as 'be' | 'le' })}
          >
            <option value="be">{t('sender.framing.be')}</option>
            <option value="le">{t('sender.framing.le')}</option>
          </select>
          <label className="check small">
            <input type="checkbox" checked={c.includesPrefix} onChange={(e) => set({ includesPrefix: e.target.checked })} />
            {t('sender.framing.incl')}
          </label>
        </div>
      )}
      {c.kind === 'header-json' && (
        <Field id="cf-key" label={t('sender.framing.sizeKey')} value={c.sizeKey} onChange={(v) => set({ sizeKey: v })} error={errorFor('sizeKey')} />
      )}
    </div>
  );
}
