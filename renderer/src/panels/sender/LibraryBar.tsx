import { useEffect, useRef, useState } from 'react';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { errorText } from '../../i18n/error-text.ts';
import { saveFile } from '../../shell/save-file.ts';

/** Saved packets: load one into the composer, save the composer, delete, import and export a JSON file. */
export function LibraryBar() {
  const t = useT();
  const locale = useLocale();
  const library = useApp((s) => s.library.packets);
  const message = useApp((s) => s.library.message);
  const load = useApp((s) => s.loadLibrary);
  const save = useApp((s) => s.savePacket);
  const use = useApp((s) => s.usePacket);
  const remove = useApp((s) => s.deletePacket);
  const importPackets = useApp((s) => s.importPackets);
  const exportPackets = useApp((s) => s.exportPackets);
  const [selected, setSelected] = useState('');
  const [name, setName] = useState('');
  const file = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void load();
  }, [load]);

  async function download() {
    const json = await exportPackets();
    if (json === null) return;
    saveFile('wirelab-packets.json', 'application/json', json);
  }

  return (
    <div className="library" data-testid="library">
      <select
        aria-label={t('sender.lib.saved')}
        data-testid="library-select"
        value={selected}
        onChange={(e) => {
          setSelected(e.target.value);
          if (e.target.value) use(e.target.value);
        }}
      >
        <option value="">
          {t('sender.lib.saved')} ({library.length})
        </option>
        {library.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <button
        className="button small"
        disabled={!selected}
        onClick={() => {
          void remove(selected);
          setSelected('');
        }}
      >
        {t('sender.lib.delete')}
      </button>
      <span className="lib-sep" />
      <input
        className="input"
        aria-label={t('sender.lib.name')}
        placeholder={t('sender.lib.name')}
        data-testid="library-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button className="button small" data-testid="library-save" onClick={() => void save(name).then(() => setName(''))}>
        {t('sender.lib.save')}
      </button>
      <span className="lib-sep" />
      <button className="button small" onClick={() => file.current?.click()}>
        {t('sender.lib.import')}
      </button>
      <input
        ref={file}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="library-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void f.text().then((text) => importPackets(text));
          e.target.value = '';
        }}
      />
      <button className="button small" data-testid="library-export" onClick={() => void download()}>
        {t('sender.lib.export')}
      </button>
      {message && (
        <span className={message.ok ? 'muted small' : 'field-error'} role={message.ok ? undefined : 'alert'} data-testid="library-message">
          {message.ok ? t('sender.lib.imported', { n: message.text }) : message.error ? errorText(locale, message.error) : message.text}
        </span>
      )}
    </div>
  );
}
