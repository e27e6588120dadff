import { forwardRef, useLayoutEffect, useRef, useState } from 'react';
import type { StreamAnalysis, StateChange } from '../../../../shared/timeline/tcp-analysis.ts';
import type { TcpState } from '../../../../shared/timeline/tcp-state-machine.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { badgeTexts } from './badge-text.ts';
import type { Row } from './timeline-rows.ts';

/**
 * The sequence diagram as one SVG: client and server lifelines, an arrow per segment, a state
 * lane beside each lifeline, the sockets' own events and the kernel's confirmations. Colours are
 * attributes, not CSS, so the exported SVG and PNG look exactly like the screen.
 */
export interface Palette {
  bg: string;
  text: string;
  muted: string;
  line: string;
  client: string;
  server: string;
  select: string;
  band: Record<'handshake' | 'data' | 'teardown', string>;
  badge: string;
  badgeText: string;
  /** "Lost on the link": ours, not one of Wireshark's badges, so not their red. */
  lost: string;
  ok: string;
  /** A state's hue: its lane's tint and edge. */
  state: (s: TcpState) => string;
  /** A state's label: the same hue, darker in light and lighter in dark, so it reads at 4.5:1 on its tinted lane. */
  stateText: (s: TcpState) => string;
}

/** [tint light, tint dark, label light, label dark] per state. */
const stateHue: Record<TcpState, [string, string, string, string]> = {
  // Labels measured at ≥ 4.8:1 (WCAG 2) against their own lane on the worst band they sit on
  // (handshake, teardown, the selected row), in the palette itself so the exported SVG and PNG
  // read as well as the screen.
  CLOSED: ['#9ca3af', '#6b7280', '#5a5f65', '#a3a8b0'],
  LISTEN: ['#94a3b8', '#64748b', '#565f6b', '#9ca6b5'],
  SYN_SENT: ['#f59e0b', '#fbbf24', '#7f5206', '#fbbf24'],
  SYN_RCVD: ['#f59e0b', '#fbbf24', '#7f5206', '#fbbf24'],
  ESTABLISHED: ['#16a34a', '#4ade80', '#0e682f', '#4ade80'],
  FIN_WAIT_1: ['#ea580c', '#fb923c', '#9a3a08', '#fb923c'],
  FIN_WAIT_2: ['#c2410c', '#fdba74', '#9b340a', '#fdba74'],
  CLOSE_WAIT: ['#9333ea', '#c084fc', '#792ac0', '#ca98fc'],
  CLOSING: ['#db2777', '#f472b6', '#a21d58', '#f686c0'],
  LAST_ACK: ['#7c3aed', '#a78bfa', '#6831c7', '#b59efb'],
  TIME_WAIT: ['#2563eb', '#60a5fa', '#1e4fbc', '#76b2fb'],
};

export function palette(theme: 'light' | 'dark'): Palette {
  const dark = theme === 'dark';
  return {
    bg: dark ? '#181d25' : '#ffffff',
    text: dark ? '#e6eaf0' : '#1b2330',
    muted: dark ? '#9aa5b4' : '#5b6676',
    line: dark ? '#3b4555' : '#c5ccd6',
    client: dark ? '#6ea0ff' : '#2563eb',
    server: dark ? '#f0a35e' : '#c2410c',
    select: dark ? '#1e2d4d' : '#e0e9fd',
    band: dark ? { handshake: '#1a2535', data: '#181d25', teardown: '#2a2118' } : { handshake: '#f1f6ff', data: '#ffffff', teardown: '#fff7ed' },
    badge: dark ? '#7f1d1d' : '#fee2e2',
    badgeText: dark ? '#fecaca' : '#991b1b',
    // Purple-700 / purple-300: ≥ 5.7:1 (WCAG 2) on every band and the selected row, apart from the client's blue and the server's orange.
    lost: dark ? '#d8b4fe' : '#7e22ce',
    ok: dark ? '#4ade80' : '#15803d',
    state: (s) => stateHue[s][dark ? 1 : 0],
    stateText: (s) => stateHue[s][dark ? 3 : 2],
  };
}

