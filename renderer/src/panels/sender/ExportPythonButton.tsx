import { useState } from 'react';
import { senderErrorText } from '../../i18n/sender-text.ts';
import { saveFile } from '../../shell/save-file.ts';
import { useClient, useLocale, useT } from '../../store/store-context.tsx';

/** "Export as Python": the backend writes the session as a program (shared/export/python.ts); the page offers it as a file. */
export function ExportPythonButton({ sessionId }: { sessionId: string }) {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const exportNow = async () => {
    const r = await client.invoke('sender.exportPython', { sessionId });
    if (!r.ok) return setError(senderErrorText(locale, r.error));
    setError(null);
    saveFile(r.value.name, 'text/x-python', r.value.program);
  };
  return (
    <>
      <button className="button small" title={t('sender.exportPythonHint')} data-testid="export-python" onClick={() => void exportNow()}>
        {t('sender.exportPython')}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
