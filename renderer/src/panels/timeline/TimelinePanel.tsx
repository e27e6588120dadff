import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { experimentKindSchema, type CaptureStatus } from '../../../../shared/contract/timeline.ts';
import { timeWaitSeconds } from '../../../../shared/timeline/tcp-state-machine.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { saveFile } from '../../shell/save-file.ts';
import { useResolvedTheme } from '../../shell/use-theme.ts';
import type { TimelineSource } from '../../store/timeline-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { SegmentDetails } from './SegmentDetails.tsx';
import { palette, SequenceDiagram } from './SequenceDiagram.tsx';
import { analyzeStream, buildRows, streamsOf } from './timeline-rows.ts';
import { captureAdvice, problemSummaryZh } from '../../../../shared/timeline/capture-advice.ts';
import { localizeMarkerDetail, localizeReadProblem } from './timeline-zh.ts';

const experiments = experimentKindSchema.options;

export function TimelinePanel() {
  const t = useT();
  const tl = useApp((s) => s.timeline);
  const load = useApp((s) => s.loadTimelineCapabilities);
  const importCapture = useApp((s) => s.importCapture);
  const setTimeline = useApp((s) => s.setTimeline);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!tl.capabilities) void load();
  }, [tl.capabilities, load]);

  const source = tl.sources.find((s) => s.id === tl.selected) ?? null;

  async function openFiles(files: FileList | null) {
    const file = files?.[0];
    if (!file) return;
    if (!/\.(pcap|pcapng|cap|dmp)$/i.test(file.name) && file.type !== 'application/vnd.tcpdump.pcap') {
      setTimeline({ error: `${file.name}: not a .pcap or .pcapng file` });
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
    <section className={`timeline-panel${dragging ? ' dragging' : ''}${source ? ' has-source' : ''}`} data-testid="timeline-panel" onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      <div className="tl-controls">
        <ExperimentsCard />
        <WatchCard />
        <div className="card tl-card">
          <h3>{t('tl.fileCard')}</h3>
          <label className="button tl-open">
            {t('tl.open')}
            <input type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" data-testid="pcap-input" onChange={(e) => void openFiles(e.target.files)} hidden />
          </label>
          <p className="field-hint">{t('tl.drop')}</p>
        </div>
      </div>
      {tl.error && <p className="field-error tl-error" role="alert" data-testid="timeline-error">{tl.error}</p>}
      <SourceTabs />
      {source ? <SourceView source={source} /> : (
        <div className="empty tl-empty" data-testid="timeline-empty">
          <h2>{t('tl.emptyTitle')}</h2>
          <p className="empty-summary">{t('tl.emptyBody')}</p>
          {tl.capabilities && (tl.capabilities.capture.available ? (
            <p className="muted" data-testid="capture-ready">{t('tl.capture.on', { tool: tl.capabilities.capture.tool ?? 'tcpdump' })}</p>
          ) : (
            <CaptureOff capture={tl.capabilities.capture} />
          ))}
          <p className="empty-learn"><strong>{t('empty.learn')}:</strong> {t('timeline.learn')}</p>
        </div>
      )}
    </section>
  );
}

function ExperimentsCard() {
  const t = useT();
  const run = useApp((s) => s.runExperiment);
  const busy = useApp((s) => s.timeline.busy);
  return (
    <div className="card tl-card">
      <h3>{t('tl.experiments')}</h3>
      <p className="field-hint">{t('tl.experimentsHint')}</p>
      <div className="tl-exp-buttons">
        {experiments.map((k) => (
          <button key={k} className="button small" disabled={busy} data-testid={`experiment-${k}`} onClick={() => void run(k)}>{t(`tl.exp.${k}` as MessageKey)}</button>
        ))}
      </div>
    </div>
  );
}

