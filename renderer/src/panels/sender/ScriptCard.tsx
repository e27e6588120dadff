import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SavedScript, ScriptChunk } from '../../../../shared/contract/clients.ts';
import type { SenderEvent } from '../../../../shared/contract/sender.ts';
import { formatCount } from '../../../../shared/format/number.ts';
import { scriptProblems, type StepResult } from '../../../../shared/scripts/script.ts';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { saveFile } from '../../shell/save-file.ts';
import { holdBatch, reduceScriptEvents, shownSteps, viewAfterStatus, type HeldBatches, type ScriptView } from '../../store/script-events.ts';
import { useApp, useClient, useLocale, useT } from '../../store/store-context.tsx';
import { Entry } from './LogView.tsx';

const example = `{
  "connect": { "kind": "tcp", "host": "127.0.0.1", "port": 9000, "frame": "line" },
  "repeat": 1,
  "steps": [
    { "send": "hello" },
    { "expect": "hello", "timeoutMs": 2000 },
    { "wait": 100 }
  ]
}`;

/** A transcript chunk as the sender log's entry component takes it. */
function asLogEvent(c: ScriptChunk): SenderEvent {
  return {
    sessionId: '',
    seq: 0,
    type: 'chunk',
    dir: c.dir,
    at: c.at,
    peer: c.peer,
    length: c.length,
    hex: c.hex,
    text: c.text,
    truncated: c.truncated,
    code: null,
    message: null,
  };
}

