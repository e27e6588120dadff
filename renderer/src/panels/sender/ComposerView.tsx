import { memo, useEffect, useMemo, useState } from 'react';
import type { SessionView } from '../../store/sender-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { WirelabError, type WirelabErrorData } from '../../../../shared/contract/errors.ts';
import { useClient } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { LibraryBar } from './LibraryBar.tsx';
import { parseHex, spacedHex, toBase64, utf8Encode } from '../../../../shared/sender/payload.ts';
import { strictDecoder, typedBytes, typedChunks, writeTyped, type TypedMode } from '../../../../shared/sender/payload-convert.ts';
import type { ContractClient } from '../../client/contract-client.ts';
import { formatByteCount, formatCount } from '../../../../shared/format/number.ts';
import { describeFraming, frameParts } from '../../../../shared/sender/framing.ts';
import { parseHeaderFields } from '../../../../shared/sender/header-fields.ts';

/** Files up to 12 MiB; the bytes go base64-encoded through the contract. */
const maxFileBytes = 12 * 1024 * 1024;

/**
 * The bytes of the box in `mode`. UTF-8 and hex are read here; GBK needs iconv-lite, which is
 * on the backend, so GBK text goes through sender.preview (512 bytes at most per call, hence
 * the chunks) and the bytes are exactly the ones Send would write.
 */