function WatchCard() {
  const t = useT();
  const tl = useApp((s) => s.timeline);
  const setTimeline = useApp((s) => s.setTimeline);
  const watch = useApp((s) => s.watchPort);
  const [portError, setPortError] = useState<string | null>(null);
  const start = () => {
    const port = Number(tl.watchPort);
    if (!/^\d+$/.test(tl.watchPort.trim()) || port < 1 || port > 65535) return setPortError(`${t('tl.port')}: 1–65535`);
    if (tl.watchHost.trim() && !/^[0-9a-fA-F:.]+$/.test(tl.watchHost.trim())) return setPortError(`${t('tl.host')}: IP`);
    setPortError(null);
    void watch(port, tl.watchHost.trim() || undefined);
  };
  return (
    <div className="card tl-card">
      <h3>{t('tl.watch')}</h3>
      <p className="field-hint">{t('tl.watchHint')}</p>
      <div className="tl-watch-row">
        <input className="input" aria-label={t('tl.host')} placeholder="127.0.0.1" value={tl.watchHost} onChange={(e) => setTimeline({ watchHost: e.target.value })} />
        <input className={`input tl-port${portError ? ' invalid' : ''}`} aria-label={t('tl.port')} placeholder={t('tl.port')} value={tl.watchPort} data-testid="watch-port" onChange={(e) => setTimeline({ watchPort: e.target.value })} onKeyDown={(e) => e.key === 'Enter' && start()} />
        <button className="button small" onClick={start} disabled={tl.busy}>{t('tl.start')}</button>
      </div>
      {portError && <p className="field-error">{portError}</p>}
    </div>
  );
}

