import { useState } from 'react';
import type { SessionView } from '../../store/sender-slice.ts';
import { useClient, useLocale, useT } from '../../store/store-context.tsx';
import { senderErrorText } from '../../i18n/sender-text.ts';

/** Broadcast flag and multicast groups for one UDP session. */
export function UdpOptions({ session }: { session: SessionView }) {
  const t = useT();
  const locale = useLocale();
  const client = useClient();
  const [state, setState] = useState<{ broadcast: boolean; groups: string[] }>({ broadcast: false, groups: [] });
  const [group, setGroup] = useState('239.1.2.3');
  const [iface, setIface] = useState('127.0.0.1');
  const [ttl, setTtl] = useState('1');
  const [error, setError] = useState<string | null>(null);
  // IP_MULTICAST_LOOP (ip(7)): on by default in Linux, macOS and Windows; the backend does not
  // report it, so the box shows what was last set successfully.
  const [loopback, setLoopback] = useState(true);

  async function apply(options: Record<string, unknown>): Promise<boolean> {
    const r = await client.invoke('sender.udpOptions', { sessionId: session.info.id, ...options });
    if (r.ok) {
      setState(r.value);
      setError(null);
    } else setError(senderErrorText(locale, r.error));
    return r.ok;
  }

  return (
    <div className="udp-options" data-testid="udp-options">
      <label className="check">
        <input type="checkbox" data-testid="broadcast" checked={state.broadcast} onChange={(e) => void apply({ broadcast: e.target.checked })} />
        {t('sender.udp.broadcast')}
      </label>
      <span className="lib-sep" />
      <span className="muted">{t('sender.udp.group')}</span>
      <input className="input mono" aria-label={t('sender.udp.group')} data-testid="mc-group" value={group} onChange={(e) => setGroup(e.target.value)} />
      <span className="muted">{t('sender.udp.via')}</span>
      <input className="input mono" aria-label={t('sender.udp.via')} value={iface} onChange={(e) => setIface(e.target.value)} />
      <button
        className="button small"
        data-testid="mc-join"
        onClick={() => void apply({ join: { group, iface: iface || undefined }, multicastInterface: iface || undefined })}
      >
        {t('sender.udp.join')}
      </button>
      <span className="muted">TTL</span>
      <input
        className="input mono ttl"
        aria-label="TTL"
        value={ttl}
        onChange={(e) => setTtl(e.target.value)}
        onBlur={() => (/^\d+$/.test(ttl) ? void apply({ multicastTtl: Number(ttl) }) : setError(`TTL: "${ttl}" must be a whole number 0–255`))}
      />
      <label className="check" title={t('sender.udp.loopbackHint')}>
        <input
          type="checkbox"
          data-testid="mc-loopback"
          checked={loopback}
          onChange={(e) => {
            const on = e.target.checked;
            void apply({ multicastLoopback: on }).then((ok) => ok && setLoopback(on));
          }}
        />
        {t('sender.udp.loopback')}
      </label>
      {state.groups.map((g) => (
        <span key={g} className="chip" data-testid="mc-joined">
          {g}{' '}
          <button className="icon-button" aria-label={t('sender.udp.leave')} onClick={() => void apply({ leave: { group: g, iface: iface || undefined } })}>
            ×
          </button>
        </span>
      ))}
      {error && (
        <span className="field-error" role="alert" data-testid="udp-error">
          {error}
        </span>
      )}
    </div>
  );
}