/** What one step sent and received, read from the run's transcript in the backend when the step is opened. */
function StepBytes({ runId, step, round }: { runId: number; step: number; round: number }) {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [page, setPage] = useState<{ chunks: ScriptChunk[]; more: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('scripts.transcript', { runId, step, round }).then((r) => {
      if (!live) return;
      if (r.ok) setPage(r.value);
      else setError(senderErrorText(locale, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, locale, runId, step, round]);
  if (error)
    return (
      <p className="field-error" role="alert">
        {error}
      </p>
    );
  if (!page) return null;
  if (!page.chunks.length) return <p className="muted small">{t('script.bytes.none')}</p>;
  const start = page.chunks[0]!.at;
  return (
    <div className="script-bytes" data-testid="script-step-bytes">
      {page.chunks.map((c, i) => (
        <Entry key={i} e={asLogEvent(c)} start={start} t={t} locale={locale} />
      ))}
      {page.more && <p className="muted small">{t('script.bytes.more', { n: formatCount(page.chunks.length, locale) }, page.chunks.length)}</p>}
    </div>
  );
}

function StepRow({ s, runId }: { s: StepResult; runId: number }) {
  const t = useT();
  const locale = useLocale();
  const [open, setOpen] = useState(false);
  const field = s.step < 0 ? 'connect' : `steps[${s.step}].${s.action}`;
  const why = s.ok ? null : senderErrorText(locale, { code: s.code, message: s.error ?? '', params: { field } });
  return (
    <li className={s.ok ? 'step ok' : 'step fail'} data-testid="script-step">
      <span aria-hidden="true">{s.ok ? '✓' : '✗'}</span> <span className="mono">{field}</span>
      {s.round > 1 ? ` · ${t('script.round', { n: s.round })}` : ''} · {s.ms.toFixed(1)} ms{' '}
      <button className="button small" aria-expanded={open} data-testid="script-step-toggle" onClick={() => setOpen((o) => !o)}>
        {open ? t('script.bytes.hide') : t('script.bytes.show')}
      </button>
      {why && <div className="field-error">{why}</div>}
      {s.got !== undefined && (
        <div className="muted small mono">
          {t('script.got')} {JSON.stringify(s.got.slice(0, 200))}
        </div>
      )}
      {open && <StepBytes runId={runId} step={s.step} round={s.round} />}
    </li>
  );
}

/**
 * Send→expect scripts on the sender's side column: the script as JSON with its problems named
 * by step and field as you type (the same check the backend runs, shared/scripts/script.ts),
 * Run, and each step as it happens. The run lives in the backend: this card reads
 * `scripts.status` (on load, on reconnect, after the stream skipped) and follows
 * `scripts.event` from its seq (store/script-events.ts), so a reload mid-run shows the steps
 * so far and then the rest live, and any window can stop it. A step opens to show the bytes it
 * sent and received, from the run's transcript; the whole run exports as pcap. Scripts are
 * saved in the packet library.
 */
export const ScriptCard = memo(function ScriptCard() {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [text, setText] = useState(example);
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<SavedScript[]>([]);
  const [view, setView] = useState<ScriptView | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const problems = useMemo(() => scriptProblems(text), [text]);
  const connection = useApp((s) => s.connection);
  const viewRef = useRef<ScriptView | null>(null);
  /** Batches that arrive while a status read is on its way: applied on top of it, their drops too. */
  const held = useRef<HeldBatches | null>(null);
  const firstSync = useRef(true);

  const show = (v: ScriptView | null) => {
    viewRef.current = v;
    setView(v);
  };
  const resync = useCallback(async () => {
    if (held.current) return;
    held.current = { events: [], dropped: 0 };
    const r = await client.invoke('scripts.status', {});
    const later = held.current;
    held.current = null;
    if (!r.ok) return;
    // the editor shows the backend's script on load only: a run another window starts later must not overwrite what is typed here
    if (firstSync.current && r.value.script) setText(r.value.script);
    firstSync.current = false;
    const next = viewAfterStatus(r.value, later);
    show(next.view);
    if (next.resync) void resync();
  }, [client]);

  useEffect(
    () =>
      // subscribed before the status is read, so nothing between the two is lost
      client.subscribe('scripts.event', (batch) => {
        if (held.current) return holdBatch(held.current, batch);
        const next = reduceScriptEvents(viewRef.current, batch.events, batch.dropped);
        show(next.view);
        if (next.resync) void resync();
      }),
    [client, resync],
  );
  useEffect(() => {
    if (connection === 'connected') void resync();
  }, [connection, resync]);
  useEffect(() => {
    void client.invoke('scripts.list', {}).then((r) => r.ok && setSaved(r.value));
  }, [client]);

  const running = starting || (view?.running ?? false);
  const start = async () => {
    setStarting(true);
    setError(null);
    const r = await client.invoke('scripts.run', { script: text });
    setStarting(false);
    if (!r.ok) setError(senderErrorText(locale, r.error));
    // the events have shown the run; one read makes sure the end is shown even if the stream dropped it
    void resync();
  };
  const exportPcap = async () => {
    const r = await client.invoke('scripts.export', { format: 'pcap' });
    if (!r.ok) return setError(senderErrorText(locale, r.error));
    saveFile(
      r.value.name,
      r.value.mime,
      Uint8Array.from(atob(r.value.data), (c) => c.charCodeAt(0)),
    );
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
        {view?.running && (
          <button className="button" data-testid="script-stop" onClick={() => void client.invoke('scripts.stop', {})}>
            {t('script.stop')}
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <div data-testid="script-results" aria-live="polite">
          {view.ok !== null && (
            <p className={view.ok ? 'ok' : 'field-error'}>
              {view.ok
                ? t(
                    'script.passed',
                    { n: formatCount(view.earlierPassed + view.steps.length, locale), ms: Math.round(view.ms) },
                    view.earlierPassed + view.steps.length,
                  )
                : t('script.failed')}
            </p>
          )}
          {view.earlierPassed > 0 && (
            <p className="muted small" data-testid="script-steps-earlier">
              {t('script.steps.earlier', { n: formatCount(view.earlierPassed, locale), max: formatCount(shownSteps, locale) }, view.earlierPassed)}
            </p>
          )}
          {/* numbered as in the whole run: the first shown is result earlierPassed + 1 (a run ends at its first failure, so no kept failure comes before it) */}
          <ol
            className="script-steps"
            start={view.earlierPassed + 1}
            // room for the widest number ("100000."), so three digits and more stay inside the card
            style={{ paddingLeft: `${String(view.earlierPassed + view.steps.length + 1).length + 1.5}ch` }}
          >
            {view.steps.map((s) => (
              <StepRow key={`${s.round}:${s.step}`} s={s} runId={view.runId} />
            ))}
            {view.current && (
              <li className="step running" data-testid="script-step-running" aria-current="step">
                <span aria-hidden="true">●</span> <span className="mono">{`steps[${view.current.step}].${view.current.action}`}</span>
                {view.current.round > 1 ? ` · ${t('script.round', { n: view.current.round })}` : ''} · {t('script.step.running')}
              </li>
            )}
          </ol>
          <div className="field-row compact script-transcript">
            {view.transcript && (
              <span className="muted small" data-testid="script-transcript">
                {t(
                  'script.transcript',
                  { n: formatCount(view.transcript.chunks, locale), bytes: formatCount(view.transcript.bytes, locale) },
                  view.transcript.chunks,
                )}
                {view.transcript.dropped > 0 && (
                  <span className="warn">
                    {' '}
                    {t(
                      'script.transcript.dropped',
                      { n: formatCount(view.transcript.dropped, locale), bytes: formatCount(view.transcript.droppedBytes, locale) },
                      view.transcript.dropped,
                    )}
                  </span>
                )}
              </span>
            )}
            <span className="muted small">{t('sender.export')}</span>
            <button className="button small" data-testid="script-export-pcap" title={t('script.pcapHint')} onClick={() => void exportPcap()}>
              pcap
            </button>
          </div>
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