async function bytesOf(client: ContractClient, mode: TypedMode, text: string, encoding: 'utf8' | 'gbk'): Promise<Uint8Array> {
  if (mode === 'hex' || encoding === 'utf8') return typedBytes(mode, text, utf8Encode);
  const parts: Uint8Array[] = [];
  for (const chunk of typedChunks(mode, text)) {
    const r = await client.invoke('sender.preview', { payload: { mode, text: chunk, encoding, lineEnding: 'none' } });
    if (!r.ok) throw new WirelabError(r.error.code, r.error.message, r.error.field, r.error.params);
    parts.push(parseHex(r.value.hex));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * What wraps the message on its way out: the session's outgoing framing, and for header-json the
 * extra header fields, the header exactly as it will be sent and every length (the 4-byte
 * prefix, the header, the body) — nothing to count by hand. A file on the host streams as one
 * such message, whatever its size (sender.sendFile).
 */
function OutgoingFraming({ session, bodyBytes }: { session: SessionView; bodyBytes: number | null }) {
  const t = useT();
  const locale = useLocale();
  const c = useApp((s) => s.sender.composer);
  const set = useApp((s) => s.setComposer);
  const sendHostFile = useApp((s) => s.sendHostFile);
  const error = useApp((s) => s.sender.sendError);
  const f = session.framingOut;
  const head = useMemo(() => {
    if (f.kind !== 'header-json' || bodyBytes === null) return null;
    try {
      const fields = c.headerText.trim() ? parseHeaderFields(c.headerText, 'header') : {};
      const parts = frameParts(f, bodyBytes, fields);
      return { json: new TextDecoder().decode(parts.head.subarray(4)), headBytes: parts.head.length - 4, error: null };
    } catch (e) {
      return {
        json: '',
        headBytes: 0,
        error: e instanceof WirelabError ? senderErrorText(locale, { code: e.code, message: e.message, params: e.params }) : String(e),
      };
    }
  }, [f, bodyBytes, c.headerText, locale]);
  const closed = session.info.state !== 'open';
  return (
    <div className="outgoing" data-testid="outgoing-framing">
      <p className="field-hint">{t('sender.outFraming', { framing: describeFraming(f) })}</p>
      {f.kind === 'header-json' && (
        <>
          <Field
            id="composer-header"
            label={t('sender.headerFields')}
            hint={t('sender.headerFields.hint', { key: f.sizeKey })}
            placeholder='{"operate": "upload", "filename": "a.bin"}'
            value={c.headerText}
            onChange={(v) => set({ headerText: v })}
            error={head?.error ?? (error?.field === 'header' ? senderErrorText(locale, error) : null)}
          />
          {head && !head.error && bodyBytes !== null && (
            <p className="field-hint mono" data-testid="header-preview">
              {t('sender.headerPreview', {
                head: formatCount(head.headBytes, locale),
                body: formatCount(bodyBytes, locale),
                total: formatCount(4 + head.headBytes + bodyBytes, locale),
              })}{' '}
              <code>{head.json}</code>
            </p>
          )}
        </>
      )}
      {session.info.kind !== 'udp' && (
        <div className="host-file">
          <Field
            id="composer-host-path"
            label={t('sender.hostFile')}
            hint={t('sender.hostFile.hint')}
            placeholder="/home/me/a.bin"
            value={c.hostPath}
            onChange={(v) => set({ hostPath: v })}
            error={error?.field === 'hostPath' ? senderErrorText(locale, error) : null}
          />
          <button className="button" data-testid="send-host-file" disabled={closed} onClick={() => void sendHostFile()}>
            {t('sender.hostFile.send')}
          </button>
        </div>
      )}
    </div>
  );
}

export const ComposerView = memo(function ComposerView({ session }: { session: SessionView }) {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const c = useApp((s) => s.sender.composer);
  const set = useApp((s) => s.setComposer);
  const send = useApp((s) => s.sendComposer);
  const error = useApp((s) => s.sender.sendError);
  const setDest = useApp((s) => s.setDestination);
  const toggleRepeat = useApp((s) => s.toggleRepeat);
  const repeating = useApp((s) => !!s.sender.repeating[session.info.id]);
  const [preview, setPreview] = useState<{ length: number; hex: string } | { error: string | Pick<WirelabErrorData, 'code' | 'message' | 'params'> } | null>(
    null,
  );
  // Why the last mode switch did not convert the box, until the next switch or edit.
  const [convertNote, setConvertNote] = useState<string | null>(null);
  const decode = useMemo(() => strictDecoder(c.encoding === 'gbk' ? 'gbk' : 'utf-8'), [c.encoding]);
  const switchMode = async (to: 'text' | 'hex' | 'escaped' | 'file') => {
    const from = c.mode;
    setConvertNote(null);
    if (from === to || from === 'file' || to === 'file' || c.text === '') return set({ mode: to });
    let bytes: Uint8Array;
    try {
      bytes = await bytesOf(client, from, c.text, c.encoding);
    } catch (e) {
      // What is typed is not valid in its own mode: switch, keep it as typed, and say why.
      // A WirelabError (bad hex, a bad escape, GBK refused by the backend) is worded from its code.
      const message =
        e instanceof WirelabError
          ? senderErrorText(locale, { code: e.code, message: e.message, params: e.params })
          : e instanceof Error
            ? e.message
            : String(e);
      setConvertNote(t('sender.convert.failed', { message }));
      return set({ mode: to });
    }
    const text = writeTyped(to, bytes, decode);
    if (text === null) return setConvertNote(t('sender.convert.notText', { encoding: c.encoding === 'gbk' ? 'GBK' : 'UTF-8' }));
    set({ mode: to, text });
  };

  // The byte preview comes from the backend (GBK is encoded there); debounced so typing stays smooth.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void client
        .invoke('sender.preview', {
          payload:
            c.mode === 'file'
              ? { mode: 'file', text: c.fileText, encoding: c.encoding, lineEnding: 'none' }
              : { mode: c.mode, text: c.text, encoding: c.encoding, lineEnding: c.lineEnding },
        })
        .then((r) => {
          if (live) setPreview(r.ok ? r.value : { error: r.error });
        });
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, c.mode, c.text, c.fileText, c.encoding, c.lineEnding]);

  const closed = session.info.state !== 'open';
  const payloadError =
    error && (error.field === 'payload' || error.field === null)
      ? senderErrorText(locale, error)
      : preview && 'error' in preview
        ? typeof preview.error === 'string'
          ? preview.error
          : senderErrorText(locale, preview.error)
        : null;
  return (
    <section className="composer" aria-label={t('sender.compose')}>
      <div className="composer-bar">
        <div className="segmented" role="radiogroup" aria-label={t('sender.compose')}>
          {(['text', 'hex', 'escaped', 'file'] as const).map((m) => (
            <button
              key={m}
              role="radio"
              aria-checked={c.mode === m}
              className={c.mode === m ? 'active' : ''}
              data-testid={`mode-${m}`}
              onClick={() => void switchMode(m)}
            >
              {t(`sender.mode.${m}`)}
            </button>
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
            {(['none', 'lf', 'crlf'] as const).map((le) => (
              <option key={le} value={le}>
                {t(`sender.le.${le}`)}
              </option>
            ))}
          </select>
        </label>
        {session.info.kind === 'udp' && (
          <div className="dest">
            <span className="muted">{t('sender.dest')}</span>
            <input
              className="input mono"
              aria-label={t('sender.host')}
              value={session.destHost}
              onChange={(e) => setDest(session.info.id, e.target.value, session.destPort)}
            />
            <input
              className={`input mono port${error?.field === 'port' ? ' invalid' : ''}`}
              aria-label={t('sender.port')}
              data-testid="dest-port"
              placeholder={t('sender.port')}
              value={session.destPort}
              onChange={(e) => setDest(session.info.id, session.destHost, e.target.value)}
            />
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
                setPreview({
                  error: t('sender.fileTooBig', { name: f.name, size: formatByteCount(f.size, locale), max: formatByteCount(maxFileBytes, locale) }),
                });
                return;
              }
              void f.arrayBuffer().then((buf) => set({ fileName: f.name, fileText: toBase64(new Uint8Array(buf)) }));
            }}
          />
          {c.fileName && (
            <span className="mono" data-testid="file-name">
              {c.fileName}
            </span>
          )}
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
          <Field
            id="composer-text"
            multiline
            label={t('sender.compose')}
            value={c.text}
            onChange={(v) => {
              setConvertNote(null);
              set({ text: v });
            }}
            error={payloadError}
            placeholder={c.mode === 'hex' ? '48 65 6c 6c 6f' : c.mode === 'escaped' ? 'GET / HTTP/1.1\\r\\n\\r\\n' : '你好'}
          />
        </div>
      )}
      {convertNote && (
        <p className="field-hint" role="status" data-testid="convert-note">
          {convertNote}
        </p>
      )}
      {c.mode === 'file' && payloadError && (
        <p className="field-error" role="alert" data-testid="file-error">
          {payloadError}
        </p>
      )}
      {error && error.field !== 'payload' && error.field !== null && error.field !== 'header' && error.field !== 'hostPath' && (
        <p className="field-error" role="alert" data-testid="send-error">
          {senderErrorText(locale, error)}
        </p>
      )}
      <p className="field-hint">{t('sender.macros')}</p>
      <OutgoingFraming session={session} bodyBytes={preview && 'length' in preview ? preview.length : null} />
      <LibraryBar />
      <div className="composer-foot">
        <span className="muted" data-testid="byte-count">
          {preview && 'length' in preview ? t('sender.bytes', { n: formatCount(preview.length, locale) }, preview.length) : ''}
        </span>
        <code className="hex-preview" data-testid="hex-preview" title={t('sender.preview')}>
          {preview && 'hex' in preview ? spacedHex(preview.hex) : ''}
        </code>
        <span className="spacer" />
        <label className="field-inline repeat">
          <span>{t('sender.repeatEvery')}</span>
          <input
            className={`input mono${error?.field === 'intervalMs' ? ' invalid' : ''}`}
            aria-label={t('sender.repeatEvery')}
            data-testid="repeat-ms"
            value={c.repeatMs}
            onChange={(e) => set({ repeatMs: e.target.value })}
          />
          <span>ms ×</span>
          <input
            className={`input mono${error?.field === 'count' ? ' invalid' : ''}`}
            aria-label={t('sender.repeatTimes')}
            title={t('sender.repeatTimes')}
            data-testid="repeat-count"
            value={c.repeatCount}
            onChange={(e) => set({ repeatCount: e.target.value })}
          />
        </label>
        <button className={repeating ? 'button warnbtn' : 'button'} data-testid="repeat" disabled={closed && !repeating} onClick={() => void toggleRepeat()}>
          {repeating ? t('sender.repeatStop') : t('sender.repeat')}
        </button>
        <span className="muted small">{t('sender.sendHint')}</span>
        <button className="button primary" data-testid="send" disabled={closed} onClick={() => void send()}>
          {t('sender.send')}
        </button>
      </div>
    </section>
  );
});
