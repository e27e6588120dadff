import { useMemo, useRef, useState } from 'react';
import {
  busiestSide,
  graphKinds,
  graphSeries,
  seriesCsv,
  seriesLength,
  type CwndSample,
  type GraphKind,
  type GraphSeries,
} from '../../../../shared/timeline/graphs.ts';
import type { ColumnAnalysis, Side } from '../../../../shared/timeline/tcp-analysis.ts';
import { Chart, type ChartHandle, type ChartSeries } from '../../components/Chart.tsx';
import type { Columns } from '../../components/decimate.ts';
import { translate, type MessageKey } from '../../i18n/i18n.ts';
import { saveFile } from '../../shell/save-file.ts';
import { useResolvedTheme } from '../../shell/use-theme.ts';
import { useLocale, useT } from '../../store/store-context.tsx';

const light = { data: '#2563eb', resent: '#dc2626', ack: '#16a34a', rwnd: '#d97706', sack: '#9333ea', line: '#0891b2' };
const darkColors = { data: '#60a5fa', resent: '#f87171', ack: '#4ade80', rwnd: '#fbbf24', sack: '#c084fc', line: '#22d3ee' };

/** A graph's rows as the chart's columns, and how each is drawn. */
function chartOf(s: GraphSeries, label: (k: string) => string, colors: typeof light): { data: Columns; series: ChartSeries[] } {
  // The series' own columns (typed arrays, NaN for no value, which the chart reads as a gap).
  const x = s.t;
  const col = (i: number) => s.values[i]!;
  switch (s.kind) {
    case 'tcptrace': {
      // seq, seqEnd, retransmission, ack, edge, sackLeft, sackRight → bars split by whether they were sent again
      const resent = col(2);
      const end = col(1);
      const sent = end.map((v, i) => (resent[i] === 1 ? NaN : v));
      const again = end.map((v, i) => (resent[i] === 1 ? v : NaN));
      return {
        data: [x, col(0), sent, again, col(3), col(4), col(5), col(6)],
        series: [
          { label: label('seq'), color: colors.data, style: 'hidden' },
          { label: label('data'), color: colors.data, style: 'bar', from: 1, width: 2 },
          { label: label('resent'), color: colors.resent, style: 'bar', from: 1, width: 3, marker: 7 },
          { label: label('ack'), color: colors.ack, style: 'step' },
          { label: label('rwnd'), color: colors.rwnd, style: 'step' },
          { label: label('sack'), color: colors.sack, style: 'hidden' },
          { label: label('sack'), color: colors.sack, style: 'bar', from: 6, width: 3 },
        ],
      };
    }
    case 'stevens':
      return { data: [x, col(0)], series: [{ label: label('seq'), color: colors.data, style: 'points' }] };
    case 'throughput':
      return { data: [x, col(0)], series: [{ label: label('bps'), color: colors.line, style: 'line' }] };
    case 'rtt':
      return { data: [x, col(0)], series: [{ label: label('rtt'), color: colors.data, style: 'points' }] };
    case 'window':
      return {
        data: [x, col(0), col(1)],
        series: [
          { label: label('bif'), color: colors.data, style: 'points' },
          { label: label('rwnd'), color: colors.rwnd, style: 'step' },
        ],
      };
    case 'cwnd':
      return {
        data: [x, col(0), col(1)],
        series: [
          { label: label('cwnd'), color: colors.line, style: 'line' },
          { label: label('ssthresh'), color: colors.rwnd, style: 'step' },
        ],
      };
  }
}

/**
 * Wireshark's TCP stream graphs for the stream on screen: pick the graph and whose data it
 * shows, zoom and pan, export the picture (PNG, SVG) or the numbers (CSV). `tcpInfo` adds the
 * kernel's cwnd where an experiment sampled it.
 */
