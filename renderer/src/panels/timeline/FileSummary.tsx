import type { TimelineSource } from '../../store/timeline-slice.ts';
import { codeText } from '../../i18n/error-text.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';

/** An imported file: what it holds, where reading stopped, and which conversation is drawn. */
export function FileSummary({ source, file }: { source: TimelineSource; file: NonNullable<TimelineSource['file']> }) {
  const t = useT();
  const locale = useLocale();
  const openFileStream = useApp((s) => s.openFileStream);
  const problem = file.problem;
  return (
    <div className="tl-file">
      <p className="muted">{t('tl.fileSummary', { format: file.format ?? '?', frames: file.frames, tcp: file.tcpPackets, n: file.streams.length })}</p>
      {problem && (
        <p className="field-error" role="alert" data-testid="file-problem" data-code={problem.code}>
          {t('tl.fileProblem', {
            message: t('tl.fileProblemAt', {
              message: codeText(locale, problem.code, problem.params) ?? problem.message,
              offset: problem.offset,
              n: problem.framesRead,
            }),
          })}
        </p>
      )}
      {file.streams.length === 0 && <p className="muted">{t('tl.fileNoTcp')}</p>}
      {file.streams.length > 1 && (
        <label className="field-inline">
          {t('tl.connections')}
          <select value={file.openStream ?? 0} onChange={(e) => void openFileStream(source.id, Number(e.target.value))} data-testid="file-streams">
            {file.streams.map((s) => (
              <option
                key={s.index}
                value={s.index}
              >{`#${s.index} ${t('tl.connRow', { client: s.client, server: s.server, packets: s.packets, bytes: s.bytes })}${s.hasRst ? ' · RST' : ''}`}</option>
            ))}
          </select>
        </label>
      )}
      {file.truncated && <p className="muted">{t('tl.fileTruncatedStream')}</p>}
    </div>
  );
}
