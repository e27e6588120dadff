import { memo, useEffect, useMemo, useState } from 'react';
import type { SavedScript } from '../../../../shared/contract/clients.ts';
import { scriptProblems, type ScriptRun } from '../../../../shared/scripts/script.ts';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { useClient, useLocale, useT } from '../../store/store-context.tsx';

const example = `{
  "connect": { "kind": "tcp", "host": "127.0.0.1", "port": 9000, "frame": "line" },
  "repeat": 1,
  "steps": [
    { "send": "hello" },
    { "expect": "hello", "timeoutMs": 2000 },
    { "wait": 100 }
  ]
}`;

/**
 * Send→expect scripts on the sender's side column: the script as JSON with its problems named
 * by step and field as you type (the same check the backend runs, shared/scripts/script.ts),
 * Run, and each step's result. The run and its result live in the backend (`scripts.status`),
 * so a reload shows the last run again; scripts are saved in the packet library.
 */
export const ScriptCard = memo(function ScriptCard() {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [text, setText] = useState(example);
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<SavedScript[]>([]);
  const [run, setRun] = useState<ScriptRun | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const problems = useMemo(() => scriptProblems(text), [text]);

  useEffect(() => {
    void client.invoke('scripts.status', {}).then((r) => {
      if (!r.ok || !r.value.script) return;
      setText(r.value.script);
      setRun(r.value.run);
      setRunning(r.value.running);
    });
    void client.invoke('scripts.list', {}).then((r) => r.ok && setSaved(r.value));
  }, [client]);

  const start = async () => {
    setRunning(true);
    setError(null);
    setRun(null);
    const r = await client.invoke('scripts.run', { script: text });
    setRunning(false);
    if (r.ok) setRun(r.value);
    else setError(senderErrorText(locale, r.error));
  };
  const save = async () => {
    const existing = saved.find((s) => s.name === name.trim());
    const r = await client.invoke('scripts.save', { name, script: text, ...(existing ? { id: existing.id } : {}) });
    if (!r.ok) return setError(senderErrorText(locale, r.error));
    setSaved((list) => [...list.filter((s) => s.id !== r.value.id), r.value]);
  };
  const remove = async (id: string) => {
    const r = await client.invoke('scripts.delete', { id });
    if (r.ok) setSaved((list) => list.filter((s) => s.id !== id));
  };

  return (
    <section className="card scripts" aria-label={t('script.title')} data-testid="script-card">
      <h2>{t('script.title')}</h2>
      <p className="muted small">{t('script.hint')}</p>
      <div className="field">
        <label htmlFor="script-text">{t('script.json')}</label>
        <textarea
          id="script-text"
          className={`input mono${problems.length ? ' invalid' : ''}`}
          rows={10}
          spellCheck={false}
          value={text}
          aria-invalid={problems.length ? true : undefined}
          aria-describedby={problems.length ? 'script-problems' : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {problems.length > 0 && (
        <ul id="script-problems" className="field-error" role="alert" data-testid="script-problems">
          {problems.slice(0, 5).map((p) => (
            <li key={`${p.field}:${p.message}`}>
              <span className="mono">{p.field}</span>: {p.rule === 'other' ? p.message : t(`script.problem.${p.rule}`, p.params)}
            </li>
          ))}
        </ul>
      )}
      <div className="field-row compact">
        <button className="button primary" data-testid="script-run" disabled={running || problems.length > 0} onClick={() => void start()}>
          {running ? t('script.running') : t('script.run')}
        </button>
        {running && (
          <button className="button" onClick={() => void client.invoke('scripts.stop', {})}>
            {t('script.stop')}
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {run && (
        <div data-testid="script-results">
          <p className={run.ok ? 'ok' : 'field-error'}>{run.ok ? t('script.passed', { n: run.steps.length, ms: Math.round(run.ms) }) : t('script.failed')}</p>
          <ol className="script-steps">
            {run.steps.map((s) => {
              const field = s.step < 0 ? 'connect' : `steps[${s.step}].${s.action}`;
              const why = s.ok ? null : senderErrorText(locale, { code: s.code, message: s.error ?? '', params: { field } });
              return (
                <li key={`${s.round}:${s.step}`} className={s.ok ? 'step ok' : 'step fail'} data-testid="script-step">
                  <span aria-hidden="true">{s.ok ? '✓' : '✗'}</span> <span className="mono">{field}</span>
                  {s.round > 1 ? ` · ${t('script.round', { n: s.round })}` : ''} · {s.ms.toFixed(1)} ms
                  {why && <div className="field-error">{why}</div>}
                  {s.got !== undefined && (
                    <div className="muted small mono">
                      {t('script.got')} {JSON.stringify(s.got.slice(0, 200))}
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
        </div>
      )}
      <div className="field-row compact">
        <div className="field">
          <label htmlFor="script-name">{t('script.name')}</label>
          <input id="script-name" className="input" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <button className="button" disabled={!name.trim() || problems.length > 0} onClick={() => void save()}>
          {t('script.save')}
        </button>
      </div>
      {saved.length > 0 && (
        <ul className="saved-scripts">
          {saved.map((s) => (
            <li key={s.id}>
              <button className="button small" onClick={() => (setText(s.script), setName(s.name))}>
                {s.name}
              </button>
              <button className="button small" aria-label={t('script.delete', { name: s.name })} onClick={() => void remove(s.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
