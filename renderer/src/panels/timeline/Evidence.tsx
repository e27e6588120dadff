import type { MessageKey } from '../../i18n/i18n.ts';
import type { TimelineSource } from '../../store/timeline-slice.ts';
import { useLocale, useT } from '../../store/store-context.tsx';
import { markerText } from './marker-text.ts';

/** Without packets: the sockets' events and the kernel's states, in time order. */
export function Evidence({ source }: { source: TimelineSource }) {
  const t = useT();
  const locale = useLocale();
  const rows = [
    ...source.markers.map((m) => ({ at: m.tsSec + m.tsNs / 1e9, side: m.side, what: `${t(`tl.ev.${m.event}` as MessageKey)} — ${markerText(locale, m)}` })),
    ...source.kernel.map((k) => ({
      at: k.tsSec + k.tsNs / 1e9,
      side: k.side,
      what: `✓ ${t('tl.kernel')}: ${k.state}${k.timerSec !== null ? ` (${k.timerSec.toFixed(1)} s)` : ''}`,
    })),
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
