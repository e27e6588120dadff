import { forwardRef } from 'react';
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
  ok: string;
  state: (s: TcpState) => string;
}

const stateHue: Record<TcpState, [string, string]> = {
  CLOSED: ['#9ca3af', '#6b7280'],
  LISTEN: ['#94a3b8', '#64748b'],
  SYN_SENT: ['#f59e0b', '#fbbf24'],
  SYN_RCVD: ['#f59e0b', '#fbbf24'],
  ESTABLISHED: ['#16a34a', '#4ade80'],
  FIN_WAIT_1: ['#ea580c', '#fb923c'],
  FIN_WAIT_2: ['#c2410c', '#fdba74'],
  CLOSE_WAIT: ['#9333ea', '#c084fc'],
  CLOSING: ['#db2777', '#f472b6'],
  LAST_ACK: ['#7c3aed', '#a78bfa'],
  TIME_WAIT: ['#2563eb', '#60a5fa'],
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
    ok: dark ? '#4ade80' : '#15803d',
    state: (s) => stateHue[s][dark ? 1 : 0],
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
}

const W = 900;
const HEAD = 64;
const X_CLIENT = 300;
const X_SERVER = 640;
const LANE_C = 106;
const LANE_S = 730;
const LANE_W = 130;
const heights: Record<Row['kind'], number> = { phase: 24, segment: 46, marker: 22, kernel: 22 };
const font = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif";
const mono = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

function ms(t: number): string {
  return `${(t * 1000).toFixed(3)} ms`;
}

/**
 * Each state's stretch of its lane: a change caused by a segment starts just below that
 * segment's arrow; the lane's first state starts at the top.
 */