export interface DiagramProps {
  analysis: StreamAnalysis;
  rows: Row[];
  absolute: boolean;
  selectedFrame: number | null;
  onSelect(frame: number): void;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  colors: Palette;
  /** Seconds left of TIME_WAIT per side, when it is live; null draws the fixed Linux note. */
  timeWaitLeft: { client: number | null; server: number | null };
  /** States the kernel confirmed, per side, to tick in the lane. */
  confirmed: { client: Set<string>; server: Set<string> };
  /** An emulated link captured at both ends: per segment (its index), 1 arrived, 0 lost on the link, -1 unknown. */
  arrived?: Int8Array | null;
}

/** The diagram's width follows its card (from 720 px, the 1024 px window, up to 1200 px); the rest is laid out from it. */
const MIN_W = 720;
const MAX_W = 1200;
const TIME_COL = 96;
const HEAD = 64;
/** Room between a lifeline and its lane, for arrowheads and the socket-event dots. */
const LANE_GAP = 36;

interface Geometry {
  W: number;
  laneW: number;
  laneC: number;
  laneS: number;
  xClient: number;
  xServer: number;
}

export function geometry(width: number): Geometry {
  const W = Math.round(Math.min(MAX_W, Math.max(MIN_W, width)));
  // Lanes wide enough for "✓ kernel: ESTABLISHED" on one line when there is room; narrower ones wrap it.
  const laneW = W >= 820 ? 160 : W >= 760 ? 140 : 120;
  const laneC = TIME_COL;
  const laneS = W - laneW - 6;
  return { W, laneW, laneC, laneS, xClient: laneC + laneW + LANE_GAP, xServer: laneS - LANE_GAP };
}

const heights: Record<Row['kind'], number> = { phase: 24, segment: 46, marker: 22, kernel: 22 };
const font = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif";
const mono = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

function ms(t: number): string {
  return `${(t * 1000).toFixed(3)} ms`;
}

let measurer: CanvasRenderingContext2D | null | undefined;
/**
 * A text's width in px in the diagram's fonts: the page's canvas measures it (the same font
 * stack the SVG draws with); without a canvas, an estimate (CJK a full em, others 0.62 em, a
 * monospace advance).
 */
export function textWidth(text: string, size: number, weight: number, family: string): number {
  if (measurer === undefined) measurer = typeof document === 'undefined' ? null : (document.createElement('canvas').getContext('2d') ?? null);
  if (measurer) {
    measurer.font = `${weight} ${size}px ${family}`;
    return measurer.measureText(text).width;
  }
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! >= 0x2e80 ? size : size * 0.62;
  return w;
}

interface Line {
  text: string;
  size: number;
  weight: number;
  fill: string;
}

