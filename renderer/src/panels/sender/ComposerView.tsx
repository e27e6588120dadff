import { memo, useEffect, useState } from 'react';
import type { SessionView } from '../../store/sender-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';
import type { WirelabErrorData } from '../../../../shared/contract/errors.ts';
import { useClient } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { LibraryBar } from './LibraryBar.tsx';
import { spacedHex, toBase64 } from '../../../../shared/sender/payload.ts';

/** Files up to 12 MiB; the bytes go base64-encoded through the contract. */
const maxFileBytes = 12 * 1024 * 1024;


export const ComposerView = memo(function ComposerView({ session }: { session: SessionView }) {
  const t = useT();
  const client = useClient();
  const c = useApp((s) => s.sender.composer);
  const set = useApp((s) => s.setComposer);
  const send = useApp((s) => s.sendComposer);
  const error = useApp((s) => s.sender.sendError);
  const setDest = useApp((s) => s.setDestination);
  const toggleRepeat = useApp((s) => s.toggleRepeat);
  const repeating = useApp((s) => !!s.sender.repeating[session.info.id]);
  const [preview, setPreview] = useState<{ length: number; hex: string } | { error: string | Pick<WirelabErrorData, 'code' | 'message' | 'params'> } | null>(null);

  // The byte preview comes from the backend (GBK is encoded there); debounced so typing stays smooth.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void client.invoke('sender.preview', { payload: c.mode === 'file' ? { mode: 'file', text: c.fileText, encoding: c.encoding, lineEnding: 'none' } : { mode: c.mode, text: c.text, encoding: c.encoding, lineEnding: c.lineEnding } }).then((r) => {
        if (live) setPreview(r.ok ? r.value : { error: r.error });
      });
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, c.mode, c.text, c.fileText, c.encoding, c.lineEnding]);

  const locale = useLocale();
  const closed = session.info.state !== 'open';
  const payloadError = error && (error.field === 'payload' || error.field === null) ? senderErrorText(locale, error) : preview && 'error' in preview ? (typeof preview.error === 'string' ? preview.error : senderErrorText(locale, preview.error)) : null;
  return (
    <section className="composer" aria-label={t('sender.compose')}>
      <div className="composer-bar">
        <div className="segmented" role="radiogroup" aria-label={t('sender.compose')}>
          {(['text', 'hex', 'escaped', 'file'] as const).map((m) => (
            <button key={m} role="radio" aria-checked={c.mode === m} className={c.mode === m ? 'active' : ''} data-testid={`mode-${m}`} onClick={() => set({ mode: m })}>{t(`sender.mode.${m}`)}</button>
          ))}
        </div>
        <label className="field-inline">
          <span>{t('sender.encoding')}</span>
          <select value={c.encoding} onChange={(e) => set({ encoding: e.target.value as 'utf8' | 'gbk' })} aria-label={t('sender.encoding')}>
            <option value="utf8">UTF-8</option>
            <option value="gbk">GBK</option>
          </select>
        </label>
        <label className="field-inline">
          <span>{t('sender.lineEnding')}</span>
          <select value={c.lineEnding} onChange={(e) => set({ lineEnding: e.target.value as 'none' | 'lf' | 'crlf' })} aria-label={t('sender.lineEnding')}>
            {(['none', 'lf', 'crlf'] as const).map((le) => <option key={le} value={le}>{t(`sender.le.${le}`)}</option>)}
          </select>
        </label>
        {session.info.kind === 'udp' && (
          <div className="dest">
            <span className="muted">{t('sender.dest')}</span>
            <input className="input mono" aria-label={t('sender.host')} value={session.destHost} onChange={(e) => setDest(session.info.id, e.target.value, session.destPort)} />
            <input className={`input mono port${error?.field === 'port' ? ' invalid' : ''}`} aria-label={t('sender.port')} data-testid="dest-port" placeholder={t('sender.port')} value={session.destPort} onChange={(e) => setDest(session.info.id, session.destHost, e.target.value)} />
          </div>
        )}
      </div>
      {c.mode === 'file' ? (
        <div className="file-pick">
          <input
            type="file"
            data-testid="composer-file"
            aria-label={t('sender.mode.file')}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              if (f.size > maxFileBytes) {
                set({ fileName: '', fileText: '' });
                setPreview({ error: `file: ${f.name} is ${f.size.toLocaleString()} bytes; Wirelab sends files up to ${maxFileBytes.toLocaleString()} bytes at once` });
                return;
              }
              void f.arrayBuffer().then((buf) => set({ fileName: f.name, fileText: toBase64(new Uint8Array(buf)) }));
            }}
          />
          {c.fileName && <span className="mono" data-testid="file-name">{c.fileName}</span>}
        </div>
      ) : (
      <div
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void send();
          }
        }}
      >
        <Field id="composer-text" multiline label={t('sender.compose')} value={c.text} onChange={(v) => set({ text: v })} error={payloadError} placeholder={c.mode === 'hex' ? '48 65 6c 6c 6f' : c.mode === 'escaped' ? 'GET / HTTP/1.1\\r\\n\\r\\n' : '你好'} />
      </div>
      )}
      {c.mode === 'file' && payloadError && <p className="field-error" role="alert" data-testid="file-error">{payloadError}</p>}
      {error && error.field !== 'payload' && error.field !== null && <p className="field-error" role="alert" data-testid="send-error">{senderErrorText(locale, error)}</p>}
      <p className="field-hint">{t('sender.macros')}</p>
      <LibraryBar />
      <div className="composer-foot">
        <span className="muted" data-testid="byte-count">{preview && 'length' in preview ? t('sender.bytes', { n: preview.length }) : ''}</span>
        <code className="hex-preview" data-testid="hex-preview" title={t('sender.preview')}>{preview && 'hex' in preview ? spacedHex(preview.hex) : ''}</code>
        <span className="spacer" />
        <label className="field-inline repeat">
          <span>{t('sender.repeatEvery')}</span>
          <input className={`input mono${error?.field === 'intervalMs' ? ' invalid' : ''}`} aria-label={t('sender.repeatEvery')} data-testid="repeat-ms" value={c.repeatMs} onChange={(e) => set({ repeatMs: e.target.value })} />
          <span>ms ×</span>
          <input className={`input mono${error?.field === 'count' ? ' invalid' : ''}`} aria-label={t('sender.repeatTimes')} title={t('sender.repeatTimes')} data-testid="repeat-count" value={c.repeatCount} onChange={(e) => set({ repeatCount: e.target.value })} />
        </label>
        <button className={repeating ? 'button warnbtn' : 'button'} data-testid="repeat" disabled={closed && !repeating} onClick={() => void toggleRepeat()}>{repeating ? t('sender.repeatStop') : t('sender.repeat')}</button>
        <span className="muted small">{t('sender.sendHint')}</span>
        <button className="button primary" data-testid="send" disabled={closed} onClick={() => void send()}>{t('sender.send')}</button>
      </div>
    </section>
  );
});