function SourceTabs() {
  const t = useT();
  const tl = useApp((s) => s.timeline);
  const select = useApp((s) => s.selectSource);
  const remove = useApp((s) => s.removeSource);
  if (tl.sources.length === 0) return null;
  return (
    <div className="tl-sources" role="tablist" aria-label={t('tl.sources')}>
      {tl.sources.map((s) => (
        <div key={s.id} className={`tl-source${s.id === tl.selected ? ' active' : ''}`}>
          <button role="tab" aria-selected={s.id === tl.selected} onClick={() => select(s.id)} data-testid="timeline-source">
            <span className={`status-dot ${s.status.phase === 'error' ? 'disconnected' : s.status.phase === 'done' ? 'connected' : 'connecting'}`} aria-hidden="true" />
            {s.kind === 'experiment' ? t(`tl.exp.${s.experiment!}` as MessageKey) : s.label}
          </button>
          <button className="icon-button" aria-label={t('tl.remove')} title={t('tl.remove')} onClick={() => remove(s.id)}>×</button>
        </div>
      ))}
    </div>
  );
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function SourceView({ source }: { source: TimelineSource }) {
  const t = useT();
  const theme = useResolvedTheme();
  const absolute = useApp((s) => s.timeline.absolute);
  const frame = useApp((s) => s.timeline.frame);
  const setTimeline = useApp((s) => s.setTimeline);
  const selectStream = useApp((s) => s.selectStream);
  const openFileStream = useApp((s) => s.openFileStream);
  const stop = useApp((s) => s.stopTimeline);
  const reconnect = useApp((s) => s.reconnectSession);
  const session = useApp((s) => (source.sessionId ? (s.sender.sessions.find((x) => x.info.id === source.sessionId) ?? null) : null));
  const svgRef = useRef<SVGSVGElement>(null);

  // Derived, never stored: connections, the chosen one's analysis and its rows.
  const streams = useMemo(() => streamsOf(source.packets), [source.packets]);
  // A watched port follows its newest connection until the user picks one.
  const streamIndex = source.stream < 0 ? streams.length - 1 : Math.min(source.stream, streams.length - 1);
  const stream = streams[streamIndex];
  const analysis = useMemo(() => (stream ? analyzeStream(stream) : null), [stream]);
  const locale = useLocale();
  const markers = useMemo(() => source.markers.map((m) => ({ ...m, detail: localizeMarkerDetail(m.detail, locale) })), [source.markers, locale]);
  const rows = useMemo(() => (analysis ? buildRows(analysis, markers, source.kernel) : []), [analysis, markers, source.kernel]);
  const live = source.kind !== 'file';
  // A client session that was connected before the capture began: its handshake is not here.
  const handshakeMissed = session !== null && session.info.kind === 'tcp-client' && source.status.phase === 'capturing' && !streams.some((s) => s.client === session.info.local && !s.guessed);
  // Tick once a second only while a TIME_WAIT countdown is on screen: re-drawing a big diagram
  // every second for nothing is work on the UI thread.
  const counting = live && analysis !== null && (analysis.states.client.at(-1)?.state === 'TIME_WAIT' || analysis.states.server.at(-1)?.state === 'TIME_WAIT');
  const now = useNow(counting);

  const confirmed = useMemo(() => {
    const c = { client: new Set<string>(), server: new Set<string>() };
    for (const k of source.kernel) if (analysis && k.client === analysis.client) c[k.side].add(k.state);
    return c;
  }, [source.kernel, analysis]);

  // TIME_WAIT's countdown: the kernel's own timer when it was read (/proc), else this OS's default
  // from the packet that started it.
  const platform = useApp((s) => s.info?.platform ?? 'linux');
  const timeWaitLeft = { client: null as number | null, server: null as number | null };
  if (analysis && live) {
    for (const side of ['client', 'server'] as const) {
      const last = analysis.states[side].at(-1);
      if (last?.state !== 'TIME_WAIT') continue;
      const k = source.kernel.filter((x) => x.client === analysis.client && x.side === side && x.state === 'TIME_WAIT' && x.timerSec !== null).at(-1);
      timeWaitLeft[side] = k ? k.timerSec! - (now / 1000 - (k.tsSec + k.tsNs / 1e9)) : timeWaitSeconds(platform) - (now / 1000 - (analysis.startSec + analysis.startNs / 1e9 + last.t));
    }
  }

  const packetOf = (f: number | null) => (f === null || !stream ? null : source.packets.find((p) => p.frame === f && stream.packets.some((q) => q.frame === f)) ?? null);
  const seg = analysis?.segments.find((g) => g.frame === frame) ?? null;
  const wscale = seg ? (seg.from === 'client' ? analysis!.synOptions.client?.wscale : analysis!.synOptions.server?.wscale) ?? null : null;
  const fileName = `wirelab-${(analysis?.client ?? 'timeline').replace(/[^\w.-]+/g, '_')}`;

  const exportSvg = () => {
    if (svgRef.current) saveFile(`${fileName}.svg`, 'image/svg+xml', new XMLSerializer().serializeToString(svgRef.current));
  };
  const exportPng = () => {
    const svg = svgRef.current;
    if (!svg) return;
    const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }));
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = svg.width.baseVal.value * 2;
      canvas.height = svg.height.baseVal.value * 2;
      const ctx = canvas.getContext('2d')!;
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => void blob?.arrayBuffer().then((b) => saveFile(`${fileName}.png`, 'image/png', new Uint8Array(b))), 'image/png');
    };
    img.src = url;
  };

  const cap = source.status.capture;
  return (
    <div className="tl-view" data-testid="timeline-view" data-phase={source.status.phase}>
      <div className="tl-view-head">
        <span className="badge subtle" data-testid="timeline-status">{t(`tl.status.${source.status.phase}` as MessageKey)}</span>
        {cap?.available && <span className="muted small">{t('tl.capture.on', { tool: cap.tool ?? 'tcpdump' })}</span>}
        {source.kind === 'watch' && source.status.phase === 'capturing' && <button className="button small" onClick={() => void stop(source.id)}>{t('tl.stop')}</button>}
        <span className="tl-spacer" />
        <label className="field-inline">
          <input type="checkbox" checked={absolute} onChange={(e) => setTimeline({ absolute: e.target.checked })} data-testid="absolute-toggle" /> {t('tl.absolute')}
        </label>
        <button className="button small" onClick={exportSvg} disabled={!analysis}>{t('tl.exportSvg')}</button>
        <button className="button small" onClick={exportPng} disabled={!analysis}>{t('tl.exportPng')}</button>
      </div>
      {source.status.phase === 'error' && <p className="field-error" role="alert">{source.status.message}</p>}
      {cap && !cap.available && (
        <CaptureOff capture={cap} />
      )}
      {source.experiment && <p className="tl-look" data-testid="look-for">{t(`tl.look.${source.experiment}` as MessageKey)}</p>}
      {source.file && (
        <div className="tl-file">
          <p className="muted">{t('tl.fileSummary', { format: source.file.format ?? '?', frames: source.file.frames, tcp: source.file.tcpPackets, n: source.file.streams.length })}</p>
          {source.file.problem && <p className="field-error" role="alert" data-testid="file-problem">{t('tl.fileProblem', { message: localizeReadProblem(source.file.problem, locale) })}</p>}
          {source.file.streams.length === 0 && <p className="muted">{t('tl.fileNoTcp')}</p>}
          {source.file.streams.length > 1 && (
            <label className="field-inline">
              {t('tl.connections')}
              <select value={source.file.openStream ?? 0} onChange={(e) => void openFileStream(source.id, Number(e.target.value))} data-testid="file-streams">
                {source.file.streams.map((s) => (
                  <option key={s.index} value={s.index}>{`#${s.index} ${t('tl.connRow', { client: s.client, server: s.server, packets: s.packets, bytes: s.bytes })}${s.hasRst ? ' · RST' : ''}`}</option>
                ))}
              </select>
            </label>
          )}
          {source.file.truncated && <p className="muted">{t('tl.fileTruncatedStream')}</p>}
        </div>
      )}
      {live && streams.length > 1 && (
        <label className="field-inline">
          {t('tl.connections')}
          <select value={streamIndex} onChange={(e) => selectStream(Number(e.target.value))} data-testid="live-streams">
            {streams.map((s, i) => (
              <option key={i} value={i}>{t('tl.connRow', { client: s.client, server: s.server, packets: s.packets.length, bytes: s.packets.reduce((n, p) => n + p.len, 0) })}</option>
            ))}
          </select>
        </label>
      )}
      {source.droppedPackets > 0 && <p className="muted">{t('tl.dropped', { n: source.droppedPackets })}</p>}
      {handshakeMissed && (
        <p className="notice info" data-testid="handshake-missed">
          <span>{t('tl.handshakeBefore')}</span>
          <button className="button small" data-testid="reconnect-capture" onClick={() => void reconnect(session.info.id)}>{t('tl.reconnectCapture')}</button>
        </p>
      )}
      {analysis?.guessed && !handshakeMissed && <p className="notice warning"><span>{t('tl.guessed')}</span></p>}
      {analysis ? (
        <div className="tl-body">
          <div className="tl-diagram">
            <SequenceDiagram
              ref={svgRef}
              analysis={analysis}
              rows={rows}
              absolute={absolute}
              selectedFrame={frame}
              onSelect={(f) => setTimeline({ frame: f })}
              t={t}
              colors={palette(theme)}
              timeWaitLeft={timeWaitLeft}
              confirmed={confirmed}
            />
          </div>
          <SegmentDetails seg={seg} packet={packetOf(frame)} wscale={wscale} />
        </div>
      ) : source.status.phase === 'done' || source.status.phase === 'error' || (cap && !cap.available) ? (
        <Evidence source={source} />
      ) : (
        <p className="muted">{t('tl.waiting')}</p>
      )}
    </div>
  );
}

