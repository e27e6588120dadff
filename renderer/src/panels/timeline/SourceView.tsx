import { useMemo, useRef, useState } from 'react';
import { segmentArrivals } from '../../../../shared/timeline/link-join.ts';
import { inTimeWait, timeWaitLeft } from '../../../../shared/timeline/time-wait.ts';
import { codeText } from '../../i18n/error-text.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useResolvedTheme } from '../../shell/use-theme.ts';
import type { TimelineSource } from '../../store/timeline-slice.ts';
import { useApp, useLocale, useT } from '../../store/store-context.tsx';
import { CaptureOff } from './CaptureOff.tsx';
import { exportPng, exportSvg } from './diagram-export.ts';
import { Evidence } from './Evidence.tsx';
import { FileSummary } from './FileSummary.tsx';
import { GraphView } from './GraphView.tsx';
import { LinkSummary } from './LinkSummary.tsx';
import { markerText } from './marker-text.ts';
import { SegmentDetails } from './SegmentDetails.tsx';
import { palette, SequenceDiagram } from './SequenceDiagram.tsx';
import { analyzeStreamColumns, buildRows, streamsOf, withSegments } from './timeline-rows.ts';
import { useNow } from './use-now.ts';

/** One timeline: its status, the connection chosen, the diagram and the selected segment. */
export function SourceView({ source }: { source: TimelineSource }) {
  const t = useT();
  const locale = useLocale();
  const theme = useResolvedTheme();
  const absolute = useApp((s) => s.timeline.absolute);
  const frame = useApp((s) => s.timeline.frame);
  const platform = useApp((s) => s.info?.platform ?? 'linux');
  const setTimeline = useApp((s) => s.setTimeline);
  const selectStream = useApp((s) => s.selectStream);
  const stop = useApp((s) => s.stopTimeline);
  const reconnect = useApp((s) => s.reconnectSession);
  const session = useApp((s) => (source.sessionId ? (s.sender.sessions.find((x) => x.info.id === source.sessionId) ?? null) : null));
  const svgRef = useRef<SVGSVGElement>(null);
  const [view, setView] = useState<'diagram' | 'graphs'>('diagram');

  // Derived, never stored: connections, the chosen one's analysis and its rows.
  const streams = useMemo(() => streamsOf(source.packets), [source.packets]);
  // A watched port follows its newest connection until the user picks one.
  const streamIndex = source.stream < 0 ? streams.length - 1 : Math.min(source.stream, streams.length - 1);
  const stream = streams[streamIndex];
  // A link experiment's join with the server's capture, as two columns beside the segments' (a
  // stream's packets are its segments, in order): the analysis reads it too, for the server's
  // segments that only the server's capture has.
  const arrivals = useMemo(
    () =>
      stream && source.arrivals
        ? segmentArrivals(
            Uint32Array.from(stream.packets, (p) => p.frame),
            source.arrivals,
          )
        : null,
    [stream, source.arrivals],
  );
  // Analysed once as columns (what the graphs read); the diagram's segments are made from them.
  const columns = useMemo(() => (stream ? analyzeStreamColumns(stream, arrivals?.arrived) : null), [stream, arrivals]);
  // Captured at both ends, the server's lane is the server capture's (end-lanes.ts), not inferred from the client's.
  const serverLane = stream ? source.serverLanes?.find((l) => l.client === stream.client && l.server === stream.server) : undefined;
  const analysis = useMemo(() => {
    if (!columns) return null;
    const a = withSegments(columns);
    return serverLane ? { ...a, states: { client: a.states.client, server: serverLane.states } } : a;
  }, [columns, serverLane]);
  const markers = useMemo(() => source.markers.map((m) => ({ ...m, detail: markerText(locale, m) })), [source.markers, locale]);
  const rows = useMemo(() => (analysis ? buildRows(analysis, markers, source.kernel) : []), [analysis, markers, source.kernel]);
  const live = source.kind !== 'file';
  // A client session that was connected before the capture began: its handshake is not here.
  const handshakeMissed =
    session !== null &&
    session.info.kind === 'tcp-client' &&
    source.status.phase === 'capturing' &&
    !streams.some((s) => s.client === session.info.local && !s.guessed);
  // Tick once a second only while a TIME_WAIT countdown is on screen: re-drawing a big diagram
  // every second for nothing is work on the UI thread.
  const counting = live && analysis !== null && inTimeWait(analysis);
  const now = useNow(counting);

  const confirmed = useMemo(() => {
    const c = { client: new Set<string>(), server: new Set<string>() };
    for (const k of source.kernel) if (analysis && k.client === analysis.client) c[k.side].add(k.state);
    return c;
  }, [source.kernel, analysis]);
  const left = analysis && live ? timeWaitLeft(analysis, source.kernel, platform, now) : { client: null, server: null };

  const packetOf = (f: number | null) =>
    f === null || !stream ? null : (source.packets.find((p) => p.frame === f && stream.packets.some((q) => q.frame === f)) ?? null);
  const segIndex = analysis ? analysis.segments.findIndex((g) => g.frame === frame) : -1;
  const seg = segIndex >= 0 ? analysis!.segments[segIndex]! : null;
  const wscale = seg ? ((seg.from === 'client' ? analysis!.synOptions.client?.wscale : analysis!.synOptions.server?.wscale) ?? null) : null;
  const fileName = `wirelab-${(analysis?.client ?? 'timeline').replace(/[^\w.-]+/g, '_')}`;

  const cap = source.status.capture;
  const status = source.status;
  return (
    <div className="tl-view" data-testid="timeline-view" data-phase={status.phase}>
      <div className="tl-view-head">
        <span className="badge subtle" data-testid="timeline-status">
          {t(`tl.status.${status.phase}` as MessageKey)}
        </span>
        {cap?.available && <span className="muted small">{t('tl.capture.on', { tool: cap.tool ?? 'tcpdump' })}</span>}
        {source.kind === 'watch' && status.phase === 'capturing' && (
          <button className="button small" onClick={() => void stop(source.id)}>
            {t('tl.stop')}
          </button>
        )}
        <span className="tl-spacer" />
        <label className="field-inline">
          <input type="checkbox" checked={absolute} onChange={(e) => setTimeline({ absolute: e.target.checked })} data-testid="absolute-toggle" />{' '}
          {t('tl.absolute')}
        </label>
        {view === 'diagram' && (
          <>
            <button className="button small" onClick={() => svgRef.current && exportSvg(svgRef.current, fileName)} disabled={!analysis}>
              {t('tl.exportSvg')}
            </button>
            <button className="button small" onClick={() => svgRef.current && exportPng(svgRef.current, fileName)} disabled={!analysis}>
              {t('tl.exportPng')}
            </button>
          </>
        )}
      </div>
      {status.phase === 'error' && (
        <p className="field-error" role="alert" data-code={status.code}>
          {(status.code && codeText(locale, status.code, status.params)) ?? status.message}
        </p>
      )}
      {cap && !cap.available && <CaptureOff capture={cap} />}
      {source.experiment && (
        <p className="tl-look" data-testid="look-for">
          {t(`tl.look.${source.experiment}` as MessageKey)}
        </p>
      )}
      {source.link && (
        <p className="tl-look" data-testid="look-for">
          {t(`tl.link.lesson.${source.link.experiment}` as MessageKey)} {source.tcpInfo.length > 0 && `(${t('tl.link.samples', { n: source.tcpInfo.length })})`}
        </p>
      )}
      {source.link && source.linkLoss && <LinkSummary link={source.link} loss={source.linkLoss} />}
      {source.link && status.phase === 'done' && status.code && (
        <p className="notice warning" data-testid="link-notice" data-code={status.code}>
          {codeText(locale, status.code, status.params) ?? status.message}
        </p>
      )}
      {source.file && <FileSummary source={source} file={source.file} />}
      {live && streams.length > 1 && (
        <label className="field-inline">
          {t('tl.connections')}
          <select value={streamIndex} onChange={(e) => selectStream(Number(e.target.value))} data-testid="live-streams">
            {streams.map((s, i) => (
              <option key={i} value={i}>
                {t('tl.connRow', { client: s.client, server: s.server, packets: s.packets.length, bytes: s.packets.reduce((n, p) => n + p.len, 0) })}
              </option>
            ))}
          </select>
        </label>
      )}
      {source.droppedPackets > 0 && <p className="muted">{t('tl.dropped', { n: source.droppedPackets })}</p>}
      {handshakeMissed && (
        <p className="notice info" data-testid="handshake-missed">
          <span>{t('tl.handshakeBefore')}</span>
          <button className="button small" data-testid="reconnect-capture" onClick={() => void reconnect(session.info.id)}>
            {t('tl.reconnectCapture')}
          </button>
        </p>
      )}
      {analysis?.guessed && !handshakeMissed && (
        <p className="notice warning">
          <span>{t('tl.guessed')}</span>
        </p>
      )}
      {analysis && (
        <div className="segmented tl-view-switch" role="radiogroup" aria-label={t('tl.view.graphs')}>
          {(['diagram', 'graphs'] as const).map((v) => (
            <button key={v} role="radio" aria-checked={view === v} className={view === v ? 'active' : ''} onClick={() => setView(v)} data-testid={`view-${v}`}>
              {t(`tl.view.${v}`)}
            </button>
          ))}
        </div>
      )}
      {analysis && view === 'graphs' ? (
        <GraphView analysis={columns!} tcpInfo={source.tcpInfo} fileName={fileName} />
      ) : analysis ? (
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
              timeWaitLeft={left}
              confirmed={confirmed}
              arrived={arrivals?.arrived}
            />
          </div>
          <SegmentDetails
            seg={seg}
            prev={seg ? (analysis.segments[segIndex - 1] ?? null) : null}
            packet={packetOf(frame)}
            wscale={wscale}
            arrival={arrivals && segIndex >= 0 ? { arrived: arrivals.arrived[segIndex]!, oneWayMs: arrivals.oneWayMs[segIndex]! } : null}
          />
        </div>
      ) : status.phase === 'done' || status.phase === 'error' || (cap && !cap.available) ? (
        <Evidence source={source} />
      ) : (
        <p className="muted">{t('tl.waiting')}</p>
      )}
    </div>
  );
}