/** Lines broken at spaces so each fits `max` px (a word longer than that stands alone). */
function wrap(text: string, max: number, style: Omit<Line, 'text'>): Line[] {
  const words = text.split(' ');
  const lines: Line[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && textWidth(next, style.size, style.weight, mono) > max) {
      lines.push({ ...style, text: cur });
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push({ ...style, text: cur });
  return lines;
}

/** A text cut with "…" to fit `max` px. */
function fit(text: string, max: number, size: number, family: string): string {
  if (textWidth(text, size, 400, family) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(`${text.slice(0, mid)}…`, size, 400, family) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

/** A label in a state lane: where it would like to start, and the lines it is made of. */
interface LaneLabel {
  want: number;
  lines: Line[];
  top: number;
}

const lineHeight = (l: Line) => l.size + 3;
const labelHeight = (l: LaneLabel) => l.lines.reduce((h, x) => h + lineHeight(x), 0);

/**
 * Lane labels top to bottom, each at the height it wants unless the one above still occupies
 * it: then just below. Labels of one lane never overlap, whatever the spans' heights (a short
 * FIN_WAIT_2 and the TIME_WAIT countdown under it, a kernel confirmation in between).
 */
export function placeLabels<T extends LaneLabel>(labels: T[], gap = 3): T[] {
  let bottom = -Infinity;
  for (const l of [...labels].sort((a, b) => a.want - b.want)) {
    l.top = Math.max(l.want, bottom + gap);
    bottom = l.top + labelHeight(l);
  }
  return labels;
}

/**
 * Each state's stretch of its lane: a change caused by a segment starts just below that
 * segment's arrow; the lane's first state starts at the top.
 */
function laneSpans(changes: StateChange[], rows: Row[], ys: number[], top: number, end: number): { state: TcpState; y0: number; y1: number }[] {
  // A change at a segment's own time is drawn at that segment (what one capture infers, and an end's
  // own sending). A change between segments — an end that saw a segment arrive later than the client
  // captured it (an emulated link's server lane, from the server's capture) — is drawn at the last
  // segment before it: the arrow that arrived, not the next one.
  const yOf = (t: number) => {
    let i = rows.findIndex((r) => r.kind === 'segment' && r.t >= t - 1e-9);
    if (i >= 0 && rows[i]!.t > t + 1e-9) {
      const before = rows.findLastIndex((r, j) => j < i && r.kind === 'segment');
      if (before >= 0) i = before;
    } else if (i < 0) i = rows.findLastIndex((r) => r.kind === 'segment' && r.t <= t + 1e-9);
    return i < 0 ? end - 24 : ys[i]! + heights.segment - 6;
  };
  return changes.map((ch, k) => ({
    state: ch.state,
    y0: k === 0 ? top : yOf(ch.t),
    y1: k + 1 < changes.length ? yOf(changes[k + 1]!.t) : end,
  }));
}

export const SequenceDiagram = forwardRef<SVGSVGElement, DiagramProps>(function SequenceDiagram(p, ref) {
  const { analysis: a, rows, colors: c, t } = p;
  const own = useRef<SVGSVGElement | null>(null);
  const setRef = (el: SVGSVGElement | null) => {
    own.current = el;
    if (typeof ref === 'function') ref(el);
    else if (ref) ref.current = el;
  };
  // The card's width, followed as the window or the details pane changes it.
  const [width, setWidth] = useState(900);
  useLayoutEffect(() => {
    const box = own.current?.parentElement;
    if (!box) return;
    const read = () => setWidth(box.clientWidth);
    read();
    const observer = new ResizeObserver(read);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  const g0 = geometry(width);
  const { W, laneW } = g0;
  const laneX = (side: 'client' | 'server') => (side === 'client' ? g0.laneC : g0.laneS);
  const textMax = laneW - 14;

  const ys: number[] = [];
  let y = HEAD + 18;
  for (const r of rows) {
    ys.push(y);
    y += heights[r.kind];
  }
  const rowsEnd = y;
  const spans = {
    client: laneSpans(a.states.client, rows, ys, HEAD + 18, rowsEnd + 16),
    server: laneSpans(a.states.server, rows, ys, HEAD + 18, rowsEnd + 16),
  };

  // Every label of each lane — the state names (with the TIME_WAIT countdown) and the kernel's
  // confirmations — measured, wrapped to the lane and placed so that none overlaps another.
  const stateLabels = { client: [] as (LaneLabel & { span: number })[], server: [] as (LaneLabel & { span: number })[] };
  const kernelLabels = { client: [] as (LaneLabel & { row: number })[], server: [] as (LaneLabel & { row: number })[] };
  for (const side of ['client', 'server'] as const) {
    spans[side].forEach((sp, i) => {
      const tick = p.confirmed[side].has(sp.state) ? ' ✓' : '';
      const lines = wrap(sp.state + tick, textMax, { size: 11, weight: 700, fill: c.stateText(sp.state) });
      const left = sp.state === 'TIME_WAIT' ? p.timeWaitLeft[side] : undefined;
      if (left !== undefined) {
        const note = left === null ? t('tl.timeWaitLinuxShort') : left > 0 ? t('tl.timeWaitLeftShort', { s: Math.ceil(left) }) : t('tl.timeWaitOver');
        lines.push(...wrap(note, textMax, { size: 10, weight: 500, fill: c.stateText(sp.state) }));
      }
      stateLabels[side].push({ want: sp.y0 + 4, lines, top: 0, span: i });
    });
  }
  rows.forEach((r, i) => {
    if (r.kind !== 'kernel') return;
    const timer = r.kernel.timerSec !== null && r.kernel.state === 'TIME_WAIT' ? ` ${r.kernel.timerSec.toFixed(1)}s` : '';
    kernelLabels[r.kernel.side].push({
      want: ys[i]! + 4,
      lines: wrap(`✓ ${t('tl.kernel')}: ${r.kernel.state}${timer}`, textMax, { size: 10, weight: 400, fill: c.ok }),
      top: 0,
      row: i,
    });
  });
  let labelsEnd = rowsEnd;
  for (const side of ['client', 'server'] as const) {
    placeLabels<LaneLabel>([...stateLabels[side], ...kernelLabels[side]]);
    for (const l of [...stateLabels[side], ...kernelLabels[side]]) labelsEnd = Math.max(labelsEnd, l.top + labelHeight(l));
  }
  const H = Math.max(rowsEnd, labelsEnd + 8) + 40;
  for (const side of ['client', 'server'] as const) if (spans[side].length) spans[side].at(-1)!.y1 = H - 24;

  // Phase bands behind the rows, from each phase heading to the next.
  const bands: { phase: 'handshake' | 'data' | 'teardown'; y0: number; y1: number }[] = [];
  rows.forEach((r, i) => {
    if (r.kind !== 'phase') return;
    if (bands.length) bands.at(-1)!.y1 = ys[i]!;
    bands.push({ phase: r.phase, y0: ys[i]!, y1: H - 24 });
  });

  const drawLabel = (side: 'client' | 'server', l: LaneLabel, title?: string) => {
    const x = laneX(side) + 10;
    let dy = 0;
    return (
      <text x={x} y={l.top} fontFamily={mono} data-label={side}>
        {title && <title>{title}</title>}
        {l.lines.map((line, k) => {
          dy = lineHeight(line);
          return (
            <tspan key={k} x={x} dy={k === 0 ? line.size : dy} fontSize={line.size} fontWeight={line.weight} fill={line.fill}>
              {line.text}
            </tspan>
          );
        })}
      </text>
    );
  };
  const markerMax = g0.xServer - g0.xClient - 24;

  return (
    <svg
      ref={setRef}
      xmlns="http://www.w3.org/2000/svg"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      fontFamily={font}
      // A group, not an image: its segments are buttons a keyboard reaches (an img's children are presentational; axe nested-interactive).
      role="group"
      aria-label={`${t('tl.diagramLabel')}: ${a.client} → ${a.server}`}
      data-testid="sequence-diagram"
    >
      <rect x={0} y={0} width={W} height={H} fill={c.bg} />
      {bands.map((b, i) => (
        <rect key={i} x={0} y={b.y0} width={W} height={b.y1 - b.y0} fill={c.band[b.phase]} />
      ))}
      {/* Heads */}
      <text x={g0.xClient} y={22} textAnchor="middle" fontSize={14} fontWeight={700} fill={c.client}>
        {t('tl.client')}
      </text>
      <text x={g0.xClient} y={40} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
        {a.client}
      </text>
      <text x={g0.xServer} y={22} textAnchor="middle" fontSize={14} fontWeight={700} fill={c.server}>
        {t('tl.server')}
      </text>
      <text x={g0.xServer} y={40} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
        {a.server}
      </text>
      <text x={10} y={22} fontSize={11} fill={c.muted}>
        t
      </text>
      <text x={10} y={40} fontSize={11} fill={c.muted}>
        Δ
      </text>
      {a.handshakeRttMs !== null && (
        <text x={(g0.xClient + g0.xServer) / 2} y={58} textAnchor="middle" fontSize={11} fill={c.muted}>
          {t('tl.rtt', { ms: a.handshakeRttMs.toFixed(3) })}
        </text>
      )}
      {/* Lifelines */}
      <line x1={g0.xClient} y1={HEAD} x2={g0.xClient} y2={H - 20} stroke={c.client} strokeWidth={2} opacity={0.5} />
      <line x1={g0.xServer} y1={HEAD} x2={g0.xServer} y2={H - 20} stroke={c.server} strokeWidth={2} opacity={0.5} />
      {/* The selected segment's row, under everything else so lane labels stay readable */}
      {rows.map((r, i) =>
        r.kind === 'segment' && r.seg.frame === p.selectedFrame ? (
          <rect key={`sel-${i}`} x={0} y={ys[i]!} width={W} height={heights.segment} fill={c.select} />
        ) : null,
      )}
      {/* State lanes */}
      {(['client', 'server'] as const).map((side) =>
        spans[side].map((sp, i) => (
          <g key={`${side}-${i}`} data-testid={`lane-${side}`} data-state={sp.state}>
            <rect x={laneX(side)} y={sp.y0} width={laneW} height={Math.max(2, sp.y1 - sp.y0)} fill={c.state(sp.state)} opacity={0.14}>
              <title>{`${sp.state}: ${t(`tl.state.${sp.state}` as MessageKey)}`}</title>
            </rect>
            <rect x={laneX(side)} y={sp.y0} width={4} height={Math.max(2, sp.y1 - sp.y0)} fill={c.state(sp.state)} />
            {drawLabel(side, stateLabels[side][i]!, t(`tl.state.${sp.state}` as MessageKey))}
          </g>
        )),
      )}
      {rows.map((r, i) => {
        const y0 = ys[i]!;
        if (r.kind === 'phase') {
          return (
            <text key={i} x={(g0.xClient + g0.xServer) / 2} y={y0 + 16} textAnchor="middle" fontSize={11} fontWeight={700} letterSpacing={1} fill={c.muted}>
              {t(r.reset ? 'tl.phase.reset' : `tl.phase.${r.phase}`).toUpperCase()}
            </text>
          );
        }
        if (r.kind === 'marker') {
          const x = r.marker.side === 'client' ? g0.xClient : g0.xServer;
          const color = r.marker.side === 'client' ? c.client : c.server;
          const text = `${t(`tl.ev.${r.marker.event}` as MessageKey)} — ${r.marker.detail}`;
          return (
            <g key={i} data-testid="marker">
              <circle cx={x} cy={y0 + 11} r={4} fill={color} />
              <text
                x={r.marker.side === 'client' ? x + 10 : x - 10}
                y={y0 + 15}
                fontSize={11}
                fontStyle="italic"
                fill={r.marker.event === 'error' ? c.badgeText : c.muted}
                textAnchor={r.marker.side === 'client' ? 'start' : 'end'}
                data-label="marker"
              >
                <title>{text}</title>
                {fit(text, markerMax, 11, font)}
              </text>
              <text x={8} y={y0 + 15} fontSize={10} fill={c.muted} fontFamily={mono}>
                {ms(r.t)}
              </text>
            </g>
          );
        }
        if (r.kind === 'kernel') {
          const side = r.kernel.side;
          const label = kernelLabels[side].find((l) => l.row === i)!;
          return (
            <g key={i} data-testid="kernel-state" data-state={r.kernel.state} data-side={side}>
              {drawLabel(side, label)}
              <text x={8} y={y0 + 15} fontSize={10} fill={c.muted} fontFamily={mono}>
                {ms(r.t)}
              </text>
            </g>
          );
        }
        const g = r.seg;
        const fromClient = g.from === 'client';
        const x1 = fromClient ? g0.xClient : g0.xServer;
        const x2 = fromClient ? g0.xServer : g0.xClient;
        const mid = y0 + 20;
        // The arrow slopes down a little: time passes while the segment travels.
        const yEnd = mid + 8;
        const color = fromClient ? c.client : c.server;
        const seq = p.absolute ? g.seq : g.relSeq;
        const ack = g.ack === null ? null : p.absolute ? g.ack : g.relAck;
        const win = g.winScaled ?? g.win;
        const opts =
          g.options &&
          (g.flags.includes('SYN')
            ? [
                g.options.mss !== undefined && `MSS=${g.options.mss}`,
                g.options.wscale !== undefined && `WS=${2 ** g.options.wscale}`,
                g.options.sackPermitted && 'SACK_PERM',
                g.options.tsval !== undefined && 'TS',
              ]
                .filter(Boolean)
                .join(' ')
            : '');
        const selected = p.selectedFrame === g.frame;
        const dir = fromClient ? 1 : -1;
        // Lost on the link: the arrow stops at the router, past the middle, with a cross where it was dropped.
        const lost = p.arrived?.[r.k] === 0;
        const xLost = x1 + (x2 - x1) * 0.6;
        const yLost = mid + (yEnd - mid) * 0.6;
        return (
          <g
            key={i}
            data-testid="segment"
            data-flags={g.flags.join('+')}
            data-from={g.from}
            data-lost={lost ? 'true' : undefined}
            role="button"
            tabIndex={0}
            aria-label={`#${g.frame} ${g.from} ${g.flags.join(', ')} seq=${seq}${ack === null ? '' : ` ack=${ack}`} len=${g.len}${lost ? `, ${t('tl.link.lost')}` : ''}`}
            onClick={() => p.onSelect(g.frame)}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), p.onSelect(g.frame))}
            style={{ cursor: 'pointer' }}
          >
            <rect x={0} y={y0} width={W} height={heights.segment} fill="transparent" />
            <text x={8} y={y0 + 16} fontSize={11} fill={c.text} fontFamily={mono}>
              {ms(g.t)}
            </text>
            <text x={8} y={y0 + 30} fontSize={10} fill={c.muted} fontFamily={mono}>{`+${ms(g.dt)}`}</text>
            {lost ? (
              <>
                <line x1={x1} y1={mid} x2={xLost} y2={yLost} stroke={color} strokeWidth={selected ? 2.5 : 1.6} />
                <path
                  d={`M${xLost - 5},${yLost - 5} L${xLost + 5},${yLost + 5} M${xLost - 5},${yLost + 5} L${xLost + 5},${yLost - 5}`}
                  stroke={c.lost}
                  strokeWidth={2.4}
                  data-testid="lost-cross"
                >
                  <title>{t('tl.link.lostTitle')}</title>
                </path>
              </>
            ) : (
              <>
                <line x1={x1} y1={mid} x2={x2 - dir * 6} y2={yEnd} stroke={color} strokeWidth={selected ? 2.5 : 1.6} />
                <polygon points={`${x2},${yEnd} ${x2 - dir * 10},${yEnd - 5} ${x2 - dir * 10},${yEnd + 5}`} fill={color} />
              </>
            )}
            <text x={(x1 + x2) / 2} y={mid - 6} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
              <tspan fontWeight={700} fill={color}>
                {g.flags.join(', ')}
              </tspan>
              <tspan>{`  seq=${seq}${ack === null ? '' : ` ack=${ack}`}`}</tspan>
              {badgeTexts(t, g, ['rst']).map((b) => (
                <tspan key={b} fill={c.badgeText} fontWeight={700}>{`  [${b}]`}</tspan>
              ))}
              {lost && <tspan fill={c.lost} fontWeight={700} data-testid="lost-on-link">{`  ✕ ${t('tl.link.lost')}`}</tspan>}
            </text>
            <text x={(x1 + x2) / 2} y={yEnd + 13} textAnchor="middle" fontSize={10.5} fill={c.muted} fontFamily={mono}>
              {`len=${g.len} win=${win}${opts ? ` · ${opts}` : ''}`}
            </text>
          </g>
        );
      })}
      <text x={W / 2} y={H - 6} textAnchor="middle" fontSize={10} fill={c.muted}>
        {t('tl.legendInferred')}
      </text>
    </svg>
  );
});
