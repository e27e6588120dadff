import { memo, useMemo, useState } from 'react';
import type { HttpExchangeData } from '../../../../shared/contract/clients.ts';
import { WirelabError } from '../../../../shared/contract/errors.ts';
import { buildHttpRequest } from '../../../../shared/http/request.ts';
import { visibleText } from '../../../../shared/sender/payload.ts';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { useClient, useLocale, useT } from '../../store/store-context.tsx';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;

/**
 * The HTTP request composer: method, URL, headers, body; the exact bytes that will be sent,
 * built by the same function the backend sends with (shared/http/request.ts); the response
 * parsed by the backend (status, headers, body, chunked transfer decoded).
 */
export const HttpCard = memo(function HttpCard() {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [method, setMethod] = useState<string>('GET');
  const [url, setUrl] = useState('http://127.0.0.1:8000/');
  const [headers, setHeaders] = useState('Accept: */*');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<HttpExchangeData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headerLines = headers.split('\n');
  const preview = useMemo(() => {
    try {
      const { bytes } = buildHttpRequest({ method, url, headers: headerLines, body: new TextEncoder().encode(body) });
      return { text: new TextDecoder().decode(bytes), bytes: bytes.length, error: null };
    } catch (e) {
      if (e instanceof WirelabError) return { text: '', bytes: 0, error: senderErrorText(locale, e.toData()) };
      throw e;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- headerLines is derived from headers
  }, [method, url, headers, body, locale]);

  const send = async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('http.request', { method, url, headers: headerLines, body });
    setBusy(false);
    if (r.ok) setAnswer(r.value);
    else {
      setAnswer(null);
      setError(senderErrorText(locale, r.error));
    }
  };

  return (
    <section className="card http" aria-label={t('http.title')} data-testid="http-card">
      <h2>{t('http.title')}</h2>
      <p className="muted small">{t('http.hint')}</p>
      <div className="http-line">
        <div className="field">
          <label htmlFor="http-method">{t('http.method')}</label>
          <select id="http-method" value={method} onChange={(e) => setMethod(e.target.value)}>
            {methods.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="http-url">{t('http.url')}</label>
          <input id="http-url" className="input mono" spellCheck={false} value={url} onChange={(e) => setUrl(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="http-headers">{t('http.headers')}</label>
        <textarea id="http-headers" className="input mono" rows={3} spellCheck={false} value={headers} onChange={(e) => setHeaders(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="http-body">{t('http.body')}</label>
        <textarea id="http-body" className="input mono" rows={3} spellCheck={false} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <div className="field">
        <span className="label">{t('http.willSend', { n: preview.bytes })}</span>
        {preview.error ? (
          <p className="field-error" role="alert" data-testid="http-preview-error">
            {preview.error}
          </p>
        ) : (
          <pre className="mono http-bytes" data-testid="http-preview">
            {preview.text.split('\r\n').map((l, i, all) => (
              <span key={i}>
                {visibleText(l)}
                {i < all.length - 1 ? <span className="muted">\r\n</span> : null}
                {i < all.length - 1 ? '\n' : null}
              </span>
            ))}
          </pre>
        )}
      </div>
      <button className="button primary" data-testid="http-send" disabled={busy || preview.error !== null} onClick={() => void send()}>
        {busy ? t('http.sending') : t('http.send')}
      </button>
      {error && (
        <p className="field-error" role="alert" data-testid="http-error">
          {error}
        </p>
      )}
      {answer && (
        <div data-testid="http-response">
          <p className="mono">
            HTTP/1.1 {answer.status} {answer.reason}
            <span className="muted small">
              {' '}
              · {t('http.received', { n: answer.bytesReceived, body: answer.bodyBytes, how: t(`http.framing.${answer.framing}`) })}
            </span>
          </p>
          <table className="http-headers">
            <tbody>
              {answer.rawHeaders.map(([k, v], i) => (
                <tr key={i}>
                  <th className="mono">{k}</th>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <pre className="mono http-body">{answer.body}</pre>
        </div>
      )}
    </section>
  );
});
