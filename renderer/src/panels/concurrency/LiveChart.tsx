import type { ChartPoint } from '../../store/concurrency-slice.ts';

const W = 560;
const H = 140;
const PAD = 4;

/** A polyline of `values` scaled to the box, as an SVG path ('' for fewer than two points). */
export function linePath(values: number[], max: number, width = W, height = H): string {
  if (values.length < 2 || max <= 0) return '';
  const step = (width - 2 * PAD) / (values.length - 1);
  return values.map((v, i) => `${i ? 'L' : 'M'}${(PAD + i * step).toFixed(1)},${(height - PAD - (Math.min(v, max) / max) * (height - 2 * PAD)).toFixed(1)}`).join('');
}

/**
 * The live chart: requests/s (solid) and p99 latency (dashed) per progress interval (250 ms),
 * each on its own scale, drawn as plain SVG — a few hundred points need no chart library.
 */
export function LiveChart({ points, labels }: { points: ChartPoint[]; labels: { rps: string; p99: string } }) {
  const shown = points.slice(-240);
  const maxRps = Math.max(1, ...shown.map((p) => p.rps));
  const maxP99 = Math.max(0.001, ...shown.map((p) => p.p99));
  return (
    <figure className="cc-chart" data-testid="cc-chart" data-points={shown.length}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${labels.rps} / ${labels.p99}`} preserveAspectRatio="none">
        <rect x="0" y="0" width={W} height={H} className="cc-chart-bg" />
        <path d={linePath(shown.map((p) => p.rps), maxRps)} className="cc-line-rps" />
        <path d={linePath(shown.map((p) => p.p99), maxP99)} className="cc-line-p99" />
      </svg>
      <figcaption className="muted small">
        <span className="cc-key-rps">━ {labels.rps} (max {Math.round(maxRps).toLocaleString()})</span>
        {'  '}
        <span className="cc-key-p99">┅ {labels.p99} (max {maxP99.toFixed(2)} ms)</span>
      </figcaption>
    </figure>
  );
}
