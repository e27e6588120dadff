import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartSvg } from './chart-svg.ts';
import { decimate, type Columns } from './decimate.ts';

/**
 * How one column is drawn: a line (gaps bridged: an ACK line between ACKs), points, or vertical
 * bars from another column's value to this one's (tcptrace's segments and SACK blocks). Hidden
 * columns only serve as a bar's base.
 */
export interface ChartSeries {
  label: string;
  color: string;
  style: 'line' | 'step' | 'points' | 'bar' | 'hidden';
  /** For bars: the index in `data` (1-based, as uPlot counts) of the column the bar starts at. */
  from?: number;
  width?: number;
  /** Bars only: also mark each bar's top with a dot this many px wide (so a few retransmissions show when zoomed out). */
  marker?: number;
}

export interface ChartHandle {
  /** The chart as drawn (axes and series), as PNG bytes at the screen's pixel ratio. */
  png(): Promise<Uint8Array>;
  /** The visible range as an SVG document (the same decimated rows the canvas shows). */
  svg(): string;
  resetZoom(): void;
  /** The visible x range, for tests and the status line. */
  range(): { min: number; max: number };
}

interface Props {
  data: Columns;
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  dark: boolean;
  height?: number;
  ariaLabel: string;
  testId?: string;
  /** Called with the visible x range after each zoom or pan. */
  onRange?: (min: number, max: number) => void;
}

/** Vertical bars from column `from` to this series' value, at each row that has both. */
function barPaths(from: number, marker: number): uPlot.Series.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const xs = u.data[0];
    const top = u.data[seriesIdx]!;
    const base = u.data[from]!;
    const p = new Path2D();
    const dots = marker ? new Path2D() : null;
    const r = (marker / 2) * devicePixelRatio;
    for (let i = idx0; i <= idx1; i++) {
      const a = base[i];
      const b = top[i];
      if (a === null || a === undefined || b === null || b === undefined) continue;
      const x = Math.round(u.valToPos(xs[i]!, 'x', true)) + 0.5;
      p.moveTo(x, u.valToPos(a, 'y', true));
      p.lineTo(x, u.valToPos(b, 'y', true));
      if (dots) {
        const y = u.valToPos(b, 'y', true);
        dots.moveTo(x + r, y);
        dots.arc(x, y, r, 0, 2 * Math.PI);
      }
    }
    return { stroke: p, fill: dots, clip: undefined, flags: 0 };
  };
}

/**
 * The app's one chart: uPlot on a canvas, fed through min/max decimation per pixel column so a
 * million-row series draws as fast as a thousand-row one; drag to zoom a time range, the wheel
 * to zoom around the pointer, Shift+drag to pan, double-click to see everything again.
 */
