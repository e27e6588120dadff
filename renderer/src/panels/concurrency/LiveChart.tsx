const W = 560;
const H = 140;
const PAD = 4;

/** A polyline of `values` scaled to the box, as an SVG path ('' for fewer than two points). */
export function linePath(values: number[], max: number, width = W, height = H): string {
  if (values.length < 2 || max <= 0) return '';
  const step = (width - 2 * PAD) / (values.length - 1);
  return values
    .map((v, i) => `${i ? 'L' : 'M'}${(PAD + i * step).toFixed(1)},${(height - PAD - (Math.min(v, max) / max) * (height - 2 * PAD)).toFixed(1)}`)
    .join('');
}

export interface ChartLine {
  label: string;
  values: number[];
  /** How the legend prints the line's largest value. */
  format: (max: number) => string;
  className: string;
}

/**
 * A live chart: each line on its own scale (its maximum at the top), drawn as plain SVG — a few
 * hundred points a line need no chart library. The last 240 points (a minute at 4 a second).
 */
export function LiveChart({ lines, testid }: { lines: ChartLine[]; testid: string }) {
  const shown = lines.map((l) => ({ ...l, values: l.values.slice(-240) }));
  const points = Math.max(0, ...shown.map((l) => l.values.length));
  return (
    <figure className="cc-chart" data-testid={testid} data-points={points}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={lines.map((l) => l.label).join(' / ')} preserveAspectRatio="none">
        <rect x="0" y="0" width={W} height={H} className="cc-chart-bg" />
        {shown.map((l) => (
          <path key={l.label} d={linePath(l.values, Math.max(1e-9, ...l.values))} className={l.className} />
        ))}
      </svg>
      <figcaption className="muted small">
        {shown.map((l) => (
          <span key={l.label} className={`cc-key ${l.className}-key`}>
            {l.label} (max {l.format(Math.max(0, ...l.values))})
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
