import type { TimelinePacket } from '../../../../shared/contract/index.ts';
import type { Segment } from '../../../../shared/timeline/tcp-analysis.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useT } from '../../store/store-context.tsx';
import { badgeTexts } from './badge-text.ts';

/** Everything about one segment: header fields (both numberings), options, analysis and the bytes. */
export function SegmentDetails({
  seg,
  prev = null,
  packet,
  wscale,
  arrival = null,
}: {
  seg: Segment | null;
  /** The segment before it in the connection (what it may answer). */
  prev?: Segment | null;
  packet: TimelinePacket | null;
  wscale: number | null;
  /** An emulated link captured at both ends: 1 arrived, 0 lost, -1 unknown, and the one-way delay (NaN unknown). */
  arrival?: { arrived: number; oneWayMs: number } | null;
}) {
  const t = useT();
  if (!seg || !packet)
    return (
      <aside className="tl-details muted" data-testid="segment-details">
        {t('tl.detailsHint')}
      </aside>
    );
  const o = seg.options;
  const options = o
    ? [
        o.mss !== undefined && `MSS ${o.mss}`,
        o.wscale !== undefined && `WS ${o.wscale} (×${2 ** o.wscale})`,
        o.sackPermitted && 'SACK permitted',
        o.sack && `SACK ${o.sack.map(([l, r]) => `${l}–${r}`).join(', ')}`,
        o.tsval !== undefined && `TSval ${o.tsval}\nTSecr ${o.tsecr}`,
      ]
        .filter(Boolean)
        .join('\n') || o.kinds.join(', ')
    : '—';
  const rows: [MessageKey, string][] = [
    ['tl.f.frame', `#${seg.frame}`],
    ['tl.f.time', `${(seg.t * 1000).toFixed(3)} ms`],
    ['tl.f.delta', `+${(seg.dt * 1000).toFixed(3)} ms`],
    ['tl.f.direction', `${packet.src}:${packet.srcPort} → ${packet.dst}:${packet.dstPort} (${t(seg.from === 'client' ? 'tl.client' : 'tl.server')} →)`],
    ['tl.f.flags', seg.flags.join(', ')],
    ['tl.f.seq', `${seg.relSeq} (${t('tl.rel')})\n${seg.seq} (${t('tl.abs')})`],
    ['tl.f.ack', seg.ack === null ? '—' : `${seg.relAck} (${t('tl.rel')})\n${seg.ack} (${t('tl.abs')})`],
    ['tl.f.len', `${seg.len} B`],
    [
      'tl.f.win',
      `${seg.win} · ${seg.flags.includes('SYN') ? t('tl.f.synUnscaled') : seg.winScaled === null ? t('tl.f.scaleUnknown') : t('tl.f.scaled', { n: wscale ?? 0, v: seg.winScaled })}`,
    ],
    ['tl.f.options', options],
    ['tl.f.badges', seg.badges.length ? badgeTexts(t, seg).join(', ') : '—'],
  ];
  if (arrival && arrival.arrived >= 0)
    rows.push([
      'tl.f.arrival',
      arrival.arrived === 0
        ? t('tl.link.lost')
        : Number.isNaN(arrival.oneWayMs)
          ? t('tl.f.arrivedUntimed')
          : t('tl.f.arrived', { ms: arrival.oneWayMs.toFixed(3) }),
    ]);
  // The answers to a keep-alive probe are badged as tshark badges them: the first is a "window
  // update" (its window differs from that side's previous segment, the unscaled SYN+ACK, and tshark
  // tests for a window update before a keep-alive ACK), the later ones "keep-alive ACK". Said
  // here, so the two names for one answer do not puzzle a student.
  const answersProbe = prev !== null && prev.from !== seg.from && prev.badges.includes('keep-alive');
  const why = seg.badges.includes('keep-alive-ack')
    ? t('tl.why.keepAliveAck')
    : answersProbe && seg.badges.includes('window-update')
      ? t('tl.why.keepAliveWindowUpdate', { ack: seg.relAck ?? '?' })
      : null;
  return (
    // Focusable and named: it scrolls, and a keyboard must be able to scroll it (axe scrollable-region-focusable).
    <aside className="tl-details" data-testid="segment-details" tabIndex={0} aria-label={`${t('tl.details')} #${seg.frame}`}>
      <h3>
        {t('tl.details')} #{seg.frame}
      </h3>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k} className="tl-detail-row">
            <dt>{t(k)}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      {why && (
        <p className="tl-why small" data-testid="badge-why">
          {why}
        </p>
      )}
      <h4>
        {t('tl.f.hex')}{' '}
        <span className="muted small">
          {t('tl.f.hexLegend')}
          {packet.hex.length / 2 < packet.origLen ? ` · ${t('tl.f.cut', { n: packet.hex.length / 2, total: packet.origLen })}` : ''}
        </span>
      </h4>
      <HexDump hex={packet.hex} tcpStart={packet.tcpOffset} dataStart={packet.tcpOffset + packet.tcpHeaderLen} />
    </aside>
  );
}

/** Eight bytes a line fit the details column at any window width. */
const PER_LINE = 8;

/** Offset, bytes in hex, and their printable characters; header bytes tinted by layer. */
function HexDump({ hex, tcpStart, dataStart }: { hex: string; tcpStart: number; dataStart: number }) {
  const n = hex.length / 2;
  const lines = [];
  for (let off = 0; off < n; off += PER_LINE) {
    const cells = [];
    let ascii = '';
    for (let i = off; i < Math.min(off + PER_LINE, n); i++) {
      const b = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      const layer = i < tcpStart ? 'hx-ip' : i < dataStart ? 'hx-tcp' : 'hx-data';
      cells.push(
        <span key={i} className={layer}>
          {hex.slice(2 * i, 2 * i + 2)}
        </span>,
      );
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(
      <div key={off} className="hx-line">
        <span className="hx-off">{off.toString(16).padStart(4, '0')}</span>
        <span className="hx-bytes">{cells}</span>
        <span className="hx-ascii">{ascii}</span>
      </div>,
    );
  }
  return (
    <div className="hexdump mono" data-testid="hexdump">
      {lines}
    </div>
  );
}