export const Chart = forwardRef<ChartHandle, Props>(function Chart({ data, series, xLabel, yLabel, dark, height = 360, ariaLabel, testId, onRange }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const full = useRef<Columns>(data);
  const onRangeRef = useRef(onRange);
  onRangeRef.current = onRange;

  useImperativeHandle(ref, () => ({
    png: async () => {
      const u = plot.current!;
      const src = u.ctx.canvas;
      const out = document.createElement('canvas');
      out.width = src.width;
      out.height = src.height;
      const ctx = out.getContext('2d')!;
      ctx.fillStyle = dark ? '#0f172a' : '#ffffff';
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(src, 0, 0);
      const blob = await new Promise<Blob | null>((r) => out.toBlob(r, 'image/png'));
      return new Uint8Array(await blob!.arrayBuffer());
    },
    svg: () => {
      const u = plot.current!;
      return chartSvg(u.data as unknown as Columns, series, {
        width: u.width,
        height: u.height,
        x: { min: u.scales.x!.min!, max: u.scales.x!.max! },
        y: { min: u.scales.y!.min!, max: u.scales.y!.max! },
        xLabel,
        yLabel,
        dark,
      });
    },
    resetZoom: () => {
      const u = plot.current;
      const x = full.current[0];
      if (u && x.length) u.setScale('x', { min: x[0]!, max: x[x.length - 1]! });
    },
    range: () => ({ min: plot.current?.scales.x?.min ?? 0, max: plot.current?.scales.x?.max ?? 0 }),
  }));

  useEffect(() => {
    const el = host.current!;
    full.current = data;
    const xs0 = data[0];
    const spanAll = xs0.length ? xs0[xs0.length - 1]! - xs0[0]! : 0;
    // A coarse copy, 32 columns per pixel of the whole range, decimated once: while the view
    // covers at least an eighth of the data it still has ≥ 4 columns per pixel, and a zoom step
    // reads it instead of every row (a million-row stream: ~150,000 rows a step, not 1,000,000).
    const coarse = xs0.length > 200_000 ? decimate(data, xs0[0]!, xs0[xs0.length - 1]!, Math.max(300, el.clientWidth) * 32) : null;
    const text = dark ? '#cbd5e1' : '#334155';
    const grid = dark ? '#1e293b' : '#e2e8f0';
    const width = Math.max(300, el.clientWidth);
    const x = data[0];
    const xMin = x.length ? x[0]! : 0;
    const xMax = x.length ? x[x.length - 1]! : 1;
    let busy = false;
    const opts: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false } },
      legend: { show: true, live: false },
      cursor: { drag: { x: true, y: false, setScale: true } },
      axes: [
        { label: xLabel, stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } },
        { label: yLabel, stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 80 },
      ],
      series: [
        { label: xLabel },
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          show: s.style !== 'hidden',
          spanGaps: s.style === 'line' || s.style === 'step',
          fill: s.style === 'bar' && s.marker ? s.color : undefined,
          points: s.style === 'points' ? { show: true, size: 5, fill: s.color, stroke: s.color } : { show: false },
          paths:
            s.style === 'bar'
              ? barPaths(s.from!, s.marker ?? 0)
              : s.style === 'step'
                ? uPlot.paths.stepped!({ align: 1 })
                : s.style === 'points'
                  ? () => null
                  : undefined,
        })),
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || busy) return;
            // Re-decimate for the new range from the full data, then keep the range.
            busy = true;
            const min = u.scales.x!.min!;
            const max = u.scales.x!.max!;
            const source = coarse && (max - min) * 8 >= spanAll ? coarse : full.current;
            u.setData(decimate(source, min, max, u.bbox.width / devicePixelRatio) as uPlot.AlignedData, false);
            u.setScale('x', { min, max });
            busy = false;
            onRangeRef.current?.(min, max);
          },
        ],
      },
    };
    const u = new uPlot(opts, decimate(data, xMin, xMax, width) as uPlot.AlignedData, el);
    plot.current = u;
    // A hidden column (a bar's base) has no place in the legend.
    const rows = u.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
    const skip = rows.length > series.length ? 1 : 0;
    series.forEach((s, i) => {
      if (s.style === 'hidden' && rows[i + skip]) rows[i + skip]!.style.display = 'none';
    });

    // Wheel: zoom around the pointer's time.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const { min, max } = { min: u.scales.x!.min!, max: u.scales.x!.max! };
      const at = u.posToVal(e.offsetX, 'x');
      const f = e.deltaY < 0 ? 0.8 : 1.25;
      const lo = Math.max(xMin, at - (at - min) * f);
      const hi = Math.min(xMax, at + (max - at) * f);
      if (hi > lo) u.setScale('x', { min: lo, max: hi });
    };
    // Shift+drag: pan (caught before uPlot's own drag-to-zoom).
    let pan: { x: number; min: number; max: number } | null = null;
    const onDown = (e: MouseEvent) => {
      if (!e.shiftKey) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      pan = { x: e.clientX, min: u.scales.x!.min!, max: u.scales.x!.max! };
    };
    const onMove = (e: MouseEvent) => {
      if (!pan) return;
      const perPx = (pan.max - pan.min) / u.over.clientWidth;
      let d = (pan.x - e.clientX) * perPx;
      d = Math.max(xMin - pan.min, Math.min(xMax - pan.max, d));
      u.setScale('x', { min: pan.min + d, max: pan.max + d });
    };
    const onUp = () => (pan = null);
    u.over.addEventListener('wheel', onWheel, { passive: false });
    u.over.addEventListener('mousedown', onDown, true);
    window.addEventListener('mousemove', onMove);
    window.addEventListener('mouseup', onUp);
    const resize = new ResizeObserver(() => {
      const w = Math.max(300, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      window.removeEventListener('mousemove', onMove);
      window.removeEventListener('mouseup', onUp);
      u.destroy();
      plot.current = null;
    };
  }, [data, series, xLabel, yLabel, dark, height]);

  return <div ref={host} className="chart" role="figure" aria-label={ariaLabel} data-testid={testId} />;
});