function laneSpans(changes: StateChange[], rows: Row[], ys: number[], top: number, end: number): { state: TcpState; y0: number; y1: number }[] {
  const yOf = (t: number) => {
    const i = rows.findIndex((r) => r.kind === 'segment' && r.t >= t - 1e-9);
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
  const ys: number[] = [];
  let y = HEAD + 18;
  for (const r of rows) {
    ys.push(y);
    y += heights[r.kind];
  }
  const H = y + 40;
  const lanes = { client: laneSpans(a.states.client, rows, ys, HEAD + 18, H - 24), server: laneSpans(a.states.server, rows, ys, HEAD + 18, H - 24) };

  // Phase bands behind the rows, from each phase heading to the next.
  const bands: { phase: 'handshake' | 'data' | 'teardown'; y0: number; y1: number }[] = [];
  rows.forEach((r, i) => {
    if (r.kind !== 'phase') return;
    if (bands.length) bands.at(-1)!.y1 = ys[i]!;
    bands.push({ phase: r.phase, y0: ys[i]!, y1: H - 24 });
  });

  const label = (side: 'client' | 'server', state: TcpState, y0: number) => {
    const x = (side === 'client' ? LANE_C : LANE_S) + 10;
    const tick = p.confirmed[side].has(state) ? ' ✓' : '';
    const left = state === 'TIME_WAIT' ? p.timeWaitLeft[side] : undefined;
    return (
      <text x={x} y={y0 + 15} fontSize={11} fontWeight={700} fill={c.state(state)} fontFamily={mono}>
        <title>{t(`tl.state.${state}` as MessageKey)}</title>
        {state + tick}
        {left !== undefined && (
          <tspan x={x} dy={14} fontWeight={500} fontSize={10}>
            {left === null ? t('tl.timeWaitLinuxShort') : left > 0 ? t('tl.timeWaitLeftShort', { s: Math.ceil(left) }) : t('tl.timeWaitOver')}
          </tspan>
        )}
      </text>
    );
  };

  return (
    <svg
      ref={ref}
      xmlns="http://www.w3.org/2000/svg"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      fontFamily={font}
      role="img"
      aria-label={`${a.client} → ${a.server}`}
      data-testid="sequence-diagram"
    >
      <rect x={0} y={0} width={W} height={H} fill={c.bg} />
      {bands.map((b, i) => (
        <rect key={i} x={0} y={b.y0} width={W} height={b.y1 - b.y0} fill={c.band[b.phase]} />
      ))}
      {/* Heads */}
      <text x={X_CLIENT} y={22} textAnchor="middle" fontSize={14} fontWeight={700} fill={c.client}>
        {t('tl.client')}
      </text>
      <text x={X_CLIENT} y={40} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
        {a.client}
      </text>
      <text x={X_SERVER} y={22} textAnchor="middle" fontSize={14} fontWeight={700} fill={c.server}>
        {t('tl.server')}
      </text>
      <text x={X_SERVER} y={40} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
        {a.server}
      </text>
      <text x={10} y={22} fontSize={11} fill={c.muted}>
        t
      </text>
      <text x={10} y={40} fontSize={11} fill={c.muted}>
        Δ
      </text>
      {a.handshakeRttMs !== null && (
        <text x={(X_CLIENT + X_SERVER) / 2} y={58} textAnchor="middle" fontSize={11} fill={c.muted}>
          {t('tl.rtt', { ms: a.handshakeRttMs.toFixed(3) })}
        </text>
      )}
      {/* Lifelines */}
      <line x1={X_CLIENT} y1={HEAD} x2={X_CLIENT} y2={H - 20} stroke={c.client} strokeWidth={2} opacity={0.5} />
      <line x1={X_SERVER} y1={HEAD} x2={X_SERVER} y2={H - 20} stroke={c.server} strokeWidth={2} opacity={0.5} />
      {/* The selected segment's row, under everything else so lane labels stay readable */}
      {rows.map((r, i) =>
        r.kind === 'segment' && r.seg.frame === p.selectedFrame ? (
          <rect key={`sel-${i}`} x={0} y={ys[i]!} width={W} height={heights.segment} fill={c.select} />
        ) : null,
      )}
      {/* State lanes */}
      {(['client', 'server'] as const).map((side) =>
        lanes[side].map((s, i) => (
          <g key={`${side}-${i}`} data-testid={`lane-${side}`} data-state={s.state}>
            <rect x={side === 'client' ? LANE_C : LANE_S} y={s.y0} width={LANE_W} height={Math.max(2, s.y1 - s.y0)} fill={c.state(s.state)} opacity={0.14}>
              <title>{`${s.state}: ${t(`tl.state.${s.state}` as MessageKey)}`}</title>
            </rect>
            <rect x={side === 'client' ? LANE_C : LANE_S} y={s.y0} width={4} height={Math.max(2, s.y1 - s.y0)} fill={c.state(s.state)} />
            {label(side, s.state, s.y0)}
          </g>
        )),
      )}
      {rows.map((r, i) => {
        const y0 = ys[i]!;
        if (r.kind === 'phase') {
          return (
            <text key={i} x={(X_CLIENT + X_SERVER) / 2} y={y0 + 16} textAnchor="middle" fontSize={11} fontWeight={700} letterSpacing={1} fill={c.muted}>
              {t(r.reset ? 'tl.phase.reset' : `tl.phase.${r.phase}`).toUpperCase()}
            </text>
          );
        }
        if (r.kind === 'marker') {
          const x = r.marker.side === 'client' ? X_CLIENT : X_SERVER;
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
              >
                {text.length > 52 ? `${text.slice(0, 51)}…` : text}
              </text>
              <text x={8} y={y0 + 15} fontSize={10} fill={c.muted} fontFamily={mono}>
                {ms(r.t)}
              </text>
            </g>
          );
        }
        if (r.kind === 'kernel') {
          const x = (r.kernel.side === 'client' ? LANE_C : LANE_S) + 10;
          return (
            <g key={i} data-testid="kernel-state" data-state={r.kernel.state} data-side={r.kernel.side}>
              <text x={x} y={y0 + 15} fontSize={10} fill={c.ok} fontFamily={mono}>
                {`✓ ${t('tl.kernel')}: ${r.kernel.state}${r.kernel.timerSec !== null && r.kernel.state === 'TIME_WAIT' ? ` ${r.kernel.timerSec.toFixed(1)}s` : ''}`}
              </text>
              <text x={8} y={y0 + 15} fontSize={10} fill={c.muted} fontFamily={mono}>
                {ms(r.t)}
              </text>
            </g>
          );
        }
        const g = r.seg;
        const fromClient = g.from === 'client';
        const x1 = fromClient ? X_CLIENT : X_SERVER;
        const x2 = fromClient ? X_SERVER : X_CLIENT;
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
        return (
          <g
            key={i}
            data-testid="segment"
            data-flags={g.flags.join('+')}
            data-from={g.from}
            role="button"
            tabIndex={0}
            aria-label={`#${g.frame} ${g.from} ${g.flags.join(', ')} seq=${seq}${ack === null ? '' : ` ack=${ack}`} len=${g.len}`}
            onClick={() => p.onSelect(g.frame)}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), p.onSelect(g.frame))}
            style={{ cursor: 'pointer' }}
          >
            <rect x={0} y={y0} width={W} height={heights.segment} fill="transparent" />
            <text x={8} y={y0 + 16} fontSize={11} fill={c.text} fontFamily={mono}>
              {ms(g.t)}
            </text>
            <text x={8} y={y0 + 30} fontSize={10} fill={c.muted} fontFamily={mono}>{`+${ms(g.dt)}`}</text>
            <line x1={x1} y1={mid} x2={x2 - dir * 6} y2={yEnd} stroke={color} strokeWidth={selected ? 2.5 : 1.6} />
            <polygon points={`${x2},${yEnd} ${x2 - dir * 10},${yEnd - 5} ${x2 - dir * 10},${yEnd + 5}`} fill={color} />
            <text x={(x1 + x2) / 2} y={mid - 6} textAnchor="middle" fontSize={12} fill={c.text} fontFamily={mono}>
              <tspan fontWeight={700} fill={color}>
                {g.flags.join(', ')}
              </tspan>
              <tspan>{`  seq=${seq}${ack === null ? '' : ` ack=${ack}`}`}</tspan>
              {badgeTexts(t, g, ['rst']).map((b) => (
                <tspan key={b} fill={c.badgeText} fontWeight={700}>{`  [${b}]`}</tspan>
              ))}
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
