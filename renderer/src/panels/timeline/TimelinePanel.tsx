import { useEffect, useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { errorText } from '../../i18n/error-text.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { CaptureOff } from './CaptureOff.tsx';
import { ExperimentsCard } from './ExperimentsCard.tsx';
import { LinkLab } from './LinkLab.tsx';
import { SourceTabs } from './SourceTabs.tsx';
import { SourceView } from './SourceView.tsx';
import { WatchCard } from './WatchCard.tsx';

/** The handshake timeline: where evidence comes from (experiments, a port, a file) and the chosen one drawn. */
export function TimelinePanel() {
  const t = useT();
  const locale = useLocale();
  const { capabilities, error } = useApp(useShallow((s) => ({ capabilities: s.timeline.capabilities, error: s.timeline.error })));
  const source = useApp((s) => s.timeline.sources.find((x) => x.id === s.timeline.selected) ?? null);
  const load = useApp((s) => s.loadTimelineCapabilities);
  const importCapture = useApp((s) => s.importCapture);
  const setTimeline = useApp((s) => s.setTimeline);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!capabilities) void load();
  }, [capabilities, load]);

  async function openFiles(files: FileList | null) {
    const file = files?.[0];
    if (!file) return;
    if (!/\.(pcap|pcapng|cap|dmp)$/i.test(file.name) && file.type !== 'application/vnd.tcpdump.pcap') {
      setTimeline({ error: { code: 'NOT_A_CAPTURE_NAME', message: `${file.name}: not a .pcap or .pcapng file`, params: { name: file.name } } });
      return;
    }
    await importCapture(file.name, new Uint8Array(await file.arrayBuffer()));
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void openFiles(e.dataTransfer.files);
  };

  return (
    <section
      className={`timeline-panel${dragging ? ' dragging' : ''}${source ? ' has-source' : ''}`}
      data-testid="timeline-panel"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="tl-controls">
        <ExperimentsCard />
        <WatchCard />
        <div className="card tl-card">
          <h3>{t('tl.fileCard')}</h3>
          <label className="button tl-open">
            {t('tl.open')}
            <input
              type="file"
              accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap"
              data-testid="pcap-input"
              onChange={(e) => void openFiles(e.target.files)}
              hidden
            />
          </label>
          <p className="field-hint">{t('tl.drop')}</p>
        </div>
        <LinkLab />
      </div>
      {error && (
        <p className="field-error tl-error" role="alert" data-testid="timeline-error" data-code={error.code}>
          {errorText(locale, error)}
        </p>
      )}
      <SourceTabs />
      {source ? (
        <SourceView source={source} />
      ) : (
        <div className="empty tl-empty" data-testid="timeline-empty">
          <h2>{t('tl.emptyTitle')}</h2>
          <p className="empty-summary">{t('tl.emptyBody')}</p>
          {capabilities &&
            (capabilities.capture.available ? (
              <p className="muted" data-testid="capture-ready">
                {t('tl.capture.on', { tool: capabilities.capture.tool ?? 'tcpdump' })}
              </p>
            ) : (
              <CaptureOff capture={capabilities.capture} />
            ))}
          <p className="empty-learn">
            <strong>{t('empty.learn')}:</strong> {t('timeline.learn')}
          </p>
        </div>
      )}
    </section>
  );
}