/** Why there are no packets, how to allow capture, and what Wirelab shows instead. */
function CaptureOff({ capture }: { capture: CaptureStatus }) {
  const t = useT();
  const locale = useLocale();
  const platform = useApp((s) => s.info?.platform ?? 'linux');
  // In Chinese: the problem and the advice in Chinese, then the program's own words as it said them.
  const zh = locale === 'zh-CN' && capture.code !== null;
  const reason = zh ? problemSummaryZh(capture.code!, capture.tool) : (capture.reason ?? '');
  const howTo = zh ? captureAdvice(capture.code!, platform, 'zh-CN') : capture.howTo;
  return (
    <div className="notice warning tl-capture-off" data-testid="capture-off">
      <span>
        <strong>{t('tl.capture.off', { reason })}</strong>
        {zh && capture.reason && (
          <>
            <br />
            <small className="muted">{t('tl.capture.original', { text: capture.reason })}</small>
          </>
        )}
        <br />
        {howTo && t('tl.capture.howTo', { howTo })}
        <br />
        {t('tl.capture.fallback')}
      </span>
    </div>
  );
}

/** Without packets: the sockets' events and the kernel's states, in time order. */
function Evidence({ source }: { source: TimelineSource }) {
  const t = useT();
  const locale = useLocale();
  const rows = [
    ...source.markers.map((m) => ({ at: m.tsSec + m.tsNs / 1e9, side: m.side, what: `${t(`tl.ev.${m.event}` as MessageKey)} — ${localizeMarkerDetail(m.detail, locale)}` })),
    ...source.kernel.map((k) => ({ at: k.tsSec + k.tsNs / 1e9, side: k.side, what: `✓ ${t('tl.kernel')}: ${k.state}${k.timerSec !== null ? ` (${k.timerSec.toFixed(1)} s)` : ''}` })),
  ].sort((a, b) => a.at - b.at);
  if (rows.length === 0) return null;
  const t0 = rows[0]!.at;
  return (
    <div data-testid="evidence">
      <p className="muted">{t('tl.noPackets')}</p>
      <table className="table">
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td className="mono">{((r.at - t0) * 1000).toFixed(3)} ms</td>
              <td>{t(r.side === 'client' ? 'tl.client' : 'tl.server')}</td>
              <td className="mono">{r.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