export function GraphView({ analysis, tcpInfo, fileName }: { analysis: ColumnAnalysis; tcpInfo?: readonly CwndSample[]; fileName: string }) {
  const t = useT();
  const dark = useResolvedTheme() === 'dark';
  const [kind, setKind] = useState<GraphKind>('tcptrace');
  const [picked, setPicked] = useState<Side | null>(null);
  const chart = useRef<ChartHandle>(null);
  // The visible time range, for the page (and its tests) to read: null until zoomed.
  const [range, setRange] = useState<string | null>(null);
  const direction = picked ?? busiestSide(analysis);
  const kinds: GraphKind[] = tcpInfo?.length ? [...graphKinds, 'cwnd'] : [...graphKinds];
  const series = useMemo(() => graphSeries(kind, analysis, direction, tcpInfo), [kind, analysis, direction, tcpInfo]);
  // Keyed on the locale, not on t (a new function each render): the chart is rebuilt only when what it draws changes.
  const locale = useLocale();
  const { data, series: drawn } = useMemo(
    () => chartOf(series, (k) => translate(locale, `tl.graph.s.${k}` as MessageKey), dark ? darkColors : light),
    [series, locale, dark],
  );
  const marked = kind === 'tcptrace' ? series.values[2]!.reduce((n, v) => n + (v === 1 ? 1 : 0), 0) : 0;
  const points = seriesLength(series);
  const name = `${fileName}-${kind}-${direction}`;
  const xs = data[0];
  const full = xs.length ? `${xs[0]} ${xs[xs.length - 1]}` : '';
  const pick = (k: GraphKind) => {
    setKind(k);
    setRange(null);
  };

  return (
    <div className="tl-graphs" data-testid="graph-view" data-kind={kind} data-full={full} data-range={range ?? full}>
      <div className="tl-graph-bar">
        <div className="segmented" role="radiogroup" aria-label={t('tl.view.graphs')}>
          {kinds.map((k) => (
            <button key={k} role="radio" aria-checked={k === kind} className={k === kind ? 'active' : ''} onClick={() => pick(k)} data-testid={`graph-${k}`}>
              {t(`tl.graph.kind.${k}` as MessageKey)}
            </button>
          ))}
        </div>
        <label className="field-inline">
          {t('tl.graph.direction')}
          <select
            value={direction}
            onChange={(e) => {
              setPicked(e.target.value as Side);
              setRange(null);
            }}
            data-testid="graph-direction"
          >
            <option value="client">{`${t('tl.client')} ${analysis.client}`}</option>
            <option value="server">{`${t('tl.server')} ${analysis.server}`}</option>
          </select>
        </label>
        <span className="tl-spacer" />
        <button className="button small" onClick={() => chart.current?.resetZoom()}>
          {t('tl.graph.reset')}
        </button>
        <button className="button small" onClick={() => void chart.current?.png().then((b) => saveFile(`${name}.png`, 'image/png', b))} data-testid="graph-png">
          {t('tl.exportPng')}
        </button>
        <button className="button small" onClick={() => chart.current && saveFile(`${name}.svg`, 'image/svg+xml', chart.current.svg())} data-testid="graph-svg">
          {t('tl.exportSvg')}
        </button>
        <button className="button small" onClick={() => saveFile(`${name}.csv`, 'text/csv', seriesCsv(series))} data-testid="graph-csv">
          {t('tl.graph.exportCsv')}
        </button>
      </div>
      <p className="tl-look">{t(`tl.graph.about.${kind}` as MessageKey, { ms: Math.round((series.windowSec ?? 0) * 1000) })}</p>
      {points === 0 ? (
        <p className="muted">{t('tl.graph.empty')}</p>
      ) : (
        <Chart
          ref={chart}
          data={data}
          series={drawn}
          xLabel={t('tl.graph.axis.time')}
          yLabel={t(`tl.graph.axis.${kind === 'window' ? 'window' : series.unit}` as MessageKey)}
          dark={dark}
          ariaLabel={t(`tl.graph.kind.${kind}` as MessageKey)}
          testId="graph-chart"
          onRange={(min, max) => setRange(`${min} ${max}`)}
        />
      )}
      <p className="muted small" data-testid="graph-status">
        {t('tl.graph.points', { n: points }, points)}
        {kind === 'tcptrace' && (
          <>
            {' · '}
            <span data-testid="graph-marked" data-count={marked}>
              {t('tl.graph.marked', { n: marked }, marked)}
            </span>
          </>
        )}
        {' · '}
        {t('tl.graph.hint')}
      </p>
    </div>
  );
}
