import { memo, useState } from 'react';
import { presetIds, type PresetId } from '../../../../shared/presets/presets.ts';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { useApp, useClient, useLocale, useT } from '../../store/store-context.tsx';

/** Course experiments: one click opens a server and its clients, first messages sent (shared/presets/presets.ts). */
export const PresetsCard = memo(function PresetsCard() {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const sync = useApp((s) => s.syncSessions);
  const setActive = useApp((s) => s.setActiveSession);
  const [id, setId] = useState<PresetId>('header-protocol');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('presets.open', { id });
    setBusy(false);
    if (!r.ok) return setError(senderErrorText(locale, r.error));
    await sync();
    // the last client: its log shows the experiment from the client's side
    const last = r.value.sessions.at(-1);
    if (last) setActive(last);
  };
  return (
    <section className="card presets" aria-label={t('preset.title')} data-testid="presets">
      <h2>{t('preset.title')}</h2>
      <div className="field">
        <label htmlFor="preset-id">{t('preset.choose')}</label>
        <select id="preset-id" value={id} onChange={(e) => setId(e.target.value as PresetId)}>
          {presetIds.map((p) => (
            <option key={p} value={p}>
              {t(`preset.${p}.name`)}
            </option>
          ))}
        </select>
      </div>
      <p className="muted small" data-testid="preset-line">
        {t(`preset.${id}.line`)}
      </p>
      <button className="button" data-testid="preset-open" disabled={busy} onClick={() => void open()}>
        {t('preset.open')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
});
