import type { ChartSeries } from './Chart.tsx';
import type { Columns } from './decimate.ts';

interface View {
  width: number;
  height: number;
  x: { min: number; max: number };
  y: { min: number; max: number };
  xLabel: string;
  yLabel: string;
  dark: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000));

/** Five round tick values across [min, max]. */
function ticks(min: number, max: number): number[] {
  const span = max - min || 1;
  const step0 = span / 5;
  const p = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(v);
  return out;
}

/**
 * The chart's visible rows as a standalone SVG (for slides and reports: it scales without
 * blurring), drawn the way the canvas draws them: lines, steps, points and bars, with axes.
 */
export function chartSvg(data: Columns, series: ChartSeries[], v: View): string {
  const m = { l: 80, r: 16, t: 16, b: 44 };
  const w = v.width - m.l - m.r;
  const h = v.height - m.t - m.b;
  const sx = (x: number) => m.l + ((x - v.x.min) / (v.x.max - v.x.min || 1)) * w;
  const sy = (y: number) => m.t + h - ((y - v.y.min) / (v.y.max - v.y.min || 1)) * h;
  const fg = v.dark ? '#cbd5e1' : '#334155';
  const grid = v.dark ? '#1e293b' : '#e2e8f0';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${v.width}" height="${v.height}" viewBox="0 0 ${v.width} ${v.height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="${v.dark ? '#0f172a' : '#ffffff'}"/>`,
  ];
  for (const t of ticks(v.x.min, v.x.max)) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.t}" y2="${m.t + h}" stroke="${grid}"/>`);
    out.push(`<text x="${sx(t)}" y="${m.t + h + 14}" text-anchor="middle" fill="${fg}">${num(t)}</text>`);
  }
  for (const t of ticks(v.y.min, v.y.max)) {
    out.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="${grid}"/>`);
    out.push(`<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end" fill="${fg}">${num(t)}</text>`);
  }
  out.push(`<text x="${m.l + w / 2}" y="${v.height - 8}" text-anchor="middle" fill="${fg}">${esc(v.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${m.t + h / 2}) rotate(-90)" text-anchor="middle" fill="${fg}">${esc(v.yLabel)}</text>`);
  out.push(`<clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${w}" height="${h}"/></clipPath><g clip-path="url(#plot)">`);
  const xs = data[0];
  series.forEach((s, k) => {
    const ys = data[k + 1]!;
    if (s.style === 'hidden') return;
    const attrs = `stroke="${s.color}" stroke-width="${s.width ?? 1.5}"`;
    if (s.style === 'bar') {
      const base = data[s.from!]!;
      const d: string[] = [];
      for (let i = 0; i < xs.length; i++) {
        const a = base[i];
        const b = ys[i];
        if (a !== null && a !== undefined && b !== null && b !== undefined) d.push(`M${sx(xs[i]!).toFixed(1)} ${sy(a).toFixed(1)}V${sy(b).toFixed(1)}`);
      }
      out.push(`<path d="${d.join('')}" ${attrs} fill="none"><title>${esc(s.label)}</title></path>`);
    } else if (s.style === 'points') {
      for (let i = 0; i < xs.length; i++) {
        const y = ys[i];
        if (y !== null && y !== undefined) out.push(`<circle cx="${sx(xs[i]!).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
      }
    } else {
      const d: string[] = [];
      let prev: number | null = null;
      for (let i = 0; i < xs.length; i++) {
        const y = ys[i];
        if (y === null || y === undefined) continue;
        const px = sx(xs[i]!).toFixed(1);
        if (prev === null) d.push(`M${px} ${sy(y).toFixed(1)}`);
        else if (s.style === 'step') d.push(`H${px}V${sy(y).toFixed(1)}`);
        else d.push(`L${px} ${sy(y).toFixed(1)}`);
        prev = y;
      }
      out.push(`<path d="${d.join('')}" ${attrs} fill="none"><title>${esc(s.label)}</title></path>`);
    }
  });
  out.push('</g>');
  series
    .filter((s) => s.style !== 'hidden')
    .forEach((s, k) => {
      out.push(`<rect x="${m.l + 8 + k * 150}" y="${m.t + 4}" width="10" height="10" fill="${s.color}"/>`);
      out.push(`<text x="${m.l + 22 + k * 150}" y="${m.t + 13}" fill="${fg}">${esc(s.label)}</text>`);
    });
  out.push('</svg>');
  return out.join('\n');
}
